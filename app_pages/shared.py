"""What every page uses: the cached models and data, the model choice, and the clickable wall."""

from __future__ import annotations

import gc
import html
import logging
import os
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latentwall import artifacts, browser, config, explore, figures, i18n, images, inference
from latentwall.data import DataError, load_mnist

ASSETS = Path(__file__).resolve().parent.parent / "assets"
KINDS = explore.WALL_KINDS
# The gallery wall page keeps its clicks under this prefix and the model kind.
WALL_PAGE_PREFIX = "wall-pick-"
MODEL_KEY = "model"
# Zoom by dragging a box or with the wheel; the mode bar keeps zoom, pan and "reset axes" in view; a double
# click also resets. Plotly's own picture export is left out: the page offers its own PNG downloads.
# showTips off: Plotly's own "double-click to zoom back out" tip is English-only.
PLOT_CONFIG = {"displayModeBar": True, "scrollZoom": True, "doubleClick": "reset", "displaylogo": False,
               "showTips": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}

_LOGGER = logging.getLogger(__name__)
# This session's language (one of i18n.LANGUAGES), chosen at the start of every full run.
LANGUAGE_KEY = "language"
# What Streamlit's widgets and our readers raise when a browser sends a value no real page can send.
FORGED_VALUE_ERRORS = (KeyError, TypeError, ValueError, OverflowError, RecursionError)
# Resets in a row (cleared by a run that succeeds), and a note for the run that follows one.
RESET_KEY = "session-resets"
NOTICE_KEY = "session-reset-notice"
MAX_RESETS = 3

# A button that copies the current view's address (the browser's own location, always up to date).
_share_button = st.components.v2.component(
    "latent_wall.share_link", html='<button type="button" data-lw="share"></button><input hidden readonly>',
    js=(ASSETS / "share_link.js").read_text(encoding="utf-8"))
# A button that animates the weight along the linked walls' paths, in the browser (see play_button.js).
_play_button = st.components.v2.component(
    "latent_wall.play", html='<button type="button" data-lw="play" style="font:inherit;padding:4px 12px"></button>',
    js=(ASSETS / "play_button.js").read_text(encoding="utf-8"))
# A script-only component that asks the browser for one fresh run (see guarded).
_recover = st.components.v2.component("latent_wall.recover", js=(ASSETS / "recover.js").read_text(encoding="utf-8"))
# A script-only component: it reads clicks and taps on a wall from the pointer, on empty space too, and
# shows what the decoder paints under the pointer with the page's own decoder (wall_decoder.js).
_click_listener = st.components.v2.component(
    "latent_wall.click_listener",
    js="\n".join((ASSETS / name).read_text(encoding="utf-8") for name in ("wall_decoder.js", "click_wall.js")))


def guarded(body: Callable) -> Callable:
    """Run a page or fragment body so that a forged value resets this session instead of breaking it.

    A client can send any widget value (an integer for a radio, NaN for a number, a widget id equal to one
    of the app's own session keys). Streamlit then raises inside the widget call. The guard clears the
    session's state and lets the failed run end normally, which is when Streamlit drops widget values that no
    widget claimed (a forged id cannot even be deleted by name). A small component then has the browser run
    the page again with its real values, so the whole page and its fragments come back; the student sees a
    short note. After MAX_RESETS failures in a row it only says to reload. Tracebacks go to the server log.
    """
    @wraps(body)
    def run(*args, **kwargs):
        resets = st.session_state.get(RESET_KEY, 0)
        resets = resets if type(resets) is int else 0
        if st.session_state.get(NOTICE_KEY) is True:
            del st.session_state[NOTICE_KEY]
            st.warning(text("shared.bad_input"), icon=":material/restart_alt:")
        try:
            result = body(*args, **kwargs)
        except FORGED_VALUE_ERRORS:
            _LOGGER.warning("A run failed on a value the browser sent; the session's state was reset.", exc_info=True)
            st.session_state.clear()
            st.session_state[RESET_KEY] = resets + 1
            if resets >= MAX_RESETS:
                st.warning(text("shared.bad_input"), icon=":material/restart_alt:")
                return None
            st.session_state[NOTICE_KEY] = True
            _recover(key=f"recover-{resets}", data={"attempt": resets + 1}, on_recover_change=_nothing)
            return None
        if resets and RESET_KEY in st.session_state:
            del st.session_state[RESET_KEY]
        return result

    return run


def _nothing() -> None:
    """The recovery trigger needs no work of its own: the rerun it causes is the point."""


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


def file_stamp(path: Path) -> tuple[int, int]:
    """A file's change time and size, (0, 0) when it cannot be read: a cache keyed by it builds again when the
    file changes (a new evaluation or training run)."""
    try:
        found = Path(path).stat()
    except OSError:
        return 0, 0
    return found.st_mtime_ns, found.st_size


@st.cache_resource(show_spinner=False, max_entries=8)  # Read again only when the file changes.
def _evaluation(folder: str, stamp: tuple[int, int]) -> dict | None:
    return explore.load_evaluation(Path(folder))


def evaluation(folder: Path) -> dict | None:
    """The report `training.evaluate` wrote beside the models, or None; one dict per process that nothing changes."""
    return _evaluation(str(folder), file_stamp(Path(folder) / config.EVALUATION_FILE))


@st.cache_resource(show_spinner=False)  # One copy of the models per process, for all.
def cached_models(folder: str) -> inference.ModelSet:
    models = inference.load_models(Path(folder))
    # Everything loaded so far lives as long as the process: move it out of the garbage collector's view,
    # so the full collection Streamlit runs after every script run only walks what that run made.
    gc.freeze()
    return models


def models_or_stop() -> inference.ModelSet:
    """The loaded models; if they are missing or damaged, say so with the fix and end the page there."""
    try:
        return cached_models(str(config.MODELS_ROOT))
    except artifacts.ArtifactError as error:
        st.error(text("shared.models_missing"))
        st.text(str(error).split("\n")[0])
        st.code(config.TRAIN_COMMAND, language="bash")
        st.stop()


@st.cache_resource(show_spinner=False)  # The test images are read once per process, only when a page needs them.
def _cached_test_set(env_value: str) -> tuple[np.ndarray, np.ndarray] | str:
    try:
        mnist = load_mnist(env_value or None, download=False)
    except DataError as error:
        return str(error)
    return mnist.x_test.astype("float32") / 255.0, mnist.y_test


def test_images() -> np.ndarray | None:
    """The real test images in [0, 1], or None (after saying where they would come from) if absent."""
    found = _cached_test_set(os.environ.get(config.DATA_ENV_VAR, ""))
    if isinstance(found, str):
        st.info(text("shared.data_missing", variable=config.DATA_ENV_VAR))
        return None
    return found[0]


def current_kind() -> str:
    """The model the sidebar chose; a forged session value falls back to the AE."""
    kind = st.session_state.get(MODEL_KEY, KINDS[0])
    return kind if kind in KINDS else KINDS[0]


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


def model_choice() -> str:
    """The sidebar's AE / VAE switch, on the pages that show one model at a time; kept in the address too."""
    choice_radio(st.sidebar, text("sidebar.model_label"), KINDS, MODEL_KEY, on_change=_link_model,
                 format_func=lambda kind, strings=session_strings(): strings(f"models.{kind}"),
                 help=text("sidebar.model_help"))
    st.sidebar.caption(text("sidebar.note"))
    return current_kind()


def _link_model() -> None:
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


def apply_link() -> bool:
    """Set up the view the address describes, once per session; returns whether any value was unusable.

    Unusable values (garbage, forged, out of range) are left out: the view falls back to its default there.
    """
    if st.session_state.get(LINK_APPLIED_KEY):
        return False
    st.session_state[LINK_APPLIED_KEY] = True
    view = explore.parse_link({name: st.query_params.get(name) for name in st.query_params})
    if view.model:
        st.session_state[MODEL_KEY] = view.model
    if view.click:
        st.session_state[f"{WALL_PAGE_PREFIX}{view.model or KINDS[0]}"] = {"x": view.click[0], "y": view.click[1],
                                                                      "index": None, "at": None}
    if view.start is not None:
        st.session_state.update({"interp-way": "index", "interp-index-a": float(view.start),
                                 "interp-index-b": float(view.end)})
    if view.weight is not None:
        st.session_state["interp-weight"] = view.weight
    return view.unusable


def share_link() -> None:
    """A button that copies the address of the current view (it always carries the view's state)."""
    with st.sidebar:
        _share_button(key="share-link", data={"words": {"copy": text("share.copy"), "copied": text("share.copied"),
                                                        "select": text("share.select")}})



# What the wall's listener says in the browser: the stale-click notice and the live preview.
LISTENER_WORDS = ("stale", "reload", "preview", "preview_digit", "preview_loading", "weight")
WALL_WORDS = ("reset_view", "show_all", "legend", "legend_hint", "painted", "path", "start", "end")


def wall_words(words_language: str | None = None) -> dict[str, str]:
    """The words the wall figures show (hover, legend, marks), in a language (default: this session's)."""
    strings = i18n.load_strings(words_language or language())
    return {name: strings(f"wall_words.{name}") for name in WALL_WORDS}


@st.cache_resource(show_spinner=False, max_entries=16)  # A decodability map is one batched decode per model.
def decodability_map(folder: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    model, reader = cached_models(folder)[kind], cached_models(folder).reader
    return explore.decodability(model.decoder, reader, explore.wall_box(model.wall))


@st.cache_resource(show_spinner=False, max_entries=16)  # Built once and never changed: pages copy it to add marks.
def base_wall(folder: str, kind: str, height: int, with_map: bool, language: str) -> go.Figure:
    wall = cached_models(folder)[kind].wall
    confidence = decodability_map(folder, kind)[1] if with_map else None
    return figures.shared(figures.wall_figure(wall.codes, wall.labels, explore.wall_box(wall),
                                              view=explore.opening_view(wall), words=wall_words(language),
                                              height=height, confidence=confidence))


def wall_for(kind: str, height: int = 560, with_map: bool = False) -> go.Figure:
    """The shared, unchanging figure of one model's wall."""
    return base_wall(str(config.MODELS_ROOT), kind, height, with_map, language())


def wall_chart(key: str, figure: go.Figure) -> None:
    """Show a wall inside a container named after key, where listen_for_clicks finds it."""
    with st.container(key=f"{key}-area"):
        st.plotly_chart(figure, key=f"{key}-chart", config=PLOT_CONFIG, width="stretch")


def wall_download(key: str, model: inference.LatentModel) -> None:
    """A button that downloads the whole wall as a PNG picture (drawn only when asked for)."""
    wall = model.wall
    lines = [text("download.wall_caption", model=text(f"models.{model.kind}"))]
    st.download_button(text("download.wall"), data=partial(images.wall_png, wall.codes, wall.labels,
                                                           explore.wall_box(wall), figures.DIGIT_COLOURS, lines),
                       file_name=f"latent-wall-{model.kind}.png", mime="image/png", on_click="ignore",
                       key=f"{key}-wall-download", icon=":material/download:")


@st.cache_resource(show_spinner=False, max_entries=16)  # Read from the manifest once per process.
def decoder_addresses(folder: str, kind: str) -> dict[str, str] | None:
    return browser.decoder_addresses(Path(folder), kind)


def play_button(link: str, duration_ms: int = 3000) -> None:
    """A button that walks the weight along the paths of the walls listening under link, in the browser."""
    _play_button(key=f"{link}-play", data={"link": link, "duration": duration_ms,
                                           "words": {"play": text("interpolation.play"),
                                                     "play_help": text("interpolation.play_help")}})


def listen_for_clicks(key: str, model: inference.LatentModel, show_marker: bool = True,
                      active: bool = True, link: str | None = None,
                      path: tuple[np.ndarray, np.ndarray, float] | None = None,
                      landing: dict | None = None) -> tuple[explore.Pick | None, bool]:
    """Catch clicks anywhere on the wall chart shown under key; returns the last valid click and whether it is new.

    The click is validated as it arrives and only its checked numbers are kept in st.session_state[key]. The
    marker is drawn by the listener over the chart, so a click leaves the figure (and the chart in the
    browser) untouched. path, (start code, end code, weight), has the listener draw the path and ring the
    weight's point on it, also over the chart, so neither new digits nor a new weight redraw the wall. landing
    (see landing_mark) has it draw a student's own digit over the chart the same way.
    """
    pick = pick_from(key, model.wall)
    stored = st.session_state.get(key)
    data = {"scope": f"st-key-{key}-area", "model": model.kind, "active": active, "link": link,
            # The click this run answers, by the browser's own stamp: the page knows its last click was heard.
            "answered": stored.get("at") if isinstance(stored, dict) else None,
            "words": {name: text(f"decoded.{name}") for name in LISTENER_WORDS},
            "hit_pixels": figures.HOVER_DISTANCE, "box": [float(edge) for edge in explore.wall_box(model.wall)],
            "decoder": decoder_addresses(str(config.MODELS_ROOT), model.kind)}
    if path is not None:
        start, end, weight = path
        words = wall_words()
        data.update(path=[[float(value) for value in start], [float(value) for value in end]], weight=float(weight),
                    path_style={"colour": figures.PATH_COLOUR, "start": words["start"], "end": words["end"]})
    if landing is not None:
        data["landing"] = landing
    if show_marker:
        data["marker"] = None if pick is None else [float(pick.code[0]), float(pick.code[1])]
    result = _click_listener(key=f"{key}-listener", data=data,
                             on_click_change=partial(_store_click, key, model.wall))
    return pick, result.click is not None and pick is not None


def landing_mark(code: np.ndarray, rings: tuple[tuple[str, np.ndarray], ...] = ()) -> dict:
    """What a wall's listener needs to draw a student's digit over the wall: a star at code, and each (name,
    (n, 2) points) ring as an outline, the first solid and the next dashed."""
    return {"code": [float(value) for value in np.asarray(code, "float64").reshape(2)],
            "rings": [{"name": name, "points": np.round(np.asarray(points, "float64"), 5).tolist()}
                      for name, points in rings],
            "colour": figures.LANDING_COLOUR, "name": text("digit.yours"), "outside": text("digit.outside")}


def _store_click(key: str, wall: artifacts.Wall) -> None:
    """Runs before the rerun a click causes, so the page already sees the new click as it draws.

    Whatever the browser sent is checked here; a value that is not a usable click leaves the last good one.
    Only plain checked numbers are kept, so a forged message cannot park bulk in the session.
    """
    value = st.session_state.get(f"{key}-listener")
    click = value.get("click") if isinstance(value, dict) else None
    pick = explore.parse_pick(click, explore.wall_box(wall), len(wall.codes))
    if pick is not None:
        st.session_state[key] = {"x": float(pick.code[0]), "y": float(pick.code[1]), "index": pick.index,
                                 "at": explore.safe_stamp(click.get("at"))}
        if key.startswith(WALL_PAGE_PREFIX):  # The gallery wall's clicked spot is part of its address.
            st.query_params.update(x=f"{pick.code[0]:.6g}", y=f"{pick.code[1]:.6g}")


def pick_from(key: str, wall: artifacts.Wall) -> explore.Pick | None:
    """The validated last click stored under key, or None."""
    return explore.parse_pick(st.session_state.get(key), explore.wall_box(wall), len(wall.codes))


def decoded_panel(key: str, model: inference.LatentModel, reader: inference.Reader, scale: int = 8,
                  link: str | None = None) -> None:
    """Listen for clicks on the wall chart under key and show what is decoded at the last one.

    Walls given the same link are twins: pointing at a test digit on one rings it on the others.
    """
    pick, _ = listen_for_clicks(key, model, link=link)
    with st.container(key=f"{key}-decoded"):
        if pick is None:
            st.info(text("decoded.hint"))
            return
        answer = explore.answer_click(model, reader, pick, test_images())
        st.html(verdict_html(model.kind, answer, scale))
        x, y = float(answer.code[0]), float(answer.code[1])
        lines = [text(f"models.{model.kind}"), text("decoded.coordinate", x=x, y=y),
                 text("decoded.reader", digit=answer.digit, confidence=answer.confidence)]
        st.download_button(text("download.decoded"), data=partial(images.decoded_png, answer.image, lines),
                           file_name=f"latent-wall-{model.kind}-{x:.3f}_{y:.3f}.png", mime="image/png",
                           on_click="ignore", key=f"{key}-download", icon=":material/download:")


def verdict_html(kind: str, answer: explore.ClickAnswer, scale: int = 8) -> str:
    """The decoded panel as one block, so the picture, the coordinate and the verdict arrive in one moment.

    Its outer element carries the stable hooks outside checks read: data-lw="verdict" and the decoded
    coordinate, digit and confidence.
    """
    x, y = float(answer.code[0]), float(answer.code[1])
    lines = [explore.gallery_html([explore.upscale(answer.image, scale)], [text("decoded.caption")], 28 * scale),
             paragraph(text("decoded.coordinate", x=x, y=y)),
             paragraph(text("decoded.reader", digit=answer.digit, confidence=answer.confidence)),
             paragraph(text("decoded.nearest_title", count=len(answer.neighbours)))]
    captions = [text("decoded.nearest_caption", digit=item.digit, index=item.index, distance=item.distance)
                for item in answer.neighbours]
    if answer.neighbour_images:
        lines.append(explore.gallery_html([explore.upscale(image, 2) for image in answer.neighbour_images],
                                          captions, 56))
    else:
        lines += [paragraph(caption) for caption in captions]
    if answer.index is not None:
        lines.append(paragraph(text("decoded.pair_title", digit=answer.label, index=answer.index)))
        pictures, names = [explore.upscale(answer.reconstruction, 4)], [text("decoded.reconstruction")]
        if answer.original is not None:
            pictures, names = [explore.upscale(answer.original, 4), *pictures], [text("decoded.original"), *names]
        lines.append(explore.gallery_html(pictures, names, 112))
    hooks = (f'data-lw="verdict" data-lw-model="{html.escape(kind)}" data-lw-x="{x:.6g}" data-lw-y="{y:.6g}" '
             f'data-lw-digit="{answer.digit}" data-lw-confidence="{answer.confidence:.4f}"')
    return f'<div {hooks} style="display:flex;flex-direction:column;gap:0.5rem">{"".join(lines)}</div>'


def paragraph(words: str) -> str:
    return f'<p style="margin:0">{html.escape(words)}</p>'
