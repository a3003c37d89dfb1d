"""Anomaly scores and their summaries against brute-force oracles: AUC as a count of pairs, ROC points,
precision and recall by counting, and the slider's estimates from the stored samples."""

import numpy as np
import pytest

from latentwall import measures, registry
from lessons.anomaly import logic as anomaly


def brute_force_auc(normal, strange) -> float:
    """Every (normal, anomaly) pair: 1 when the anomaly scores higher, 1/2 for a tie."""
    pairs = [(1.0 if b > a else 0.5 if b == a else 0.0) for a in normal for b in strange]
    return float(np.mean(pairs))


@pytest.mark.parametrize("seed", range(6))
def test_auc_is_the_share_of_pairs_ranked_right(seed):
    rng = np.random.default_rng(seed)
    # Rounded, so many scores tie, within and across the two sides.
    normal = np.round(rng.normal(0, 1, rng.integers(1, 60)), 1)
    strange = np.round(rng.normal(0.7, 1, rng.integers(1, 60)), 1)
    assert measures.roc_auc(normal, strange) == pytest.approx(brute_force_auc(normal, strange), abs=1e-12)


def test_auc_ends_and_bad_input():
    assert measures.roc_auc([1, 2, 3], [4, 5]) == 1.0
    assert measures.roc_auc([4, 5], [1, 2, 3]) == 0.0
    assert measures.roc_auc([1, 1], [1, 1, 1]) == 0.5
    for bad in ([], [np.nan], [np.inf]):
        with pytest.raises(ValueError):
            measures.roc_auc([1.0], bad)


def test_the_roc_curve_counts_what_each_threshold_flags_and_its_area_is_the_auc():
    rng = np.random.default_rng(3)
    normal, strange = np.round(rng.normal(0, 1, 300), 2), np.round(rng.normal(1, 1, 200), 2)
    fpr, tpr, thresholds = measures.roc_curve(normal, strange)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0, 0, 1, 1)
    assert np.all(np.diff(fpr) >= 0)
    assert np.all(np.diff(tpr) >= 0)
    for index in (1, 57, len(thresholds) - 1):
        assert fpr[index] == np.mean(normal >= thresholds[index])
        assert tpr[index] == np.mean(strange >= thresholds[index])
    assert np.trapezoid(tpr, fpr) == pytest.approx(measures.roc_auc(normal, strange), abs=1e-12)


def test_precision_and_recall_at_a_threshold_by_counting():
    figures = measures.flagged_figures([0.1, 0.2, 0.3, 0.4], [0.25, 0.35, 0.5], 0.3)
    # Flagged (above 0.3): normals 0.4; anomalies 0.35 and 0.5.
    assert figures == {"precision": 2 / 3, "recall": 2 / 3, "false_positive_rate": 0.25}
    assert measures.flagged_figures([0.1], [0.2], 1.0)["precision"] is None


def test_the_slider_figures_from_samples_match_the_full_data():
    rng = np.random.default_rng(5)
    normal, strange = rng.lognormal(-5, 0.5, 9000), rng.lognormal(-3.5, 0.7, 3000)
    case = anomaly.summarise(normal, strange, anomaly.validation_threshold(normal[:4000]))
    assert len(case["samples"]["normal"]) == anomaly.SAMPLE_SIZE
    assert len(case["roc"]["fpr"]) <= anomaly.ROC_POINTS + 2
    for threshold in (0.002, 0.006, 0.01, 0.03, 0.1):
        live, exact = anomaly.live_figures(case, threshold), measures.flagged_figures(normal, strange, threshold)
        for name in ("recall", "false_positive_rate"):
            assert live[name] == pytest.approx(exact[name], abs=2e-3)
        assert live["precision"] == pytest.approx(exact["precision"], abs=0.01)
    assert anomaly.live_figures(case, 10.0)["precision"] is None
    assert sum(case["histogram"]["normal"]) == len(normal)
    assert sum(case["histogram"]["anomaly"]) == len(strange)
    # About 5% of normal scores lie above a threshold fixed on other normal scores of the same kind.
    assert case["at_threshold"]["false_positive_rate"] == pytest.approx(0.05, abs=0.01)


def test_the_thinned_roc_curve_keeps_its_ends_and_shape():
    fpr, tpr, _ = measures.roc_curve(np.arange(5000.0), np.arange(2500.0, 7500.0))
    thin_fpr, thin_tpr = anomaly.thin_curve(fpr, tpr)
    assert 50 <= len(thin_fpr) <= anomaly.ROC_POINTS + 2
    assert (thin_fpr[0], thin_tpr[0], thin_fpr[-1], thin_tpr[-1]) == (0, 0, 1, 1)
    assert np.trapezoid(thin_tpr, thin_fpr) == pytest.approx(np.trapezoid(tpr, fpr), abs=0.01)


def test_scores_are_mean_squared_errors_per_image():
    images = np.zeros((2, 28, 28), "float32")
    painted = images.copy()
    painted[1, :14] = 1.0
    assert anomaly.scores(images, painted).tolist() == [0.0, 0.5]
    with pytest.raises(ValueError):
        anomaly.scores(images, painted[:, :27])


def test_threshold_options_cover_the_scores_and_hold_the_fixed_threshold():
    rng = np.random.default_rng(1)
    case = anomaly.summarise(rng.lognormal(-5, 0.5, 500), rng.lognormal(-2, 0.5, 500), 0.0123456)
    options = anomaly.threshold_options(case)
    assert anomaly.rounded([0.0123456])[0] in options
    assert list(options) == sorted(options)
    assert options[0] < min(case["samples"]["normal"])
    assert options[-1] > max(case["samples"]["anomaly"])
    assert anomaly.nearest_option(options, 0.0123456) == anomaly.rounded([0.0123456])[0]


def test_the_scorer_matches_the_held_out_models_shape_and_saw_every_digit():
    scorer, held_out = registry.anomaly_scorer(), registry.held_out()
    assert scorer.held_out_digit is None
    assert len(held_out) >= 2
    for recipe in held_out:
        assert (recipe.family, recipe.latent_dim, recipe.hidden, recipe.epochs) == (
            scorer.family, scorer.latent_dim, scorer.hidden, scorer.epochs)
