"""A whole lesson through nginx (deploy/): students who use every page, sessions that come and go, and
forged messages from many sessions at once.

`python -m training.benchmark_classroom --through-nginx` runs these; tests/test_deploy_load.py runs a small
version. A student here is a protocol-level client (training/student.py) that first fetches its page through
nginx, as a browser does, and keeps the route cookie nginx hands out: its websocket and the pictures it
fetches then stay on the replica that holds its session.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import html.parser
import io
import json
import struct
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import websockets
from PIL import Image, ImageDraw
from streamlit.proto.WidgetStates_pb2 import WidgetState

from latentwall import config, i18n, latent, registry, store
from lessons.anomaly import logic as anomaly
from lessons.your_digit import logic as drawing
from training.student import Run, Student

KINDS = tuple(recipe.name for recipe in registry.WALL_PAIR)
LANGUAGE = i18n.DEFAULT_LANGUAGE
MODEL_WIDGET = f"model-{LANGUAGE}"  # The sidebar's model switch, drawn under a key per language.
FINISHED = ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
# Every page's address (app.py's PAGE_PATHS; the home page aside).
PAGES = ("wall", "interpolation", "compare", "compression", "models", "denoising", "vae20", "anomaly", "draw")

# One pass over the app, as a student works through the lesson: the gallery wall and its clicks, the other
# model, the interpolation's weight and digits, the two walls side by side, then what a code of each size keeps,
# the list of models, the noise the denoising AE takes away, digits drawn from the 20-D VAE's prior, the anomaly
# threshold, and a digit of the student's own on the pad. About 26 actions, a minute at ~2 s each.
LESSON = ("open wall", "click wall", "click wall", "switch model", "click wall",
          "open interpolation", "move slider", "move slider", "pick digit",
          "open compare", "click compare", "click compare",
          "open compression", "set code size", "set code size",
          "open models",
          "open denoising", "set noise", "set noise",
          "open vae20", "draw samples",
          "open anomaly", "move threshold", "move threshold",
          "open your digit", "draw digit", "draw digit")
# A shorter visit, for the soak: every page once, a click or a step on each.
VISIT = ("open wall", "click wall", "switch model", "click wall", "open interpolation", "move slider",
         "pick digit", "open compare", "click compare", "open compression", "set code size", "open models",
         "open denoising", "set noise", "open vae20", "draw samples", "open anomaly", "move threshold",
         "open your digit", "draw digit")
# What a student does with one click or one small move, and expects to see answered at once.
CLICK_LIKE = ("click wall", "switch model", "move slider", "pick digit", "click compare", "set code size",
              "set noise", "draw samples", "move threshold", "draw digit")
# Seconds between a student's actions (each varies by +-20%), as in the single-server benchmark.
THINK_S = 2.0

# Widget keys of the pages (app_pages/*.py), as their explicit key= names them.
CODE_SIZE, NOISE_LEVEL, VAE20_DRAW, DRAW_PAD = "comp-size", "denoise-level", "vae20-draw", "digit-pad"
THRESHOLD_PREFIX = "anomaly-threshold-"  # Followed by the anomaly case the page shows.
PAD_COMPONENT = "latent_wall.draw_pad"
SWEEPS = (registry.sweep("dense-ae"), registry.sweep("pca"))  # The compression page's two families.
PAD_SIDE, PEN_WIDTH = 280, 22  # The pad's canvas and pen (assets/draw_pad.js).


def wall_key(kind: str) -> str:
    return f"wall-pick-{kind}"


def compare_key(kind: str) -> str:
    return f"compare-pick-{kind}"


def wall_boxes(models_root: Path) -> dict[str, tuple[float, float, float, float]]:
    """Each wall model's box, where its students click."""
    return {kind: latent.wall_box(store.load_wall(store.wall_path(config.dataset_dir(models_root), kind)))
            for kind in KINDS}


@dataclass(frozen=True)
class Course:
    """What the students' checks know of the models the class is served from: each wall's box (where to
    click), and the anomaly report's cases (what the threshold slider must show), {} without a report."""

    boxes: dict[str, tuple[float, float, float, float]]
    anomaly_cases: dict[str, dict]


def course(models_root: Path) -> Course:
    report = anomaly.load_report(config.dataset_dir(models_root))
    return Course(wall_boxes(models_root), (report or {}).get("cases", {}))


# --- A digit on the pad, as draw_pad.js sends it -----------------------------------------------------------------

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


# --- HTTP through nginx, as the browser's own requests (page shell, pictures) ---------------------------------

async def http_get(base_url: str, target: str, cookie: str | None = None,
                   timeout: float = 30.0) -> tuple[int, dict[str, list[str]], bytes]:
    """GET target (sent as is, odd or not) from base_url: status, headers by lower-case name, raw body."""
    host_port = base_url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
    try:
        lines = [f"GET {target} HTTP/1.1", f"Host: {host_port}", "Connection: close"]
        lines += [f"Cookie: {cookie}"] if cookie else []
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = defaultdict(list)
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    return int(status_line.split()[1]), headers, body


async def route_cookie(base_url: str, page: str) -> str | None:
    """The route cookie nginx gives a browser on its first request (None straight to a replica)."""
    _, headers, _ = await http_get(base_url, f"/{page}")
    for value in headers.get("set-cookie", []):
        if value.startswith("lw_route="):
            return value.split(";", 1)[0]
    return None


# --- One student over the whole app ---------------------------------------------------------------------------

@dataclass
class Tally:
    """What a class's students saw: each action's latencies, and every problem, by action."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    sessions: int = 0

    @property
    def actions(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values()) + len(self.errors)


def problem_of(run: Run) -> str | None:
    """Why a run is not what a student should see, or None if it is."""
    if run.errors:
        return f"error shown: {run.errors[0][:120]}"
    if run.status not in FINISHED:
        return f"run ended {run.status}"
    if run.recovered:
        return "the session was reset"
    return None


def listener_data(run: Run) -> list[dict]:
    """What the run sent to each component (a wall's listener: its scope, model, and any path or landing)."""
    return [json.loads(element.bidi_component.json or "{}") for element in run.of_type("bidi_component")]


def scopes(run: Run) -> set[str]:
    """The walls whose click listeners the run drew, by their container key."""
    return {str(data.get("scope") or "").removeprefix("st-key-").removesuffix("-area") for data in listener_data(run)}


def captions(run: Run) -> list[str]:
    return [image.caption for element in run.of_type("imgs") for image in element.imgs.imgs]


class _Hooks(html.parser.HTMLParser):
    """Every element of an HTML body that carries a data-lw hook: (its hook, its data-lw-* and src attributes)."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if "data-lw" in values:
            self.found.append((values["data-lw"] or "", {name.removeprefix("data-lw-"): value or "" for name, value
                                                           in values.items() if name.startswith("data-lw-")}))
        elif tag == "img" and self.found:  # A picture belongs to the hooked block it is drawn in.
            self.found[-1][1].setdefault("src", values.get("src") or "")


def hooked(run: Run) -> list[list[tuple[str, dict[str, str]]]]:
    """The data-lw hooks of each HTML block the run drew, block by block."""
    blocks = []
    for element in run.of_type("html"):
        parser = _Hooks()
        parser.feed(element.html.body)
        blocks.append(parser.found)
    return blocks


def metrics(run: Run) -> dict[str, str]:
    return {element.metric.label: element.metric.body for element in run.of_type("metric")}


def percent(share: float | None) -> str:
    """A share as the anomaly page shows it."""
    return "–" if share is None else f"{share:.1%}"


def picture_of(data_uri: str) -> np.ndarray:
    """A PNG data address as a grey 28x28 image in [0, 1] (the page shows its 28x28 images enlarged)."""
    data = base64.b64decode(data_uri.removeprefix(drawing.DATA_URL_PREFIX))
    with Image.open(io.BytesIO(data), formats=["PNG"]) as picture:
        return np.asarray(picture.convert("L").resize((drawing.SIDE, drawing.SIDE), Image.Resampling.NEAREST),
                          dtype="float32") / 255.0


def slider_key(element) -> str:
    return element.slider.id.split("-", 2)[2] if element.slider.id.startswith("$$ID-") else element.slider.id


class Learner:
    """One browser tab over the whole app: each action sends what the page would and checks what comes back."""

    def __init__(self, url: str, course: Course, rng: np.random.Generator):
        self.url, self.course, self.rng = url, course, rng
        self.student: Student | None = None
        self.kind = KINDS[0]  # The model the sidebar shows: the app opens on the first of the pair.
        self.strings = i18n.load_strings(LANGUAGE)
        self.sliders: dict = {}  # The last page's sliders by key, as drawn: their options, ends and step.
        self.samples = ""  # The 20-D VAE's last sheet of samples, as shown.
        self.code_size: int | None = None  # The code size the compression page last showed.
        self.noise: dict[str, str] = {}  # The denoising examples last shown: their kind, level and PSNRs.

    async def enter(self, page: str = "wall") -> None:
        self.student = Student(self.url, await route_cookie(self.url, page))

    async def leave(self) -> None:
        if self.student is not None:
            await self.student.close()

    def spot(self, kind: str) -> tuple[float, float]:
        x_min, x_max, y_min, y_max = self.course.boxes[kind]
        return (float(self.rng.uniform(x_min + 0.1 * (x_max - x_min), x_max - 0.1 * (x_max - x_min))),
                float(self.rng.uniform(y_min + 0.1 * (y_max - y_min), y_max - 0.1 * (y_max - y_min))))

    async def act(self, action: str, tally: Tally) -> bool:
        """Do one action; record its latency (server run plus the pictures it shows) or its problem."""
        started = time.perf_counter()
        try:
            run, problem = await getattr(self, action.replace(" ", "_"))()
            problem = problem or await self.fetch_pictures(run)
        except (OSError, asyncio.TimeoutError, KeyError, websockets.ConnectionClosed) as error:
            problem = f"{type(error).__name__}: {error}"
        if problem:
            tally.errors.append(f"{action}: {problem}")
            return False
        tally.latencies_ms[action].append(1000 * (time.perf_counter() - started))
        return True

    async def fetch_pictures(self, run: Run) -> str | None:
        """Fetch the run's pictures (served as media files by the replica) through nginx, as the page does."""
        urls = [image.url for element in run.of_type("imgs") for image in element.imgs.imgs
                if image.url.startswith("/media/")]
        answers = await asyncio.gather(*(http_get(self.url, url, self.student.cookie) for url in urls))
        missing = [url for url, (status, _, _) in zip(urls, answers) if status != 200]
        return f"picture {missing[0]} not found on this student's replica" if missing else None

    async def open(self, page: str) -> Run:
        """Open a page and keep its sliders, whose options and ends a student's next moves stay within."""
        run = await self.student.open_page(page)
        self.sliders = {slider_key(element): element.slider for element in run.of_type("slider")}
        return run

    async def open_wall(self) -> tuple[Run, str | None]:
        run = await self.open("wall")
        return run, problem_of(run) or (None if wall_key(self.kind) in scopes(run) else "no wall drawn")

    async def click_wall(self) -> tuple[Run, str | None]:
        x, y = self.spot(self.kind)
        run = await self.student.click(wall_key(self.kind), x, y)
        return run, problem_of(run) or self.misread(run, x, y, self.kind)

    def misread(self, run: Run, x: float, y: float, kind: str) -> str | None:
        verdict, box = run.verdict, self.course.boxes[kind]
        if verdict is None:
            return "no decoded panel"
        if abs(float(verdict["x"]) - x) > 1e-3 * (box[1] - box[0]) or verdict["model"] != kind:
            return f"the answer is for another click: {verdict}"
        return None

    async def switch_model(self) -> tuple[Run, str | None]:
        other = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        run = await self.student.send_widget(MODEL_WIDGET, string_value=self.strings(f"models.{other}"))
        self.kind = other
        return run, problem_of(run) or (None if wall_key(other) in scopes(run) else "the other wall is not drawn")

    async def open_interpolation(self) -> tuple[Run, str | None]:
        run = await self.open("interpolation")
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no decoded pictures")

    async def move_slider(self) -> tuple[Run, str | None]:
        weight = round(float(self.rng.uniform(0, 1)), 2)
        run = await self.student.send_widget("interp-weight", fragment_id=self.student.fragments_of["interp-weight"],
                                             double_array_value={"data": [weight]})
        shown = sum(f"w = {weight:.2f}" in caption for caption in captions(run))
        return run, problem_of(run) or (None if shown == len(KINDS) else "the weight's pictures are missing")

    async def pick_digit(self) -> tuple[Run, str | None]:
        slot, digit = str(self.rng.choice(["interp-class-a", "interp-class-b"])), int(self.rng.integers(10))
        # The pickers live in the page's fragment for the two digits: a browser's pick reruns only that.
        run = await self.student.send_widget(slot, fragment_id=self.student.fragments_of.get(slot, ""),
                                             string_value=str(digit))
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no filmstrip")

    async def open_compare(self) -> tuple[Run, str | None]:
        run = await self.open("compare")
        missing = {compare_key(kind) for kind in KINDS} - scopes(run)
        return run, problem_of(run) or (f"walls missing: {missing}" if missing else None)

    async def click_compare(self) -> tuple[Run, str | None]:
        kind = str(self.rng.choice(KINDS))
        x, y = self.spot(kind)
        run = await self.student.click(compare_key(kind), x, y)
        return run, problem_of(run) or self.misread(run, x, y, kind)

    # Compression: the code-size control redraws ten digits through the dense AE and PCA of that size.

    async def open_compression(self) -> tuple[Run, str | None]:
        run = await self.open("compression")
        self.code_size = code_size_shown(run)
        return run, problem_of(run) or (None if self.code_size is not None else "no digits through a code")

    async def set_code_size(self) -> tuple[Run, str | None]:
        """Another size than the one shown, as a student moves the control."""
        size = str(self.rng.choice([option for option in self.sliders[CODE_SIZE].options
                                    if option != str(self.code_size)]))
        run = await self.student.send_widget(CODE_SIZE, fragment_id=self.student.fragments_of[CODE_SIZE],
                                             string_array_value={"data": [size]})
        self.code_size = code_size_shown(run)
        return run, problem_of(run) or (None if self.code_size == int(size) else
                                        f"code size {size} asked, {self.code_size} shown")

    # Denoising: the noise level redraws the noisy digits and what both models make of them.

    async def open_denoising(self) -> tuple[Run, str | None]:
        run = await self.open("denoising")
        self.noise = denoised(run) or {}
        return run, problem_of(run) or (None if self.noise else "no denoised digits")

    async def set_noise(self) -> tuple[Run, str | None]:
        """Another level than the one shown, on the slider's steps."""
        slider = self.sliders[NOISE_LEVEL]
        steps = np.round(np.arange(slider.min, slider.max + slider.step / 2, slider.step), 2)
        levels = [float(level) for level in steps if f"{level:.2f}" != self.noise.get("level")]
        level = float(self.rng.choice(levels))
        run = await self.student.send_widget(NOISE_LEVEL, fragment_id=self.student.fragments_of[NOISE_LEVEL],
                                             double_array_value={"data": [level]})
        before, self.noise = self.noise, denoised(run) or {}
        return run, problem_of(run) or self.misdenoised(run, level, before)

    def misdenoised(self, run: Run, level: float, before: dict[str, str]) -> str | None:
        """Whether the examples are those of this level: its hooks, its words, and noisy inputs unlike the last
        level's (each picture's PSNR against its clean digit)."""
        if not self.noise:
            return "no denoised digits"
        if self.noise["level"] != f"{level:.2f}":
            return f"noise {level:.2f} asked, {self.noise['level']} shown"
        if self.strings(f"denoising.level_means.{self.noise['kind']}", level=level) not in run.text():
            return "the noise is not described"
        if before.get("kind") == self.noise["kind"] and before.get("input") == self.noise["input"]:
            return f"the noisy digits of level {level:.2f} are those of level {before['level']}"
        return None

    # The 20-D VAE: "draw again" decodes new codes from its prior.

    async def open_vae20(self) -> tuple[Run, str | None]:
        run = await self.open("vae20")
        self.samples = samples_shown(run)
        return run, problem_of(run) or (None if self.samples else "no samples")

    async def draw_samples(self) -> tuple[Run, str | None]:
        run = await self.student.send_widget(VAE20_DRAW, fragment_id=self.student.fragments_of[VAE20_DRAW],
                                             trigger_value=True)
        before, self.samples = self.samples, samples_shown(run)
        return run, problem_of(run) or (None if self.samples and self.samples != before else "no new samples")

    # Models: the table of every model.

    async def open_models(self) -> tuple[Run, str | None]:
        run = await self.open("models")
        return run, problem_of(run) or (None if run.of_type("dataframe") else "no table of models")

    # Anomaly: the threshold slider; precision, recall and false alarms follow from the report's score samples.

    def threshold(self) -> tuple[str, dict]:
        """The threshold slider's key and the report's case it moves in."""
        keys = [key for key in self.sliders if key.startswith(THRESHOLD_PREFIX)]
        if not keys:
            raise KeyError("no threshold slider")
        return keys[0], self.course.anomaly_cases[keys[0].removeprefix(THRESHOLD_PREFIX)]

    async def open_anomaly(self) -> tuple[Run, str | None]:
        run = await self.open("anomaly")
        if problem_of(run):
            return run, problem_of(run)
        return run, None if any(key.startswith(THRESHOLD_PREFIX) for key in self.sliders) else "no threshold slider"

    async def move_threshold(self) -> tuple[Run, str | None]:
        key, case = self.threshold()
        options, values = list(self.sliders[key].options), anomaly.threshold_options(case)
        if len(options) != len(values):
            return Run(), f"the slider offers {len(options)} thresholds, the report {len(values)}"
        index = int(self.rng.integers(len(options)))
        run = await self.student.send_widget(key, fragment_id=self.student.fragments_of[key],
                                             string_array_value={"data": [options[index]]})
        live, shown = anomaly.live_figures(case, values[index]), metrics(run)
        wrong = [name for name, share in (("live_precision", live["precision"]), ("live_recall", live["recall"]),
                                          ("live_false_alarms", live["false_positive_rate"]))
                 if shown.get(self.strings(f"anomaly.{name}")) != percent(share)]
        return run, problem_of(run) or (f"{wrong[0]} is not that of threshold {options[index]}" if wrong else None)

    # Your own digit: a drawing on the pad lands on both walls and is read.

    async def open_your_digit(self) -> tuple[Run, str | None]:
        run = await self.open("draw")
        pad = any(element.bidi_component.component_name == PAD_COMPONENT for element in run.of_type("bidi_component"))
        return run, problem_of(run) or (None if pad and DRAW_PAD in self.student.triggers else "no drawing pad")

    async def draw_digit(self) -> tuple[Run, str | None]:
        value = pad_value(pad_strokes(self.rng))
        run = await self.student.send_event(DRAW_PAD, "drawing", value)
        return run, problem_of(run) or self.misdrawn(run, value)

    def misdrawn(self, run: Run, value: str) -> str | None:
        """Whether the page shows this drawing: as the models get it, and where it lands on each wall."""
        digit = drawing.digit_from(drawing.read_drawing(value))
        if not isinstance(digit, drawing.Digit):
            return f"the drawing itself is not usable: {digit}"
        if self.strings("digit.showing_drawing") not in run.text():
            return "the drawing is not shown"
        found = [hook for block in hooked(run) for hook in block]
        landed = {attributes.get("model") for name, attributes in found if name == "digit-landing"
                  and np.isfinite([float(attributes.get("x", "nan")), float(attributes.get("y", "nan"))]).all()}
        if landed != set(KINDS):
            return f"landed on {sorted(landed)}"
        starred = {data.get("model"): data["landing"]["code"] for data in listener_data(run) if "landing" in data}
        named = {attributes.get("model"): [float(attributes["x"]), float(attributes["y"])] for name, attributes in found
                 if name == "digit-landing"}
        if set(starred) != set(KINDS) or any(not np.allclose(starred[kind], named[kind], atol=1e-4) for kind in KINDS):
            return "the walls' stars are not where the page says the digit landed"
        seen = [attributes.get("src", "") for name, attributes in found if name == "digit-verdict"]
        if not seen or np.abs(picture_of(seen[0]) - digit.image).max() > 1.5 / 255:
            return "the answer is for another drawing"
        return None


def code_size_shown(run: Run) -> int | None:
    """The code size whose ten digits the compression page shows, through both the dense AE and PCA of it."""
    shown = sorted(attributes.get("recipe", "") for block in hooked(run) for name, attributes in block
                   if name == "triptych" and sum(inner == "row" for inner, _ in block) == 10)
    for size in {recipe.latent_dim for family in SWEEPS for recipe in family}:
        if shown == sorted(recipe.name for family in SWEEPS for recipe in family if recipe.latent_dim == size):
            return size
    return None


def denoised(run: Run) -> dict[str, str] | None:
    """The denoising examples' kind, level and each row's PSNRs (by role), if all four rows are drawn."""
    for block in hooked(run):
        roles = {attributes.get("role"): attributes for name, attributes in block if name == "row"}
        if block and block[0][0] == "denoised" and len(roles) == 4 and all(
                roles.get(role, {}).get("psnr") for role in ("input", "denoising", "plain")):
            return block[0][1] | {role: roles[role]["psnr"] for role in ("input", "denoising", "plain")}
    return None


def samples_shown(run: Run) -> str:
    """The 20-D VAE's samples and the plain AE's decodes of the same codes, as shown ("" if either is missing)."""
    sheets = {name: attributes.get("src", "") for block in hooked(run) for name, attributes in block}
    return sheets.get("vae20-samples", "") + sheets.get("vae20-plain", "") if all(
        sheets.get(name) for name in ("vae20-samples", "vae20-plain")) else ""


def from_page(actions: tuple[str, ...], block: int) -> tuple[str, ...]:
    """The actions begun at the block-th page they open (counted round), then the rest in turn."""
    opens = [index for index, action in enumerate(actions) if action.startswith("open ")] or [0]
    start = opens[block % len(opens)]
    return actions[start:] + actions[:start]


async def lesson(url: str, course: Course, seed: int, tally: Tally, until: float, actions=LESSON,
                 think_s: float = THINK_S, rounds: int | None = None, start_page: int = 0) -> None:
    """One student: the lesson's actions in turn, ~think_s apart, round after round until `until` (or `rounds`),
    from the start_page-th page the lesson opens."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, course, rng)
    actions = from_page(actions, start_page)
    try:
        await asyncio.sleep(rng.uniform(0, think_s))  # Students do not start in step.
        await learner.enter()
        tally.sessions += 1
        done = 0
        while time.perf_counter() < until and (rounds is None or done < rounds):
            for action in actions:
                started = time.perf_counter()
                if not await learner.act(action, tally) or time.perf_counter() >= until:
                    return  # A student whose page broke stops there, as a real one would reload.
                await asyncio.sleep(max(0.0, think_s * rng.uniform(0.8, 1.2) - (time.perf_counter() - started)))
            done += 1
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
        tally.errors.append(f"enter: {type(error).__name__}: {error}")
    finally:
        await learner.leave()


# --- What the server spends -------------------------------------------------------------------------------------

def server_pids(served) -> list[int]:
    """The processes that serve a class (deploy.launch.ClassServer): every replica, nginx and its workers."""
    pids = [process.pid for process in served.replicas.values()]
    nginx = psutil.Process(served.nginx.pid)
    return pids + [nginx.pid] + [child.pid for child in nginx.children(recursive=True)]


class ServerWatch:
    """CPU seconds of a group of processes, and the resident memory of the first one."""

    def __init__(self, pids: list[int]):
        self.processes = [psutil.Process(pid) for pid in pids]
        self.rss_mb: list[float] = []

    def cpu(self) -> float:
        total = 0.0
        for process in self.processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss(self) -> float:
        value = self.processes[0].memory_info().rss / 2**20
        self.rss_mb.append(value)
        return value

    async def watch_rss(self, every_s: float = 0.25) -> None:
        while True:
            self.rss()
            await asyncio.sleep(every_s)


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share)) if values else float("nan")


async def warm_up(served, course: Course) -> None:
    """One pass over the lesson on every replica directly: models, maps and manifolds load before the class."""
    for port in served.replica_ports:
        tally = Tally()
        await lesson(f"http://127.0.0.1:{port}", course, 10_000 + port, tally, time.perf_counter() + 600,
                     think_s=0.0, rounds=1)
        if tally.errors:
            raise RuntimeError(f"the warm-up pass failed on port {port}: {tally.errors[:2]}")


async def action_costs(served, course: Course, rounds: int = 10, idle_s: float = 3.0) -> dict[str, float]:
    """Server CPU (replicas and nginx) of each action, in ms: one student alone, actions back to back, the
    servers' idle CPU over the same time taken off."""
    watch = ServerWatch(server_pids(served))
    before = watch.cpu()
    await asyncio.sleep(idle_s)
    idle_rate = (watch.cpu() - before) / idle_s
    learner, tally = Learner(served.url, course, np.random.default_rng(7)), Tally()
    spent: dict[str, list[float]] = defaultdict(list)
    await learner.enter()
    try:
        for _ in range(rounds):
            for action in LESSON:
                cpu, started = watch.cpu(), time.perf_counter()
                await learner.act(action, tally)
                spent[action].append(watch.cpu() - cpu - idle_rate * (time.perf_counter() - started))
    finally:
        await learner.leave()
    if tally.errors:
        raise RuntimeError(f"the cost pass failed: {tally.errors[:2]}")
    costs = {action: 1000 * float(np.mean(values)) for action, values in spent.items()}
    return costs | {"idle per s": 1000 * idle_rate}


async def class_load(served, course: Course, students: int, seconds: float) -> dict:
    """`students` students work through the lesson for `seconds`; latencies by action, and what the servers
    spent: all of them together, each replica's CPU and resident memory, and nginx's CPU."""
    watch, me = ServerWatch(server_pids(served)), psutil.Process()
    replicas = {port: ServerWatch([process.pid]) for port, process in served.replicas.items()}
    nginx = ServerWatch(server_pids(served)[len(served.replicas):])
    tally = Tally()
    for replica in replicas.values():
        replica.rss()
    cpu, own, started = watch.cpu(), me.cpu_times(), time.perf_counter()
    each_cpu, nginx_cpu = {port: replica.cpu() for port, replica in replicas.items()}, nginx.cpu()
    samplers = [asyncio.ensure_future(replica.watch_rss(0.5)) for replica in replicas.values()]
    try:
        await asyncio.gather(*(lesson(served.url, course, seed, tally, started + seconds)
                               for seed in range(students)))
    finally:
        for sampler in samplers:
            sampler.cancel()
    elapsed = time.perf_counter() - started
    server_cpu, mine = watch.cpu() - cpu, me.cpu_times()
    per_replica = {port: {"cores": (replica.cpu() - each_cpu[port]) / elapsed, "rss_start_mb": replica.rss_mb[0],
                          "rss_peak_mb": max(replica.rss_mb), "rss_end_mb": replica.rss()}
                   for port, replica in replicas.items()}
    return {"students": students, "replicas": len(served.replicas), "seconds": elapsed, "tally": tally,
            "server_cpu_s": server_cpu, "server_cores": server_cpu / elapsed, "per_replica": per_replica,
            "nginx_cores": (nginx.cpu() - nginx_cpu) / elapsed,
            "own_cores": (mine.user + mine.system - own.user - own.system) / elapsed,
            "by_action": {action: {"count": len(values), "p50_ms": percentile(values, 50),
                                   "p95_ms": percentile(values, 95), "max_ms": max(values)}
                          for action, values in tally.latencies_ms.items()}}


# --- Sessions coming and going ----------------------------------------------------------------------------------

async def soak(served, course: Course, sessions: int, concurrent: int, session_ttl_s: float,
               spread_s: float = 0.0) -> dict:
    """`sessions` short visits, arriving evenly over spread_s seconds and at most `concurrent` at a time, against
    the first replica; its memory before, at the peak and after every session has closed and expired."""
    watch = ServerWatch(server_pids(served)[:1])
    fresh = watch.rss()

    async def settled() -> float:
        await asyncio.sleep(session_ttl_s + 3)
        await http_get(served.url, "/_stcore/health")
        probe = Learner(served.url, course, np.random.default_rng(1))
        await probe.enter()
        await probe.student.open_page("")  # A new session makes the server drop the ones whose time is up.
        await probe.leave()
        await asyncio.sleep(2)
        return watch.rss()

    tally = Tally()
    await asyncio.gather(*(lesson(served.url, course, seed, tally, time.perf_counter() + 600, VISIT, 0.2, rounds=1)
                           for seed in range(10)))
    warm = await settled()
    gate = asyncio.Semaphore(concurrent)

    async def visit(seed: int) -> None:
        await asyncio.sleep(max(0.0, started + (seed - 10) * spread_s / sessions - time.perf_counter()))
        async with gate:
            await lesson(served.url, course, seed, tally, time.perf_counter() + 600, VISIT, 0.3, rounds=1)

    started = time.perf_counter()
    sampler = asyncio.ensure_future(watch.watch_rss())
    await asyncio.gather(*(visit(seed) for seed in range(10, 10 + sessions)))
    elapsed = time.perf_counter() - started
    sampler.cancel()
    peak = max(watch.rss_mb)
    after = await settled()
    return {"sessions": sessions, "concurrent": concurrent, "seconds": elapsed, "tally": tally,
            "rss_fresh_mb": fresh, "rss_warm_mb": warm, "rss_peak_mb": peak, "rss_after_mb": after}


# --- Forged messages --------------------------------------------------------------------------------------------

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
WIDGET_TARGETS = [MODEL_WIDGET, "paint-count", "interp-weight", "interp-class-a", f"interp-way-{LANGUAGE}",
                  "interp-index-a", "claims-reveal", "language-switch", "paint-button", "interp-reroll",
                  wall_key(KINDS[0]), CODE_SIZE, f"comp-way-{LANGUAGE}", "comp-first", "comp-draw", NOISE_LEVEL,
                  f"denoise-kind-{LANGUAGE}", f"anomaly-kind-{LANGUAGE}", f"anomaly-held-out-{LANGUAGE}",
                  THRESHOLD_PREFIX + "no-such-case", VAE20_DRAW, f"models-choice-{LANGUAGE}", DRAW_PAD, "digit-upload",
                  "language", "session-resets", "comp-seed", "denoise-kind", "vae20-draws", "models-choice",
                  "digit-source", "no-such-widget", "$$ID-forged-x"]


def _odd_click(rng: np.random.Generator) -> str:
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


def _odd_widget(rng: np.random.Generator, target: str | None = None) -> WidgetState:
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
        return WidgetState(id=target, json_trigger_value=_odd_click(rng))
    return WidgetState(id=target, trigger_value=True)


def _bomb_png(side: int = 50_000) -> bytes:
    """A PNG whose header declares side x side pixels, with almost no pixel data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\0" * (1 + side // 8) * 64)  # The first 64 rows of a 1-bit picture; the rest is missing.
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@functools.cache  # Made once per process.
def _odd_pictures() -> tuple[bytes, ...]:
    """Files the pad never makes: blank or nearly, tiny, huge in pixels, cut short, animated, not PNG at all."""
    good = png_bytes(Image.new("L", (PAD_SIDE, PAD_SIDE), 255))
    animated = io.BytesIO()
    Image.new("L", (64, 64), 0).save(animated, format="PNG", save_all=True,
                                      append_images=[Image.new("L", (64, 64), 255)])
    gif = io.BytesIO()
    Image.new("L", (64, 64), 0).save(gif, format="GIF")
    speck = Image.new("L", (PAD_SIDE, PAD_SIDE), 255)
    speck.putpixel((140, 140), 0)
    return (good, png_bytes(speck), png_bytes(Image.new("L", (1, 1), 0)), _bomb_png(),
            png_bytes(Image.new("1", (2100, 2000), 1)), good[: len(good) // 2], animated.getvalue(), gif.getvalue(),
            png_bytes(Image.new("I;16", (64, 64), 40_000)), png_bytes(Image.new("P", (64, 64), 3)),
            b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"This is not a picture of a digit.", b"")


def _drawing_event(value, event: str = "drawing") -> str:
    return json.dumps([{"event": event, "value": value}])


def _odd_drawing(rng: np.random.Generator) -> str:
    """A forged event of the drawing pad (JSON text, as the pad's trigger sends it): odd types, odd pictures, data
    addresses that are too long or not PNG, a stroke list instead of a picture, deep nesting, text that is no
    JSON, events of other names, and a good drawing among forged fields."""
    shape = int(rng.integers(7))
    if shape == 0:
        return _drawing_event(ODD_VALUES[int(rng.integers(len(ODD_VALUES)))])
    if shape == 1:
        pictures = _odd_pictures()
        picture = pictures[int(rng.integers(len(pictures)))]
        return _drawing_event(drawing.DATA_URL_PREFIX + base64.b64encode(picture).decode("ascii"))
    if shape == 2:
        return _drawing_event(str(rng.choice([
            drawing.DATA_URL_PREFIX + "A" * (drawing.MAX_DATA_URL_CHARS + 4), "data:text/html;base64,PGgxPg==",
            drawing.DATA_URL_PREFIX + "@@@", drawing.DATA_URL_PREFIX, drawing.DATA_URL_PREFIX + " iVBO R w0K ",
            "javascript:alert(1)", "data:image/svg+xml;base64,PHN2Zy8+"])))
    if shape == 3:  # Points instead of a picture: a few, many, or more than a session may hold.
        points = rng.uniform(-1e6, 1e6, size=(int(rng.choice([10, 10_000, 80_000])), 2)).round(1).tolist()
        return _drawing_event([points], str(rng.choice(["drawing", "strokes"])))
    if shape == 4:
        depth = int(rng.choice([50, 5_000, 100_000]))
        return '[{"event": "drawing", "value": ' + "[" * depth + "]" * depth + "}]"
    if shape == 5:
        return str(rng.choice(["[", "null", '"drawing"', "[1, 2]", "NaN", "", "{}", "true", '[{"event": "drawing"}]',
                               '[{"event": "drawing", "value": NaN}]', "{" * 1000, '[{"event": "drawing", "val']))
    good = pad_value(pad_strokes(rng))
    return json.dumps([{"event": "drawing", "value": good, "words": {"pad": "<img src=x onerror=alert(1)>"},
                        "__proto__": {"x": 1}}, {"event": "drawing ", "value": 10**400}])


def _real_id(student: Student, key: str) -> str:
    return student.widget_ids.get(key, key)


async def forge(learner: Learner, rng: np.random.Generator, kind: str, target: str | None = None) -> Run | None:
    """Send one forged message of this kind (one of FORGED_KINDS, or "component") from this learner's session,
    to this target (a widget's key, a component's trigger; for "drawing" the pad's value) or one picked at
    random; the run it caused (None if none)."""
    student = learner.student
    if kind == "click" and student.listeners:  # The wall's click: a forged component value.
        trigger = student.listeners[str(rng.choice(sorted(student.listeners)))]
        return await student.send_trigger(trigger, _odd_click(rng))
    if kind == "component":  # Any component's events (a wall's clicks, the share button, the pad).
        return await student.send_trigger(target, _odd_click(rng))
    if kind == "drawing":  # The drawing pad's value (target: its JSON text), on the drawing page opened afresh.
        await another_page(student, "draw")
        value = target if target is not None else _odd_drawing(rng)
        return await student.send_trigger(student.triggers[DRAW_PAD], value)
    if kind in ("click", "widget", "widget in a fragment"):  # A widget's value, of any type, for any id.
        if target is None and student.widget_ids and rng.random() < 0.5:  # One of this page's own widgets.
            target = str(rng.choice(sorted(student.widget_ids)))
        state = _odd_widget(rng, target)
        state.id = _real_id(student, state.id)
        fragment = str(rng.choice(["", *student.fragments_of.values()])) if kind == "widget in a fragment" else ""
        return await student.rerun([state], fragment_id=student.fragments_of.get(target, "") if target else fragment)
    if kind == "query":  # An odd query string on a rerun.
        return await student.rerun(query=ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
    if kind == "page":  # A page of the app or an odd one, with an odd query string.
        page = str(rng.choice(PAGES)) if rng.random() < 0.5 else ODD_PAGES[int(rng.integers(len(ODD_PAGES)))]
        return await another_page(student, page, ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
    if kind == "fragment":  # A fragment that does not exist, or one of another page.
        return await student.rerun(fragment_id=str(rng.choice(["forged-fragment", "", "0" * 64])))
    # Bytes that are no message at all: the server closes this connection (the page would reconnect).
    await student.socket.send(bytes(rng.integers(0, 256, int(rng.integers(1, 400)), dtype=np.uint8)))
    return None


async def another_page(student: Student, page: str, query: str = "") -> Run:
    """Open a page and forget the widgets and walls of the one before, so that forged clicks and values go to
    this page's own (a click in a fragment of another page is simply left unanswered by Streamlit)."""
    for seen in (student.listeners, student.listener_fragments, student.widget_ids, student.fragments_of):
        seen.clear()
    return await student.open_page(page, query=query)


# Each kind of forgery, with its share of the forged messages.
FORGED_KINDS = {"click": 0.3, "widget": 0.25, "widget in a fragment": 0.1, "drawing": 0.1, "query": 0.05,
                "page": 0.1, "fragment": 0.05, "bytes": 0.05}
# Forged drawings the pad gets from each hostile tab that sweeps its page, beside one value for each widget.
PAD_SWEEP = 8


def readable(value: str) -> bool:
    """Whether a component value is JSON that Streamlit can read and hand to the page. What it cannot read, it
    refuses itself before the page runs, with its own short error (and again on that session's next run)."""
    try:
        json.loads(value)
    except (ValueError, RecursionError):
        return False
    return True


def pad_problem(run: Run, strings) -> str | None:
    """Why the drawing page did not answer a readable forged drawing in its own words (a refusal said under the
    pad, then the hint, or the drawing's results), or None if it did."""
    if run.errors:
        return f"error shown: {run.errors[0][:120]}"
    if run.recovered:
        return "the session was reset"
    if run.status not in FINISHED:
        return f"run ended {run.status}"
    words = run.text()
    if strings("digit.hint") not in words and strings("digit.showing_drawing") not in words:
        return "the page did not finish"
    return None


def traceback_in(run: Run | None) -> str | None:
    """Anything in a run that shows a traceback, an exception's details or a server path; None if nothing does."""
    if run is None:
        return None
    for element in run.of_type("exception"):
        shown = f"{element.exception.type} {element.exception.message}"
        if element.exception.stack_trace or "Traceback" in shown or 'File "' in shown:
            return shown[:200]
    words = run.text()
    for sign in ("Traceback", 'File "', str(config.PROJECT_ROOT)):
        if sign in words:
            return words[max(0, words.index(sign) - 80):words.index(sign) + 120]
    return None


@dataclass
class Forgeries:
    sent: int = 0
    redacted_errors: int = 0  # Runs where Streamlit raised before app code and showed its own short error.
    connections_closed: int = 0
    no_answer: Counter = field(default_factory=Counter)  # By kind.
    tracebacks: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    # Readable forged drawings the drawing page did not answer in its own words (pad_problem).
    pad_problems: list[str] = field(default_factory=list)
    redacted: Counter = field(default_factory=Counter)  # Streamlit's own short errors, by kind.
    # The widgets and components of each page that got at least one forged value, by key or trigger id.
    covered: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


# How long a forged message's run may take. Streamlit answers a rerun of a fragment it does not know with
# nothing at all, and the session goes on working, so for those the wait is short.
FORGED_TIMEOUT_S = {"fragment": 3.0}
FORGED_TIMEOUT_DEFAULT_S = 15.0


def sweep(student: Student, page: str) -> list[tuple[str, str | None]]:
    """A forged value for every widget and component the page drew, and for the pad a handful more."""
    targets = [("widget", key) for key in sorted(student.widget_ids)]
    targets += [("component", trigger) for trigger in sorted(student.listener_fragments)]
    return targets + [("drawing", None)] * (PAD_SWEEP if page == "draw" else 0)


async def forger(url: str, course: Course, seed: int, count: int, found: Forgeries, pages=(),
                 spread_s: float = 0.0) -> None:
    """A hostile tab: opens each of `pages` and sends a forged value to each of its widgets and components, then
    forged messages of every kind at random, `count` in all, reconnecting when the server closes it. With
    spread_s, the messages go out evenly over that many seconds (from a random start within the first step), as
    a rate; without, each as soon as the last is answered."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, course, rng)
    step_s = spread_s / max(count, 1)
    started = time.perf_counter() + rng.uniform(0, step_s)
    await learner.enter()
    student, sent, plan = learner.student, 0, []
    pages = list(pages)
    try:
        while sent < count:
            await asyncio.sleep(max(0.0, started + sent * step_s - time.perf_counter()))
            if not plan and pages:  # The next page to sweep.
                page = pages.pop(0)
                await another_page(student, page)
                plan = sweep(student, page)
            if student.socket is None:
                await another_page(student, page if plan else str(rng.choice(PAGES)))
            kind, target = plan.pop(0) if plan else (str(rng.choice(list(FORGED_KINDS), p=list(FORGED_KINDS.values()))),
                                                     None)
            if kind == "drawing":
                target = _odd_drawing(rng)
            sent += 1
            found.sent += 1
            found.kinds[kind] += 1
            if target is not None:
                found.covered["draw" if kind == "drawing" else student.page_name].add(
                    DRAW_PAD if kind == "drawing" else target)
            run, answered = None, True
            try:
                run = await asyncio.wait_for(forge(learner, rng, kind, target),
                                             FORGED_TIMEOUT_S.get(kind, FORGED_TIMEOUT_DEFAULT_S))
            except asyncio.TimeoutError:
                found.no_answer[kind] += 1
                answered = False
            except websockets.ConnectionClosed:
                pass
            if run is None or run.status == "connection closed":
                found.connections_closed += answered
                await student.close()  # Any unread answer goes with the connection; the tab reconnects.
                continue
            problem = traceback_in(run)
            if problem:
                found.tracebacks.append(f"{kind} on {student.page_name}: {problem}")
            elif run.of_type("exception"):
                found.redacted_errors += 1
                found.redacted[kind] += 1
            if kind == "drawing" and readable(target):
                problem = pad_problem(run, learner.strings)
                if problem:
                    found.pad_problems.append(f"{target[:80]}: {problem}")
            elif kind == "drawing":
                await student.close()  # Its session would refuse its next run too; the tab reconnects.
    finally:
        await learner.leave()


# Addresses a browser (or anyone) can ask nginx for.
ODD_ADDRESSES = ["/wall?x=nan&y=inf&model=gan", "/wall/extra", "/app_pages/wall.py", "/%2e%2e/%2e%2e/etc/passwd",
                 "/media/../../etc/passwd", "/media/nope.png", "/_stcore/stream", "/component/x/../../app.py",
                 "/?lang=" + "x" * 5000, "/wall?%00=%ff", "/" + "a" * 9000, "/interpolation?a=-1&b=1e99&w=NaN",
                 "/compare?lang=../../&missing=%3Cscript%3E", "/_stcore/health?x=%00", "/static/../../../etc/passwd"]


async def odd_addresses(url: str) -> list[str]:
    """Each odd address's answer must be a page, a redirect or a refusal: never a server error or a traceback."""
    problems = []
    for target in ODD_ADDRESSES:
        status, _, body = await http_get(url, target)
        if status >= 500 or b"Traceback" in body or b'File "' in body:
            problems.append(f"{target[:60]}: {status}")
    return problems


async def fuzz(served, course: Course, students: int, forgers: int, forgeries: int, seconds: float) -> dict:
    """`forgers` hostile sessions send `forgeries` forged messages between them, spread evenly over the `seconds`
    in which `students` students work through the lesson; then odd addresses. The servers must stay up and the
    students see no error.

    The hostile sessions share the pages out, and first send a forged value to every widget and component of
    theirs; the students start on different pages, so that every page is in use while forged messages arrive."""
    tally, found = Tally(), Forgeries()
    until = time.perf_counter() + seconds
    share = [forgeries // forgers + (index < forgeries % forgers) for index in range(forgers)] if forgers else []
    await asyncio.gather(*(lesson(served.url, course, seed, tally, until, start_page=seed) for seed in range(students)),
                         *(forger(served.url, course, 500 + index, count, found, PAGES[index::forgers], seconds)
                           for index, count in enumerate(share)))
    odd = await odd_addresses(served.url)
    alive = all(process.poll() is None for process in served.replicas.values()) and served.nginx.poll() is None
    status, _, _ = await http_get(served.url, "/_stcore/health")
    after = Tally()
    await lesson(served.url, course, 99, after, time.perf_counter() + 600, VISIT, 0.0, rounds=1)
    return {"tally": tally, "forgeries": found, "odd_addresses": odd, "alive": alive and status == 200,
            "after": after}
