"""Notices that end a page when what it needs is missing: the models, a recipe, the test images."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import streamlit as st

from latentwall import config, inference, registry, store
from webapp.cache import cached_models, cached_recipe, test_set
from webapp.session import text


def models_or_stop(root: Path | None = None) -> inference.ModelSet:
    """The loaded models; if they are missing or damaged, say so with the fix and end the page there."""
    try:
        return cached_models(str(root or config.MODELS_ROOT))
    except store.ArtifactError as error:
        st.error(text("shared.models_missing"))
        st.text(str(error).split("\n")[0])
        st.code(config.TRAIN_COMMAND, language="bash")
        st.stop()


def test_images() -> np.ndarray | None:
    """The real test images in [0, 1], or None (after saying where they would come from) if absent."""
    found = test_set(os.environ.get(config.DATA_ENV_VAR, ""))
    if isinstance(found, str):
        st.info(text("shared.data_missing", variable=config.DATA_ENV_VAR))
        return None
    return found[0]


def recipe_or_stop(recipe: registry.Recipe | str, root: Path | None = None) -> inference.RecipeModel:
    """The loaded recipe; if it is missing or damaged, say so with the command that trains it, and stop."""
    name = recipe if isinstance(recipe, str) else recipe.name
    try:
        return cached_recipe(str(root or config.MODELS_ROOT), name)
    except (store.ArtifactError, ValueError) as error:
        st.error(text("model_choice.missing", recipe=name))
        st.text(str(error).split("\n")[0])
        st.code(f"{config.TRAIN_COMMAND} --recipe {name}", language="bash")
        st.stop()


def no_report(message: str) -> None:
    """Say that a report the page reads is missing or out of date, with the command that writes it."""
    st.info(message)
    st.code(config.EVALUATE_COMMAND, language="bash")
