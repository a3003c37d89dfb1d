"""The denoising lesson's logic without Streamlit: the kinds of noise, and what each model makes of noisy digits.

The evaluation's curves (lessons/denoising/report.py) and the page's examples both go through here, so the
page shows the same noise the figures were measured on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import noise, store

# What `python -m training.evaluate` writes beside evaluation.json: the PSNR curves the page draws.
REPORT_FILE = store.DENOISING_FILE
# Kinds of noise, as the page and the report name them: zero-mean Gaussian of a given strength (std), the
# Keras lesson's Gaussian (mean 0.5) of a given strength, and salt-and-pepper of a given amount.
GAUSSIAN, LESSON, SALT_AND_PEPPER = "gaussian", "lesson", "salt_and_pepper"
KINDS = (GAUSSIAN, LESSON, SALT_AND_PEPPER)
# The page's control runs up to this level for every kind: beyond it nothing of a digit is left to recover.
MAX_LEVEL = 0.8


def noisy(kind: str, images: np.ndarray, level: float, seed: int) -> np.ndarray:
    """images with noise of one kind at one level."""
    if kind == GAUSSIAN:
        return noise.gaussian(images, level, seed)
    if kind == LESSON:
        return noise.gaussian(images, level, seed, mean=noise.LESSON_MEAN)
    if kind == SALT_AND_PEPPER:
        return noise.salt_and_pepper(images, level, seed)
    raise ValueError(f"Unknown kind of noise {kind!r}; choose one of: {', '.join(KINDS)}.")


def level_seed(kind: str, level: float, seed: int) -> int:
    """One seed per kind and level (in hundredths), so the same setting always shows the same noise."""
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of noise {kind!r}; choose one of: {', '.join(KINDS)}.")
    return seed * 1000 + KINDS.index(kind) * 100 + int(round(level * 100))


@dataclass(frozen=True)
class Examples:
    """Noisy digits, what each model makes of them, and the PSNR (dB) of each image against its clean digit."""

    clean: np.ndarray
    noisy: np.ndarray
    outputs: dict[str, np.ndarray]
    psnr: dict[str, np.ndarray]


def examples(models: dict, clean: np.ndarray, kind: str, level: float, seed: int) -> Examples:
    """models: name -> anything with reconstruct([0, 1] images); all models see the same noisy digits, in one
    batched call each. psnr is keyed by 'input' and by each model's name."""
    dirty = noisy(kind, clean, level, level_seed(kind, level, seed))
    outputs = {name: model.reconstruct(dirty) for name, model in models.items()}
    scores = {"input": noise.psnr(clean, dirty), **{name: noise.psnr(clean, out) for name, out in outputs.items()}}
    return Examples(clean, dirty, outputs, scores)


def load_report(folder: Path) -> dict | None:
    """The denoising figures `python -m training.evaluate` wrote beside the models, or None if there are none."""
    try:
        report = store.read_json(Path(folder) / REPORT_FILE)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None
