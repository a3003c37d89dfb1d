"""Every expensive loader, cached once per process (st.cache_resource) and keyed by what it reads: the models'
folder, a file's stamp, the language. Nothing here draws on the page."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from latentwall import browser, figures, inference, latent, registry, reports, store
from latentwall.datasets import DataError, load
from webapp.session import wall_words


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
    return reports.load_evaluation(Path(folder))


def evaluation(folder: Path) -> dict | None:
    """The report `training.evaluate` wrote beside the models, or None; one dict per process that nothing changes."""
    return _evaluation(str(folder), file_stamp(Path(folder) / store.EVALUATION_FILE))


@st.cache_resource(show_spinner=False)  # One copy of the models per process, for all.
def cached_models(folder: str) -> inference.ModelSet:
    models = inference.load_models(Path(folder))
    # Everything loaded so far lives as long as the process: move it out of the garbage collector's view,
    # so the full collection Streamlit runs after every script run only walks what that run made.
    gc.freeze()
    return models


@st.cache_resource(show_spinner=False)  # The test images are read once per process, only when a page needs them.
def test_set(env_value: str) -> tuple[np.ndarray, np.ndarray] | str:
    try:
        mnist = load(registry.MNIST, env_value or None, download=False)
    except DataError as error:
        return str(error)
    return mnist.x_test.astype("float32") / 255.0, mnist.y_test


@st.cache_resource(show_spinner=False, max_entries=16)  # A decodability map is one batched decode per model.
def decodability_map(folder: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    model, reader = cached_models(folder)[kind], cached_models(folder).reader
    return latent.decodability(model.decoder, reader, latent.wall_box(model.wall))


@st.cache_resource(show_spinner=False, max_entries=16)  # Built once and never changed: pages copy it to add marks.
def base_wall(folder: str, kind: str, height: int, with_map: bool, language: str) -> go.Figure:
    wall = cached_models(folder)[kind].wall
    confidence = decodability_map(folder, kind)[1] if with_map else None
    return figures.shared(figures.wall_figure(wall.codes, wall.labels, latent.wall_box(wall),
                                              view=latent.opening_view(wall), words=wall_words(language),
                                              height=height, confidence=confidence))


@st.cache_resource(show_spinner=False, max_entries=16)  # Read from the manifest once per process.
def decoder_addresses(folder: str, kind: str) -> dict[str, str] | None:
    return browser.decoder_addresses(Path(folder), kind)


@st.cache_resource(show_spinner=False, max_entries=len(registry.RECIPES))  # One copy per recipe and process.
def cached_recipe(folder: str, name: str) -> inference.RecipeModel:
    model = inference.load_recipe(name, Path(folder))
    gc.freeze()  # It lives as long as the process: keep it out of every later collection.
    return model
