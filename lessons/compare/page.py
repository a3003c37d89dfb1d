"""AE vs VAE: the two walls side by side over their decodability maps, their manifolds, and the defects."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

import lessons.compare as keys
from latentwall import i18n, latent, pictures, reports, store
from latentwall.pictures import png
from lessons.compare import logic as claims
from webapp.cache import cached_models, evaluation, file_stamp
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.session import KINDS
from webapp.widgets.decoded import decoded_panel
from webapp.widgets.notices import no_report
from webapp.widgets.wall import wall_chart, wall_for

WALL_HEIGHT = 440


@st.cache_resource(show_spinner=False, max_entries=4)  # Each manifold is one batched decode per model, made once.
def manifold_picture(folder: str, kind: str) -> bytes:
    """The manifold as PNG bytes, encoded once: st.image would encode a 1120 x 1120 picture again on every open
    (about 30 ms each), while bytes it serves as they are."""
    model = cached_models(folder)[kind]
    return png(pictures.upscale(latent.manifold(model.decoder, latent.wall_box(model.wall)), 2))


@st.fragment
@guarded
def decoded_part(ctx: PageContext, kind: str) -> None:
    """What a click on one model's wall decodes to: each column re-runs on its own."""
    models = ctx.models.pair()
    decoded_panel(keys.pick_key(kind), models[kind], models.reader, scale=5, link=keys.LINK)


@st.cache_resource(show_spinner=False, max_entries=4)  # Spans 10,000 codes: worked out once per model.
def code_bounds(folder: str, kind: str) -> tuple[float, float, float, float]:
    return latent.bounding_box(cached_models(folder)[kind].wall.codes)


def compare_column(ctx: PageContext, kind: str) -> None:
    """One model's wall over its decodability map, in its own units, and what a click on it decodes."""
    st.subheader(ctx.text(f"models.{kind}"))
    x_min, x_max, y_min, y_max = code_bounds(str(ctx.models.root), kind)
    st.caption(ctx.text("compare.units", x_min=x_min, x_max=x_max, y_min=y_min, y_max=y_max))
    wall_chart(keys.pick_key(kind), wall_for(kind, WALL_HEIGHT, with_map=True))
    decoded_part(ctx, kind)


@st.cache_resource(show_spinner=False, max_entries=8)  # One per report and language, shared and never changed.
def defects_frame(folder: str, words_language: str, stamp: tuple[int, int]) -> pd.DataFrame | None:
    """The measures as a table, each with a line saying what it means; None without a report (stamp: the
    report's change time and size). Built as a data frame once: st.table would build one on every open."""
    report = evaluation(Path(folder))
    if report is None:
        return None
    strings = i18n.load_strings(words_language)
    return pd.DataFrame([{strings("compare.column_measure"): strings(f"defects.{key}.label"),
                          strings("models.ae"): ae, strings("models.vae"): vae,
                          strings("compare.column_meaning"): strings(f"defects.{key}.meaning")}
                         for key, ae, vae in reports.defect_rows(report)])


def defects_table(ctx: PageContext, folder: Path) -> None:
    """The numbers `training.evaluate` measured, each with a line saying what it means."""
    st.subheader(ctx.text("compare.defects_title"))
    table = defects_frame(str(folder), ctx.language, file_stamp(Path(folder) / store.EVALUATION_FILE))
    if table is None:
        no_report(ctx.text("compare.no_evaluation"))
        return
    st.table(table, hide_index=True)


@st.cache_resource(show_spinner=False, max_entries=16)  # One per report, language and reveal; never changed.
def claims_frame(folder: str, words_language: str, stamp: tuple[int, int], reveal: bool) -> pd.DataFrame | None:
    """Each claim beside the measured figures, with its verdict or, before the reveal, a word that it is
    hidden; None when the report does not hold what the claims need."""
    judged = claims.judge(evaluation(Path(folder)) or {})
    if judged is None:
        return None
    strings = i18n.load_strings(words_language)
    return pd.DataFrame([
        {strings("claims.column_claim"): strings(f"claims.{claim.key}.claim"),
         strings("models.ae"): strings(f"claims.{claim.key}.figure", **claim.ae),
         strings("models.vae"): strings(f"claims.{claim.key}.figure", **claim.vae),
         strings("claims.column_verdict"): (
             f"{strings(f'claims.verdict_{claim.verdict}')}: {strings(f'claims.{claim.key}.{claim.verdict}')}"
             if reveal else strings("claims.hidden"))}
        for claim in judged])


def claims_panel(ctx: PageContext, folder: Path) -> None:
    """The story's claims beside the measured figures; each verdict follows from evaluation.json by a stated
    rule (lessons/compare/logic.py) and stays hidden until the student has made a guess."""
    st.subheader(ctx.text("claims.title"))
    stamp = file_stamp(Path(folder) / store.EVALUATION_FILE)
    if claims_frame(str(folder), ctx.language, stamp, False) is None:
        no_report(ctx.text("claims.outdated"))
        return
    st.markdown(ctx.text("claims.intro"))
    reveal = st.toggle(ctx.text("claims.reveal"), key=keys.CLAIMS_REVEAL)
    st.table(claims_frame(str(folder), ctx.language, stamp, bool(reveal)), hide_index=True)
    with st.expander(ctx.text("claims.rules_title")):
        st.markdown(ctx.text("claims.rules", **{name.lower(): getattr(claims, name) for name in claims.THRESHOLDS}))


def render(ctx: PageContext) -> None:
    models = ctx.models.pair()
    st.title(ctx.text("compare.title"))
    st.markdown(ctx.text("compare.intro"))
    st.warning(ctx.text("compare.scales_differ"), icon=":material/straighten:")
    st.caption(ctx.text("compare.linked"))
    for kind, column in zip(KINDS, st.columns(2, gap="medium"), strict=False):
        with column:
            compare_column(ctx, kind)
    st.subheader(ctx.text("compare.manifold_title"))
    st.markdown(ctx.text("compare.manifold_intro", side=latent.MANIFOLD_SIDE))
    for kind, column in zip(KINDS, st.columns(2, gap="medium"), strict=False):
        column.image(manifold_picture(str(ctx.models.root), kind), width="stretch", output_format="PNG",
                     caption=ctx.text("compare.manifold_caption", model=ctx.text(f"models.{kind}")))
    claims_panel(ctx, models.folder)
    defects_table(ctx, models.folder)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
