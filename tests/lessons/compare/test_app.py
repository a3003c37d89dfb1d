"""The AE vs VAE page headless through AppTest: without an evaluation, the defects table, and the claims panel
with its hidden verdicts."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from latentwall import config, i18n, inference, latent, registry, reports, store
from lessons.compare import logic as claims
from tests.helpers import assert_clean, coordinate
from tests.oracles import STRINGS, pictures_by_caption

KINDS = registry.WALL_KINDS


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
    assert len(table) == len(reports.defect_rows(reports.load_evaluation(config.dataset_dir(evaluated_models))))
    assert "–" not in table.to_string(), "every number of the report is shown"
    assert coordinate(test) is not None, "a click on the VAE wall decodes"


def test_the_claims_panel_shows_the_measured_figures_and_reveals_the_verdicts(app, evaluated_models, use_models,
                                                                              tmp_path):
    """The figures come from evaluation.json, AE and VAE each in their own column; the verdicts stay hidden until
    the student reveals them, and follow the report: a report edited so the AE's areas are even says so."""
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = store.read_json(folder / store.EVALUATION_FILE)
    report["ae"]["area"]["shares"] = [0.1] * 10
    store.write_json(folder / store.EVALUATION_FILE, report)
    store.write_manifest(folder)
    use_models(copy)
    strings = i18n.load_strings("en")

    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert test.subheader[-2].value == strings("claims.title")
    table = test.table[0].value
    assert list(table[strings("claims.column_claim")]) == [strings(f"claims.{key}.claim") for key in claims.CLAIMS]
    rows = dict(zip(claims.CLAIMS, table.to_dict("records"), strict=False))
    for kind in ("ae", "vae"):
        step = report[kind]["continuity"]
        assert f"{step['flip_share']:.1%}" in rows["neighbours"][strings(f"models.{kind}")]
        assert f"{report[kind]['gaps']['box']['far_share']:.0%}" in rows["gaps"][strings(f"models.{kind}")]
    assert rows["uneven"][strings("models.ae")] == strings("claims.uneven.figure", ratio=1.0)
    assert set(table[strings("claims.column_verdict")]) == {strings("claims.hidden")}, "no verdict before a guess"

    test.toggle(key="claims-reveal").set_value(True).run()
    assert_clean(test)
    verdicts = dict(zip(claims.CLAIMS, test.table[0].value[strings("claims.column_verdict")], strict=False))
    assert verdicts["uneven"] == f"{strings('claims.verdict_fails')}: {strings('claims.uneven.fails')}"
    for claim in claims.judge(report):
        assert verdicts[claim.key].startswith(strings(f"claims.verdict_{claim.verdict}"))


def test_an_evaluation_without_the_claims_figures_names_the_command(app, evaluated_models, use_models, tmp_path):
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    report = store.read_json(folder / store.EVALUATION_FILE)
    del report["vae"]["continuity"]
    store.write_json(folder / store.EVALUATION_FILE, report)
    store.write_manifest(folder)
    use_models(copy)
    test = app("lessons/compare/page.py")
    assert_clean(test)
    assert any(info.value == i18n.load_strings("en")("claims.outdated") for info in test.info)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)


VERDICT_HOOKS = re.compile(r'data-lw="verdict" data-lw-model="(\w+)" data-lw-x="([^"]+)" data-lw-y="([^"]+)" '
                     r'data-lw-digit="(\d)" data-lw-confidence="([^"]+)"')


def test_compare_shows_each_models_manifold_verdicts_and_defects_in_its_own_column(app, evaluated_models,
                                                                                   use_models, media):
    from latentwall import config

    use_models(evaluated_models)
    models = inference.load_models(evaluated_models)
    spot = {"ae": (1.0, -2.0), "vae": (0.5, 0.25)}
    test = app("lessons/compare/page.py", **{f"compare-pick-{kind}": {"x": x, "y": y, "index": None, "at": None}
                                             for kind, (x, y) in spot.items()})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    html = "\n".join(str(element.proto.body) for element in test.get("html"))
    verdicts = {found[1]: found for found in VERDICT_HOOKS.finditer(html)}
    report = reports.load_evaluation(config.dataset_dir(evaluated_models))
    table = test.table[-1].value
    rows = reports.defect_rows(report)
    for number, kind in enumerate(KINDS):
        model = models[kind]
        manifold = latent.manifold(model.decoder, latent.wall_box(model.wall))
        picture = shown[STRINGS("compare.manifold_caption", model=STRINGS(f"models.{kind}"))]
        np.testing.assert_allclose(picture[::2, ::2], np.round(np.clip(manifold, 0, 1) * 255) / 255, atol=1.5 / 255)
        x, y = spot[kind]
        box = latent.wall_box(model.wall)
        clamped = np.array([[min(max(x, box[0]), box[1]), min(max(y, box[2]), box[3])]], dtype="float32")
        digits, confidences = models.reader.read(model.decoder.decode(clamped))
        found = verdicts[kind]
        assert (float(found[2]), float(found[3])) == pytest.approx(tuple(clamped[0]), abs=1e-4)
        assert int(found[4]) == int(digits[0])
        assert float(found[5]) == pytest.approx(float(confidences[0]), abs=1e-4)
        assert list(table[STRINGS(f"models.{kind}")]) == [row[1 + number] for row in rows]
