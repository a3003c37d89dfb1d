"""Pictures from images in [0, 1]: enlarged with crisp pixels, tiled into montages, inline data URIs, and PNG
files to take away (a decoded image with its words, a filmstrip, and a whole wall).

Words are written with a CJK font where one is installed (Debian's fonts-wqy-microhei), so Chinese renders;
where none is and the words need one, the picture comes without its words rather than with empty boxes.
"""

from __future__ import annotations

import base64
import io
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Fonts that cover Chinese, in order of preference (the first is Debian's 5 MB fonts-wqy-microhei).
CJK_FONTS = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
             Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"))
MARGIN = 12


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


@cache  # A font file is read once per process and size.
def font_for(needs_cjk: bool, size: int = 16) -> ImageFont.FreeTypeFont | ImageFont.ImageFont | None:
    """A font that can write the words, or None if the words need Chinese and no such font is installed."""
    for path in CJK_FONTS:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return None if needs_cjk else ImageFont.load_default(size)


def needs_cjk(words: str) -> bool:
    return any(ord(character) > 0x2E80 for character in words)


def png(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def with_words(picture: Image.Image, lines: list[str]) -> Image.Image:
    """The picture on a white sheet with the lines written under it (left out if no font can write them)."""
    font = font_for(needs_cjk("".join(lines)))
    if font is None or not lines:
        return picture
    line_height = int(font.size * 1.4) if hasattr(font, "size") else 18
    width = max([picture.width, *(int(font.getlength(line)) for line in lines)]) + 2 * MARGIN
    sheet = Image.new("RGB", (width, picture.height + 2 * MARGIN + line_height * len(lines)), "white")
    sheet.paste(picture.convert("RGB"), (MARGIN, MARGIN))
    draw = ImageDraw.Draw(sheet)
    for number, line in enumerate(lines):
        draw.text((MARGIN, picture.height + MARGIN + 4 + number * line_height), line, fill="#222222", font=font)
    return sheet


def decoded_png(image: np.ndarray, lines: list[str], scale: int = 8) -> bytes:
    """A decoded image, enlarged with square pixels, with its coordinate and the reader's verdict under it."""
    return png(with_words(upscale(image, scale), lines))


def filmstrip_png(images: np.ndarray, lines: list[str], scale: int = 3) -> bytes:
    """A row of decoded images (start on the left) with a caption."""
    return png(with_words(upscale(montage(images, len(images)), scale), lines))


def wall_png(codes: np.ndarray, labels: np.ndarray, box: tuple[float, float, float, float], colours: tuple[str, ...],
             lines: list[str], side: int = 720, dot: int = 2) -> bytes:
    """Every code as a dot coloured by its digit over box, on a square picture, with a caption."""
    picture = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(picture)
    x_min, x_max, y_min, y_max = box
    pixels_x = (np.asarray(codes)[:, 0] - x_min) / (x_max - x_min) * (side - 1)
    pixels_y = (y_max - np.asarray(codes)[:, 1]) / (y_max - y_min) * (side - 1)
    for x, y, label in zip(pixels_x, pixels_y, labels, strict=False):
        draw.ellipse((x - dot, y - dot, x + dot, y + dot), fill=colours[int(label) % len(colours)])
    draw.rectangle((0, 0, side - 1, side - 1), outline="#999999")
    return png(with_words(picture, lines))
