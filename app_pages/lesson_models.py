"""The lessons' models and reports as the denoising and 20-D VAE pages need them, cached once per process."""

from __future__ import annotations

import gc
from pathlib import Path

import streamlit as st

from app_pages.shared import text
from latentwall import artifacts, config, inference, registry


@st.cache_resource(show_spinner=False, max_entries=32)  # Each recipe's model is loaded once per process, for all.
def cached_recipe(folder: str, name: str) -> inference.RecipeModel:
    model = inference.load_recipe(name, Path(folder))
    gc.freeze()  # It lives as long as the process: keep it out of every later collection.
    return model


def recipe_or_stop(recipe: registry.Recipe) -> inference.RecipeModel:
    """One recipe's model; if it is missing or damaged, say so with the command that makes it and end the page."""
    try:
        return cached_recipe(str(config.MODELS_ROOT), recipe.name)
    except (artifacts.ArtifactError, ValueError) as error:
        st.error(text("lesson_models.missing", name=recipe.name))
        st.text(str(error).split("\n")[0])
        st.code(f"{config.TRAIN_COMMAND} --recipe {recipe.name}", language="bash")
        st.stop()


def report(name: str) -> dict | None:
    """A report `python -m training.evaluate` wrote beside the models (read each run: it is small), or None."""
    try:
        found = artifacts.read_json(config.dataset_dir(config.MODELS_ROOT) / name)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None
