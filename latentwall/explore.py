"""What the app's pages compute, kept free of Streamlit so it can be tested on its own.

Every function that takes a value from the browser validates it (through latent.py's checks) and either
clamps it or answers None; none of them raises on a forged value.
"""

from __future__ import annotations

import base64
import html
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from latentwall import artifacts, config, latent, registry

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

# The gallery wall's two models, by the names the registry gives them.
WALL_KINDS = tuple(recipe.name for recipe in registry.WALL_PAIR)


@dataclass(frozen=True)
class Pick:
    """A validated click on a wall: the code to decode and, if a test digit was hit, its index."""

    code: np.ndarray
    index: int | None = None


@dataclass(frozen=True)
class Neighbour:
    """A real test digit near a clicked code."""

    index: int
    digit: int
    distance: float


@dataclass(frozen=True)
class ClickAnswer:
    """Everything a click on a wall shows, as plain values: gathered in one call, rendered by the page.

    code is the decoded coordinate after clamping; index, original and reconstruction are set only when the
    click hit a test digit (original only when the test images are available).
    """

    code: np.ndarray
    image: np.ndarray
    digit: int
    confidence: float
    neighbours: tuple[Neighbour, ...]
    neighbour_images: tuple[np.ndarray, ...]
    index: int | None = None
    label: int | None = None
    original: np.ndarray | None = None
    reconstruction: np.ndarray | None = None


def answer_click(model, reader, pick: Pick, images: np.ndarray | None, neighbours: int = 5) -> ClickAnswer:
    """Decode the picked code (and the hit digit's own code) in one batch, read it, and find its neighbours.

    model is an inference.LatentModel, reader an inference.Reader; images are the test images in [0, 1]
    or None when they are not available.
    """
    wall = model.wall
    codes = pick.code[None] if pick.index is None else np.stack([pick.code, wall.codes[pick.index]])
    decoded = model.decoder.decode(codes)
    digits, confidences = reader.read(decoded[:1])
    indices, distances = latent.nearest(pick.code, wall.codes, neighbours)
    found = tuple(Neighbour(int(index), int(wall.labels[index]), float(distance))
                  for index, distance in zip(indices, distances))
    answer = {"code": pick.code, "image": decoded[0], "digit": int(digits[0]), "confidence": float(confidences[0]),
              "neighbours": found,
              "neighbour_images": () if images is None else tuple(images[item.index] for item in found)}
    if pick.index is not None:
        answer.update(index=pick.index, label=int(wall.labels[pick.index]), reconstruction=decoded[1],
                      original=None if images is None else images[pick.index])
    return ClickAnswer(**answer)


def wall_box(wall) -> tuple[float, float, float, float]:
    """The fixed axis ranges of a wall: its codes' bounding box with a small margin.

    A VAE's wall (one with log-variances) also covers PRIOR_REACH standard deviations of its prior
    N(0, I) on each axis, so the random codes painted from that prior land where the student can see them.
    Remembered per wall: a click asks for it several times, and each is a pass over 10,000 codes.
    """
    known = _BOXES.get(id(wall))
    if known is not None and known[0] is wall:
        return known[1]
    x_min, x_max, y_min, y_max = latent.bounding_box(wall.codes, WALL_MARGIN)
    box = (x_min, x_max, y_min, y_max) if wall.log_var is None else (
        min(x_min, -PRIOR_REACH), max(x_max, PRIOR_REACH), min(y_min, -PRIOR_REACH), max(y_max, PRIOR_REACH))
    if len(_BOXES) >= _MAX_BOXES:
        _BOXES.clear()
    _BOXES[id(wall)] = (wall, box)  # The wall is kept with its box, so its id cannot be reused meanwhile.
    return box


# The boxes of the walls seen lately, by id (a Wall holds arrays, so it cannot be a dictionary key itself).
_BOXES: dict[int, tuple] = {}
_MAX_BOXES = 32


def opening_view(wall) -> tuple[float, float, float, float]:
    """The axis ranges a wall opens on: the middle half of every digit class, inside the wall's box.

    The full box is stretched by a few far codes (the AE's long arm of 1s reaches ~100 units while most
    digits sit within a few), which would squeeze half the classes into a few pixels; "show everything" on
    the chart returns to wall_box.
    """
    x_min, x_max, y_min, y_max = latent.core_box(wall.codes, wall.labels)
    full = wall_box(wall)
    return max(x_min, full[0]), min(x_max, full[1]), max(y_min, full[2]), min(y_max, full[3])


def parse_pick(raw, box: tuple[float, float, float, float], count: int) -> Pick | None:
    """Turn whatever the browser sent for a click into a Pick inside box, or None when it is unusable.

    Coordinates are clamped into box (so 1e308 and infinities land on the edge); NaN or non-numbers give
    None; an index outside 0..count-1 is dropped while the coordinate is kept.
    """
    if not isinstance(raw, dict):
        return None
    try:
        code = latent.clamp_code(raw.get("x"), raw.get("y"), box)[0]
    except ValueError:
        return None
    index = raw.get("index")
    if index is not None:
        try:
            index = latent.check_index(index, count)
        except ValueError:
            index = None
    return Pick(code=code, index=index)


def safe_index(value, count: int, fallback: int = 0) -> int:
    """An index from a widget or the session, or fallback when it is out of range or not a number."""
    try:
        return latent.check_index(value, count)
    except ValueError:
        return fallback


@dataclass(frozen=True)
class LinkedView:
    """What a shared address asks for; each part None where the address leaves it out or it is unusable."""

    model: str | None = None
    click: tuple[float, float] | None = None
    start: int | None = None
    end: int | None = None
    weight: float | None = None
    unusable: bool = False


# Longest query value the app reads; anything longer is garbage, not a view.
MAX_LINK_VALUE = 32


def parse_link(params: dict) -> LinkedView:
    """Read a view from an address's query values (strings), keeping only the parts that make sense.

    model is one of the wall pair's recipe names; x and y a finite coordinate (clamped to the wall when drawn);
    a and b test-digit indices (range-checked against the wall when drawn); w a weight in [0, 1]. Anything else
    present makes `unusable` true, so the page can say it fell back to its default there.
    """
    unusable = False

    def number(name: str, kind=float):
        nonlocal unusable
        raw = params.get(name)
        if raw is None:
            return None
        try:
            if not isinstance(raw, str) or len(raw) > MAX_LINK_VALUE:
                raise ValueError(raw)
            value = kind(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        except (TypeError, ValueError, OverflowError):
            unusable = True
            return None

    model = params.get("model")
    if model is not None and model not in WALL_KINDS:
        model, unusable = None, True
    x, y = number("x"), number("y")
    start, end, weight = number("a", int), number("b", int), number("w")
    if start is not None and start < 0 or end is not None and end < 0:
        start, end, unusable = None, None, True
    if weight is not None and not 0.0 <= weight <= 1.0:
        weight, unusable = None, True
    if (x is None) != (y is None):
        unusable = True
    return LinkedView(model=model, click=(x, y) if x is not None and y is not None else None,
                      start=start if end is not None else None, end=end if start is not None else None,
                      weight=weight, unusable=unusable or (start is None) != (end is None))


def safe_stamp(value) -> int | None:
    """A browser's millisecond time stamp as a whole number, or None when it is not a plausible one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if 0 <= value < 2**53 else None  # NaN and the infinities fail the comparison.


def safe_count(value, maximum: int, fallback: int = 1) -> int:
    """A count from a widget, capped at maximum, or fallback when it is not a positive number."""
    try:
        return latent.check_count(value, maximum)
    except ValueError:
        return fallback


def safe_weight(value, fallback: float = 0.5) -> float:
    """An interpolation weight clamped to [0, 1]; NaN or a non-number gives fallback."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return fallback
    if np.isnan(number):
        return fallback
    return min(max(number, 0.0), 1.0)


def random_codes(kind: str, codes: np.ndarray, count: int, seed: int) -> np.ndarray:
    """The codes a student paints: uniform over the AE's wall, and from the prior N(0, I) for the VAE.

    Each model is sampled the way its own training would suggest, which is exactly why the AE's red dots
    so often fall into gaps while the VAE's land on digits. codes are the wall's test codes, whose
    bounding box the AE's codes are drawn from.
    """
    count = safe_count(count, MAX_PAINTED)
    rng = np.random.default_rng(seed)
    if registry.recipe(kind).variational:
        return latent.sample_prior(count, rng)
    return latent.sample_box(latent.bounding_box(codes), count, rng)


def random_index_of(labels: np.ndarray, digit: int, seed: int) -> int:
    """The index of a random test digit of the given class ("a random 3"), repeatable by seed."""
    digit = latent.check_index(digit, 10)
    candidates = np.flatnonzero(np.asarray(labels) == digit)
    if len(candidates) == 0:
        raise ValueError(f"There is no test digit {digit} on this wall.")
    return int(np.random.default_rng(seed).choice(candidates))


def upscale(image: np.ndarray, scale: int = 8) -> Image.Image:
    """An (h, w) image in [0, 1] as a greyscale picture scale times larger, with crisp, unblurred pixels."""
    pixels = np.clip(np.nan_to_num(np.asarray(image, "float32")), 0.0, 1.0)
    picture = Image.fromarray((pixels * 255).round().astype("uint8"), mode="L")
    return picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)


def data_uri(picture: Image.Image) -> str:
    """A picture as an inline PNG data URI, so it arrives with the page update instead of by a second request."""
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def gallery_html(pictures: list[Image.Image], captions: list[str], width: int) -> str:
    """Pictures in a wrapping row, each shown width pixels wide, pixels kept square, with a caption beneath."""
    cells = "".join(
        f'<figure style="margin:0;text-align:center;width:{int(width)}px">'
        f'<img src="{data_uri(picture)}" width="{int(width)}" alt="{html.escape(caption)}" '
        f'style="image-rendering:pixelated;display:block;border:1px solid #ddd"/>'
        f'<figcaption style="font-size:0.8rem;color:#555;line-height:1.2;margin-top:0.2rem">'
        f"{html.escape(caption)}</figcaption></figure>"
        for picture, caption in zip(pictures, captions))
    return f'<div style="display:flex;flex-wrap:wrap;gap:0.6rem;align-items:flex-start">{cells}</div>'


def montage(images: np.ndarray, columns: int) -> np.ndarray:
    """Tile (n, h, w) images into rows of `columns`, left to right and top to bottom."""
    images = np.asarray(images, "float32")
    count, height, width = images.shape
    rows = -(-count // columns)
    sheet = np.zeros((rows * height, columns * width), "float32")
    for number, image in enumerate(images):
        row, column = divmod(number, columns)
        sheet[row * height:(row + 1) * height, column * width:(column + 1) * width] = image
    return sheet


def manifold(decoder, box: tuple[float, float, float, float], side: int = MANIFOLD_SIDE) -> np.ndarray:
    """The decoded grid over box as one picture, decoded in one batched call, top row = top of the wall."""
    side = latent.check_count(side, latent.MAX_GRID_SIDE, "grid side")
    images = decoder.decode(latent.grid(box, side))
    rows_from_top = images.reshape(side, side, 28, 28)[::-1].reshape(-1, 28, 28)
    return montage(rows_from_top, side)


def decodability(decoder, reader, box: tuple[float, float, float, float],
                 side: int = MAP_SIDE) -> tuple[np.ndarray, np.ndarray]:
    """For every cell of a side x side grid over box: the digit the reader sees and its confidence.

    Both come back as (side, side) arrays with row 0 at the bottom, as a heatmap expects; the whole grid
    is decoded in one batched call.
    """
    side = latent.check_count(side, latent.MAX_GRID_SIDE, "grid side")
    digits, confidences = reader.read(decoder.decode(latent.grid(box, side)))
    return digits.reshape(side, side), confidences.reshape(side, side)


def along_path(z_start: np.ndarray, z_end: np.ndarray, positions) -> np.ndarray:
    """The codes at positions w along the straight path, w = 0 at the start and 1 at the end.

    The slider and the filmstrip both read this way (start on the left); latent.interpolate weighs the
    start instead, so it gets 1 - w.
    """
    return latent.interpolate(z_start, z_end, 1.0 - np.asarray(positions, dtype="float64"))


def filmstrip_weights(steps: int = FILMSTRIP_STEPS) -> np.ndarray:
    """Weights from 1 (all start) down to 0 (all end), so the strip reads from start to end."""
    steps = latent.check_count(steps, latent.MAX_STEPS, "number of steps")
    return np.linspace(1.0, 0.0, max(steps, 2))


def cross_fade(image_start: np.ndarray, image_end: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pixel-space blends w * start + (1 - w) * end: what interpolation looks like without a latent space."""
    start, end = np.asarray(image_start, "float32"), np.asarray(image_end, "float32")
    return latent.interpolate(start.ravel(), end.ravel(), weights).reshape(-1, *start.shape)


def load_evaluation(folder: Path) -> dict | None:
    """The report `python -m training.evaluate` wrote beside the models, or None if there is none yet."""
    try:
        report = artifacts.read_json(Path(folder) / config.EVALUATION_FILE)
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) and set(WALL_KINDS) <= set(report) else None


def defect_rows(report: dict) -> list[tuple[str, str, str]]:
    """(measure key, AE value, VAE value) for each number of the three defects, formatted to read.

    The measure key names a label and a one-line meaning in the strings file.
    """
    def each(format_one) -> tuple[str, str]:
        values = []
        for kind in WALL_KINDS:
            try:
                values.append(format_one(report[kind]))
            except (KeyError, IndexError, TypeError, ValueError):
                values.append("–")
        return values[0], values[1]

    def area(model: dict, end: str) -> str:
        digit = model["area"][f"{end}_digit"]
        return f"{digit}: {model['area']['shares'][digit]:.2%}"

    def ratio(model: dict) -> str:
        # Largest over smallest, so a wall where one digit owns 700 times another's room reads "700 : 1", not 0.00.
        shares = model["area"]["shares"]
        return f"{max(shares) / min(shares):,.0f} : 1" if min(shares) > 0 else "∞ : 1"

    rows = [
        ("test_mse", *each(lambda model: f"{model['test_mse']:.4f}")),
        ("smallest_area", *each(lambda model: area(model, "smallest"))),
        ("largest_area", *each(lambda model: area(model, "largest"))),
        ("area_ratio", *each(ratio)),
    ]
    for axis in (0, 1):
        rows.append((f"axis{axis}_centre", *each(
            lambda model: f"{model['axes'][axis]['mean']:.2f} ± {model['axes'][axis]['std']:.2f}")))
        rows.append((f"axis{axis}_range", *each(
            lambda model: f"{model['axes'][axis]['min']:.2f} .. {model['axes'][axis]['max']:.2f}")))
    for source in ("box", "fitted", "prior"):
        rows.append((f"{source}_far", *each(lambda model: f"{model['gaps'][source]['far_share']:.1%}")))
        rows.append((f"{source}_readable", *each(lambda model: f"{model['gaps'][source]['readable_share']:.1%}")))
        rows.append((f"{source}_both", *each(lambda model: f"{model['gaps'][source]['readable_both']:.1%}")))
    return rows


def verdict_is_readable(confidence: float) -> bool:
    """Whether the reader is sure enough of a decoded image to call it a digit."""
    return float(confidence) >= config.READABLE_CONFIDENCE


# The frames the interpolation lessons show: w = 0.05, 0.20, ..., 0.95 (0.05 to 0.95 in steps of 0.15).
LESSON_POSITIONS = np.round(np.arange(0.05, 0.95 + 1e-9, 0.15), 2)
