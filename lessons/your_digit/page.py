"""Your own digit: draw one or upload a photo, and see where it lands on both walls, how each model repaints it,
what the reader reads, and how unusual the AE finds it."""

from __future__ import annotations

import html
import logging
import os
from functools import partial
from pathlib import Path

import numpy as np
import streamlit as st

import lessons.your_digit as keys
from latentwall import config, figures, inference, measures, pictures, registry, store
from latentwall.datasets import DataError, as_images, load
from latentwall.html import gallery_html
from lessons.your_digit import logic as drawing
from webapp.cache import cached_models
from webapp.components import component
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.widgets.decoded import paragraph
from webapp.widgets.wall import landing_mark, listen_for_clicks, wall_chart, wall_for

DRAWN, UPLOADED = "draw", "upload"
WALL_HEIGHT = 420
_LOGGER = logging.getLogger(__name__)

# The drawing pad: a 280x280 canvas and a clear button; each drawing arrives as the event "drawing" (draw_pad.js).
_pad = component(
    "draw_pad", ("draw_pad.js",),
    html=('<canvas width="280" height="280" data-lw="draw-pad"></canvas>'
          '<div><button type="button" data-lw="draw-clear"></button></div>'),
    css=("canvas{display:block;width:280px;height:280px;border:1px solid #999;border-radius:6px;touch-action:none;"
         "cursor:crosshair;background:#fff}button{font:inherit;margin-top:6px;padding:2px 12px}"))


def _chose(ctx: PageContext, source: str) -> None:
    ctx.session[keys.SOURCE] = source


def _store_drawing(ctx: PageContext) -> None:
    """Runs before the rerun a drawing causes: keeps what the pad sent if it can be a drawing at all.

    A PNG data address within the size cap (read and checked as the page draws), None for a cleared pad, and
    for anything else an empty text, which the page refuses with its message. The event itself is gone after
    this run, so a value Streamlit could not even parse costs that one run, never the session.
    """
    event = ctx.session.get(keys.PAD)
    value = event.get("drawing") if isinstance(event, dict) else None
    if value is None:
        ctx.session[keys.DRAWING] = None
    elif isinstance(value, str) and len(value) <= drawing.MAX_DATA_URL_CHARS:
        ctx.session[keys.DRAWING] = value
    else:
        ctx.session[keys.DRAWING] = ""
    _chose(ctx, DRAWN)


def inputs(ctx: PageContext, left, right) -> tuple[drawing.Digit | drawing.Refusal | None,
                                                   drawing.Digit | drawing.Refusal | None]:
    """The pad (in left) and the uploader (in right); each one's digit, refusal (said under it) or None."""
    with left:
        st.markdown(ctx.text("digit.draw_title"))
        kept = ctx.session.get(keys.DRAWING)
        # The kept drawing goes back to the pad, which paints it on a fresh canvas (back from another page).
        _pad(key=keys.PAD, data={"words": {"pad": ctx.text("digit.pad_label"), "clear": ctx.text("digit.clear")},
                                "drawing": kept if isinstance(kept, str) and kept else None},
             on_drawing_change=partial(_store_drawing, ctx))
        drawn = drawing.digit_from(drawing.read_drawing(kept))
        refusal_note(ctx, drawn, "digit-draw-message")
    with right:
        st.markdown(ctx.text("digit.upload_title"))
        upload = st.file_uploader(ctx.text("digit.upload_label"), type=["png", "jpg", "jpeg"], key=keys.UPLOAD,
                                  on_change=lambda: _chose(ctx, UPLOADED), help=ctx.text("digit.upload_help"))
        uploaded = None if upload is None else drawing.digit_from(drawing.read_picture(upload.getvalue()))
        refusal_note(ctx, uploaded, "digit-upload-message")
    return drawn, uploaded


def refusal_note(ctx: PageContext, answer, key: str) -> None:
    """Why a picture could not be used, in words, under the input it came from."""
    if isinstance(answer, drawing.Refusal):
        _LOGGER.info("A picture was refused (%s): %s", answer.kind, answer.detail)
        with st.container(key=key):
            st.warning(ctx.text(f"digit.refused_{answer.kind}", megabytes=drawing.MAX_FILE_BYTES / 1e6,
                            megapixels=drawing.MAX_PIXELS / 1e6, side=drawing.MIN_SIDE),
                       icon=":material/image_not_supported:")


def chosen_digit(ctx: PageContext, drawn, uploaded) -> drawing.Digit | None:
    """The most recent usable input: the last one touched if it is usable, else the other one."""
    order = (uploaded, drawn) if ctx.session.get(keys.SOURCE) == UPLOADED else (drawn, uploaded)
    return next((answer for answer in order if isinstance(answer, drawing.Digit)), None)


@st.cache_resource(show_spinner=False, max_entries=4)  # The test set's scores, read (or measured) once per process.
def test_scores(root: str, data_env: str) -> drawing.Scores | None:
    stored = config.dataset_dir(Path(root)) / drawing.SCORES_FILE
    if stored.is_file():
        try:
            return drawing.parse_scores(store.read_json(stored))
        except ValueError:
            return None
    try:  # Evaluated before the report existed: measure the AE on the test images instead, once.
        images = as_images(load(registry.MNIST, data_env or None, download=False).x_test)[..., 0]
    except DataError:
        return None
    model = cached_models(root)[registry.AE.name]
    errors = measures.reconstruction_errors(images, model.decoder.decode(model.encoder.encode(images)))
    return drawing.parse_scores(drawing.summarise_scores(errors))


def landing(ctx: PageContext, kind: str, model: inference.LatentModel, digit: drawing.Digit | None) -> None:
    """Where the digit lands on one model's wall (the VAE's mean, with its 1- and 2-sigma rings), drawn over the
    wall by its listener, and the model's repainting of it. Without a digit the wall only shows decodes."""
    if digit is None:
        listen_for_clicks(keys.wall_key(kind), model, show_marker=False, active=False)
        return
    codes, log_var = model.encoder.encode_spread(digit.image[None])
    code = codes[0]
    rings = () if log_var is None else tuple(
        (ctx.text("digit.sigma", count=sigmas), drawing.sigma_ellipse(code, log_var[0], sigmas)) for sigmas in (1, 2))
    listen_for_clicks(keys.wall_key(kind), model, show_marker=False, active=False, landing=landing_mark(code, rings))
    repainted = model.decoder.decode(code[None])[0]
    error = float(measures.reconstruction_errors(digit.image[None], repainted[None])[0])
    spread = "" if log_var is None else ctx.text("digit.spread", x=float(np.exp(0.5 * log_var[0, 0])),
                                                   y=float(np.exp(0.5 * log_var[0, 1])))
    hooks = (f'data-lw="{keys.LANDING_HOOK}" data-lw-model="{html.escape(kind)}" data-lw-x="{code[0]:.6g}" '
             f'data-lw-y="{code[1]:.6g}" data-lw-error="{error:.6g}"')
    lines = [paragraph(ctx.text("decoded.coordinate", x=float(code[0]), y=float(code[1]))),
             *([paragraph(spread)] if spread else []),
             gallery_html([pictures.upscale(repainted, 4)], [ctx.text("digit.repainted")], 112),
             paragraph(ctx.text("digit.error", error=error))]
    st.html(f'<div {hooks} style="display:flex;flex-direction:column;gap:0.4rem">{"".join(lines)}</div>')


def reader_verdict(ctx: PageContext, reader: inference.Reader, digit: drawing.Digit) -> None:
    """The picture as the models get it, and what the reader reads in it."""
    digits, confidences = reader.read(digit.image[None])
    number, confidence = int(digits[0]), float(confidences[0])
    verdict = ctx.text("wall.verdict_yes" if measures.verdict_is_readable(confidence) else "wall.verdict_no",
                   digit=number, confidence=confidence)
    prepared = [pictures.upscale(digit.image, 4)]
    hooks = f'data-lw="{keys.VERDICT_HOOK}" data-lw-digit="{number}" data-lw-confidence="{confidence:.4f}"'
    st.html(f'<div {hooks} style="display:flex;flex-direction:column;gap:0.4rem">'
            f'{gallery_html(prepared, [ctx.text("digit.prepared")], 112)}'
            f'{paragraph(ctx.text("decoded.reader", digit=number, confidence=confidence))}{paragraph(verdict)}</div>')
    if digit.inverted:
        st.caption(ctx.text("digit.inverted"))


def anomaly(ctx: PageContext, model: inference.LatentModel, digit: drawing.Digit) -> None:
    """The AE's repainting error of this digit among the test digits' errors."""
    st.subheader(ctx.text("digit.anomaly_title"))
    scores = test_scores(str(ctx.models.root), os.environ.get(config.DATA_ENV_VAR, ""))
    if scores is None:
        st.info(ctx.text("digit.scores_missing", command=config.EVALUATE_COMMAND))
        return
    decoded = model.decoder.decode(model.encoder.encode(digit.image[None]))
    error = float(measures.reconstruction_errors(digit.image[None], decoded)[0])
    share = drawing.percentile_of(error, scores.quantiles)
    words = {"x_title": ctx.text("digit.histogram_x"), "y_title": ctx.text("digit.histogram_y"),
             "yours": ctx.text("digit.yours")}
    st.plotly_chart(figures.error_histogram(scores.edges, scores.counts, error, words=words), key="digit-histogram",
                    config={"displayModeBar": False}, width="stretch")
    st.markdown(ctx.text("digit.anomaly_unusual" if share >= 0.99 else "digit.anomaly_share", error=error, share=share))


def render(ctx: PageContext) -> None:
    """The pad and the uploader, both walls, and the fragment that fills in what follows from the digit: a new
    drawing reruns only that, and the walls (10,000 points each) are not sent again."""
    ctx.models.pair()
    st.title(ctx.text("digit.title"))
    st.markdown(ctx.text("digit.intro"))
    pad, upload = st.columns(2, gap="large")
    st.divider()
    status = st.container()
    verdict, *wall_columns = st.columns([1, 2, 2], gap="medium")
    below = {}
    for column, recipe in zip(wall_columns, registry.WALL_PAIR, strict=False):
        with column:
            st.markdown(f"**{ctx.text(f'models.{recipe.name}')}**")
            wall_chart(keys.wall_key(recipe.name), wall_for(recipe.name, WALL_HEIGHT))
            below[recipe.name] = st.container()
    digit_views(ctx, pad, upload, status, verdict, below, st.container())


@st.fragment
@guarded
def digit_views(ctx: PageContext, pad, upload, status, verdict, below: dict, scores) -> None:
    """The chosen digit and all that follows from it, written into the page's containers around the walls."""
    models = ctx.models.pair()
    drawn, uploaded = inputs(ctx, pad, upload)
    digit = chosen_digit(ctx, drawn, uploaded)
    # Each outside container is written on every run, digit or not: Streamlit keeps its place for the fragment.
    said, read, scored = status.container(), verdict.container(), scores.container()
    if digit is None:
        said.info(ctx.text("digit.hint"))
    else:
        said.caption(ctx.text("digit.showing_upload" if digit is uploaded else "digit.showing_drawing"))
        with read:
            reader_verdict(ctx, models.reader, digit)
        with scored:
            anomaly(ctx, models[registry.AE.name], digit)
    for recipe in registry.WALL_PAIR:
        with below[recipe.name]:
            landing(ctx, recipe.name, models[recipe.name], digit)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
