"""Pictures a student (or someone poking at a classroom server) might upload, made on the fly: nothing here is
committed as a binary. Each bad file comes with the refusal the page must give it.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from lessons.your_digit import logic as drawing


def png(picture: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", **options)
    return buffer.getvalue()


def jpeg(picture: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", **options)
    return buffer.getvalue()


def drawn_seven(size: int = 200, ink: str = "black", paper: str = "white", mode: str = "RGB") -> Image.Image:
    """A thick seven in the middle of a page: dark on light by default, as a pen on paper."""
    picture = Image.new(mode, (size, size), paper)
    pen = ImageDraw.Draw(picture)
    unit = size / 10
    pen.line([(3 * unit, 2.5 * unit), (7 * unit, 2.5 * unit), (4.5 * unit, 8 * unit)], fill=ink,
             width=max(2, int(unit)), joint="curve")
    return picture


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def bomb_png(side: int = 100_000) -> bytes:
    """A valid PNG header declaring side x side one-bit pixels, with a little compressed data after it."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * 10_000, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def text_bomb_png() -> bytes:
    """A small good picture with a compressed text chunk that inflates to 64 MB (past Pillow's 1 MB limit)."""
    good = png(drawn_seven(64))
    inflating = zlib.compress(b"A" * (64 * 1024 * 1024), 9)
    chunk = _chunk(b"zTXt", b"Comment\x00\x00" + inflating)
    return good[:33] + chunk + good[33:]  # Right after the 8-byte signature and the 25-byte IHDR chunk.


def huge_metadata_png() -> bytes:
    """A good picture carrying a 700 kB text chunk of noise: within the file cap, and harmless."""
    noise = np.random.default_rng(3).integers(33, 126, 700_000, dtype=np.uint8).tobytes()
    good = png(drawn_seven(64))
    return good[:33] + _chunk(b"tEXt", b"Comment\x00" + noise) + good[33:]


def animated_png() -> bytes:
    frames = [drawn_seven(64), drawn_seven(64, ink="grey")]
    return png(frames[0], save_all=True, append_images=frames[1:], duration=100, loop=0)


def animated_gif() -> bytes:
    buffer = io.BytesIO()
    frames = [drawn_seven(64).convert("P"), drawn_seven(64, ink="grey").convert("P")]
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buffer.getvalue()


def tiff() -> bytes:
    buffer = io.BytesIO()
    drawn_seven(64).save(buffer, format="TIFF")
    return buffer.getvalue()


def over_the_cap() -> bytes:
    """A real PNG of noise, larger than the page's cap but under Streamlit's own 1 MB upload limit."""
    noise = np.random.default_rng(5).integers(0, 256, (560, 560, 3), dtype=np.uint8)
    data = png(Image.fromarray(noise, "RGB"), compress_level=0)
    assert drawing.MAX_FILE_BYTES < len(data) < 1024 * 1024, len(data)
    return data


def sixteen_bit_seven() -> bytes:
    """A 16-bit grey PNG (mode I;16): dark ink on a light page, on the full 0-65535 scale."""
    ink = np.asarray(drawn_seven(96, mode="L"), dtype=np.uint16) * 257
    return png(Image.fromarray(ink))


def cmyk_seven() -> bytes:
    return jpeg(drawn_seven(96).convert("CMYK"), quality=95)


# name -> (file bytes, the refusal it must get); every name ends as the student's file would.
def bad_files() -> dict[str, tuple[bytes, str]]:
    good = png(drawn_seven(64))
    return {
        "bomb.png": (bomb_png(), drawing.TOO_MANY_PIXELS),
        "wide.png": (png(Image.new("1", (4000, 1100), 1)), drawing.TOO_MANY_PIXELS),
        "too-big.png": (over_the_cap(), drawing.TOO_LARGE_FILE),
        "truncated.png": (good[: len(good) // 2], drawing.DAMAGED),
        "empty.png": (b"", drawing.EMPTY),
        "tiff-renamed.png": (tiff(), drawing.NOT_AN_IMAGE),
        "animated-gif.png": (animated_gif(), drawing.NOT_AN_IMAGE),
        "animated.png": (animated_png(), drawing.ANIMATED),
        "random.png": (np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes(),
                       drawing.NOT_AN_IMAGE),
        "text.png": (b"This is not a picture of a digit, it is a sentence.\n" * 20, drawing.NOT_AN_IMAGE),
        "one-pixel.png": (png(Image.new("L", (1, 1), 0)), drawing.TOO_SMALL),
        "blank.png": (png(Image.new("RGB", (120, 120), "white")), drawing.NO_INK),
        "text-bomb.png": (text_bomb_png(), drawing.DAMAGED),
        "broken-jpeg.jpg": (jpeg(drawn_seven(96))[:300], drawing.DAMAGED),
        "signature-only.png": (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, drawing.NOT_AN_IMAGE),
    }


# Pictures that must work, each of a different kind.
def good_files() -> dict[str, bytes]:
    return {
        "seven.png": png(drawn_seven()),
        "seven-on-black.png": png(drawn_seven(ink="white", paper="black")),
        "seven.jpg": jpeg(drawn_seven(), quality=90),
        "seven-cmyk.jpg": cmyk_seven(),
        "seven-16bit.png": sixteen_bit_seven(),
        "seven-palette.png": png(drawn_seven().convert("P")),
        "seven-transparent.png": png(_transparent_seven()),
        "seven-metadata.png": huge_metadata_png(),
        "seven-grey-photo.jpg": jpeg(drawn_seven(300, ink=(60, 60, 60), paper=(170, 165, 160)), quality=80),
    }


def _transparent_seven() -> Image.Image:
    """Black ink on a fully transparent page (a browser shows it on white)."""
    seven = drawn_seven(mode="L")
    alpha = Image.eval(seven, lambda value: 255 - value)
    picture = Image.new("LA", seven.size)
    picture.putalpha(alpha)
    return picture


def write_all(folder: Path) -> dict[str, Path]:
    """Every bad and good file written into folder, by name."""
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, (data, _) in bad_files().items():
        written[name] = folder / name
        written[name].write_bytes(data)
    for name, data in good_files().items():
        written[name] = folder / name
        written[name].write_bytes(data)
    return written
