"""Models: every model the project trains, its lesson, size and training, and its loss curves epoch by epoch."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import lessons.models as keys
from latentwall import config, figures, i18n, registry, reports, store
from lessons.models import logic as catalogue
from webapp.cache import file_stamp
from webapp.context import PageContext, run
from webapp.widgets.choices import choice_select, recipe_label
from webapp.widgets.wall import PLOT_CONFIG

CURVE_WORDS = (*catalogue.LOSS_CURVES, *catalogue.KL_CURVES, "epoch", "axis_loss", "axis_kl")


@st.cache_resource(show_spinner=False, max_entries=4)  # Small JSON files, read again only when the models change.
def cached_rows(folder: str, stamp: tuple[int, int]) -> tuple[catalogue.ModelRow, ...]:
    evaluation = reports.load_evaluation(config.dataset_dir(Path(folder)))
    return tuple(catalogue.model_rows(Path(folder), evaluation))


def models_stamp(ctx: PageContext) -> tuple[int, int]:
    """When the models last changed: training and evaluation both rewrite the manifest."""
    return file_stamp(ctx.models.folder / store.MANIFEST_NAME)


def model_name(name: str, strings) -> str:
    if name in catalogue.READERS:
        return strings(f"models_page.reader_{name}")
    return recipe_label(name, strings)


@st.cache_resource(show_spinner=False, max_entries=8)  # One per models folder, training and language.
def model_frame(folder: str, stamp: int, words_language: str) -> pd.DataFrame:
    """The table as a student reads it, one row per model, its columns named in the session's language. Built as
    a data frame once: st.dataframe would build one from rows on every open."""
    strings = i18n.load_strings(words_language)
    columns = {name: strings(f"models_page.column_{name}") for name in
               ("model", "lesson", "family", "code", "seconds", "epochs", "test_mse", "bar", "verdict")}
    missing = strings("models_page.not_trained")
    verdict = {True: strings("models_page.meets_bar"), False: strings("models_page.misses_bar"), None: "–"}
    shown = []
    for row in cached_rows(folder, stamp):
        shown.append({
            columns["model"]: row.name,
            columns["lesson"]: strings(f"model_choice.lesson_{row.lesson}") if row.lesson
            else strings("models_page.reader_lesson"),
            columns["family"]: strings(f"models_page.family_{(row.family or 'reader').replace('-', '_')}"),
            columns["code"]: str(row.latent_dim) if row.latent_dim is not None else "–",
            columns["seconds"]: f"{row.training_seconds:,.0f}" if row.training_seconds is not None else "–",
            columns["epochs"]: (str(row.epochs) if row.trained else "–") if row.present else missing,
            columns["test_mse"]: f"{row.test_mse:.4f}" if row.test_mse is not None else "–",
            columns["bar"]: f"≤ {row.max_test_mse:.3f}" if row.max_test_mse is not None else "–",
            columns["verdict"]: verdict[row.meets_bar],
        })
    return pd.DataFrame(shown)


def model_table(ctx: PageContext) -> tuple[catalogue.ModelRow, ...]:
    folder, stamp = str(ctx.models.root), models_stamp(ctx)
    rows = cached_rows(folder, stamp)
    # Every row in view at once (35 pixels a row, as Streamlit draws them): a class reads the whole list.
    st.dataframe(model_frame(folder, stamp, ctx.language), hide_index=True, width="stretch",
                 height=35 * (len(rows) + 1) + 3, key=keys.TABLE)
    if not any(row.test_mse is not None for row in rows):
        st.caption(ctx.text("models_page.no_evaluation"))
        st.code(config.EVALUATE_COMMAND, language="bash")
    return rows


def history_of(ctx: PageContext, name: str) -> dict | None:
    """The chosen model's per-epoch history: a recipe's from its loaded model, a reader's from its file."""
    if name in catalogue.READERS:
        return catalogue.reader_history(ctx.models.root, name)
    return ctx.models.recipe(name).history


@st.cache_resource(show_spinner=False, max_entries=64)  # One per model, language and training; never changed.
def curves_figure(folder: str, name: str, words_language: str, stamp: int,
                  _history: dict | None) -> tuple[go.Figure | None, bool]:
    """The model's loss curves drawn once (stamp: when the models last changed), and whether they hold the KL
    term; None when it has no history."""
    curves = catalogue.curves(_history)
    if not curves:
        return None, False
    strings = i18n.load_strings(words_language)
    words = {key: strings(f"models_page.curve_{key}") for key in CURVE_WORDS}
    return figures.shared(figures.training_curves(curves, words=words)), catalogue.KL_CURVES[0] in curves


def curves_view(ctx: PageContext, name: str) -> None:
    recipe = registry.RECIPES.get(name)
    if recipe is not None and not recipe.trained:
        st.info(ctx.text("models_page.no_curves_pca", recipe=name), icon=":material/functions:")
        return
    figure, with_kl = curves_figure(str(ctx.models.root), name, ctx.language, models_stamp(ctx), history_of(ctx, name))
    if figure is None:
        st.info(ctx.text("models_page.no_history", recipe=name))
        return
    with st.container(key=keys.CURVES):
        st.plotly_chart(figure, key=f"{keys.CURVES}-chart", config=PLOT_CONFIG, width="stretch")
    if recipe is not None:
        low, high = recipe.pixel_range
        st.caption(ctx.text("models_page.loss_note", loss=ctx.text(f"models_page.loss_{recipe.loss}"), low=low,
                            high=high))
    if with_kl:
        st.caption(ctx.text("models_page.kl_note"))


def render(ctx: PageContext) -> None:
    st.title(ctx.text("models_page.title"))
    st.markdown(ctx.text("models_page.intro"))
    rows = model_table(ctx)
    strings = ctx.words
    name = choice_select(st, ctx.text("models_page.choice_label"), tuple(row.name for row in rows), keys.CHOICE,
                         format_func=lambda name: model_name(name, strings))
    curves_view(ctx, name)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
