"""Any recipe of the registry, loaded on demand and cached once per process for every page, and the choice of
recipe as a student reads it."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from app_pages.shared import language, session_strings, text
from latentwall import artifacts, config, inference, registry


@st.cache_resource(show_spinner=False, max_entries=len(registry.RECIPES))  # One copy per recipe and process.
def cached_recipe(folder: str, name: str) -> inference.RecipeModel:
    model = inference.load_recipe(name, Path(folder))
    gc.freeze()  # It lives as long as the process: keep it out of every later collection.
    return model


def recipe_or_stop(recipe: registry.Recipe | str) -> inference.RecipeModel:
    """The loaded recipe; if it is missing or damaged, say so with the command that trains it, and stop."""
    name = recipe if isinstance(recipe, str) else recipe.name
    try:
        return cached_recipe(str(config.MODELS_ROOT), name)
    except (artifacts.ArtifactError, ValueError) as error:
        st.error(text("model_choice.missing", recipe=name))
        st.text(str(error).split("\n")[0])
        st.code(f"{config.TRAIN_COMMAND} --recipe {name}", language="bash")
        st.stop()


def recipe_label(name: str, strings=None) -> str:
    """A recipe as a student reads it in a list: its name, its code size and the lesson it comes from."""
    strings = strings or session_strings()
    recipe = registry.recipe(name)
    return strings("model_choice.label", recipe=name, size=recipe.latent_dim,
                   lesson=strings(f"model_choice.lesson_{recipe.lesson}"))


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
