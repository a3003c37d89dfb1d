"""What every page uses: the cached models and data, the model choice, and the clickable wall."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latentwall import artifacts, config, explore, figures, latent
from latentwall.data import DataError, load_mnist
from latentwall.strings import load_strings

ASSETS = Path(__file__).resolve().parent.parent / "assets"
KINDS = ("ae", "vae")
MODEL_KEY = "model"
PLOT_CONFIG = {"displayModeBar": False, "scrollZoom": False, "doubleClick": False}

text = load_strings()

# A script-only component: it forwards Plotly's click events, including clicks on empty space.
_click_listener = st.components.v2.component(
    "latent_wall.click_listener", js=(ASSETS / "click_wall.js").read_text(encoding="utf-8"))


@st.cache_resource(show_spinner=text("shared.loading_models"))  # One copy of the models per process, for all.
def cached_models(folder: str) -> artifacts.ModelSet:
    return artifacts.load_models(Path(folder))


def models_or_stop() -> artifacts.ModelSet:
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
        st.info(text("shared.data_missing"))
        st.code(found, language="text")
        return None
    return found[0]


def current_kind() -> str:
    """The model the sidebar chose; a forged session value falls back to the AE."""
    kind = st.session_state.get(MODEL_KEY, "ae")
    return kind if kind in KINDS else "ae"


def model_choice() -> str:
    """The sidebar's AE / VAE switch, shared by every page."""
    st.sidebar.radio(text("sidebar.model_label"), KINDS, key=MODEL_KEY,
                     format_func=lambda kind: text(f"models.{kind}"), help=text("sidebar.model_help"))
    st.sidebar.caption(text("sidebar.note"))
    return current_kind()


WALL_WORDS = ("digit", "index", "legend", "painted", "path", "start", "end")


def wall_words() -> dict[str, str]:
    """The words the wall figures show (hover, legend, marks), in the app's language."""
    return {name: text(f"wall_words.{name}") for name in WALL_WORDS}


@st.cache_resource(show_spinner=False, max_entries=16)  # A decodability map is one batched decode per model.
def decodability_map(folder: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    model, reader = cached_models(folder)[kind], cached_models(folder).reader
    return explore.decodability(model.decoder, reader, explore.wall_box(model.wall))


@st.cache_resource(show_spinner=False, max_entries=16)  # Built once and never changed: pages copy it to add marks.
def base_wall(folder: str, kind: str, height: int, with_map: bool, language: str) -> go.Figure:
    wall = cached_models(folder)[kind].wall
    confidence = decodability_map(folder, kind)[1] if with_map else None
    return figures.wall_figure(wall.codes, wall.labels, explore.wall_box(wall), words=wall_words(),
                               height=height, confidence=confidence)


def wall_for(kind: str, height: int = 560, with_map: bool = False) -> go.Figure:
    """The shared, unchanging figure of one model's wall."""
    return base_wall(str(config.MODELS_ROOT), kind, height, with_map, str(text.source.stem))


def wall_chart(key: str, figure: go.Figure) -> None:
    """Show a wall inside a container named after key, where listen_for_clicks finds it."""
    with st.container(key=f"{key}-area"):
        st.plotly_chart(figure, key=f"{key}-chart", config=PLOT_CONFIG, width="stretch")


def listen_for_clicks(key: str, wall: artifacts.Wall, show_marker: bool = True) -> tuple[explore.Pick | None, bool]:
    """Catch clicks anywhere on the wall chart shown under key; returns the last valid click and whether it is new.

    The raw click is kept in st.session_state[key] and validated on every read. The marker is drawn by the
    listener over the chart, so a click leaves the figure (and the chart in the browser) untouched.
    """
    pick = pick_from(key, wall)
    data = {"scope": f"st-key-{key}-area"}
    if show_marker:
        data["marker"] = None if pick is None else [float(pick.code[0]), float(pick.code[1])]
    result = _click_listener(key=f"{key}-listener", data=data, on_click_change=partial(_store_click, key))
    return pick, result.click is not None and pick is not None


def _store_click(key: str) -> None:
    """Runs before the rerun a click causes, so the page already sees the new click as it draws."""
    value = st.session_state.get(f"{key}-listener")
    click = value.get("click") if isinstance(value, dict) else None
    if isinstance(click, dict):
        # Keep only the three numbers a click carries, so a forged message cannot park bulk in the session.
        st.session_state[key] = {name: click.get(name) if isinstance(click.get(name), (int, float)) else None
                                 for name in ("x", "y", "index")}


def pick_from(key: str, wall: artifacts.Wall) -> explore.Pick | None:
    """The validated last click stored under key, or None."""
    return explore.parse_pick(st.session_state.get(key), explore.wall_box(wall), len(wall.codes))


def decoded_panel(key: str, model: artifacts.LatentModel, reader: artifacts.Reader, scale: int = 8) -> None:
    """Listen for clicks on the wall chart under key and show what is decoded at the last one."""
    pick, _ = listen_for_clicks(key, model.wall)
    with st.container(key=f"{key}-decoded"):
        decoded_view(model, reader, pick, test_images(), scale)


def decoded_view(model: artifacts.LatentModel, reader: artifacts.Reader, pick: explore.Pick | None,
                 images: np.ndarray | None, scale: int = 8) -> None:
    """What the decoder paints at the picked code, what the reader sees, and the nearest real digits.

    The pictures are sent inline with the text, so they appear in the same moment as the coordinate.
    """
    if pick is None:
        st.info(text("decoded.hint"))
        return
    image = model.decoder.decode(pick.code[None])[0]
    digits, confidences = reader.read(image[None])
    st.html(explore.gallery_html([explore.upscale(image, scale)], [text("decoded.caption")], 28 * scale))
    st.markdown(text("decoded.coordinate", x=float(pick.code[0]), y=float(pick.code[1])))
    st.markdown(text("decoded.reader", digit=int(digits[0]), confidence=float(confidences[0])))
    nearest_digits(model.wall, pick.code, images)
    if pick.index is not None:
        original_and_reconstruction(model, pick.index, images)


def nearest_digits(wall: artifacts.Wall, code: np.ndarray, images: np.ndarray | None, count: int = 5) -> None:
    """The count test digits whose codes lie closest to code: image, label and distance."""
    indices, distances = latent.nearest(code, wall.codes, count)
    st.markdown(text("decoded.nearest_title"))
    captions = [text("decoded.nearest_caption", digit=int(wall.labels[index]), index=int(index), distance=distance)
                for index, distance in zip(indices, distances)]
    if images is None:
        st.markdown("  \n".join(captions))
        return
    st.html(explore.gallery_html([explore.upscale(images[index], 2) for index in indices], captions, 72))


def original_and_reconstruction(model: artifacts.LatentModel, index: int, images: np.ndarray | None) -> None:
    """A clicked test digit beside what the model makes of it (decoded from its own code)."""
    st.markdown(text("decoded.pair_title", digit=int(model.wall.labels[index]), index=index))
    reconstruction = model.decoder.decode(model.wall.codes[index][None])[0]
    pictures, captions = [explore.upscale(reconstruction, 4)], [text("decoded.reconstruction")]
    if images is not None:
        pictures, captions = [explore.upscale(images[index], 4), *pictures], [text("decoded.original"), *captions]
    st.html(explore.gallery_html(pictures, captions, 112))
