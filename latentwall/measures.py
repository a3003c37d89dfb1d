"""What the evaluation reports about a reader and a wall, as pure NumPy: calibration, confidence shares,
continuity. Each function is checked against a plain NumPy oracle in the tests."""

from __future__ import annotations

import numpy as np

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


def pixel_change(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per pair of images: the root-mean-square difference of their pixels, on the [0, 1] scale."""
    first, second = np.asarray(first, "float64"), np.asarray(second, "float64")
    return np.sqrt(np.mean((first - second).reshape(len(first), -1) ** 2, axis=1))


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
