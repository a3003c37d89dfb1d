"""The wall: a Plotly chart of every test digit at its code, and the listener over it that hears clicks and taps
anywhere, decodes under the pointer with the page's own decoder, and draws marks, paths and landings."""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latentwall import config, figures, inference, inputs, latent, pictures, store
from webapp.cache import base_wall, decoder_addresses
from webapp.components import component
from webapp.session import language, text, wall_words

# Zoom by dragging a box or with the wheel; the mode bar keeps zoom, pan and "reset axes" in view; a double
# click also resets. Plotly's own picture export is left out: the page offers its own PNG downloads.
# showTips off: Plotly's own "double-click to zoom back out" tip is English-only.
PLOT_CONFIG = {"displayModeBar": True, "scrollZoom": True, "doubleClick": "reset", "displaylogo": False,
               "showTips": False, "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toImage"]}

# A button that animates the weight along the linked walls' paths, in the browser (see play_button.js).
_play_button = component("play", ("play_button.js",),
                         html='<button type="button" data-lw="play" style="font:inherit;padding:4px 12px"></button>')


# A script-only component: it reads clicks and taps on a wall from the pointer, on empty space too, and
# shows what the decoder paints under the pointer with the page's own decoder (wall_decoder.js).
_click_listener = component("click_listener", ("wall_decoder.js", "click_wall.js"))


# What the wall's listener says in the browser: the stale-click notice and the live preview.
LISTENER_WORDS = ("stale", "reload", "preview", "preview_digit", "preview_loading", "weight")


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
    st.download_button(text("download.wall"), data=partial(pictures.wall_png, wall.codes, wall.labels,
                                                           latent.wall_box(wall), figures.DIGIT_COLOURS, lines),
                       file_name=f"latent-wall-{model.kind}.png", mime="image/png", on_click="ignore",
                       key=f"{key}-wall-download", icon=":material/download:")


def play_button(link: str, duration_ms: int = 3000) -> None:
    """A button that walks the weight along the paths of the walls listening under link, in the browser."""
    _play_button(key=f"{link}-play", data={"link": link, "duration": duration_ms,
                                           "words": {"play": text("interpolation.play"),
                                                     "play_help": text("interpolation.play_help")}})


def listen_for_clicks(key: str, model: inference.LatentModel, show_marker: bool = True,
                      active: bool = True, link: str | None = None,
                      path: tuple[np.ndarray, np.ndarray, float] | None = None,
                      landing: dict | None = None, in_address: bool = False) -> tuple[inputs.Pick | None, bool]:
    """Catch clicks anywhere on the wall chart shown under key; returns the last valid click and whether it is new.

    The click is validated as it arrives and only its checked numbers are kept in st.session_state[key]. The
    marker is drawn by the listener over the chart, so a click leaves the figure (and the chart in the
    browser) untouched. path, (start code, end code, weight), has the listener draw the path and ring the
    weight's point on it, also over the chart, so neither new digits nor a new weight redraw the wall. landing
    (see landing_mark) has it draw a student's own digit over the chart the same way. in_address: the click is
    also written to the page's address (x and y), so a shared link brings it back.
    """
    pick = pick_from(key, model.wall)
    stored = st.session_state.get(key)
    data = {"scope": f"st-key-{key}-area", "model": model.kind, "active": active, "link": link,
            # The click this run answers, by the browser's own stamp: the page knows its last click was heard.
            "answered": stored.get("at") if isinstance(stored, dict) else None,
            "words": {name: text(f"decoded.{name}") for name in LISTENER_WORDS},
            "hit_pixels": figures.HOVER_DISTANCE, "box": [float(edge) for edge in latent.wall_box(model.wall)],
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
                             on_click_change=partial(_store_click, key, model.wall, in_address))
    return pick, result.click is not None and pick is not None


def landing_mark(code: np.ndarray, rings: tuple[tuple[str, np.ndarray], ...] = ()) -> dict:
    """What a wall's listener needs to draw a student's digit over the wall: a star at code, and each (name,
    (n, 2) points) ring as an outline, the first solid and the next dashed."""
    return {"code": [float(value) for value in np.asarray(code, "float64").reshape(2)],
            "rings": [{"name": name, "points": np.round(np.asarray(points, "float64"), 5).tolist()}
                      for name, points in rings],
            "colour": figures.LANDING_COLOUR, "name": text("digit.yours"), "outside": text("digit.outside")}


def _store_click(key: str, wall: store.Wall, in_address: bool) -> None:
    """Runs before the rerun a click causes, so the page already sees the new click as it draws.

    Whatever the browser sent is checked here; a value that is not a usable click leaves the last good one.
    Only plain checked numbers are kept, so a forged message cannot park bulk in the session.
    """
    value = st.session_state.get(f"{key}-listener")
    click = value.get("click") if isinstance(value, dict) else None
    pick = inputs.parse_pick(click, latent.wall_box(wall), len(wall.codes))
    if pick is not None:
        st.session_state[key] = {"x": float(pick.code[0]), "y": float(pick.code[1]), "index": pick.index,
                                 "at": inputs.safe_stamp(click.get("at"))}
        if in_address:  # The gallery wall's clicked spot is part of its address.
            st.query_params.update(x=f"{pick.code[0]:.6g}", y=f"{pick.code[1]:.6g}")


def pick_from(key: str, wall: store.Wall) -> inputs.Pick | None:
    """The validated last click stored under key, or None."""
    return inputs.parse_pick(st.session_state.get(key), latent.wall_box(wall), len(wall.codes))
