"""Anomaly detection by reconstruction error, as pure NumPy: the anomaly kinds, the score, the compact
summaries the report stores (histogram, ROC curve, sorted samples) and what the page's threshold slider
computes from them without the data set.

The score of an image is its reconstruction's mean squared error per pixel on the [0, 1] scale: a model
trained on digits repaints digits well and anything else badly, so a high score says "not like my data".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentwall import measures, registry, store

REPORT_FILE = store.ANOMALY_FILE
EXAMPLES_FILE = store.ANOMALY_EXAMPLES_FILE

# The kinds of anomaly, as the strings files name them (anomaly.kind.<kind>). "unseen" is the held-out
# models' digit; the others are scored by the model that saw every digit.
FASHION, NOISE, INVERTED, UNSEEN = "fashion", "noise", "inverted", "unseen"
KINDS = (FASHION, NOISE, INVERTED, UNSEEN)

# The threshold is fixed before any anomaly is seen: the score that this share of held-aside normal digits
# stays at or under (so about 5% of normal digits are flagged).
THRESHOLD_QUANTILE = 0.95
VALIDATION_DIGITS = 5000
# Fixed histogram bins for every case: scores range over orders of magnitude (a well-drawn digit ~0.003,
# noise ~0.3), so the edges are evenly spaced on a log scale; scores outside land in the end bins.
BIN_EDGES = np.logspace(-4, 0, 61)
# Points kept of each ROC curve, and sorted scores kept per side for the threshold slider.
ROC_POINTS = 100
SAMPLE_SIZE = 1000
# Example images stored per side of each case, from the lowest score to the highest.
EXAMPLES = 8
# Significant digits kept of each stored float: enough for any figure the page shows; keeps the file small.
DIGITS = 4


def scores(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Per image: the anomaly score, its reconstruction error (see measures.reconstruction_errors)."""
    return measures.reconstruction_errors(images, reconstructions)


def uniform_noise(count: int, rng: np.random.Generator, side: int = registry.MNIST.image_side) -> np.ndarray:
    """Images of independent uniform [0, 1] pixels."""
    return rng.uniform(0.0, 1.0, (count, side, side)).astype("float32")


def inverted(images: np.ndarray) -> np.ndarray:
    """Dark digits on white: every pixel p becomes 1 - p."""
    return (1.0 - np.asarray(images, "float32")).astype("float32")


def validation_threshold(validation_scores: np.ndarray, quantile: float = THRESHOLD_QUANTILE) -> float:
    return float(np.quantile(np.asarray(validation_scores, "float64"), quantile))


def histogram(values: np.ndarray) -> list[int]:
    """Counts of values in BIN_EDGES' bins, values outside counted in the first or last bin."""
    clipped = np.clip(np.asarray(values, "float64"), BIN_EDGES[0], BIN_EDGES[-1])
    return [int(count) for count in np.histogram(clipped, BIN_EDGES)[0]]


def thin_curve(fpr: np.ndarray, tpr: np.ndarray, points: int = ROC_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """About `points` points of a ROC curve, spread evenly along it (by fpr + tpr, which only grows), the two
    ends always kept."""
    fpr, tpr = np.asarray(fpr, "float64"), np.asarray(tpr, "float64")
    walked = fpr + tpr
    keep = np.unique(np.r_[0, np.searchsorted(walked, np.linspace(0, walked[-1], points)), len(fpr) - 1])
    keep = keep[keep < len(fpr)]
    return fpr[keep], tpr[keep]


def sorted_sample(values: np.ndarray, size: int = SAMPLE_SIZE) -> np.ndarray:
    """`size` values at evenly spaced ranks of the sorted values (all of them when there are fewer): the
    smallest and largest always kept, so shares above any threshold are within about 1 / size of the truth."""
    ordered = np.sort(np.asarray(values, "float64"))
    if len(ordered) <= size:
        return ordered
    return ordered[np.round(np.linspace(0, len(ordered) - 1, size)).astype(int)]


def example_ranks(values: np.ndarray, count: int = EXAMPLES) -> np.ndarray:
    """Indices of `count` values from the lowest to the highest, at evenly spaced ranks."""
    order = np.argsort(np.asarray(values), kind="mergesort")
    return order[np.round(np.linspace(0, len(order) - 1, min(count, len(order)))).astype(int)]


def rounded(values) -> list[float]:
    return [float(f"{value:.{DIGITS}g}") for value in np.asarray(values, "float64").ravel()]


def summarise(normal_scores: np.ndarray, anomaly_scores: np.ndarray, threshold: float) -> dict:
    """Everything the page shows of one case, small enough to keep: counts, AUC, figures at the fixed
    threshold, histograms, a thinned ROC curve and sorted samples of both sides' scores."""
    fpr, tpr, _ = measures.roc_curve(normal_scores, anomaly_scores)
    fpr, tpr = thin_curve(fpr, tpr)
    return {
        "normal_count": int(len(normal_scores)), "anomaly_count": int(len(anomaly_scores)),
        "auc": measures.roc_auc(normal_scores, anomaly_scores),
        "threshold": threshold,
        "at_threshold": measures.flagged_figures(normal_scores, anomaly_scores, threshold),
        "histogram": {"normal": histogram(normal_scores), "anomaly": histogram(anomaly_scores)},
        "roc": {"fpr": rounded(fpr), "tpr": rounded(tpr)},
        "samples": {"normal": rounded(sorted_sample(normal_scores)),
                    "anomaly": rounded(sorted_sample(anomaly_scores))},
        "median": {"normal": float(np.median(normal_scores)), "anomaly": float(np.median(anomaly_scores))},
    }


def live_figures(case: dict, threshold: float) -> dict:
    """Precision, recall and false positive rate of flagging every score above threshold, estimated from the
    case's stored sorted samples and counts (no data set needed). Precision is None when nothing is flagged."""
    shares = {side: float(np.mean(np.asarray(case["samples"][side], "float64") > threshold))
              for side in ("normal", "anomaly")}
    true = shares["anomaly"] * case["anomaly_count"]
    false = shares["normal"] * case["normal_count"]
    return {"precision": true / (true + false) if true + false > 0 else None, "recall": shares["anomaly"],
            "false_positive_rate": shares["normal"]}


def threshold_options(case: dict, count: int = 121) -> tuple[float, ...]:
    """Thresholds for the slider: evenly spaced on a log scale from below the lowest stored score to above the
    highest, with the validation threshold itself among them."""
    every = np.concatenate([case["samples"]["normal"], case["samples"]["anomaly"]])
    low, high = max(float(every.min()), BIN_EDGES[0]), min(float(every.max()), BIN_EDGES[-1])
    spaced = np.logspace(np.log10(low) - 0.05, np.log10(max(high, low * 1.01)) + 0.05, count)
    return tuple(sorted(set(rounded(np.r_[spaced, case["threshold"]]))))


def nearest_option(options: tuple[float, ...], value: float) -> float:
    return min(options, key=lambda option: abs(np.log(option) - np.log(max(value, 1e-12))))


def case_id(kind: str, recipe_name: str) -> str:
    return f"{kind}.{recipe_name}"


_CASE_KEYS = {"recipe", "kind", "normal_count", "anomaly_count", "auc", "threshold", "at_threshold", "histogram",
              "roc", "samples", "examples"}


def load_report(folder: Path) -> dict | None:
    """The anomaly report beside the models, or None if there is none or it lacks what the page reads."""
    try:
        report = store.read_json(Path(folder) / REPORT_FILE)
        cases = report["cases"]
        if not isinstance(cases, dict) or not cases or not all(
                isinstance(case, dict) and set(case) >= _CASE_KEYS for case in cases.values()):
            return None
        if report.get("bin_edges") is None or len(report["bin_edges"]) != len(BIN_EDGES):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return report


def load_examples(folder: Path) -> dict[str, np.ndarray]:
    """The stored example images by name (uint8, 28 x 28), or nothing if the file is missing or damaged."""
    try:
        with np.load(Path(folder) / EXAMPLES_FILE, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files
                    if stored[name].dtype == np.uint8 and stored[name].ndim == 3}
    except (OSError, ValueError, EOFError):
        return {}
