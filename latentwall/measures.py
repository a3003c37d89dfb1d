"""What the evaluation reports about a reader and a wall, as pure NumPy: calibration, confidence shares,
continuity. Each function is checked against a plain NumPy oracle in the tests."""

from __future__ import annotations

import numpy as np

from latentwall import config

# Guo et al. (2017) report ECE over 15 equal-width confidence bins; the bars here use the same.
ECE_BINS = 15


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = ECE_BINS) -> float:
    """Expected calibration error: the gap between confidence and accuracy, averaged over equal-width
    confidence bins weighted by how many predictions fall in each. 0 is perfectly calibrated.

    A prediction with confidence c falls in bin ceil(c * bins) - 1 (bins are closed on the right), so a
    confidence of exactly 1 lands in the last bin.
    """
    probabilities = np.asarray(probabilities, "float64")
    labels = np.asarray(labels)
    if probabilities.ndim != 2 or len(probabilities) != len(labels) or len(labels) == 0:
        raise ValueError("Expected (n, classes) probabilities and n labels, n at least 1.")
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    which = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)
    total = 0.0
    for number in range(bins):
        members = which == number
        if members.any():
            total += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(total)


def share_at_least(confidence: np.ndarray, level: float) -> float:
    """The share of confidences at or above level."""
    return float(np.mean(np.asarray(confidence) >= level))


def share_below(confidence: np.ndarray, level: float) -> float:
    """The share of confidences below level."""
    return float(np.mean(np.asarray(confidence) < level))


def verdict_is_readable(confidence: float) -> bool:
    """Whether the reader is sure enough of a decoded image to call it a digit."""
    return float(confidence) >= config.READABLE_CONFIDENCE


def readable_both(first: np.ndarray, second: np.ndarray, level: float) -> np.ndarray:
    """Per image: both readers at least level sure, and of the same digit. Each argument is (n, 10) probabilities."""
    first, second = np.asarray(first), np.asarray(second)
    return ((first.max(axis=1) >= level) & (second.max(axis=1) >= level)
            & (first.argmax(axis=1) == second.argmax(axis=1)))


def digit_shares(digits: np.ndarray, mask: np.ndarray, num_classes: int = 10) -> list[float]:
    """The share of all images that are in mask and read as each digit (they add up to mask's share)."""
    digits, mask = np.asarray(digits), np.asarray(mask, bool)
    counts = np.bincount(digits[mask], minlength=num_classes)
    return [float(count) / max(len(digits), 1) for count in counts]


def reconstruction_errors(images: np.ndarray, reconstructions: np.ndarray) -> np.ndarray:
    """Per image: the mean squared difference per pixel between an image and its reconstruction, both on the
    [0, 1] scale. The project's one reconstruction error: a recipe's test MSE is its mean, the anomaly score and
    a drawn digit's error are it for one image, PSNR is read from it.

    Each image may come in any layout of its pixels ((h, w), (h, w, 1) or flat), as long as both sides hold as
    many images and as many pixels per image; computed in float64, so float32 pixels lose nothing in the sum.
    """
    images, reconstructions = np.asarray(images, "float64"), np.asarray(reconstructions, "float64")
    if images.ndim < 2 or len(images) != len(reconstructions) or images.size != reconstructions.size:
        raise ValueError(f"Expected as many images as reconstructions, each with as many pixels, got {images.shape} "
                         f"and {reconstructions.shape}.")
    difference = images.reshape(len(images), -1) - reconstructions.reshape(len(images), -1)
    return np.mean(difference ** 2, axis=1)


def pixel_change(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per pair of images: the root-mean-square difference of their pixels, on the [0, 1] scale."""
    return np.sqrt(reconstruction_errors(first, second))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Softmax of logits / temperature along the last axis, computed stably."""
    scaled = np.asarray(logits, "float64") / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exponentials = np.exp(scaled)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> float:
    """Mean -log p(label) under softmax(logits / temperature)."""
    probabilities = softmax(logits, temperature)
    return float(-np.mean(np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-300))))


def fit_temperature(logits: np.ndarray, labels: np.ndarray, low: float = 0.05, high: float = 20.0) -> float:
    """The temperature that minimises the negative log-likelihood of held-out labels (Guo et al. 2017).

    The likelihood is convex in 1 / T, so a golden-section search over log T between low and high finds the
    single minimum; 60 steps narrow the bracket far below any difference that matters.
    """
    labels = np.asarray(labels)
    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    for _ in range(60):
        if negative_log_likelihood(logits, labels, np.exp(c)) < negative_log_likelihood(logits, labels, np.exp(d)):
            b, d = d, c
            c = b - ratio * (b - a)
        else:
            a, c = c, d
            d = a + ratio * (b - a)
    return float(np.exp((a + b) / 2.0))


def roc_auc(normal_scores: np.ndarray, anomaly_scores: np.ndarray) -> float:
    """Area under the ROC curve of a score that should be higher for anomalies: the chance that a random
    anomaly scores above a random normal image, ties counting one half (the Mann-Whitney U statistic, from
    ranks, so it costs a sort rather than a comparison of every pair)."""
    normal, anomaly = _scores(normal_scores), _scores(anomaly_scores)
    joined = np.concatenate([normal, anomaly])
    order = joined.argsort(kind="mergesort")
    ranks = np.empty(len(joined), "float64")
    ranks[order] = np.arange(1, len(joined) + 1)
    # Tied scores share the mean of their ranks.
    sorted_scores = joined[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    ends = np.r_[starts[1:], len(joined)]
    means = (starts + ends + 1) / 2.0
    ranks[order] = np.repeat(means, ends - starts)
    above = ranks[len(normal):].sum() - len(anomaly) * (len(anomaly) + 1) / 2.0
    return float(above / (len(normal) * len(anomaly)))


def roc_curve(normal_scores: np.ndarray, anomaly_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate, threshold) at every distinct threshold, an image flagged when
    its score is at or above the threshold; from (0, 0) at a threshold above every score to (1, 1)."""
    normal, anomaly = _scores(normal_scores), _scores(anomaly_scores)
    thresholds = np.unique(np.concatenate([normal, anomaly]))[::-1]
    normal_sorted, anomaly_sorted = np.sort(normal), np.sort(anomaly)
    false = len(normal) - np.searchsorted(normal_sorted, thresholds, side="left")
    true = len(anomaly) - np.searchsorted(anomaly_sorted, thresholds, side="left")
    fpr = np.r_[0.0, false / len(normal)]
    tpr = np.r_[0.0, true / len(anomaly)]
    return fpr, tpr, np.r_[np.inf, thresholds]


def flagged_figures(normal_scores: np.ndarray, anomaly_scores: np.ndarray, threshold: float) -> dict:
    """What flagging every score above threshold gives: precision, recall and the false positive rate.
    Precision is None when nothing is flagged."""
    normal, anomaly = _scores(normal_scores), _scores(anomaly_scores)
    true, false = int(np.sum(anomaly > threshold)), int(np.sum(normal > threshold))
    return {"precision": true / (true + false) if true + false else None, "recall": true / len(anomaly),
            "false_positive_rate": false / len(normal)}


def _scores(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, "float64").ravel()
    if len(scores) == 0 or not np.all(np.isfinite(scores)):
        raise ValueError("Expected at least one score, all of them finite.")
    return scores
