"""Oracles for the page tests: what a page shows, read back as numbers (pictures, chart arrays), and computed
again independently (the named model's own decode, the straight path), so a page wired to the wrong model, a
swapped column or a control that no longer changes what it names turns a test red."""

from __future__ import annotations

import base64
import io
import re

import numpy as np
import pytest

from latentwall import i18n, measures

STRINGS = i18n.load_strings("en")


@pytest.fixture
def media(monkeypatch) -> dict[str, bytes]:
    """Every media file the app stores during the test, by its file id (the name in its /media/ address)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    stored: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        file_id = keep(self, path_or_data, mimetype, kind, filename)
        if isinstance(path_or_data, bytes):
            stored[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return stored


def values(array) -> np.ndarray:
    """A Plotly figure's array as sent to the browser: a plain list, or typed bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
    return np.asarray(array, dtype="float64")


def verdict_captions(model, reader, codes: np.ndarray) -> list[str]:
    """What the wall page must write under each painted code: the named model's decode, read by the reader."""
    digits, confidences = reader.read(model.decoder.decode(codes))
    return [STRINGS("wall.verdict_yes" if measures.verdict_is_readable(confidence) else "wall.verdict_no",
                    digit=int(digit), confidence=float(confidence)) for digit, confidence in zip(digits, confidences,
                                                                                                strict=True)]


def grey(data: bytes) -> np.ndarray:
    """A PNG's pixels in [0, 1]."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype="float64") / 255.0


def pictures_by_caption(test, media: dict[str, bytes]) -> dict[str, np.ndarray]:
    """Each st.image picture the page shows, by its caption, as pixels in [0, 1]."""
    shown = {}
    for element in test.get("image"):
        for image in element.proto.imgs:
            shown[image.caption] = grey(media[image.url.rsplit("/", 1)[1].split(".")[0]])
    return shown


def as_shown(images: np.ndarray, scale: int) -> np.ndarray:
    """Decoded (n, h, w) images side by side, as the page draws them: grey levels, each pixel scale times."""
    row = np.concatenate(list(np.clip(images, 0.0, 1.0)), axis=1)
    return np.kron(np.round(row * 255) / 255, np.ones((scale, scale)))


def straight_path(start: np.ndarray, end: np.ndarray, positions) -> np.ndarray:
    """Codes at w along the line from start (w = 0) to end (w = 1): (1 - w) * start + w * end."""
    positions = np.asarray(positions, dtype="float64")[:, None]
    return (1.0 - positions) * start[None, :] + positions * end[None, :]


def first_inline_picture(html: str, hook: str) -> np.ndarray:
    """The first picture inside the element marked data-lw=<hook> (the page sends it inline, as PNG data)."""
    block = html[html.index(f'data-lw="{hook}"'):]
    return grey(base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', block)[1]))


def sheet(images: np.ndarray, columns: int, scale: int) -> np.ndarray:
    """Decoded images tiled row by row, columns wide, as shown: grey levels, each pixel scale times."""
    rows = [np.concatenate(list(images[start:start + columns]), axis=1) for start in range(0, len(images), columns)]
    return np.kron(np.round(np.clip(np.concatenate(rows, axis=0), 0, 1) * 255) / 255, np.ones((scale, scale)))


def row_pictures(html: str, role: str) -> list[np.ndarray]:
    """The pictures of the denoising examples' row of that role."""
    block = html[html.index(f'data-lw="row" data-lw-role="{role}"'):]
    block = block[:block.index('data-lw="row"', 1)] if 'data-lw="row"' in block[1:] else block
    return [grey(base64.b64decode(data)) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', block)]
