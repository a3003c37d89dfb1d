"""Choices kept in the session as the option itself, whatever language the page is read in."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from latentwall import registry
from webapp.session import KINDS, MODEL_KEY, current_kind, language, link_model, session_strings, text


def choice_radio(where, label: str, options: tuple[str, ...], state_key: str, on_change: Callable | None = None,
                 **options_for_radio) -> str:
    """A radio whose choice is kept under state_key as the option itself, drawn under a key per language.

    Streamlit keeps a radio's value as its shown label, so after a language switch the old label would match
    no option; each language gets its own widget, and the choice lives in state_key.
    """
    widget_key = f"{state_key}-{language()}"
    chosen = st.session_state.get(state_key)
    st.session_state[widget_key] = chosen if chosen in options else options[0]

    def keep() -> None:
        st.session_state[state_key] = st.session_state.get(widget_key)
        if on_change is not None:
            on_change()

    where.radio(label, options, key=widget_key, on_change=keep, **options_for_radio)
    return st.session_state[widget_key]


def choice_select(where, label: str, options: tuple[str, ...], state_key: str,
                  format_func: Callable[[str], str], **options_for_select) -> str:
    """A select box whose choice is kept under state_key, drawn under a key per language (as choice_radio does:
    Streamlit keeps the shown label, which a language switch would change)."""
    widget_key = f"{state_key}-{language()}"
    chosen = st.session_state.get(state_key)
    st.session_state[widget_key] = chosen if chosen in options else options[0]

    def keep() -> None:
        st.session_state[state_key] = st.session_state.get(widget_key)

    where.selectbox(label, options, key=widget_key, on_change=keep, format_func=format_func, **options_for_select)
    chosen = st.session_state[widget_key]
    return chosen if chosen in options else options[0]


def recipe_label(name: str, strings=None) -> str:
    """A recipe as a student reads it in a list: its name, its code size and the lesson it comes from."""
    strings = strings or session_strings()
    recipe = registry.recipe(name)
    return strings("model_choice.label", recipe=name, size=recipe.latent_dim,
                   lesson=strings(f"model_choice.lesson_{recipe.lesson}"))


def model_choice() -> str:
    """The sidebar's AE / VAE switch, on the pages that show one model at a time; kept in the address too."""
    strings = session_strings()  # Bound now: Streamlit may format the options after the run.
    choice_radio(st.sidebar, text("sidebar.model_label"), KINDS, MODEL_KEY, on_change=link_model,
                 format_func=lambda kind: strings(f"models.{kind}"),
                 help=text("sidebar.model_help"))
    st.sidebar.caption(text("sidebar.note"))
    return current_kind()
