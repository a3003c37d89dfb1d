"""NumPy maths on the 2-D wall: boxes, grids, interpolation, paths, sampling, neighbours and the gap measures.

Nothing here touches Streamlit; the few functions that decode (manifold, decodability) take any object with
the decoder's decode method, so every function can be tested against NumPy directly.
Functions that take values from a user validate them and raise ValueError with a helpful message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from latentwall import pictures, registry

if TYPE_CHECKING:  # Only for the hints: inference and store load this module themselves.
    from latentwall import inference, store

# No code the models produce comes near this; anything larger from a browser is clamped to it.
MAX_ABS_COORDINATE = 1e4
# Upper bounds on user-chosen counts, so a forged request cannot ask for unbounded work.
MAX_GRID_SIDE = 200
MAX_SAMPLES = 10_000
MAX_STEPS = 100

# The margin around the test codes that the walls show, so points on the edge are not cut in half.
WALL_MARGIN = 0.05
# Random points a student can paint at once: enough to see the gaps, few enough to show as a grid.
MAX_PAINTED = 64
# Frames in an interpolation filmstrip.
FILMSTRIP_STEPS = 10
# Cells per side of the decodability map and of the decoded manifold.
MAP_SIDE = 60
MANIFOLD_SIDE = 20
# How far (in standard deviations) a VAE's wall reaches at least: 99.7% of its prior's samples per axis.
PRIOR_REACH = 3.0

# The frames the interpolation lessons show: w = 0.05, 0.20, ..., 0.95 (0.05 to 0.95 in steps of 0.15).
LESSON_POSITIONS = np.round(np.arange(0.05, 0.95 + 1e-9, 0.15), 2)


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


def wall_box(wall: store.Wall) -> tuple[float, float, float, float]:
    """The fixed axis ranges of a wall: its codes' bounding box with a small margin.

    A VAE's wall (one with log-variances) also covers PRIOR_REACH standard deviations of its prior
    N(0, I) on each axis, so the random codes painted from that prior land where the student can see them.
    Remembered per wall: a click asks for it several times, and each is a pass over 10,000 codes.
    """
    known = _BOXES.get(id(wall))
    if known is not None and known[0] is wall:
        return known[1]
    x_min, x_max, y_min, y_max = bounding_box(wall.codes, WALL_MARGIN)
    box = (x_min, x_max, y_min, y_max) if wall.log_var is None else (
        min(x_min, -PRIOR_REACH), max(x_max, PRIOR_REACH), min(y_min, -PRIOR_REACH), max(y_max, PRIOR_REACH))
    if len(_BOXES) >= _MAX_BOXES:
        _BOXES.clear()
    _BOXES[id(wall)] = (wall, box)  # The wall is kept with its box, so its id cannot be reused meanwhile.
    return box


# The boxes of the walls seen lately, by id (a Wall holds arrays, so it cannot be a dictionary key itself).
_BOXES: dict[int, tuple] = {}
_MAX_BOXES = 32


def opening_view(wall: store.Wall) -> tuple[float, float, float, float]:
    """The axis ranges a wall opens on: the middle half of every digit class, inside the wall's box.

    The full box is stretched by a few far codes (the AE's long arm of 1s reaches ~100 units while most
    digits sit within a few), which would squeeze half the classes into a few pixels; "show everything" on
    the chart returns to wall_box.
    """
    x_min, x_max, y_min, y_max = core_box(wall.codes, wall.labels)
    full = wall_box(wall)
    return max(x_min, full[0]), min(x_max, full[1]), max(y_min, full[2]), min(y_max, full[3])


def random_codes(kind: str, codes: np.ndarray, count: int, seed: int) -> np.ndarray:
    """The codes a student paints: uniform over the AE's wall, and from the prior N(0, I) for the VAE.

    Each model is sampled the way its own training would suggest, which is exactly why the AE's red dots
    so often fall into gaps while the VAE's land on digits. codes are the wall's test codes, whose
    bounding box the AE's codes are drawn from.
    """
    try:
        count = check_count(count, MAX_PAINTED)
    except ValueError:
        count = 1  # A forged count paints one point rather than failing the page.
    rng = np.random.default_rng(seed)
    if registry.recipe(kind).variational:
        return sample_prior(count, rng)
    return sample_box(bounding_box(codes), count, rng)


def random_index_of(labels: np.ndarray, digit: int, seed: int) -> int:
    """The index of a random test digit of the given class ("a random 3"), repeatable by seed."""
    digit = check_index(digit, 10)
    candidates = np.flatnonzero(np.asarray(labels) == digit)
    if len(candidates) == 0:
        raise ValueError(f"There is no test digit {digit} on this wall.")
    return int(np.random.default_rng(seed).choice(candidates))


def manifold(decoder: inference.Decoder | inference.PcaCoder, box: tuple[float, float, float, float],
             side: int = MANIFOLD_SIDE) -> np.ndarray:
    """The decoded grid over box as one picture, decoded in one batched call, top row = top of the wall."""
    side = check_count(side, MAX_GRID_SIDE, "grid side")
    images = decoder.decode(grid(box, side))
    height, width = images.shape[1:]  # The decoder's own image shape, whatever its data set.
    rows_from_top = images.reshape(side, side, height, width)[::-1].reshape(-1, height, width)
    return pictures.montage(rows_from_top, side)


def decodability(decoder: inference.Decoder | inference.PcaCoder, reader: inference.Reader,
                 box: tuple[float, float, float, float], side: int = MAP_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """For every cell of a side x side grid over box: the digit the reader sees and its confidence.

    Both come back as (side, side) arrays with row 0 at the bottom, as a heatmap expects; the whole grid
    is decoded in one batched call.
    """
    side = check_count(side, MAX_GRID_SIDE, "grid side")
    digits, confidences = reader.read(decoder.decode(grid(box, side)))
    return digits.reshape(side, side), confidences.reshape(side, side)


def along_path(z_start: np.ndarray, z_end: np.ndarray, positions: np.ndarray | list[float]) -> np.ndarray:
    """The codes at positions w along the straight path, w = 0 at the start and 1 at the end.

    The slider and the filmstrip both read this way (start on the left); interpolate weighs the
    start instead, so it gets 1 - w.
    """
    return interpolate(z_start, z_end, 1.0 - np.asarray(positions, dtype="float64"))


def filmstrip_weights(steps: int = FILMSTRIP_STEPS) -> np.ndarray:
    """Weights from 1 (all start) down to 0 (all end), so the strip reads from start to end."""
    steps = check_count(steps, MAX_STEPS, "number of steps")
    return np.linspace(1.0, 0.0, max(steps, 2))


def cross_fade(image_start: np.ndarray, image_end: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pixel-space blends w * start + (1 - w) * end: what interpolation looks like without a latent space."""
    start, end = np.asarray(image_start, "float32"), np.asarray(image_end, "float32")
    return interpolate(start.ravel(), end.ravel(), weights).reshape(-1, *start.shape)
