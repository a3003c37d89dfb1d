"""A student's own digit: a drawing from the page's pad or an uploaded picture, checked and made into an
MNIST-style 28x28 image. No Streamlit here, so every step can be tested on its own.

Everything arrives from the browser and is untrusted. The bytes are size-capped before Pillow sees them;
Pillow may only try its PNG and JPEG readers; the image's size is checked from its header before any pixel
is decoded (Pillow's own decompression-bomb guard is caught as well); one frame only; every colour mode is
either converted to grey on a stated scale or refused. Each refusal is a Refusal with a kind, which the page
turns into a sentence in the student's language: never an exception.

The preparation follows how MNIST's digits were made (LeCun et al.): light ink on a dark ground, the ink's
bounding box scaled to fit a 20x20 box keeping its aspect, placed in 28x28 so that its centre of mass is at
the centre.
"""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image, UnidentifiedImageError

from latentwall import registry, store

# The largest file the page reads. Streamlit's own upload limit (1 MB, .streamlit/config.toml) is the outer
# wall; this one sits under it, so a file Streamlit lets through but that is far larger than any photo of
# a digit needs is still refused here, with the page's own words, before Pillow parses a byte of it.
MAX_FILE_BYTES = 800_000
# The most pixels a picture may declare. A digit needs a few thousand; 4 million is a 2000x2000 photo.
# A PNG of 100,000 x 100,000 zeros fits in a few hundred kilobytes and would need 10 GB to decode, so the
# size is read from the header and checked before decoding (Pillow's own guard starts at 89 million).
MAX_PIXELS = 4_000_000
# Smaller than this on either side cannot hold a digit.
MIN_SIDE = 8
# Pictures are reduced to at most this side before any arithmetic: plenty for a 20-pixel digit.
WORK_SIDE = 256
FORMATS = ("PNG", "JPEG")
# The pad sends its canvas as a PNG data address; the longest one it can make is well under this.
DATA_URL_PREFIX = "data:image/png;base64,"
MAX_DATA_URL_CHARS = 300_000

# MNIST's geometry: the digit fits a 20x20 box, centred by mass in the data set's 28x28.
SIDE = registry.MNIST.image_side
BOX = 20
# A pixel is ink if it is at least this bright (after inverting and stretching), on a 0-1 scale.
INK_LEVEL = 0.2
# Less ink than this many full pixels is "nothing drawn": a speck of dust, not a digit.
MIN_INK = 3.0

# Why a picture was refused; the page says each in words (strings: digit.refused_<kind>).
EMPTY, TOO_LARGE_FILE, NOT_AN_IMAGE, TOO_MANY_PIXELS, TOO_SMALL, DAMAGED, ANIMATED, COLOURS, NO_INK, BAD_DRAWING = (
    "empty", "file_too_large", "not_an_image", "too_many_pixels", "too_small", "damaged", "animated",
    "colours", "no_ink", "bad_drawing")
REFUSALS = (EMPTY, TOO_LARGE_FILE, NOT_AN_IMAGE, TOO_MANY_PIXELS, TOO_SMALL, DAMAGED, ANIMATED, COLOURS, NO_INK,
            BAD_DRAWING)


@dataclass(frozen=True)
class Refusal:
    """Why a picture cannot be used: one of REFUSALS, and for the log a short detail (never shown)."""

    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Digit:
    """A usable picture: the grey picture as received (for showing, at most WORK_SIDE on a side, ink dark on
    light as the student saw it) and the prepared 28x28 MNIST-style image in [0, 1], ink bright."""

    seen: np.ndarray
    image: np.ndarray
    inverted: bool


def read_picture(data) -> np.ndarray | Refusal:
    """Bytes of a PNG or JPEG file -> a grey float32 picture in [0, 1] (at most WORK_SIDE on a side)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return Refusal(NOT_AN_IMAGE, f"not bytes but {type(data).__name__}")
    size = len(data)
    if size == 0:
        return Refusal(EMPTY)
    if size > MAX_FILE_BYTES:  # Checked before Pillow parses anything.
        return Refusal(TOO_LARGE_FILE, f"{size} bytes")
    try:
        with Image.open(io.BytesIO(bytes(data)), formats=list(FORMATS)) as picture:
            return _grey(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        return Refusal(TOO_MANY_PIXELS, str(error)[:200])
    except UnidentifiedImageError as error:
        return Refusal(NOT_AN_IMAGE, str(error)[:200])
    # Truncated or corrupt data: Pillow raises OSError, SyntaxError (bad chunks), ValueError (a text chunk
    # that inflates past its limit), EOFError, struct errors (IndexError) or MemoryError.
    except (OSError, SyntaxError, ValueError, EOFError, IndexError, MemoryError) as error:
        return Refusal(DAMAGED, f"{type(error).__name__}: {str(error)[:200]}")


def _grey(picture: Image.Image) -> np.ndarray | Refusal:
    """Checks that need only the header, then decode and convert to grey; raises Pillow's errors."""
    if picture.format not in FORMATS:  # Image.open's allowlist already says so; this is the second lock.
        return Refusal(NOT_AN_IMAGE, f"format {picture.format}")
    width, height = picture.size
    if width * height > MAX_PIXELS:
        return Refusal(TOO_MANY_PIXELS, f"{width}x{height}")
    if min(width, height) < MIN_SIDE:
        return Refusal(TOO_SMALL, f"{width}x{height}")
    if getattr(picture, "n_frames", 1) != 1 or getattr(picture, "is_animated", False):
        return Refusal(ANIMATED, f"{getattr(picture, 'n_frames', '?')} frames")
    if picture.format == "JPEG":  # Let the JPEG decoder scale down while it decodes: far less work.
        picture.draft(picture.mode, (WORK_SIDE, WORK_SIDE))
    picture.load()
    grey = _to_grey(picture)
    if isinstance(grey, Refusal):
        return grey
    return _reduced(grey)


def _to_grey(picture: Image.Image) -> np.ndarray | Refusal:
    """The picture's brightness in [0, 1], with transparent parts shown over white (as a browser shows them)."""
    mode = picture.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        values = np.asarray(picture, dtype="float64")
        top = 65535.0 if mode.startswith("I;16") or values.max(initial=0) > 255 else 255.0
        return np.clip(values / top, 0.0, 1.0).astype("float32")
    if mode == "P":
        picture = picture.convert("RGBA")
        mode = "RGBA"
    if mode in ("1", "L"):
        return np.asarray(picture.convert("L"), dtype="float32") / 255.0
    if mode in ("LA", "La", "PA", "RGBA", "RGBa"):
        rgba = picture.convert("RGBA")
        sheet = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        sheet.alpha_composite(rgba)
        return np.asarray(sheet.convert("L"), dtype="float32") / 255.0
    if mode in ("RGB", "CMYK", "YCbCr", "LAB", "HSV"):
        return np.asarray(picture.convert("RGB").convert("L"), dtype="float32") / 255.0
    return Refusal(COLOURS, f"mode {mode}")


def _reduced(grey: np.ndarray) -> np.ndarray:
    """At most WORK_SIDE on the longer side, averaged by area (the arithmetic after is then cheap)."""
    height, width = grey.shape
    if max(height, width) <= WORK_SIDE:
        return grey
    scale = WORK_SIDE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(grey, "F").resize(size, Image.Resampling.BOX), dtype="float32")


def read_drawing(value) -> np.ndarray | Refusal | None:
    """What the pad sent (a PNG data address of its canvas) -> a grey picture; None when nothing is drawn.

    A forged value (not a string, too long, another prefix, bad base64, not a PNG) is refused, never raised.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        return Refusal(BAD_DRAWING, f"a {type(value).__name__}")
    if len(value) > MAX_DATA_URL_CHARS:
        return Refusal(BAD_DRAWING, f"{len(value)} characters")
    if not value.startswith(DATA_URL_PREFIX):
        return Refusal(BAD_DRAWING, "not a PNG data address")
    try:
        data = base64.b64decode(value[len(DATA_URL_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        return Refusal(BAD_DRAWING, "bad base64")
    return read_picture(data)


def prepare(grey: np.ndarray) -> tuple[np.ndarray, bool] | Refusal:
    """A grey picture in [0, 1] -> (the 28x28 MNIST-style image, whether it was inverted), or NO_INK.

    Light ground (the border's median brighter than mid-grey: dark ink on paper) is inverted. The ground's
    level is then subtracted and the brightest ink stretched to 1, so a grey photo of paper still gives black
    around a white digit. The ink's box is scaled to fit 20x20 keeping its aspect, and put in 28x28 with its
    centre of mass at the centre (shifted back inside the frame if the mass sits far off the box's middle).
    """
    grey = np.asarray(grey, dtype="float32")
    if grey.ndim != 2 or min(grey.shape) < 1 or not np.all(np.isfinite(grey)):
        return Refusal(BAD_DRAWING, "not a finite 2-D picture")
    grey = np.clip(grey, 0.0, 1.0)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    inverted = bool(np.median(border) > 0.5)
    ink = 1.0 - grey if inverted else grey
    ground = float(np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])))
    ink = np.clip(ink - ground, 0.0, None)
    top = float(ink.max(initial=0.0))
    if top < INK_LEVEL:
        return Refusal(NO_INK, f"brightest ink {top:.3f}")
    ink = ink / top
    ink[ink < INK_LEVEL / 2] = 0.0  # Paper grain and JPEG ringing are not ink.
    scale_to_28 = (SIDE / max(ink.shape)) ** 2  # Ink counted in pixels of a 28x28 picture of the same page.
    if float(ink.sum()) * scale_to_28 < MIN_INK * INK_LEVEL:
        return Refusal(NO_INK, f"ink {float(ink.sum()):.2f}")
    rows, columns = np.nonzero(ink >= INK_LEVEL)
    if len(rows) == 0:
        return Refusal(NO_INK, "no pixel above the ink level")
    box = ink[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    height, width = box.shape
    scale = BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    fitted = np.asarray(Image.fromarray(box, "F").resize(size, Image.Resampling.LANCZOS), dtype="float32")
    fitted = np.clip(fitted, 0.0, 1.0)
    return centred_by_mass(fitted), inverted


def centred_by_mass(fitted: np.ndarray) -> np.ndarray:
    """fitted (at most 28 on a side) placed in 28x28 so its centre of mass lands on the centre, kept in frame."""
    height, width = fitted.shape
    mass = float(fitted.sum())
    rows, columns = np.indices(fitted.shape)
    centre_row = float((rows * fitted).sum() / mass) if mass > 0 else (height - 1) / 2
    centre_column = float((columns * fitted).sum() / mass) if mass > 0 else (width - 1) / 2
    middle = (SIDE - 1) / 2
    top = int(np.clip(round(middle - centre_row), 0, SIDE - height))
    left = int(np.clip(round(middle - centre_column), 0, SIDE - width))
    image = np.zeros((SIDE, SIDE), dtype="float32")
    image[top:top + height, left:left + width] = fitted
    return image


def digit_from(grey: np.ndarray | Refusal | None) -> Digit | Refusal | None:
    """A read picture (or its refusal, or None) -> the prepared Digit, a Refusal, or None."""
    if grey is None or isinstance(grey, Refusal):
        return grey
    prepared = prepare(grey)
    if isinstance(prepared, Refusal):
        return prepared
    image, inverted = prepared
    return Digit(seen=grey, image=image, inverted=inverted)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) of an image's centre of mass."""
    image = np.asarray(image, dtype="float64")
    rows, columns = np.indices(image.shape)
    mass = image.sum()
    return float((rows * image).sum() / mass), float((columns * image).sum() / mass)


def percentile_of(score: float, quantiles) -> float:
    """The share (0-1) of test digits whose score is below score, from their 101 percentiles (0, 1, ..., 100)."""
    quantiles = np.asarray(quantiles, dtype="float64")
    if quantiles.ndim != 1 or len(quantiles) < 2 or not np.all(np.isfinite(quantiles)) or not np.isfinite(score):
        raise ValueError("quantiles must be finite numbers in increasing order, and the score finite")
    return float(np.interp(score, quantiles, np.linspace(0.0, 1.0, len(quantiles))))


def sigma_ellipse(centre: np.ndarray, log_var: np.ndarray, sigmas: float, points: int = 73) -> np.ndarray:
    """Points on the ellipse at `sigmas` standard deviations of a diagonal Gaussian: (points, 2)."""
    spread = np.exp(0.5 * np.clip(np.asarray(log_var, "float64").reshape(2), -30.0, 30.0))
    angles = np.linspace(0.0, 2 * np.pi, points)
    return np.asarray(centre, "float64").reshape(1, 2) + sigmas * np.stack(
        [spread[0] * np.cos(angles), spread[1] * np.sin(angles)], axis=1)


# What the evaluation writes beside evaluation.json (lessons/your_digit/report.py): how the AE repaints the test
# digits, so a student's digit can be placed among them.
SCORES_FILE = store.DIGIT_SCORES_FILE
HISTOGRAM_BINS = 40


@dataclass(frozen=True)
class Scores:
    """The AE's reconstruction errors on the test set: 101 percentiles and a histogram (edges, counts)."""

    quantiles: np.ndarray
    edges: np.ndarray
    counts: np.ndarray


def summarise_scores(errors: np.ndarray) -> dict:
    """Per-image reconstruction errors of the test set -> what SCORES_FILE holds (plain lists, for JSON)."""
    errors = np.asarray(errors, dtype="float64")
    quantiles = np.percentile(errors, np.arange(101))
    counts, edges = np.histogram(errors, bins=HISTOGRAM_BINS, range=(0.0, float(quantiles[-1])))
    return {"count": int(len(errors)), "quantiles": quantiles.tolist(), "edges": edges.tolist(),
            "counts": counts.tolist()}


def parse_scores(raw) -> Scores | None:
    """SCORES_FILE's content checked (lengths, finite, increasing), or None when it is not usable."""
    try:
        quantiles, edges, counts = (np.asarray(raw[name], dtype="float64") for name in ("quantiles", "edges", "counts"))
    except (KeyError, TypeError, ValueError):
        return None
    usable = (quantiles.shape == (101,) and edges.ndim == 1 and counts.shape == (len(edges) - 1,)
              and len(counts) >= 1 and all(np.all(np.isfinite(part)) for part in (quantiles, edges, counts))
              and np.all(np.diff(quantiles) >= 0) and np.all(np.diff(edges) > 0) and np.all(counts >= 0))
    return Scores(quantiles, edges, counts) if usable else None
