"""What a browser session keeps: its language and words, the view its address describes, the sidebar's model."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from latentwall import i18n, inputs, registry
from webapp.components import component

KINDS = registry.WALL_KINDS
MODEL_KEY = "model"


# This session's language (one of i18n.LANGUAGES), chosen at the start of every full run.
LANGUAGE_KEY = "language"


def language() -> str:
    """The language this session reads; English until a run has chosen one."""
    chosen = st.session_state.get(LANGUAGE_KEY)
    return chosen if chosen in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def session_strings() -> i18n.Strings:
    """This session's words as one object, for labels Streamlit may format after the run (bind it early)."""
    return i18n.load_strings(language())


def text(key: str, **values) -> str:
    """A word or sentence of the app in this session's language."""
    return session_strings()(key, **values)


def choose_language() -> tuple[str, bool]:
    """Settle this session's language: ?lang= in the address, else the session's earlier choice, else the
    browser's language (its locale, then its Accept-Language header), else English.

    Returns the language and whether the address named one the app could not use.
    """
    asked = st.query_params.get("lang")
    from_address = i18n.match(asked)
    earlier = st.session_state.get(LANGUAGE_KEY)
    if from_address:
        chosen = from_address
    elif earlier in i18n.LANGUAGES:
        chosen = earlier
    else:
        chosen = i18n.negotiate(st.context.locale, header=st.context.headers.get("Accept-Language"))
    st.session_state[LANGUAGE_KEY] = chosen
    return chosen, asked is not None and from_address is None


def current_kind() -> str:
    """The model the sidebar chose; a forged session value falls back to the AE."""
    kind = st.session_state.get(MODEL_KEY, KINDS[0])
    return kind if kind in KINDS else KINDS[0]


def link_model() -> None:
    st.query_params["model"] = current_kind()


LANGUAGE_SWITCH_KEY = "language-switch"


def language_choice() -> None:
    """The sidebar's language switch; a choice is written to the address, so a shared link keeps it."""
    st.session_state[LANGUAGE_SWITCH_KEY] = language()
    st.sidebar.selectbox(text("sidebar.language_label"), list(i18n.LANGUAGES), key=LANGUAGE_SWITCH_KEY,
                         format_func=lambda code: i18n.LANGUAGES.get(code, code), on_change=_switch_language)
    st.query_params["lang"] = language()


def _switch_language() -> None:
    chosen = st.session_state.get(LANGUAGE_SWITCH_KEY)
    if chosen in i18n.LANGUAGES:
        st.session_state[LANGUAGE_KEY] = chosen
        st.query_params["lang"] = chosen


# The address of a view: page (its path), model, the clicked spot on the wall, the interpolation's two
# digits and weight, and the language. Applied once, on a session's first run, before any widget exists.
LINK_APPLIED_KEY = "link-applied"


def apply_link(presets: Callable[[inputs.LinkedView], dict]) -> bool:
    """Set up the view the address describes, once per session; returns whether any value was unusable.

    presets gives the session values each lesson sets up from the view (its record's from_link). Unusable values
    (garbage, forged, out of range) are left out: the view falls back to its default there.
    """
    if st.session_state.get(LINK_APPLIED_KEY):
        return False
    st.session_state[LINK_APPLIED_KEY] = True
    view = inputs.parse_link({name: st.query_params.get(name) for name in st.query_params})
    if view.model:
        st.session_state[MODEL_KEY] = view.model
    st.session_state.update(presets(view))
    return view.unusable


# A button that copies the current view's address (the browser's own location, always up to date).
_share_button = component("share_link", ("share_link.js",),
                          html='<button type="button" data-lw="share"></button><input hidden readonly>')


def share_link() -> None:
    """A button that copies the address of the current view (it always carries the view's state)."""
    with st.sidebar:
        _share_button(key="share-link", data={"words": {"copy": text("share.copy"), "copied": text("share.copied"),
                                                        "select": text("share.select")}})


WALL_WORDS = ("reset_view", "show_all", "legend", "legend_hint", "painted", "path", "start", "end")


def wall_words(words_language: str | None = None) -> dict[str, str]:
    """The words the wall figures show (hover, legend, marks), in a language (default: this session's)."""
    strings = i18n.load_strings(words_language or language())
    return {name: strings(f"wall_words.{name}") for name in WALL_WORDS}
