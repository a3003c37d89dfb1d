"""Noise a denoising autoencoder is asked to remove, and the peak signal-to-noise ratio that says how well it did.

Pure NumPy on (n, 28, 28) images in [0, 1]; every draw is seeded, so the same level shows the same noise.
"""

from __future__ import annotations

import numpy as np

from latentwall import measures

# The Keras denoising example adds Gaussian noise with this mean (and std 0.5): it brightens the page too.
LESSON_MEAN = 0.5
LESSON_STD = 0.5
# The PSNR of two identical images is infinite; it is reported as this many dB, far above any real
# reconstruction here (an MSE of 1e-6 per pixel), so "identical" stays visible in a table or an average.
PSNR_CAP_DB = 60.0
# Strengths and amounts beyond these leave nothing of the digit; the page and the report stay within them.
MAX_STRENGTH = 1.0
MAX_AMOUNT = 1.0


def _checked_level(value, highest: float, what: str) -> float:
    level = float(value)
    if not 0.0 <= level <= highest:
        raise ValueError(f"The {what} must be between 0 and {highest}, got {value!r}.")
    return level


def gaussian(images: np.ndarray, strength: float, seed: int, mean: float = 0.0) -> np.ndarray:
    """images plus Gaussian noise of standard deviation strength (and the given mean), clipped to [0, 1].

    mean=LESSON_MEAN is the Keras lesson's noise: with it, even strength 0 changes the picture.
    """
    strength = _checked_level(strength, MAX_STRENGTH, "noise strength")
    images = np.asarray(images, "float32")
    noise = np.random.default_rng(seed).normal(mean, strength, images.shape).astype("float32")
    return np.clip(images + noise, 0.0, 1.0)


def salt_and_pepper(images: np.ndarray, amount: float, seed: int) -> np.ndarray:
    """images with a share amount of their pixels set to white or black, half and half on average."""
    amount = _checked_level(amount, MAX_AMOUNT, "salt-and-pepper amount")
    noisy = np.array(images, "float32", copy=True)
    rng = np.random.default_rng(seed)
    hit = rng.random(noisy.shape) < amount
    noisy[hit] = (rng.random(int(hit.sum())) < 0.5).astype("float32")
    return noisy


def psnr(clean: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The PSNR of each image of other against its clean original, in dB, on the [0, 1] scale (peak 1).

    Identical images (and any closer than the cap) read PSNR_CAP_DB.
    """
    clean, other = np.asarray(clean, "float64"), np.asarray(other, "float64")
    if clean.shape != other.shape:
        raise ValueError(f"Images to compare must have the same shape, got {clean.shape} and {other.shape}.")
    mse = measures.reconstruction_errors(clean, other)
    floor = 10.0 ** (-PSNR_CAP_DB / 10.0)
    return 10.0 * np.log10(1.0 / np.maximum(mse, floor))


def safe_level(value, highest: float) -> float:
    """A noise level from the browser, made usable: not a number reads 0, anything else is held to [0, highest]."""
    try:
        level = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return min(max(level, 0.0), highest) if np.isfinite(level) else 0.0
