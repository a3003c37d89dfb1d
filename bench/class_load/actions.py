"""The learner's actions, page by page: each sends what the page would send and checks what comes back. A
class of actions per page (the two walls share one: their clicks are checked alike); Learner is all of them."""

from __future__ import annotations

import numpy as np

from bench.class_load.course import (
    CODE_SIZE,
    DRAW_PAD,
    KINDS,
    MODEL_WIDGET,
    NOISE_LEVEL,
    PAD_COMPONENT,
    THRESHOLD_PREFIX,
    VAE20_DRAW,
    compare_key,
    random_spot,
    wall_key,
)
from bench.class_load.pad import pad_strokes, pad_value
from bench.class_load.reading import (
    captions,
    code_size_shown,
    denoised,
    hooked,
    listener_data,
    metrics,
    percent,
    picture_of,
    problem_of,
    samples_shown,
    scopes,
)
from bench.class_load.tab import Tab
from bench.student import Run
from lessons import interpolation, your_digit
from lessons.anomaly import logic as anomaly
from lessons.your_digit import logic as drawing


class WallActions(Tab):
    """The gallery wall, its model switch, and the comparison's two walls: a click must come back decoded where
    it landed, on the model it was made on."""

    def spot(self, kind: str) -> tuple[float, float]:
        return random_spot(self.rng, self.course.boxes[kind])

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

    async def open_compare(self) -> tuple[Run, str | None]:
        run = await self.open("compare")
        missing = {compare_key(kind) for kind in KINDS} - scopes(run)
        return run, problem_of(run) or (f"walls missing: {missing}" if missing else None)

    async def click_compare(self) -> tuple[Run, str | None]:
        kind = str(self.rng.choice(KINDS))
        x, y = self.spot(kind)
        run = await self.student.click(compare_key(kind), x, y)
        return run, problem_of(run) or self.misread(run, x, y, kind)


class InterpolationActions(Tab):
    """The interpolation: the weight slider and the two digits' pickers."""

    async def open_interpolation(self) -> tuple[Run, str | None]:
        run = await self.open("interpolation")
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no decoded pictures")

    async def move_slider(self) -> tuple[Run, str | None]:
        weight = round(float(self.rng.uniform(0, 1)), 2)
        key = interpolation.WEIGHT
        run = await self.student.send_widget(key, fragment_id=self.student.fragments_of[key],
                                             double_array_value={"data": [weight]})
        shown = sum(f"w = {weight:.2f}" in caption for caption in captions(run))
        return run, problem_of(run) or (None if shown == len(KINDS) else "the weight's pictures are missing")

    async def pick_digit(self) -> tuple[Run, str | None]:
        slot = str(self.rng.choice([interpolation.CLASS_START, interpolation.CLASS_END]))
        digit = int(self.rng.integers(10))
        # The pickers live in the page's fragment for the two digits: a browser's pick reruns only that.
        run = await self.student.send_widget(slot, fragment_id=self.student.fragments_of.get(slot, ""),
                                             string_value=str(digit))
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no filmstrip")


class CompressionActions(Tab):
    """Compression: the code-size control redraws ten digits through the dense AE and PCA of that size."""

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


class ModelsActions(Tab):
    """Models: the table of every model."""

    async def open_models(self) -> tuple[Run, str | None]:
        run = await self.open("models")
        return run, problem_of(run) or (None if run.of_type("dataframe") else "no table of models")


class DenoisingActions(Tab):
    """Denoising: the noise level redraws the noisy digits and what both models make of them."""

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


class Vae20Actions(Tab):
    """The 20-D VAE: "draw again" decodes new codes from its prior."""

    async def open_vae20(self) -> tuple[Run, str | None]:
        run = await self.open("vae20")
        self.samples = samples_shown(run)
        return run, problem_of(run) or (None if self.samples else "no samples")

    async def draw_samples(self) -> tuple[Run, str | None]:
        run = await self.student.send_widget(VAE20_DRAW, fragment_id=self.student.fragments_of[VAE20_DRAW],
                                             trigger_value=True)
        before, self.samples = self.samples, samples_shown(run)
        return run, problem_of(run) or (None if self.samples and self.samples != before else "no new samples")


class AnomalyActions(Tab):
    """Anomaly: the threshold slider; precision, recall and false alarms follow from the report's score samples."""

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


class DigitActions(Tab):
    """Your own digit: a drawing on the pad lands on both walls and is read."""

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
        landed = {attributes.get("model") for name, attributes in found if name == your_digit.LANDING_HOOK
                  and np.isfinite([float(attributes.get("x", "nan")), float(attributes.get("y", "nan"))]).all()}
        if landed != set(KINDS):
            return f"landed on {sorted(landed)}"
        starred = {data.get("model"): data["landing"]["code"] for data in listener_data(run) if "landing" in data}
        named = {attributes.get("model"): [float(attributes["x"]), float(attributes["y"])] for name, attributes in found
                 if name == your_digit.LANDING_HOOK}
        if set(starred) != set(KINDS) or any(not np.allclose(starred[kind], named[kind], atol=1e-4) for kind in KINDS):
            return "the walls' stars are not where the page says the digit landed"
        seen = [attributes.get("src", "") for name, attributes in found if name == your_digit.VERDICT_HOOK]
        if not seen or np.abs(picture_of(seen[0]) - digit.image).max() > 1.5 / 255:
            return "the answer is for another drawing"
        return None


class Learner(WallActions, InterpolationActions, CompressionActions, ModelsActions, DenoisingActions, Vae20Actions,
              AnomalyActions, DigitActions):
    """One browser tab over the whole app: each action sends what the page would and checks what comes back."""
