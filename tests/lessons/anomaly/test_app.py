"""The anomaly page headless (AppTest) on tiny models with their anomaly report: what a student sees for each
kind, the threshold slider, a missing or damaged report, forged values; and the report file itself."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from latentwall import config, registry, store
from lessons.anomaly import logic as anomaly
from tests.helpers import assert_clean
from tests.oracles import STRINGS

PAGE = "lessons/anomaly/page.py"


def report_of(root) -> dict:
    return anomaly.load_report(config.dataset_dir(root))


def metrics(test) -> dict[str, str]:
    return {metric.label: metric.value for metric in test.metric}


def shown(test) -> str:
    return "\n".join(element.value for element in test.markdown)




def percent(share) -> str:
    return "–" if share is None else f"{share:.1%}"


def test_the_report_holds_every_case_small_and_listed_in_the_manifest(anomaly_models):
    folder = config.dataset_dir(anomaly_models)
    assert (folder / anomaly.REPORT_FILE).stat().st_size < 300_000
    files = store.verify_manifest(folder, (anomaly.REPORT_FILE, anomaly.EXAMPLES_FILE))
    assert anomaly.REPORT_FILE in files
    report = report_of(anomaly_models)
    scorer = registry.anomaly_scorer().name
    expected = {anomaly.case_id(kind, scorer) for kind in (anomaly.FASHION, anomaly.NOISE, anomaly.INVERTED)}
    expected |= {anomaly.case_id(anomaly.UNSEEN, recipe.name) for recipe in registry.held_out()}
    assert set(report["cases"]) == expected
    assert report["missing"] == {}
    examples = anomaly.load_examples(folder)
    for name, case in report["cases"].items():
        assert len(case["samples"]["normal"]) == anomaly.SAMPLE_SIZE
        assert 0 <= case["auc"] <= 1
        assert examples[f"{name}:anomaly"].shape == (anomaly.EXAMPLES, 28, 28)
        assert case["examples"]["anomaly"] == sorted(case["examples"]["anomaly"])
    unseen = report["cases"][anomaly.case_id(anomaly.UNSEEN, registry.held_out()[0].name)]
    digit = registry.held_out()[0].held_out_digit
    assert unseen["held_out_digit"] == digit
    assert unseen["anomaly_count"] == 1135
    assert unseen["normal_count"] == 8865
    assert report["validation_digits"] == anomaly.VALIDATION_DIGITS


def test_the_page_shows_the_stored_figures_for_the_first_kind(app, anomaly_models, use_models):
    use_models(anomaly_models)
    test = app(PAGE)
    assert_clean(test)
    case = report_of(anomaly_models)["cases"][anomaly.case_id(anomaly.FASHION, registry.anomaly_scorer().name)]
    shown_metrics = metrics(test)
    assert shown_metrics["AUC"] == f"{case['auc']:.3f}"
    assert shown_metrics["recall"] == percent(case["at_threshold"]["recall"])
    assert f"{case['threshold']:.4f}" in shown(test)
    assert len(test.get("plotly_chart")) == 2
    rows = {re.search(r'data-lw-side="(\w+)"', element.proto.body).group(1): element.proto.body
            for element in test.get("html") if 'data-lw="examples"' in element.proto.body}
    assert list(rows) == ["normal", "anomaly"], "both sides' examples are shown"
    for side, body in rows.items():
        assert re.findall(r"<figcaption[^>]*>([^<]*)</figcaption>", body) == [
            f"score {score:.4f}" for score in case["examples"][side]]
        assert body.count('src="data:image/png;base64,') == len(case["examples"][side])


def test_each_kind_and_each_held_out_model_shows_its_own_case(app, anomaly_models, use_models):
    use_models(anomaly_models)
    report = report_of(anomaly_models)
    test = app(PAGE)
    seen = set()
    for kind in (anomaly.NOISE, anomaly.INVERTED):
        test.radio(key="anomaly-kind-en").set_value(kind).run()
        assert_clean(test)
        case = report["cases"][anomaly.case_id(kind, report["scorer"])]
        seen.add(metrics(test)["AUC"])
        assert metrics(test)["AUC"] == f"{case['auc']:.3f}"
    test.radio(key="anomaly-kind-en").set_value(anomaly.UNSEEN).run()
    for recipe in registry.held_out():
        test.radio(key="anomaly-held-out-en").set_value(recipe.name).run()
        assert_clean(test)
        case = report["cases"][anomaly.case_id(anomaly.UNSEEN, recipe.name)]
        assert metrics(test)["AUC"] == f"{case['auc']:.3f}"
        assert test.caption[-1].value == f"{recipe.held_out_digit}s, never seen in training"
    # The honest hard case is explained with the measured figures of both held-out models.
    for recipe in registry.held_out():
        case = report["cases"][anomaly.case_id(anomaly.UNSEEN, recipe.name)]
        assert f"**except {recipe.held_out_digit}**" in shown(test)
        assert f"AUC **{case['auc']:.3f}**" in shown(test)
        assert f"AUC {case['scorer_auc']:.3f}" in shown(test)


def test_the_slider_moves_precision_and_recall(app, anomaly_models, use_models):
    use_models(anomaly_models)
    test = app(PAGE)
    name = anomaly.case_id(anomaly.FASHION, registry.anomaly_scorer().name)
    case = report_of(anomaly_models)["cases"][name]
    at_fixed = metrics(test)
    options = anomaly.threshold_options(case)
    slider = test.select_slider(key=f"anomaly-threshold-{name}")
    assert slider.value == anomaly.nearest_option(options, case["threshold"])
    for threshold in (options[0], options[len(options) // 2], options[-1]):
        test.select_slider(key=f"anomaly-threshold-{name}").set_value(threshold).run()
        assert_clean(test)
        live = anomaly.live_figures(case, threshold)
        now = metrics(test)
        assert now["recall here"] == percent(live["recall"])
        assert now["false alarms here"] == percent(live["false_positive_rate"])
        assert now["precision here"] == percent(live["precision"])
        assert now["AUC"] == at_fixed["AUC"], "the fixed threshold's figures stay"
    # Below every score everything is flagged; above every score nothing is.
    test.select_slider(key=f"anomaly-threshold-{name}").set_value(options[0]).run()
    assert metrics(test)["recall here"] == "100.0%"
    assert metrics(test)["false alarms here"] == "100.0%"
    test.select_slider(key=f"anomaly-threshold-{name}").set_value(options[-1]).run()
    assert metrics(test)["recall here"] == "0.0%"
    assert metrics(test)["precision here"] == "–"


def test_without_a_report_the_page_names_the_command(app):
    test = app(PAGE)
    assert_clean(test)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)
    assert not test.get("plotly_chart")


@pytest.mark.parametrize("damage", ["flip", "missing_key", "unlisted"])
def test_a_damaged_report_gives_the_command_not_a_traceback(app, anomaly_models, use_models, tmp_path, damage):
    root = tmp_path / "models"
    shutil.copytree(config.dataset_dir(anomaly_models), config.dataset_dir(root))
    folder = config.dataset_dir(root)
    path = folder / anomaly.REPORT_FILE
    if damage == "flip":
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        path.write_bytes(bytes(raw))
    elif damage == "missing_key":
        report = json.loads(path.read_text())
        del next(iter(report["cases"].values()))["samples"]
        store.write_json(path, report)
        store.write_manifest(folder)
    else:
        manifest = store.read_json(folder / store.MANIFEST_NAME)
        del manifest["files"][anomaly.REPORT_FILE]
        store.write_json(folder / store.MANIFEST_NAME, manifest)
    use_models(root)
    test = app(PAGE)
    assert_clean(test)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code)


@pytest.mark.parametrize("state", [
    {"anomaly-kind": "bogus", "anomaly-held-out": 7},
    {"anomaly-kind": anomaly.UNSEEN, "anomaly-held-out": registry.anomaly_scorer().name},
    {f"anomaly-threshold-{anomaly.FASHION}.{registry.anomaly_scorer().name}": float("nan")},
    {f"anomaly-threshold-{anomaly.FASHION}.{registry.anomaly_scorer().name}": "1e308"},
])
def test_forged_values_never_raise(app, anomaly_models, use_models, state):
    use_models(anomaly_models)
    test = app(PAGE, **state)
    assert_clean(test)
    assert test.title[0].value


def test_the_page_reads_in_traditional_chinese(app, anomaly_models, use_models):
    use_models(anomaly_models)
    test = app(PAGE, query={"lang": "zh-Hant"})
    assert_clean(test)
    assert sum("\u4e00" <= character <= "\u9fff" for character in shown(test)) > 100
    assert np.isfinite(float(metrics(test)["AUC"]))


def test_without_fashion_mnist_the_other_kinds_are_measured_and_the_page_says_what_is_missing(
        app, smoke_models, use_models, tmp_path, monkeypatch):
    from latentwall import datasets, registry
    from lessons.anomaly import report as report_anomaly
    from tests.helpers import MNIST_FILE, assert_clean

    found = datasets.load

    def absent(dataset, *args, **kwargs):
        if dataset == registry.FASHION_MNIST:
            raise datasets.DataError("Fashion-MNIST was not found.\nSupply it.")
        return found(dataset, *args, **kwargs)

    monkeypatch.setattr(datasets, "load", absent)
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    assert report_anomaly.main(["--models", str(tmp_path), "--data", str(MNIST_FILE)]) == 0
    report = report_of(tmp_path)
    assert report["missing"] == {anomaly.FASHION: "Fashion-MNIST was not found."}
    assert not any(case["kind"] == anomaly.FASHION for case in report["cases"].values())
    use_models(tmp_path)
    test = app(PAGE)
    assert_clean(test)
    assert test.radio(key="anomaly-kind-en").options == ["uniform noise", "inverted digits",
                                                         "a digit never seen in training"]
    assert any("Fashion-MNIST clothes is missing" in info.value for info in test.info)


def test_anomaly_metrics_are_the_reports_figures_each_under_its_own_name(app, anomaly_models, use_models, tmp_path):
    """On a report whose figures all differ (tiny models can flag everything, making precision and recall equal)."""
    import shutil

    from latentwall import config, registry
    from lessons.anomaly import logic as anomaly

    root = tmp_path / "models"
    shutil.copytree(anomaly_models, root)
    folder = config.dataset_dir(root)
    report = anomaly.load_report(folder)
    case = report["cases"][anomaly.case_id(anomaly.FASHION, registry.anomaly_scorer().name)]
    case["auc"], case["at_threshold"] = 0.8125, {**case["at_threshold"], "precision": 0.625, "recall": 0.375,
                                                "false_positive_rate": 0.0625}
    store.write_json(folder / anomaly.REPORT_FILE, report)
    store.write_manifest(folder)
    use_models(root)
    test = app("lessons/anomaly/page.py")
    assert_clean(test)
    shown = {metric.label: metric.value for metric in test.metric}

    def share(value) -> str:
        return "–" if value is None else f"{value:.1%}"

    at = case["at_threshold"]
    assert shown[STRINGS("anomaly.auc")] == f"{case['auc']:.3f}"
    assert shown[STRINGS("anomaly.precision")] == share(at["precision"])
    assert shown[STRINGS("anomaly.recall")] == share(at["recall"])
    assert shown[STRINGS("anomaly.false_alarms")] == share(at["false_positive_rate"])
    # The slider opens on its step nearest the fixed threshold: the live figures are that step's, each by its name.
    live = anomaly.live_figures(case, anomaly.nearest_option(anomaly.threshold_options(case), case["threshold"]))
    assert shown[STRINGS("anomaly.live_precision")] == share(live["precision"])
    assert shown[STRINGS("anomaly.live_recall")] == share(live["recall"])
    assert shown[STRINGS("anomaly.live_false_alarms")] == share(live["false_positive_rate"])
