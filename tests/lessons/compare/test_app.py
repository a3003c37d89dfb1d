"""The AE vs VAE page headless through AppTest: without an evaluation, the defects table, and the claims panel
with its hidden verdicts."""

from __future__ import annotations

import shutil

from latentwall import artifacts, config, explore, i18n
from lessons.compare import logic as claims
from tests.helpers import assert_clean, coordinate


def test_comparison_without_an_evaluation_names_the_command(app):
    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)
    assert "orders of magnitude" in test.warning[0].value
    assert len(test.get("plotly_chart")) == 2


def test_comparison_shows_the_defects_table(app, evaluated_models, use_models):
    use_models(evaluated_models)
    test = app("lessons/compare/page.py", **{"compare-pick-vae": {"x": 0.0, "y": 0.0}})
    assert_clean(test)
    table = test.table[-1].value
    assert len(table) == len(explore.defect_rows(explore.load_evaluation(config.dataset_dir(evaluated_models))))
    assert "–" not in table.to_string(), "every number of the report is shown"
    assert coordinate(test) is not None, "a click on the VAE wall decodes"


def test_the_claims_panel_shows_the_measured_figures_and_reveals_the_verdicts(app, evaluated_models, use_models,
                                                                              tmp_path):
    """The figures come from evaluation.json, AE and VAE each in their own column; the verdicts stay hidden until
    the student reveals them, and follow the report: a report edited so the AE's areas are even says so."""
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = artifacts.read_json(folder / config.EVALUATION_FILE)
    report["ae"]["area"]["shares"] = [0.1] * 10
    artifacts.write_json(folder / config.EVALUATION_FILE, report)
    artifacts.write_manifest(folder)
    use_models(copy)
    strings = i18n.load_strings("en")

    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert test.subheader[-2].value == strings("claims.title")
    table = test.table[0].value
    assert list(table[strings("claims.column_claim")]) == [strings(f"claims.{key}.claim") for key in claims.CLAIMS]
    rows = dict(zip(claims.CLAIMS, table.to_dict("records")))
    for kind in ("ae", "vae"):
        step = report[kind]["continuity"]
        assert f"{step['flip_share']:.1%}" in rows["neighbours"][strings(f"models.{kind}")]
        assert f"{report[kind]['gaps']['box']['far_share']:.0%}" in rows["gaps"][strings(f"models.{kind}")]
    assert rows["uneven"][strings("models.ae")] == strings("claims.uneven.figure", ratio=1.0)
    assert set(table[strings("claims.column_verdict")]) == {strings("claims.hidden")}, "no verdict before a guess"

    test.toggle(key="claims-reveal").set_value(True).run()
    assert_clean(test)
    verdicts = dict(zip(claims.CLAIMS, test.table[0].value[strings("claims.column_verdict")]))
    assert verdicts["uneven"] == f"{strings('claims.verdict_fails')}: {strings('claims.uneven.fails')}"
    for claim in claims.judge(report):
        assert verdicts[claim.key].startswith(strings(f"claims.verdict_{claim.verdict}"))


def test_an_evaluation_without_the_claims_figures_names_the_command(app, evaluated_models, use_models, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = artifacts.read_json(folder / config.EVALUATION_FILE)
    del report["vae"]["continuity"]
    artifacts.write_json(folder / config.EVALUATION_FILE, report)
    artifacts.write_manifest(folder)
    use_models(copy)
    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert any(info.value == i18n.load_strings("en")("claims.outdated") for info in test.info)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)
