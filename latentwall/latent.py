"""Pure NumPy maths on the 2-D wall: boxes, grids, interpolation, neighbours, and the gap measures.

Nothing here touches a model or Streamlit, so every function can be tested against NumPy directly.
Functions that take values from a user validate them and raise ValueError with a helpful message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# No code the models produce comes near this; anything larger from a browser is clamped to it.
MAX_ABS_COORDINATE = 1e4
# Upper bounds on user-chosen counts, so a forged request cannot ask for unbounded work.
MAX_GRID_SIDE = 200
MAX_SAMPLES = 10_000
MAX_STEPS = 100


def bounding_box(codes: np.ndarray, margin: float = 0.0) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the codes, widened by margin times each side's span."""
    codes = np.asarray(codes, dtype="float64")
    low, high = codes.min(axis=0), codes.max(axis=0)
    pad = (high - low) * margin
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])


def core_box(codes: np.ndarray, labels: np.ndarray, quantile: float = 0.25,
             margin: float = 0.15) -> tuple[float, float, float, float]:
    """The smallest box holding the middle of every class (its quantile..1-quantile range on each axis),
    widened by margin times each side's span: a view where every class shows, however far a few codes
    of one class stretch the full box."""
    codes, labels = np.asarray(codes, dtype="float64"), np.asarray(labels)
    classes = np.unique(labels)
    if len(codes) == 0 or not 0.0 <= quantile < 0.5:
        raise ValueError("core_box needs codes and a quantile in [0, 0.5).")
    low = np.min([np.quantile(codes[labels == label], quantile, axis=0) for label in classes], axis=0)
    high = np.max([np.quantile(codes[labels == label], 1.0 - quantile, axis=0) for label in classes], axis=0)
    pad = np.maximum(high - low, 1e-6) * margin
    return float(low[0] - pad[0]), float(high[0] + pad[0]), float(low[1] - pad[1]), float(high[1] + pad[1])


def clamp_code(x: float, y: float, box: tuple[float, float, float, float]) -> np.ndarray:
    """An untrusted coordinate as a (1, 2) float32 code inside box; non-numbers and NaN raise ValueError."""
    try:
        values = [float(x), float(y)]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"A coordinate must be two numbers, got {x!r}, {y!r}.") from None
    if any(math.isnan(value) for value in values):
        raise ValueError("A coordinate must be a number, not NaN.")
    x_min, x_max, y_min, y_max = box
    code = [min(max(values[0], x_min), x_max), min(max(values[1], y_min), y_max)]
    return np.asarray([code], dtype="float32")


def check_index(index, count: int) -> int:
    """A user-given index into a list of count items, as an int; anything else raises ValueError."""
    try:
        number = float(index)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"An index must be a whole number, got {index!r}.") from None
    if not math.isfinite(number) or number != int(number) or not 0 <= number < count:
        raise ValueError(f"An index must be a whole number from 0 to {count - 1}, got {index!r}.")
    return int(number)


def check_count(count, maximum: int, name: str = "count") -> int:
    """A user-given positive count, capped at maximum."""
    try:
        number = float(count)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"The {name} must be a whole number, got {count!r}.") from None
    if not math.isfinite(number) or number < 1:
        raise ValueError(f"The {name} must be a whole number of at least 1, got {count!r}.")
    return int(min(number, maximum))


def interpolate(z_start: np.ndarray, z_end: np.ndarray, weight) -> np.ndarray:
    """weight * z_start + (1 - weight) * z_end; weight may be a scalar or an array of weights in [0, 1]."""
    weights = np.asarray(weight, dtype="float64")
    if not np.all(np.isfinite(weights)):
        raise ValueError("Interpolation weights must be finite numbers between 0 and 1.")
    weights = np.clip(weights, 0.0, 1.0)[..., None]
    z_start, z_end = np.asarray(z_start, "float64").reshape(-1), np.asarray(z_end, "float64").reshape(-1)
    return (weights * z_start + (1.0 - weights) * z_end).astype("float32")


def grid(extent: tuple[float, float, float, float], side: int) -> np.ndarray:
    """The centres of a side x side grid of cells over extent, row by row from the bottom: (side**2, 2)."""
    side = check_count(side, MAX_GRID_SIDE, "grid side")
    x_min, x_max, y_min, y_max = extent
    xs = x_min + (np.arange(side) + 0.5) * (x_max - x_min) / side
    ys = y_min + (np.arange(side) + 0.5) * (y_max - y_min) / side
    grid_x, grid_y = np.meshgrid(xs, ys)
    return np.stack([grid_x.ravel(), grid_y.ravel()], axis=1).astype("float32")


def nearest(z: np.ndarray, bank: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Indices and distances of the k codes in bank closest to the single code z, closest first."""
    distances = np.linalg.norm(np.asarray(bank, "float64") - np.asarray(z, "float64").reshape(1, -1), axis=1)
    k = min(int(k), len(bank))
    order = np.argpartition(distances, k - 1)[:k]
    order = order[np.argsort(distances[order], kind="stable")]
    return order, distances[order]


def distances_to_bank(points: np.ndarray, bank: np.ndarray, chunk: int = 1024,
                      exclude_self: bool = False) -> np.ndarray:
    """For each point, the distance to its nearest code in bank (itself excluded when points is bank)."""
    points, bank = np.asarray(points, "float64"), np.asarray(bank, "float64")
    bank_sq = (bank ** 2).sum(axis=1)
    result = np.empty(len(points))
    for start in range(0, len(points), chunk):
        part = points[start:start + chunk]
        squared = (part ** 2).sum(axis=1)[:, None] - 2.0 * part @ bank.T + bank_sq[None, :]
        if exclude_self:
            squared[np.arange(len(part)), np.arange(start, start + len(part))] = np.inf
        result[start:start + chunk] = np.sqrt(np.maximum(squared.min(axis=1), 0.0))
    return result


def far_threshold(bank: np.ndarray, percentile: float = 99.0) -> float:
    """The percentile of the bank's own nearest-neighbour distances: farther than this is 'far from data'."""
    return float(np.percentile(distances_to_bank(bank, bank, exclude_self=True), percentile))


def sample_box(box: tuple[float, float, float, float], count: int, rng: np.random.Generator) -> np.ndarray:
    """count codes drawn uniformly over box."""
    x_min, x_max, y_min, y_max = box
    return np.stack([rng.uniform(x_min, x_max, count), rng.uniform(y_min, y_max, count)], axis=1).astype("float32")


def sample_prior(count: int, rng: np.random.Generator, latent_dim: int = 2) -> np.ndarray:
    """count codes drawn from the VAE's prior N(0, I)."""
    return rng.standard_normal((count, latent_dim)).astype("float32")


def sample_fitted(codes: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """count codes from the Gaussian fitted to codes (their mean and full covariance): the natural way to
    sample a plain AE, whose codes follow no prior but their own spread."""
    codes = np.asarray(codes, "float64")
    return rng.multivariate_normal(codes.mean(axis=0), np.cov(codes, rowvar=False), count).astype("float32")


def step_codes(codes: np.ndarray, length: float, rng: np.random.Generator) -> np.ndarray:
    """Each code moved by length in its own uniformly random direction (a 2-D wall: a random angle)."""
    codes = np.asarray(codes, "float64")
    angles = rng.uniform(0.0, 2.0 * np.pi, len(codes))
    return (codes + length * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype("float32")


def axis_statistics(codes: np.ndarray) -> list[dict]:
    """Mean, std, min and max of the codes along each axis: how lopsided and how far the wall reaches."""
    codes = np.asarray(codes, "float64")
    return [{"axis": axis, "mean": float(codes[:, axis].mean()), "std": float(codes[:, axis].std()),
             "min": float(codes[:, axis].min()), "max": float(codes[:, axis].max())}
            for axis in range(codes.shape[1])]


def area_shares(read_digits: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """The share of grid cells read as each digit: how much of the wall each digit owns."""
    counts = np.bincount(np.asarray(read_digits).ravel(), minlength=num_classes)
    return counts / max(counts.sum(), 1)


@dataclass(frozen=True)
class Projection:
    """A principal-component projection: the data's mean and its top axes (rows, unit length)."""

    mean: np.ndarray
    axes: np.ndarray

    def apply(self, points: np.ndarray) -> np.ndarray:
        return (np.asarray(points, "float64") - self.mean) @ self.axes.T

    def inverse(self, coordinates: np.ndarray) -> np.ndarray:
        return np.asarray(coordinates, "float64") @ self.axes + self.mean


def fit_projection(points: np.ndarray, dimensions: int) -> Projection:
    """The top principal axes of points (n, d), found by SVD of the centred data; signs fixed so each axis's
    largest component is positive, which keeps a refit from mirroring the picture."""
    points = np.asarray(points, "float64")
    mean = points.mean(axis=0)
    _, _, rows = np.linalg.svd(points - mean, full_matrices=False)
    axes = rows[:dimensions]
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    return Projection(mean, axes * signs[:, None])
