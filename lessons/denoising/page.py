"""Denoising: the Keras lesson's autoencoder trained on noisy digits, beside the same network trained on clean ones.

The noise control reruns only the examples (a fragment); the chart of the whole test sample is drawn once per view.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import lessons.denoising as keys
from latentwall import figures, i18n, noise, pictures, registry
from latentwall.html import gallery_html
from latentwall.keras import summary as keras_summary
from lessons.denoising import logic as denoising
from webapp.cache import file_stamp
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.widgets.choices import choice_radio
from webapp.widgets.decoded import paragraph
from webapp.widgets.notices import no_report

# Test digits shown on the page (a 7, a 2, a 1, a 0, a 4 and a 9): the first of the test set, fixed so a
# class sees the same digits. The noise is seeded by kind and level, so a setting always shows the same picture.
SHOWN_DIGITS = (0, 1, 2, 3, 4, 7)
NOISE_SEED = 7
SCALE = 3


def noise_controls(ctx: PageContext) -> tuple[str, float]:
    """The kind of noise and its level, as the student set them; forged values fall back to usable ones."""
    left, right = st.columns([2, 3])
    ctx.session.setdefault(keys.KIND, denoising.LESSON)  # The page opens on the noise the lesson trains with.
    kind = choice_radio(left, ctx.text("denoising.kind_label"), denoising.KINDS, keys.KIND, horizontal=False,
                        format_func=lambda name, strings=ctx.words: strings(f"denoising.kind.{name}"))
    kind = kind if kind in denoising.KINDS else denoising.KINDS[0]
    # Held in range before the slider reads it: Streamlit raises on a stored value beyond its ends.
    ctx.session[keys.LEVEL] = noise.safe_level(ctx.session.get(keys.LEVEL, noise.LESSON_STD),
                                                   denoising.MAX_LEVEL)
    level = right.slider(ctx.text("denoising.level_label"), 0.0, denoising.MAX_LEVEL, step=0.05, key=keys.LEVEL,
                         help=ctx.text("denoising.level_help"))
    level = noise.safe_level(level, denoising.MAX_LEVEL)
    right.caption(ctx.text(f"denoising.level_means.{kind}", level=level))
    return kind, level


def psnr_words(strings: i18n.Strings, value: float) -> str:
    return strings("denoising.identical") if value >= noise.PSNR_CAP_DB else strings("denoising.psnr", value=value)


def examples_html(strings: i18n.Strings, found: denoising.Examples, names: tuple[str, str], kind: str,
                  level: float) -> str:
    """One row per picture kind (noisy input, the denoising AE's output, the plain AE's output, the original), one
    column per digit, each picture with its PSNR against the original. Hooks for outside checks: data-lw="denoised"
    with the kind and level, and each row's role and PSNRs (data-lw-psnr, space-separated)."""
    rows = []
    roles = (("input", found.noisy, found.psnr["input"]),
             *((role, found.outputs[name], found.psnr[name])
               for role, name in zip(("denoising", "plain"), names, strict=True)),
             ("clean", found.clean, None))
    for role, images, scores in roles:
        captions = [psnr_words(strings, score) for score in scores] if scores is not None else [""] * len(images)
        gallery = gallery_html([pictures.upscale(image, SCALE) for image in images], captions,
                               registry.MNIST.image_side * SCALE)
        hooks = f'data-lw="row" data-lw-role="{role}"'
        if scores is not None:
            hooks += ' data-lw-psnr="' + " ".join(f"{score:.3f}" for score in scores) + '"'
        rows.append(f'<div {hooks} style="display:flex;gap:0.8rem;align-items:center">'
                    f'<div style="width:8rem;font-weight:600">{html.escape(strings(f"denoising.column.{role}"))}</div>'
                    f"{gallery}</div>")
    means = [found.psnr[role].mean() for role in ("input", *names)]
    summary = paragraph(strings("denoising.mean_here", count=len(found.clean), input=means[0], denoising=means[1],
                             plain=means[2]))
    return (f'<div data-lw="denoised" data-lw-kind="{html.escape(kind)}" data-lw-level="{level:.2f}" '
            f'style="display:flex;flex-direction:column;gap:0.5rem">{summary}{"".join(rows)}</div>')


@st.fragment
@guarded
def examples_part(ctx: PageContext) -> None:
    """The noise control and what each model makes of a few noisy test digits: a control step reruns only this."""
    pair = registry.denoising_pair()
    models = {recipe.name: ctx.models.recipe(recipe) for recipe in pair}
    images = ctx.models.test_images()
    kind, level = noise_controls(ctx)
    if images is None:
        return
    st.html(examples_view(str(ctx.models.root), kind, f"{level:.2f}", ctx.language, models, images))


# A class looks at the same few levels (the noise is seeded): each is drawn once per process and language, and
# opening the page or moving to a level someone has seen costs no decoding.
@st.cache_resource(show_spinner=False, max_entries=64)
def examples_view(folder: str, kind: str, level: str, words_language: str, _models: dict, _images) -> str:
    pair = registry.denoising_pair()
    found = denoising.examples(_models, _images[list(SHOWN_DIGITS)], kind, float(level), NOISE_SEED)
    return examples_html(i18n.load_strings(words_language), found, tuple(recipe.name for recipe in pair), kind,
                         float(level))


@st.cache_resource(show_spinner=False, max_entries=8)  # One per report and language, shared and never changed.
def psnr_view(folder: str, words_language: str, stamp: tuple[int, int]) -> tuple[go.Figure, int] | None:
    """The chart of one report and the number of test digits it measured, or None when the report is missing or
    unreadable (stamp: the report's change time and size, so a new report draws anew)."""
    found = denoising.load_report(Path(folder))
    strings = i18n.load_strings(words_language)
    words = {name: strings(f"denoising.chart.{name}")
             for name in ("gaussian", "salt_and_pepper", "input", "denoising", "plain", "lesson", "psnr")}
    try:
        return (figures.shared(figures.psnr_figure(found, words)), int(found["digits"])) if found else None
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def psnr_chart(ctx: PageContext) -> None:
    """Mean PSNR against noise over the test sample the evaluation measured, both models and the noisy input."""
    st.subheader(ctx.text("denoising.chart_title"))
    folder = ctx.models.folder
    found = psnr_view(str(folder), ctx.language, file_stamp(folder / denoising.REPORT_FILE))
    if found is None:
        no_report(ctx.text("denoising.no_report"))
        return
    figure, digits = found
    st.plotly_chart(figure, key="denoise-chart", config={"displaylogo": False, "showTips": False})
    st.caption(ctx.text("denoising.chart_caption", digits=digits))


# A layer table as the page shows it: its title, its rows, and the weights it holds in all.
LayerTable = tuple[str, pd.DataFrame, int]


@st.cache_resource(show_spinner=False, max_entries=8)  # One per model files and language, shared and never changed.
def layer_views(folder: str, words_language: str, stamp: tuple) -> tuple[str, tuple[LayerTable, ...]] | None:
    """The split's diagram and each half's layer table, or None when a file cannot be read (stamp: the two files'
    change times and sizes, so new models draw anew). Built as data frames once: st.table would build one from
    rows on every open."""
    recipe = registry.denoising_pair()[0]
    encoder_file, decoder_file = (Path(folder) / recipe.name / f"{part}.keras" for part in ("encoder", "decoder"))
    try:
        encoder, decoder = keras_summary.summarize(encoder_file), keras_summary.summarize(decoder_file)
    except ValueError:
        return None
    strings = i18n.load_strings(words_language)
    titles = {name: strings(f"denoising.diagram.{name}") for name in ("encoder", "decoder", "code", "whole")}
    columns = {name: strings(f"denoising.layer.{name}") for name in ("kind", "settings", "shape", "params")}
    tables = tuple((titles[title], pd.DataFrame([
        {columns["kind"]: layer.kind, columns["settings"]: layer.settings,
         columns["shape"]: keras_summary.shape_text(layer.output_shape), columns["params"]: f"{layer.params:,}"}
        for layer in layers]), sum(layer.params for layer in layers))
        for title, layers in (("encoder", encoder), ("decoder", decoder)))
    return keras_summary.split_diagram(encoder, decoder, titles), tables


def split_part(ctx: PageContext) -> None:
    """The encoder and decoder as the lesson chains them: two models, the code between them."""
    st.subheader(ctx.text("denoising.split_title"))
    st.markdown(ctx.text("denoising.split_intro"))
    folder = ctx.models.folder
    files = (folder / registry.denoising_pair()[0].name / f"{part}.keras" for part in ("encoder", "decoder"))
    found = layer_views(str(folder), ctx.language, tuple(file_stamp(path) for path in files))
    if found is None:
        st.info(ctx.text("denoising.no_layers"))
        return
    diagram, tables = found
    picture, column = st.columns([2, 3])
    picture.graphviz_chart(diagram)
    for title, table, params in tables:
        column.markdown(f"**{title}**")
        column.table(table, hide_index=True)
        column.caption(ctx.text("denoising.layer.total", params=params))


def render(ctx: PageContext) -> None:
    st.title(ctx.text("denoising.title"))
    st.markdown(ctx.text("denoising.intro"))
    examples_part(ctx)
    psnr_chart(ctx)
    split_part(ctx)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
