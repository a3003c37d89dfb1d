"""A digit on the drawing pad, as assets/draw_pad.js sends it: a few pen strokes, moved, scaled and shaken a
little, drawn on the pad's canvas and sent as a PNG data address."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image, ImageDraw

from lessons.your_digit import logic as drawing

PAD_SIDE, PEN_WIDTH = 280, 22  # The pad's canvas and pen (assets/draw_pad.js).
# Pen strokes of a few digits, as points on the pad (0 to 1 across and down); a student's digit is one of these,
# moved, scaled and shaken a little, so no two students send the same picture.
STROKES = {
    "1": (((0.40, 0.28), (0.54, 0.16), (0.54, 0.84)),),
    "4": (((0.56, 0.16), (0.28, 0.58), (0.74, 0.58)), ((0.60, 0.34), (0.60, 0.86))),
    "7": (((0.26, 0.20), (0.74, 0.20), (0.56, 0.50), (0.42, 0.84)),),
    "0": (tuple((0.5 + 0.22 * np.sin(angle), 0.5 - 0.32 * np.cos(angle)) for angle in np.linspace(0, 2 * np.pi, 25)),),
    "2": (((0.28, 0.32), (0.40, 0.18), (0.60, 0.17), (0.70, 0.32), (0.30, 0.82), (0.74, 0.82)),),
}


def pad_strokes(rng: np.random.Generator) -> list[list[tuple[float, float]]]:
    """A few strokes of a digit in the pad's pixels."""
    shape = STROKES[str(rng.choice(sorted(STROKES)))]
    scale, shift = rng.uniform(0.7, 1.0), rng.uniform(-0.1, 0.1, size=2)
    return [[tuple(PAD_SIDE * (0.5 + scale * (np.asarray(point) - 0.5) + shift + rng.normal(0, 0.01, size=2)))
             for point in stroke] for stroke in shape]


def pad_value(strokes: list[list[tuple[float, float]]]) -> str:
    """What the pad sends when a stroke ends: its whole canvas (black ink, round pen, white paper) as a PNG
    data address."""
    canvas = Image.new("RGBA", (PAD_SIDE, PAD_SIDE), (255, 255, 255, 255))
    pen = ImageDraw.Draw(canvas)
    radius = PEN_WIDTH / 2
    for stroke in strokes:
        pen.line(stroke, fill=(0, 0, 0, 255), width=PEN_WIDTH, joint="curve")
        for x, y in stroke:  # Round caps on every segment, as the canvas draws them.
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(0, 0, 0, 255))
    return drawing.DATA_URL_PREFIX + base64.b64encode(png_bytes(canvas)).decode("ascii")


def png_bytes(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()
