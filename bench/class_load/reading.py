"""What a run shows, read the way a student's checks need it: its problem if any, the walls and components it
drew, its pictures' captions, the data-lw hooks of its HTML, its metrics, and each page's own results."""

from __future__ import annotations

import base64
import html.parser
import io
import json
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from bench.class_load.course import FINISHED, SWEEPS
from bench.student import Run
from lessons.your_digit import logic as drawing

if TYPE_CHECKING:
    from streamlit.proto.Element_pb2 import Element


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


def slider_key(element: Element) -> str:
    return element.slider.id.split("-", 2)[2] if element.slider.id.startswith("$$ID-") else element.slider.id


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
