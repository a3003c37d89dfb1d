"""What the students' checks know of the app and of the models a class is served from: its pages and their
widget keys, the lesson's actions, and each wall's box (where to click) and the anomaly report's cases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import lessons
import lessons.anomaly as anomaly_keys
import lessons.compare as compare_keys
import lessons.compression as compression_keys
import lessons.denoising as denoising_keys
import lessons.vae20 as vae20_keys
import lessons.wall as wall_keys
import lessons.your_digit as digit_keys
from latentwall import config, i18n, latent, registry, store
from lessons.anomaly import logic as anomaly

KINDS = tuple(recipe.name for recipe in registry.WALL_PAIR)
LANGUAGE = i18n.DEFAULT_LANGUAGE
MODEL_WIDGET = f"model-{LANGUAGE}"  # The sidebar's model switch, drawn under a key per language.
FINISHED = ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")
# Every lesson page's address, in the order of LESSONS (the home page aside).
PAGES = lessons.urls()
DIGIT_URL = lessons.lesson("your_digit").url  # Where the pad is: forgers send it drawings.

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

# Widget keys of the pages, from the lessons' records.
CODE_SIZE, NOISE_LEVEL = compression_keys.SIZE, denoising_keys.LEVEL
VAE20_DRAW, DRAW_PAD = vae20_keys.DRAW, digit_keys.PAD
THRESHOLD_PREFIX = anomaly_keys.THRESHOLD_PREFIX  # Followed by the anomaly case the page shows.
PAD_COMPONENT = digit_keys.PAD_COMPONENT
SWEEPS = (registry.sweep("dense-ae"), registry.sweep("pca"))  # The compression page's two families.


wall_key, compare_key = wall_keys.pick_key, compare_keys.pick_key


def wall_boxes(models_root: Path) -> dict[str, tuple[float, float, float, float]]:
    """Each wall model's box, where its students click."""
    return {kind: latent.wall_box(store.load_wall(config.dataset_dir(models_root) / kind / "wall.npz"))
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


def random_spot(rng: np.random.Generator, box: tuple[float, float, float, float]) -> tuple[float, float]:
    """A spot inside the inner 80% of the wall's box, where a student would click."""
    x_min, x_max, y_min, y_max = box
    return (float(rng.uniform(x_min + 0.1 * (x_max - x_min), x_max - 0.1 * (x_max - x_min))),
            float(rng.uniform(y_min + 0.1 * (y_max - y_min), y_max - 0.1 * (y_max - y_min))))
