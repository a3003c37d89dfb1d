"""The anomaly page in Debian's Chromium: moving the threshold slider with the keyboard changes the precision,
recall and false alarms the student reads, to the figures the stored samples give."""

from __future__ import annotations

import pytest

from latentwall import config, registry
from lessons.anomaly import logic as anomaly
from tests.helpers import MNIST_FILE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def anomaly_server(anomaly_models, chromium_path):
    from bench.harness import AppServer

    with AppServer(anomaly_models, str(MNIST_FILE)) as server:
        server.wait_healthy(timeout=90)
        yield server


def metric_value(page, label: str) -> str:
    """The value under the metric whose label reads exactly label."""
    return page.evaluate(
        """label => [...document.querySelectorAll('[data-testid="stMetric"]')].find(metric =>
               metric.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label)
               ?.querySelector('[data-testid="stMetricValue"]')?.innerText.trim()""", label)


def wait_for_metric(page, label: str, value: str) -> None:
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(metric =>
               metric.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === label &&
               metric.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === value)""",
        arg=[label, value], timeout=20_000)


def percent(share) -> str:
    return "–" if share is None else f"{share:.1%}"


def test_moving_the_threshold_changes_precision_and_recall(page, anomaly_server, anomaly_models):
    report = anomaly.load_report(config.dataset_dir(anomaly_models))
    case = report["cases"][anomaly.case_id(anomaly.FASHION, registry.anomaly_scorer().name)]
    options = anomaly.threshold_options(case)
    start = anomaly.live_figures(case, anomaly.nearest_option(options, case["threshold"]))
    page.goto(f"{anomaly_server.url}/anomaly")
    wait_for_metric(page, "recall here", percent(start["recall"]))
    slider = page.locator('[data-testid="stSlider"] input[type="range"]')
    assert slider.count() == 1
    before = (metric_value(page, "precision here"), metric_value(page, "false alarms here"))
    assert before == (percent(start["precision"]), percent(start["false_positive_rate"]))

    slider.focus()
    page.keyboard.press("Home")  # The lowest threshold: everything is flagged.
    lowest = anomaly.live_figures(case, options[0])
    wait_for_metric(page, "recall here", percent(lowest["recall"]))
    wait_for_metric(page, "false alarms here", percent(lowest["false_positive_rate"]))
    assert metric_value(page, "precision here") == percent(lowest["precision"]) != before[0]
    assert slider.get_attribute("aria-valuetext") == f"{options[0]:.4g}", "the slider shows the new threshold"

    slider.focus()
    page.keyboard.press("End")  # The highest: nothing is flagged, so there is no precision to speak of.
    wait_for_metric(page, "recall here", "0.0%")
    wait_for_metric(page, "precision here", "–")
    assert metric_value(page, "precision") == percent(case["at_threshold"]["precision"]), "the fixed figures stay"
