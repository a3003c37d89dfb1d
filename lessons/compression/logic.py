"""What compression costs, in bytes and in error: JPEG at every quality against an autoencoder's code.

Pure NumPy and Pillow; the app reads the figures `python -m training.evaluate` wrote (compression.json), and
the page itself only reconstructs ten digits at a time.

How JPEG's bytes are counted. A JPEG file is a run of marker segments: SOI, the JFIF header (APP0), the
quantisation table (DQT), the frame header (SOF0), the Huffman tables (DHT), the scan header (SOS), then the
entropy-coded scan (the picture's own bits), then EOI. Two figures are kept for each quality:

- with tables: the whole stand-alone file, as small as Pillow writes it (`optimize=True`: Huffman tables fitted
  to the image, which is lossless, so the picture is the same), JFIF header included. This is what a viewer
  can open by itself.
- without tables: only the entropy-coded scan of a baseline encoding with libjpeg's standard Huffman tables
  (`optimize=False`), found by walking the markers. Every other segment is the same for every 28 x 28 grey
  image at one quality, so a sender could share it once, like a dictionary, and send the scan alone; JPEG's
  own "abbreviated" streams (Pillow's `streamtype=2`) do exactly that, and their scan is byte for byte the one
  counted here (the tests check). This is the floor: no framing, no marker, not even the two bytes of EOI.

The error is the mean squared error per pixel on the [0, 1] scale between the digit (its uint8 grey levels
over 255) and the decoded JPEG (likewise), averaged over the images.

A latent code is stored three ways: float32 (4 bytes a number), float16 (2) and 8 bits (1): each dimension is
quantised to 256 levels between its minimum and maximum over the codes measured; those 2 x latent_dim
numbers are shared by every code, like JPEG's tables, and not counted per image.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from latentwall import measures, registry, store

# What `python -m training.evaluate` writes beside evaluation.json (lessons/compression/report.py), guarded
# by the same manifest.
REPORT_FILE = store.COMPRESSION_FILE

# The qualities Pillow's JPEG encoder takes (above 95 its documentation advises against: no smaller error
# worth the bytes, and the quantisation tables are all ones at 100).
QUALITIES = tuple(range(1, 96))
STORAGES = ("float32", "float16", "uint8")
BYTES_PER_NUMBER = {"float32": 4, "float16": 2, "uint8": 1}
LEVELS = 256

_SOI, _EOI, _SOS = 0xD8, 0xD9, 0xDA
# Markers with no length field: SOI, EOI, TEM and the restart markers RST0-RST7.
_STANDALONE = {_SOI, _EOI, 0x01, *range(0xD0, 0xD8)}


def as_grey_levels(images: np.ndarray) -> np.ndarray:
    """(n, 28, 28) images in [0, 1] (or uint8 grey levels) as uint8 grey levels."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images
    if images.size and (not np.all(np.isfinite(images)) or images.min() < 0.0 or images.max() > 1.0):
        raise ValueError("Images must be uint8 grey levels or floats in [0, 1].")
    return np.round(images * 255.0).astype("uint8")


def check_quality(quality: int) -> int:
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)) or not 1 <= quality <= 95:
        raise ValueError(f"A JPEG quality is a whole number from 1 to 95, got {quality!r}.")
    return int(quality)


def encode_jpeg(image: np.ndarray, quality: int, optimize: bool = False, streamtype: int = 0) -> bytes:
    """One (h, w) uint8 grey image as JPEG bytes (streamtype 0: a whole file; 2: abbreviated, no tables)."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, "uint8"), mode="L").save(
        buffer, format="JPEG", quality=check_quality(quality), optimize=optimize, streamtype=streamtype)
    return buffer.getvalue()


def decode_jpeg(data: bytes) -> np.ndarray:
    """A whole JPEG file back to (h, w) uint8 grey levels."""
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as picture:
        return np.asarray(picture.convert("L"))


@dataclass(frozen=True)
class Segment:
    marker: int
    size: int  # Bytes, the marker's own two included.


def segments(data: bytes) -> list[Segment]:
    """The marker segments of a JPEG stream, with the entropy-coded scan as a segment of marker 0.

    Inside the scan a 0xFF byte is followed by 0x00 (a stuffed byte) or a restart marker; the first 0xFF
    followed by anything else ends it.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("Not a JPEG stream: it does not start with SOI.")
    found, position = [Segment(_SOI, 2)], 2
    while position < len(data):
        if data[position] != 0xFF or position + 1 >= len(data):
            raise ValueError(f"Not a JPEG stream: no marker at byte {position}.")
        marker = data[position + 1]
        if marker in _STANDALONE:
            found.append(Segment(marker, 2))
            position += 2
            if marker == _EOI:
                return found
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        found.append(Segment(marker, 2 + length))
        position += 2 + length
        if marker == _SOS:
            start = position
            while position + 1 < len(data) and not (data[position] == 0xFF and data[position + 1] not in (
                    0x00, *range(0xD0, 0xD8))):
                position += 1
            found.append(Segment(0, position - start))
    raise ValueError("Not a JPEG stream: it ends without EOI.")


def scan_bytes(data: bytes) -> bytes:
    """The entropy-coded scan of a baseline JPEG stream: what is left when every shared segment is taken off."""
    position = 0
    for segment in segments(data):
        if segment.marker == 0:
            return data[position:position + segment.size]
        position += segment.size
    raise ValueError("The JPEG stream has no scan.")


@dataclass(frozen=True)
class JpegPoint:
    """One quality over a set of images: mean bytes with and without tables, and the mean MSE on [0, 1]."""

    quality: int
    bytes_with_tables: float
    bytes_without_tables: float
    mse: float


def measure_jpeg(images: np.ndarray, quality: int) -> JpegPoint:
    """Encode every image at one quality both ways (see the module's notes) and decode it again."""
    levels = as_grey_levels(images)
    if levels.ndim != 3 or not len(levels):
        raise ValueError("measure_jpeg needs a non-empty (n, h, w) stack of images.")
    with_tables, without_tables, errors = [], [], []
    for image in levels:
        whole = encode_jpeg(image, quality, optimize=True)
        baseline = encode_jpeg(image, quality, optimize=False)
        with_tables.append(len(whole))
        without_tables.append(len(scan_bytes(baseline)))
        decoded = decode_jpeg(whole).astype("float64") / 255.0
        errors.append(measures.reconstruction_errors(decoded[None], image[None] / 255.0)[0])
    return JpegPoint(check_quality(quality), float(np.mean(with_tables)), float(np.mean(without_tables)),
                     float(np.mean(errors)))


def jpeg_curve(images: np.ndarray, qualities: tuple[int, ...] = QUALITIES) -> list[JpegPoint]:
    return [measure_jpeg(images, quality) for quality in qualities]


def best_quality_within(budget: float, size_of: Callable[[int], float],
                        qualities: tuple[int, ...] = QUALITIES) -> int | None:
    """The highest quality whose size (size_of(quality), e.g. mean bytes of a sample) fits the budget, by binary
    search over qualities (JPEG's size grows with its quality); None when even the lowest does not fit."""
    if not np.isfinite(budget):
        raise ValueError(f"A byte budget must be a finite number, got {budget!r}.")
    low, high, best = 0, len(qualities) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if size_of(qualities[middle]) <= budget:
            best, low = qualities[middle], middle + 1
        else:
            high = middle - 1
    return best


@dataclass(frozen=True)
class Quantiser:
    """Per-dimension 8-bit quantisation: 256 levels from each dimension's minimum to its maximum."""

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def fit(cls, codes: np.ndarray) -> Quantiser:
        codes = np.asarray(codes, "float64")
        if codes.ndim != 2 or not len(codes) or not np.all(np.isfinite(codes)):
            raise ValueError("A quantiser is fitted on a non-empty (n, latent_dim) array of finite codes.")
        return cls(codes.min(axis=0), codes.max(axis=0))

    @property
    def step(self) -> np.ndarray:
        return (self.high - self.low) / (LEVELS - 1)

    def quantise(self, codes: np.ndarray) -> np.ndarray:
        step = self.step
        # A dimension with one value (a code unit that is always off) keeps level 0, which decodes to it.
        scaled = np.divide(np.asarray(codes, "float64") - self.low, step, out=np.zeros_like(codes, "float64"),
                           where=step > 0)
        return np.clip(np.round(scaled), 0, LEVELS - 1).astype("uint8")

    def dequantise(self, levels: np.ndarray) -> np.ndarray:
        return (self.low + np.asarray(levels, "float64") * self.step).astype("float32")


def stored(codes: np.ndarray, storage: str, quantiser: Quantiser | None = None) -> np.ndarray:
    """Codes as they come back after being stored one way (float32 codes come back unchanged)."""
    codes = np.asarray(codes, "float32")
    if storage == "float32":
        return codes
    if storage == "float16":
        return codes.astype("float16").astype("float32")
    if storage == "uint8":
        quantiser = quantiser or Quantiser.fit(codes)
        return quantiser.dequantise(quantiser.quantise(codes))
    raise ValueError(f"Unknown storage {storage!r}; choose one of: {', '.join(STORAGES)}.")


def code_bytes(latent_dim: int, storage: str) -> int:
    if storage not in BYTES_PER_NUMBER:
        raise ValueError(f"Unknown storage {storage!r}; choose one of: {', '.join(STORAGES)}.")
    return latent_dim * BYTES_PER_NUMBER[storage]


def code_storage(encode: Callable, decode: Callable, images: np.ndarray) -> tuple[dict[str, dict], np.ndarray]:
    """For each storage: bytes per image and the mean MSE of decoding the stored codes of images; and the
    reconstructions from the float32 codes (the model's own, for the reader to judge)."""
    codes = np.asarray(encode(images), "float32")
    quantiser = Quantiser.fit(codes)
    figures, reconstructions = {}, None
    for storage in STORAGES:
        decoded = decode(stored(codes, storage, quantiser))
        figures[storage] = {"bytes": code_bytes(codes.shape[1], storage),
                            "mse": float(measures.reconstruction_errors(images, decoded).mean())}
        reconstructions = decoded if reconstructions is None else reconstructions
    return figures, reconstructions


def error_image(original: np.ndarray, reconstruction: np.ndarray) -> np.ndarray:
    """|reconstruction - original| in [0, 1]: white where the copy is wrong, black where it is right."""
    return np.clip(np.abs(np.asarray(reconstruction, "float32") - np.asarray(original, "float32")), 0.0, 1.0)


def jpeg_floor(report: dict) -> dict[str, float]:
    """The fewest mean bytes JPEG gets a 28 x 28 digit down to, with and without tables, from a report."""
    curve = report["jpeg"]["curve"]
    return {"with_tables": min(point["bytes_with_tables"] for point in curve),
            "without_tables": min(point["bytes_without_tables"] for point in curve)}


def load_report(folder: Path) -> dict | None:
    """The compression figures beside the models, checked against the manifest; None if missing, not listed,
    damaged or of another shape (written by an older version of the command)."""
    try:
        store.verify_manifest(Path(folder), (REPORT_FILE,), only_required=True)
        report = store.read_json(Path(folder) / REPORT_FILE)
        curve, recipes = report["jpeg"]["curve"], report["codes"]["recipes"]
        if not curve or not all({"quality", "bytes_with_tables", "bytes_without_tables", "mse"} <= set(point)
                                for point in curve):
            return None
        if not all(set(STORAGES) <= set(item["storage"]) for item in recipes.values()):
            return None
    except (store.ArtifactError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return report


def decoder_bytes(folder: Path, recipe: registry.Recipe) -> int | None:
    """The size on disk of the decoder the app runs for a trained recipe (its ONNX export): the shared
    dictionary every one of its codes needs. None where the file is missing."""
    try:
        return (Path(folder) / store.onnx_name(store.MODEL_FILES[recipe.name][1])).stat().st_size
    except (KeyError, OSError):
        return None


# What the page shows: ten test digits at a time, each as original, reconstruction and error.
ROWS = 10


def draw_rows(seed: int, count: int, rows: int = ROWS) -> np.ndarray:
    """rows different test digits drawn at random (the same ones for the same seed)."""
    return np.sort(np.random.default_rng(seed).choice(count, min(rows, count), replace=False))


def rows_from(first: int, count: int, rows: int = ROWS) -> np.ndarray:
    """rows consecutive test digits from first, wrapping past the end of the test set."""
    return (int(first) + np.arange(min(rows, count))) % count


def triptych_html(recipe_name: str, indices: np.ndarray, originals: np.ndarray, reconstructions: np.ndarray,
                  words: dict[str, str], scale: int = 3) -> str:
    """One row per digit: original, reconstruction, |error|, and the row's MSE; with data-lw hooks (the recipe,
    each row's index and MSE) for outside checks.

    words: "original", "reconstruction", "error" (column heads) and "row" (a template with {index} and {mse}).
    Each picture is sent at its own 28 x 28 pixels and shown scale times larger by the browser, pixels kept
    square: 60 pictures change with each move of the code size, and encoding them larger cost most of the move.
    """
    import html

    from latentwall import pictures

    errors = measures.reconstruction_errors(originals, reconstructions)
    side = registry.MNIST.image_side * scale
    head = "".join(f'<span style="width:{side}px;font-size:0.8rem;color:#555;text-align:center">'
                   f'{html.escape(words[name])}</span>' for name in ("original", "reconstruction", "error"))
    lines = [f'<div style="display:flex;gap:0.4rem">{head}</div>']
    for index, original, copy, mse in zip(indices, originals, reconstructions, errors, strict=False):
        cells = "".join(
            f'<img src="{pictures.data_uri(pictures.upscale(picture, 1))}" width="{side}" height="{side}" '
            f'alt="" style="image-rendering:pixelated;border:1px solid #ddd"/>'
            for picture in (original, copy, error_image(original, copy)))
        caption = html.escape(words["row"].format(index=int(index), mse=float(mse)))
        lines.append(f'<div data-lw="row" data-lw-index="{int(index)}" data-lw-mse="{float(mse):.6f}" '
                     f'style="display:flex;gap:0.4rem;align-items:center">{cells}'
                     f'<span style="font-size:0.8rem;color:#333">{caption}</span></div>')
    mean = float(errors.mean()) if len(errors) else 0.0
    return (f'<div data-lw="triptych" data-lw-recipe="{html.escape(recipe_name)}" data-lw-mse="{mean:.6f}" '
            f'style="display:flex;flex-direction:column;gap:0.3rem">{"".join(lines)}</div>')


def size_series(report: dict, recipes: tuple[registry.Recipe, ...]) -> tuple[list[int], list[float], list[float]]:
    """Code sizes, float32 MSEs and the reader's accuracies of a family's recipes found in the report."""
    found = [(recipe.latent_dim, report["codes"]["recipes"][recipe.name]) for recipe in recipes
             if recipe.name in report["codes"]["recipes"]]
    return ([size for size, _ in found], [item["storage"]["float32"]["mse"] for _, item in found],
            [item["reader_accuracy"] for _, item in found])


def storage_series(report: dict, recipes: tuple[registry.Recipe, ...],
                   storage: str) -> tuple[list[float], list[float], list[int]]:
    """Bytes per image, MSEs and code sizes of a family's recipes stored one way."""
    found = [(recipe.latent_dim, report["codes"]["recipes"][recipe.name]["storage"][storage]) for recipe in recipes
             if recipe.name in report["codes"]["recipes"]]
    return [item["bytes"] for _, item in found], [item["mse"] for _, item in found], [size for size, _ in found]


def jpeg_at_floor(report: dict) -> dict:
    """The cheapest quality without tables, and its bytes both ways and MSE."""
    point = min(report["jpeg"]["curve"], key=lambda item: (item["bytes_without_tables"], -item["quality"]))
    return dict(point)
