"""The answer to a click on a wall: the decoded code, the reader's verdict and the nearest test digits.

Gathered in one call, as plain values, so the page only renders it and tests can check it without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from latentwall import latent
from latentwall.inputs import Pick

if TYPE_CHECKING:  # Only for the hints: inference loads the models this module reads.
    from latentwall import inference


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


def answer_click(model: inference.LatentModel, reader: inference.Reader, pick: Pick, images: np.ndarray | None,
                 neighbours: int = 5) -> ClickAnswer:
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
                  for index, distance in zip(indices, distances, strict=False))
    answer = {"code": pick.code, "image": decoded[0], "digit": int(digits[0]), "confidence": float(confidences[0]),
              "neighbours": found,
              "neighbour_images": () if images is None else tuple(images[item.index] for item in found)}
    if pick.index is not None:
        answer.update(index=pick.index, label=int(wall.labels[pick.index]), reconstruction=decoded[1],
                      original=None if images is None else images[pick.index])
    return ClickAnswer(**answer)
