"""Forged values: what no real page sends, for every kind of message a hostile tab can forge (a click, a widget's
value of any type, a drawing, a query string, a page, an address)."""

from __future__ import annotations

import base64
import functools
import io
import json
import struct
import time
import zlib

import numpy as np
from PIL import Image
from streamlit.proto.WidgetStates_pb2 import WidgetState

from bench.class_load.course import (
    CODE_SIZE,
    DRAW_PAD,
    KINDS,
    LANGUAGE,
    MODEL_WIDGET,
    NOISE_LEVEL,
    THRESHOLD_PREFIX,
    VAE20_DRAW,
    wall_key,
)
from bench.class_load.pad import PAD_SIDE, pad_strokes, pad_value, png_bytes
from lessons import anomaly, compare, compression, denoising, interpolation, models, vae20, wall, your_digit
from lessons.your_digit import logic as drawing

# Values no real page sends: not finite, too big for a float, of the wrong type, or very long.
ODD_VALUES = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 10**400, -(10**400), -0.0, "1e999", "",
              "abc", "<script>alert(1)</script>", None, True, [], {}, [1, 2], {"x": 1}, "x" * 50_000]
ODD_STRINGS = ["", "GAN", "12", "-1", "nan", "<img src=x onerror=alert(1)>", "\u202e\u0000", "x" * 100_000,
               "Autoencoder (AE)\x00"]
ODD_QUERIES = ["x=nan&y=inf", "x=1e999&y=-1e999&model=gan", "model=%00&lang=../../etc", "a=-1&b=1e99&w=NaN",
               "a=9999999999999999999999&b=abc&w=2", "lang=" + "x" * 5000, "missing=<script>alert(1)</script>",
               "%ff%fe=%00", "x=1&x=2&x=3&y=[]", "w=0.5&w=inf&page=../../"]
ODD_PAGES = ["../../etc/passwd", "wall/extra", "app_pages/wall.py", "nope", "%00", "a" * 3000, "_stcore", "wall?x=1"]
# Widgets the pages draw (by key), ids no page draws, and ids equal to the app's own session keys.
WIDGET_TARGETS = [MODEL_WIDGET, wall.PAINT_COUNT, interpolation.WEIGHT, interpolation.CLASS_START,
                  f"{interpolation.WAY}-{LANGUAGE}", interpolation.INDEX_START, compare.CLAIMS_REVEAL,
                  "language-switch", wall.PAINT_BUTTON, interpolation.REROLL, wall_key(KINDS[0]), CODE_SIZE,
                  f"comp-way-{LANGUAGE}", compression.FIRST, compression.DRAW, NOISE_LEVEL,
                  f"{denoising.KIND}-{LANGUAGE}", f"{anomaly.KIND}-{LANGUAGE}", f"{anomaly.HELD_OUT}-{LANGUAGE}",
                  THRESHOLD_PREFIX + "no-such-case", VAE20_DRAW, f"{models.CHOICE}-{LANGUAGE}", DRAW_PAD,
                  your_digit.UPLOAD, "language", "session-resets", compression.SEED, denoising.KIND, vae20.DRAWS,
                  models.CHOICE, your_digit.SOURCE, "no-such-widget", "$$ID-forged-x"]

# Addresses a browser (or anyone) can ask nginx for.
ODD_ADDRESSES = ["/wall?x=nan&y=inf&model=gan", "/wall/extra", "/app_pages/wall.py", "/%2e%2e/%2e%2e/etc/passwd",
                 "/media/../../etc/passwd", "/media/nope.png", "/_stcore/stream", "/component/x/../../app.py",
                 "/?lang=" + "x" * 5000, "/wall?%00=%ff", "/" + "a" * 9000, "/interpolation?a=-1&b=1e99&w=NaN",
                 "/compare?lang=../../&missing=%3Cscript%3E", "/_stcore/health?x=%00", "/static/../../../etc/passwd"]


def odd_click(rng: np.random.Generator) -> str:
    """A click listener's trigger payload with one part forged."""
    click = {"x": 0.0, "y": 0.0, "index": None, "at": int(time.time() * 1000)}
    shape = int(rng.integers(6))
    if shape == 0:
        click[str(rng.choice(list(click)))] = ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]
        return json.dumps([{"event": "click", "value": click}])
    if shape == 1:
        return json.dumps([{"event": "click", "value": ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]}])
    if shape == 2:
        return json.dumps([{"event": str(rng.choice(["clack", "recover", "", "__proto__"])), "value": click}])
    if shape == 3:
        return str(rng.choice(['{"event": "click", "value": 7}', "{[", "", "null", "[null]", "NaN", '"text"',
                               "[" * 500 + "]" * 500]))
    if shape == 4:
        return json.dumps([{"event": "click", "value": click}] * int(rng.integers(2, 200)))
    return json.dumps([{"event": "click", "value": {"x": float(rng.normal(0, 1e6)), "y": float(rng.normal(0, 1e6)),
                                                    "index": int(rng.integers(-2**40, 2**40))}}])


def odd_widget(rng: np.random.Generator, target: str | None = None) -> WidgetState:
    """A widget value of any type, for this id or any: a page's own widgets, unknown ones and the app's own keys."""
    target = target or WIDGET_TARGETS[int(rng.integers(len(WIDGET_TARGETS)))]
    kind = int(rng.integers(12))
    if kind == 0:
        return WidgetState(id=target, int_value=int(rng.choice([2**63 - 1, -(2**63), 3, -1])))
    if kind == 1:
        return WidgetState(id=target, double_value=float(rng.choice([np.nan, np.inf, -np.inf, 1e308, -5.0])))
    if kind == 2:
        return WidgetState(id=target, string_value=ODD_STRINGS[int(rng.integers(len(ODD_STRINGS)))])
    if kind == 3:
        data = [[], [np.nan], [np.inf, -np.inf], [1e308] * 3, [0.5] * 1000, [-0.0], [0.8000001]][int(rng.integers(7))]
        return WidgetState(id=target, double_array_value={"data": data})
    if kind == 4:
        return WidgetState(id=target, json_value=str(rng.choice(['{"x": NaN}', "[", "null", '{"a": ' * 50 + "1" +
                                                                 "}" * 50, '{"drawing": 1e999}'])))
    if kind == 5:
        return WidgetState(id=target, bool_value=bool(rng.integers(2)))
    if kind == 6:  # A select slider's choice: options no page offers, several at once, very many, very long.
        data = [[], ["nan"], ["1e999", "-1"], ["x" * 100_000], [str(index) for index in range(10_000)], ["8", "8"],
                ["<script>alert(1)</script>"], ["0.0000"]][int(rng.integers(8))]
        return WidgetState(id=target, string_array_value={"data": data})
    if kind == 7:
        data = [[], [2**63 - 1], [-(2**63)], [-1] * 1000][int(rng.integers(4))]
        return WidgetState(id=target, int_array_value={"data": data})
    if kind == 8:  # An uploaded file that was never uploaded, with odd names, sizes and addresses.
        info = {"name": str(rng.choice(["../../etc/passwd", "", "x" * 5000, "digit.png"])),
                "size": int(rng.choice([0, 1, 2**63])), "file_id": str(rng.choice(["forged", "", "../" * 20])),
                "file_urls": {"file_id": "forged", "upload_url": "/_stcore/upload_file/../../etc",
                              "delete_url": "http://elsewhere.example/"}}
        files = [info] * int(rng.integers(1, 4))
        return WidgetState(id=target, file_uploader_state_value={"uploaded_file_info": files})
    if kind == 9:
        return WidgetState(id=target, string_trigger_value={"data": ODD_STRINGS[int(rng.integers(len(ODD_STRINGS)))]})
    if kind == 10:
        return WidgetState(id=target, json_trigger_value=odd_click(rng))
    return WidgetState(id=target, trigger_value=True)


def bomb_png(side: int = 50_000) -> bytes:
    """A PNG whose header declares side x side pixels, with almost no pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" * (1 + side // 8) * 64)  # The first 64 rows of a 1-bit picture; the rest is missing.
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@functools.cache  # Made once per process.
def odd_pictures() -> tuple[bytes, ...]:
    """Files the pad never makes: blank or nearly, tiny, huge in pixels, cut short, animated, not PNG at all."""
    good = png_bytes(Image.new("L", (PAD_SIDE, PAD_SIDE), 255))
    animated = io.BytesIO()
    Image.new("L", (64, 64), 0).save(animated, format="PNG", save_all=True,
                                      append_images=[Image.new("L", (64, 64), 255)])
    gif = io.BytesIO()
    Image.new("L", (64, 64), 0).save(gif, format="GIF")
    speck = Image.new("L", (PAD_SIDE, PAD_SIDE), 255)
    speck.putpixel((140, 140), 0)
    return (good, png_bytes(speck), png_bytes(Image.new("L", (1, 1), 0)), bomb_png(),
            png_bytes(Image.new("1", (2100, 2000), 1)), good[: len(good) // 2], animated.getvalue(), gif.getvalue(),
            png_bytes(Image.new("I;16", (64, 64), 40_000)), png_bytes(Image.new("P", (64, 64), 3)),
            b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"This is not a picture of a digit.", b"")


def drawing_event(value, event: str = "drawing") -> str:
    return json.dumps([{"event": event, "value": value}])


def odd_drawing(rng: np.random.Generator) -> str:
    """A forged event of the drawing pad (JSON text, as the pad's trigger sends it): odd types, odd pictures, data
    addresses that are too long or not PNG, a stroke list instead of a picture, deep nesting, text that is no
    JSON, events of other names, and a good drawing among forged fields."""
    shape = int(rng.integers(7))
    if shape == 0:
        return drawing_event(ODD_VALUES[int(rng.integers(len(ODD_VALUES)))])
    if shape == 1:
        pictures = odd_pictures()
        picture = pictures[int(rng.integers(len(pictures)))]
        return drawing_event(drawing.DATA_URL_PREFIX + base64.b64encode(picture).decode("ascii"))
    if shape == 2:
        return drawing_event(str(rng.choice([
            drawing.DATA_URL_PREFIX + "A" * (drawing.MAX_DATA_URL_CHARS + 4), "data:text/html;base64,PGgxPg==",
            drawing.DATA_URL_PREFIX + "@@@", drawing.DATA_URL_PREFIX, drawing.DATA_URL_PREFIX + " iVBO R w0K ",
            "javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zy8+"])))
    if shape == 3:  # Points instead of a picture: a few, many, or more than a session may hold.
        points = rng.uniform(-1e6, 1e6, size=(int(rng.choice([10, 10_000, 80_000])), 2)).round(1).tolist()
        return drawing_event([points], str(rng.choice(["drawing", "strokes"])))
    if shape == 4:
        depth = int(rng.choice([50, 5_000, 100_000]))
        return '[{"event": "drawing", "value": ' + "[" * depth + "]" * depth + "}]"
    if shape == 5:
        return str(rng.choice(["[", "null", '"drawing"', "[1, 2]", "NaN", "", "{}", "true", '[{"event": "drawing"}]',
                               '[{"event": "drawing", "value": NaN}]', "{" * 1000, '[{"event": "drawing", "val']))
    good = pad_value(pad_strokes(rng))
    return json.dumps([{"event": "drawing", "value": good, "words": {"pad": "<img src=x onerror=alert(1)>"},
                        "__proto__": {"x": 1}}, {"event": "drawing ", "value": 10**400}])
