"""AE vs VAE: the two walls side by side over their decodability maps, their manifolds, and the defects."""

from __future__ import annotations

import io

import streamlit as st

from app_pages.shared import KINDS, cached_models, decoded_panel, guarded, models_or_stop, text, wall_chart, wall_for
from latentwall import claims, config, explore, inference, latent

WALL_HEIGHT = 440


@st.cache_resource(show_spinner=False, max_entries=4)  # Each manifold is one batched decode per model, made once.
def manifold_picture(folder: str, kind: str) -> bytes:
    """The manifold as PNG bytes, encoded once: st.image would encode a 1120 x 1120 picture again on every open
    (about 30 ms each), while bytes it serves as they are."""
    model = cached_models(folder)[kind]
    picture = explore.upscale(explore.manifold(model.decoder, explore.wall_box(model.wall)), 2)
    encoded = io.BytesIO()
    picture.save(encoded, format="PNG")
    return encoded.getvalue()


@st.fragment
@guarded
def decoded_part(kind: str) -> None:
    """What a click on one model's wall decodes to: each column re-runs on its own."""
    models = models_or_stop()
    decoded_panel(f"compare-pick-{kind}", models[kind], models.reader, scale=5, link="compare")


def compare_column(kind: str, model: inference.LatentModel) -> None:
    """One model's wall over its decodability map, in its own units, and what a click on it decodes."""
    st.subheader(text(f"models.{kind}"))
    x_min, x_max, y_min, y_max = latent.bounding_box(model.wall.codes)
    st.caption(text("compare.units", x_min=x_min, x_max=x_max, y_min=y_min, y_max=y_max))
    wall_chart(f"compare-pick-{kind}", wall_for(kind, WALL_HEIGHT, with_map=True))
    decoded_part(kind)


def defects_table(folder) -> None:
    """The numbers `training.evaluate` measured, each with a line saying what it means."""
    st.subheader(text("compare.defects_title"))
    report = explore.load_evaluation(folder)
    if report is None:
        st.info(text("compare.no_evaluation"))
        st.code(config.EVALUATE_COMMAND, language="bash")
        return
    rows = [{text("compare.column_measure"): text(f"defects.{key}.label"),
             text("models.ae"): ae, text("models.vae"): vae,
             text("compare.column_meaning"): text(f"defects.{key}.meaning")}
            for key, ae, vae in explore.defect_rows(report)]
    st.table(rows)


def claims_panel(folder) -> None:
    """The story's claims beside the measured figures; each verdict follows from evaluation.json by a stated
    rule (latentwall/claims.py) and stays hidden until the student has made a guess."""
    st.subheader(text("claims.title"))
    judged = claims.judge(explore.load_evaluation(folder) or {})
    if judged is None:
        st.info(text("claims.outdated"))
        st.code(config.EVALUATE_COMMAND, language="bash")
        return
    st.markdown(text("claims.intro"))
    reveal = st.toggle(text("claims.reveal"), key="claims-reveal")
    st.table([{text("claims.column_claim"): text(f"claims.{claim.key}.claim"),
               text("models.ae"): text(f"claims.{claim.key}.figure", **claim.ae),
               text("models.vae"): text(f"claims.{claim.key}.figure", **claim.vae),
               text("claims.column_verdict"): (
                   f"{text(f'claims.verdict_{claim.verdict}')}: {text(f'claims.{claim.key}.{claim.verdict}')}"
                   if reveal else text("claims.hidden"))}
              for claim in judged])
    with st.expander(text("claims.rules_title")):
        st.markdown(text("claims.rules", **{name.lower(): getattr(claims, name) for name in claims.THRESHOLDS}))


def compare_page() -> None:
    models = models_or_stop()
    st.title(text("compare.title"))
    st.markdown(text("compare.intro"))
    st.warning(text("compare.scales_differ"), icon=":material/straighten:")
    st.caption(text("compare.linked"))
    for kind, column in zip(KINDS, st.columns(2, gap="medium")):
        with column:
            compare_column(kind, models[kind])
    st.subheader(text("compare.manifold_title"))
    st.markdown(text("compare.manifold_intro", side=explore.MANIFOLD_SIDE))
    for kind, column in zip(KINDS, st.columns(2, gap="medium")):
        column.image(manifold_picture(str(config.MODELS_ROOT), kind), width="stretch", output_format="PNG",
                     caption=text("compare.manifold_caption", model=text(f"models.{kind}")))
    claims_panel(models.folder)
    defects_table(models.folder)


compare_page()
