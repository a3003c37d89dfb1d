"""Anomaly detection by reconstruction error: score histograms, the ROC curve, a threshold fixed on held-aside
digits and a slider that moves it, all from the report `training.evaluate` stored beside the models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

import lessons.anomaly as keys
from latentwall import figures, html, i18n, pictures, registry, store
from lessons.anomaly import logic as anomaly
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.widgets.choices import choice_radio
from webapp.widgets.notices import no_report

EXAMPLE_SCALE = 3


@st.cache_resource(show_spinner=False, max_entries=4)  # Read once per process; the page never changes it.
def stored_report(folder: str) -> tuple[dict | None, dict[str, np.ndarray]]:
    """The report and its example images, after checking both against the manifest; (None, {}) otherwise."""
    try:
        store.verify_manifest(Path(folder), (anomaly.REPORT_FILE, anomaly.EXAMPLES_FILE), only_required=True)
    except store.ArtifactError:
        return None, {}
    return anomaly.load_report(Path(folder)), anomaly.load_examples(Path(folder))


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.1%}"


def case_choice(ctx: PageContext, report: dict) -> tuple[str, dict]:
    """The anomaly kind, and for the unseen digit which held-out model; returns the case's name and figures."""
    cases = report["cases"]
    scorer = report["scorer"]
    held_out = tuple(recipe.name for recipe in registry.held_out()
                     if anomaly.case_id(anomaly.UNSEEN, recipe.name) in cases)
    kinds = tuple(kind for kind in anomaly.KINDS
                  if (held_out if kind == anomaly.UNSEEN else anomaly.case_id(kind, scorer) in cases))
    kind = choice_radio(st, ctx.text("anomaly.kind_label"), kinds, keys.KIND, horizontal=True,
                        format_func=lambda option, strings=ctx.words: strings(f"anomaly.kind.{option}"))
    if kind != anomaly.UNSEEN:
        return anomaly.case_id(kind, scorer), cases[anomaly.case_id(kind, scorer)]
    name = choice_radio(st, ctx.text("anomaly.held_out_label"), held_out, keys.HELD_OUT, horizontal=True,
                        format_func=lambda option, strings=ctx.words: strings(
                            "anomaly.held_out_option", digit=registry.recipe(option).held_out_digit))
    return anomaly.case_id(anomaly.UNSEEN, name), cases[anomaly.case_id(anomaly.UNSEEN, name)]


def side_names(ctx: PageContext, case: dict) -> tuple[str, str]:
    if case["kind"] == anomaly.UNSEEN:
        digit = case["held_out_digit"]
        return ctx.text("anomaly.normal_unseen", digit=digit), ctx.text("anomaly.anomaly_unseen", digit=digit)
    return ctx.text("anomaly.normal_digits"), ctx.text(f"anomaly.kind.{case['kind']}")


def fixed_threshold(ctx: PageContext, report: dict, case: dict) -> None:
    """The threshold chosen before any anomaly was seen, and what it gives on the test images."""
    at = case["at_threshold"]
    st.markdown(ctx.text("anomaly.fixed_intro", quantile=report["threshold_quantile"],
                         digits=report["validation_digits"], threshold=case["threshold"],
                         normal=case["normal_count"], anomalies=case["anomaly_count"]))
    columns = st.columns(4)
    columns[0].metric(ctx.text("anomaly.auc"), f"{case['auc']:.3f}", help=ctx.text("anomaly.auc_help"))
    columns[1].metric(ctx.text("anomaly.precision"), percent(at["precision"]),
                      help=ctx.text("anomaly.precision_help"))
    columns[2].metric(ctx.text("anomaly.recall"), percent(at["recall"]), help=ctx.text("anomaly.recall_help"))
    columns[3].metric(ctx.text("anomaly.false_alarms"), percent(at["false_positive_rate"]),
                      help=ctx.text("anomaly.false_alarms_help"))


@st.fragment
@guarded
def threshold_explorer(ctx: PageContext, report: dict, name: str, case: dict) -> None:
    """The slider moves the threshold; precision and recall follow from the stored score samples alone."""
    options = anomaly.threshold_options(case)
    chosen = st.select_slider(ctx.text("anomaly.slider"), options, key=f"{keys.THRESHOLD_PREFIX}{name}",
                              value=anomaly.nearest_option(options, case["threshold"]), format_func="{:.4g}".format)
    live = anomaly.live_figures(case, chosen)
    columns = st.columns(3)
    columns[0].metric(ctx.text("anomaly.live_precision"), percent(live["precision"]))
    columns[1].metric(ctx.text("anomaly.live_recall"), percent(live["recall"]))
    columns[2].metric(ctx.text("anomaly.live_false_alarms"), percent(live["false_positive_rate"]))
    normal, strange = side_names(ctx, case)
    histogram, roc = st.columns(2)
    histogram.plotly_chart(figures.score_histogram(
        report["bin_edges"], {normal: case["histogram"]["normal"], strange: case["histogram"]["anomaly"]},
        [(case["threshold"], ctx.text("anomaly.fixed_line"), "dash"),
         (chosen, ctx.text("anomaly.slider_line"), "solid")],
        x_title=ctx.text("anomaly.score_axis"), y_title=ctx.text("anomaly.share_axis")),
        key=f"anomaly-histogram-{name}")
    at = case["at_threshold"]
    roc.plotly_chart(figures.roc_figure(
        case["roc"]["fpr"], case["roc"]["tpr"],
        [(at["false_positive_rate"], at["recall"], ctx.text("anomaly.fixed_line"), "diamond"),
         (live["false_positive_rate"], live["recall"], ctx.text("anomaly.slider_line"), "circle")],
        curve_name=ctx.text("anomaly.roc_name", auc=case["auc"]), chance_name=ctx.text("anomaly.chance"),
        x_title=ctx.text("anomaly.false_alarms"), y_title=ctx.text("anomaly.recall")), key=f"anomaly-roc-{name}")


def examples(ctx: PageContext, name: str, case: dict, stored: dict[str, np.ndarray]) -> None:
    """Stored images of both sides, from the lowest score to the highest, each with its score."""
    st.subheader(ctx.text("anomaly.examples_title"))
    for side, title in zip(("normal", "anomaly"), side_names(ctx, case), strict=False):
        images = stored.get(f"{name}:{side}")
        if images is None or len(images) != len(case["examples"][side]):
            st.info(ctx.text("anomaly.no_examples"))
            return
        st.caption(title)
        st.html(examples_html(str(ctx.models.root), name, side, ctx.language, images, tuple(case["examples"][side])))


# A class opens the page on the same case: each side's row is drawn once per process and language, as one piece of
# HTML with the pictures inside, so an open sends no picture to encode or fetch (as st.image, 16 of them, would).
@st.cache_resource(show_spinner=False, max_entries=64)
def examples_html(folder: str, name: str, side: str, words_language: str, _images: np.ndarray,
                  scores: tuple[float, ...]) -> str:
    """One side's stored examples enlarged, each with its score; hooks for outside checks: data-lw="examples"
    with the side."""
    strings = i18n.load_strings(words_language)
    gallery = html.gallery_html([pictures.upscale(image / 255.0, EXAMPLE_SCALE) for image in _images],
                                [strings("anomaly.example_score", score=score) for score in scores],
                                registry.MNIST.image_side * EXAMPLE_SCALE)
    return f'<div data-lw="{keys.EXAMPLES_HOOK}" data-lw-side="{side}">{gallery}</div>'


def honest_case(ctx: PageContext, report: dict) -> None:
    """Why a digit the model never saw is the hard case, with the measured figures."""
    cases, scorer = report["cases"], report["scorer"]
    st.subheader(ctx.text("anomaly.hard_title"))
    easy = [ctx.text("anomaly.hard_easy_item", kind=ctx.text(f"anomaly.kind.{kind}"), auc=cases[name]["auc"])
            for kind in anomaly.KINDS if (name := anomaly.case_id(kind, scorer)) in cases]
    st.markdown(ctx.text("anomaly.hard_easy", items=", ".join(easy)))
    for recipe in registry.held_out():
        case = cases.get(anomaly.case_id(anomaly.UNSEEN, recipe.name))
        if case is not None:
            st.markdown(ctx.text("anomaly.hard_digit", digit=recipe.held_out_digit, auc=case["auc"],
                             scorer_auc=case["scorer_auc"], recall=case["at_threshold"]["recall"],
                             precision=percent(case["at_threshold"]["precision"])))
    st.markdown(ctx.text("anomaly.hard_why"))
    for kind, message in report.get("missing", {}).items():
        st.info(ctx.text("anomaly.kind_missing", kind=ctx.text(f"anomaly.kind.{kind}"), reason=message))


def render(ctx: PageContext) -> None:
    st.title(ctx.text("anomaly.title"))
    st.markdown(ctx.text("anomaly.intro"))
    folder = ctx.models.folder
    report, stored = stored_report(str(folder))
    if report is None:
        no_report(ctx.text("anomaly.no_report"))
        return
    name, case = case_choice(ctx, report)
    fixed_threshold(ctx, report, case)
    threshold_explorer(ctx, report, name, case)
    examples(ctx, name, case, stored)
    honest_case(ctx, report)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
