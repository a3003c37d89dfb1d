"""PageContext: what a lesson page reads of its run, built once per run and passed to its render(ctx)."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import streamlit as st

from latentwall import config, i18n, inference
from webapp import cache, session
from webapp.widgets import notices


@dataclass(frozen=True)
class Models:
    """The models a page may show, from one folder: loaded once per process, with a notice and a stop when missing."""

    root: Path

    @property
    def folder(self) -> Path:
        """The data set's folder of models and reports (models/mnist/)."""
        return config.dataset_dir(self.root)

    def pair(self) -> inference.ModelSet:
        """The gallery wall's two 2-D models and the reader."""
        return notices.models_or_stop(self.root)

    def recipe(self, name: str) -> inference.RecipeModel:
        """Any recipe of the registry."""
        return notices.recipe_or_stop(name, self.root)

    def evaluation(self) -> dict | None:
        """The report `training.evaluate` wrote beside the models, or None."""
        return cache.evaluation(self.folder)

    def test_images(self) -> np.ndarray | None:
        """The real test images in [0, 1], or None after a notice saying where they would come from."""
        return notices.test_images()


@dataclass(frozen=True)
class PageContext:
    """The session's language and words, its state and address, and the models: a page reaches Streamlit's session
    and query string only through these."""

    language: str
    words: i18n.Strings
    session: MutableMapping = field(repr=False)
    query: MutableMapping = field(repr=False)
    models: Models

    def text(self, key: str, **values) -> str:
        """A word or sentence of the app in this session's language."""
        return self.words(key, **values)


def page_context() -> PageContext:
    """This run's context (the language was settled by app.py before the page runs)."""
    chosen = session.language()
    return PageContext(language=chosen, words=i18n.load_strings(chosen), session=st.session_state,
                       query=st.query_params, models=Models(config.MODELS_ROOT))


def run(render: Callable[[PageContext], None]) -> None:
    """Run a lesson page's render with this run's context (each page's script ends with this)."""
    render(page_context())
