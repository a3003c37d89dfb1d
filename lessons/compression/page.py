"""Compression: what a code of each size keeps of a digit, and what it costs in bytes beside JPEG.

Everything measured over the test set comes from compression.json and evaluation.json (written offline by
`python -m training.evaluate`); a page view encodes and decodes only the ten digits it shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import lessons.compression as keys
from latentwall import figures, i18n, inputs, measures, registry
from lessons.compression import logic as compression
from webapp.cache import evaluation, file_stamp
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.widgets.choices import choice_radio
from webapp.widgets.notices import no_report
from webapp.widgets.wall import PLOT_CONFIG

AE_SWEEP, PCA_SWEEP = registry.sweep("dense-ae"), registry.sweep("pca")
SIZES = tuple(recipe.latent_dim for recipe in AE_SWEEP)
DEFAULT_SIZE = 8 if 8 in SIZES else SIZES[0]
WAYS = ("random", "index")


def by_size(family: tuple[registry.Recipe, ...], size: int) -> registry.Recipe:
    return next(recipe for recipe in family if recipe.latent_dim == size)


def size_control(ctx: PageContext) -> int:
    """The code size, from the sweep's sizes; a forged value falls back to the default."""
    size = st.select_slider(ctx.text("compression.size_label"), SIZES, key=keys.SIZE,
                            help=ctx.text("compression.size_help"),
                            **({} if keys.SIZE in ctx.session else {"value": DEFAULT_SIZE}))
    return size if size in SIZES else DEFAULT_SIZE


def digit_rows(ctx: PageContext, count: int) -> np.ndarray:
    """Which ten test digits to show: drawn at random (a button draws others) or from a chosen index."""
    way_column, pick_column = st.columns([2, 3], vertical_alignment="bottom")
    way = choice_radio(way_column, ctx.text("compression.way_label"), WAYS, "comp-way", horizontal=True,
                       format_func=lambda way, strings=ctx.words: strings(f"compression.way_{way}"))
    if way == "index":
        # A float input shown as a whole number: a forged NaN reaches safe_index instead of breaking the run.
        first = pick_column.number_input(ctx.text("compression.first_label", last=count - 1), 0.0, float(count - 1),
                                         step=1.0, format="%.0f", key=keys.FIRST,
                                         **({} if keys.FIRST in ctx.session else {"value": 0.0}))
        return compression.rows_from(inputs.safe_index(first, count), count)
    if pick_column.button(ctx.text("compression.draw"), key=keys.DRAW, icon=":material/casino:"):
        ctx.session[keys.SEED] = int(np.random.SeedSequence().entropy % 2**32)
    return compression.draw_rows(inputs.safe_index(ctx.session.get(keys.SEED, 0), 2**32), count)


@st.fragment
@guarded
def triptychs(ctx: PageContext) -> None:
    """The code-size control and ten digits through the sweep's AE and PCA at that size: each re-runs alone."""
    size = size_control(ctx)
    images = ctx.models.test_images()
    if images is None:
        return
    rows = digit_rows(ctx, len(images))
    shown = (by_size(AE_SWEEP, size), by_size(PCA_SWEEP, size))
    for recipe, column in zip(shown, st.columns(2, gap="medium"), strict=True):
        with column:
            model = ctx.models.recipe(recipe)
            caption, body = triptych_view(str(ctx.models.root), recipe.name, tuple(int(row) for row in rows),
                                          ctx.language, model, images)
            st.markdown(caption)
            st.html(body)


# A class opens the page on the same ten digits (the first draw's seed) and steps through the same few sizes: each
# column is drawn once per process and language, and a step someone has made before costs no decoding.
@st.cache_resource(show_spinner=False, max_entries=128)
def triptych_view(folder: str, name: str, rows: tuple[int, ...], words_language: str, _model,
                  _images: np.ndarray) -> tuple[str, str]:
    """One recipe's column for these test digits: its caption with the mean error, and the rows as HTML."""
    strings, recipe = i18n.load_strings(words_language), registry.recipe(name)
    originals = _images[list(rows)]
    copies = _model.reconstruct(originals)
    words = {"original": strings("compression.original"), "reconstruction": strings("compression.reconstruction"),
             "error": strings("compression.error"), "row": strings("compression.row")}  # The row's words filled later.
    caption = strings("compression.column_caption", family=strings(f"compression.family_{recipe.family}"),
                      size=recipe.latent_dim, mse=float(measures.reconstruction_errors(originals, copies).mean()))
    return caption, compression.triptych_html(name, np.asarray(rows), originals, copies, words)


def families(strings) -> list[tuple[str, tuple[registry.Recipe, ...]]]:
    """The chart's families: the dense sweep, PCA, and each of the wall's 2-D models on its own."""
    return [(strings("compression.family_dense-ae"), AE_SWEEP), (strings("compression.family_pca"), PCA_SWEEP),
            *((strings(f"models.{recipe.name}_short"), (recipe,)) for recipe in registry.WALL_PAIR)]


@st.cache_resource(show_spinner=False, max_entries=8)  # Built once per report and language, never changed after.
def chart_figures(folder: str, language: str, stamp: tuple[int, int], _report: dict) -> tuple[go.Figure, go.Figure]:
    """The two charts of one report (stamp: its file's change time and size, so a new report draws anew)."""
    strings = i18n.load_strings(language)
    size_words = {name: strings(f"compression.chart_{name}") for name in
                  ("size", "mse", "accuracy", "mse_title", "accuracy_title", "originals")}
    series = [(name, *compression.size_series(_report, recipes)) for name, recipes in families(strings)[:2]]
    size_figure = figures.code_size_figure(series, _report["codes"]["reader_accuracy_originals"], size_words)
    bytes_words = {name: strings(f"compression.chart_{name}") for name in
                   ("bytes", "mse", "jpeg_with_tables", "jpeg_without_tables", "quality")}
    codes = []
    for name, recipes in families(strings):
        for storage in compression.STORAGES:
            sizes, errors, dims = compression.storage_series(_report, recipes, storage)
            codes.append((name, storage, strings(f"compression.storage_{storage}"), sizes, errors,
                          [strings("compression.chart_code", family=name, size=dim) for dim in dims]))
    return figures.shared(size_figure), figures.shared(figures.bytes_figure(_report["jpeg"]["curve"], codes,
                                                                             bytes_words))


def report_charts(ctx: PageContext, report: dict, folder: Path, stamp: tuple[int, int]) -> None:
    """What a bigger code buys, then bytes against error beside JPEG, with the latter in plain words (stamp: the
    report file's, as read)."""
    size_figure, bytes_figure = chart_figures(str(folder), ctx.language, stamp, report)
    st.subheader(ctx.text("compression.size_title"))
    st.plotly_chart(size_figure, key="comp-size-chart", config=PLOT_CONFIG, width="stretch")
    st.caption(ctx.text("compression.size_caption", sample=report["codes"]["sample"]))
    st.subheader(ctx.text("compression.bytes_title"))
    st.plotly_chart(bytes_figure, key="comp-bytes-chart", config=PLOT_CONFIG, width="stretch")
    st.markdown(explanation(ctx, report, folder))


def explanation(ctx: PageContext, report: dict, folder: Path) -> str:
    """The chart in plain words, every number from the report and the models folder."""
    floor = compression.jpeg_at_floor(report)
    pair = [report["codes"]["recipes"][recipe.name]["storage"] for recipe in registry.WALL_PAIR
            if recipe.name in report["codes"]["recipes"]]
    pair_bytes = [way["bytes"] for storage in pair for way in storage.values()] or [0]
    pair_mse = [storage["float32"]["mse"] for storage in pair] or [float("nan")]
    decoders = [size for size in (compression.decoder_bytes(folder, recipe) for recipe in registry.WALL_PAIR)
                if size is not None]
    budget = report.get("jpeg_within_code_bytes", {}).get(str(max(pair_bytes)), {})
    fits = (ctx.text("compression.budget_none", bytes=max(pair_bytes)) if budget.get("quality") is None else
            ctx.text("compression.budget_quality", bytes=max(pair_bytes), quality=budget["quality"], mse=budget["mse"]))
    least = compression.jpeg_floor(report)
    return ctx.text("compression.bytes_explained", scan=least["without_tables"], file=least["with_tables"],
                quality=floor["quality"], jpeg_mse=floor["mse"], code_min=min(pair_bytes), code_max=max(pair_bytes),
                code_mse=min(pair_mse), decoder_mb=max(decoders, default=0) / 1e6, budget=fits)


def lesson_note(ctx: PageContext, folder: Path) -> None:
    """The lessons' three dense recipes: their test MSE from evaluation.json, and why one loss reads in the
    thousands."""
    st.subheader(ctx.text("compression.lessons_title"))
    measured = (evaluation(folder) or {}).get("recipes", {})
    rows, notes = [], []
    for recipe in registry.dense_lessons():
        mse = measured.get(recipe.name, {}).get("test_mse")
        rows.append({ctx.text("compression.column_recipe"): recipe.name,
                     ctx.text("compression.column_lesson"): ctx.text(f"compression.lesson_{recipe.lesson}"),
                     ctx.text("compression.column_code"): recipe.latent_dim,
                     ctx.text("compression.column_mse"): "–" if mse is None else f"{mse:.4f}"})
        top = recipe.pixel_range[1] - recipe.pixel_range[0]
        if top != 1.0 and mse is not None:
            notes.append(ctx.text("compression.raw_pixels", recipe=recipe.name, top=top, scale=top ** 2, mse=mse,
                              loss=top ** 2 * mse))
    if not measured:
        no_report(ctx.text("compression.no_evaluation"))
    st.table(rows)
    for note in notes:
        st.markdown(note)


@st.cache_resource(show_spinner=False, max_entries=4)  # Read again only when the file changes (stamp).
def stored_report(folder: str, stamp: tuple[int, int]) -> dict | None:
    return compression.load_report(Path(folder))


def render(ctx: PageContext) -> None:
    st.title(ctx.text("compression.title"))
    st.markdown(ctx.text("compression.intro"))
    triptychs(ctx)
    folder = ctx.models.folder
    stamp = file_stamp(folder / compression.REPORT_FILE)
    report = stored_report(str(folder), stamp)
    if report is None:
        no_report(ctx.text("compression.no_report"))
    else:
        report_charts(ctx, report, folder, stamp)
    lesson_note(ctx, folder)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
