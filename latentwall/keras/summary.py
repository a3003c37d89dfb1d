"""A saved Keras model's layer list, read from the config inside its .keras file without loading Keras, and the
encoder/decoder split drawn as a Graphviz diagram.

A .keras file is a zip archive whose config.json describes every layer. The app shows that description (what
was really trained, not a copy of the builder), with each layer's output shape and weight count worked out
here for the layers the lessons use.
"""

from __future__ import annotations

import json
import math
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Layer:
    """One layer as a summary table shows it: its kind, its settings in a few words, output shape, weights."""

    name: str
    kind: str
    settings: str
    output_shape: tuple[int, ...]
    params: int


def _layers(path: Path) -> list[dict]:
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
        return list(config["config"]["layers"])
    except (OSError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{Path(path).name} does not hold a readable Keras model config ({error}).") from None


def _spatial(side: int, stride: int, transposed: bool) -> int:
    # "same" padding: a stride-s convolution divides the side by s (rounding up), a transposed one multiplies it.
    return side * stride if transposed else math.ceil(side / stride)


def _next(kind: str, config: dict, shape: tuple[int, ...]) -> tuple[str, tuple[int, ...], int]:
    """A layer's settings in words, its output shape and its weight count, from its input shape."""
    activation = config.get("activation")
    if kind == "Dense":
        units = int(config["units"])
        return f"{units} units, {activation}", (units,), (shape[-1] + 1) * units
    if kind in ("Conv2D", "Conv2DTranspose"):
        filters, (height, width), (stride, _) = int(config["filters"]), config["kernel_size"], config["strides"]
        transposed = kind == "Conv2DTranspose"
        side = tuple(_spatial(size, stride, transposed) for size in shape[:2])
        words = f"{filters} filters, {height}x{width}, stride {stride}, {activation}"
        return words, (*side, filters), height * width * shape[-1] * filters + filters
    if kind == "Flatten":
        return "", (math.prod(shape),), 0
    if kind == "Reshape":
        return "", tuple(int(size) for size in config["target_shape"]), 0
    raise ValueError(f"No summary for a {kind} layer.")


def summarize(path: Path) -> list[Layer]:
    """The layers of the model saved at path, input first, for a chain of the layers the lessons use."""
    rows: list[Layer] = []
    shape: tuple[int, ...] = ()
    for layer in _layers(path):
        kind, config = layer.get("class_name"), layer.get("config", {})
        if kind == "InputLayer":
            shape = tuple(int(size) for size in config["batch_shape"][1:])
            rows.append(Layer(config.get("name", "input"), kind, "", shape, 0))
            continue
        settings, shape, params = _next(kind, config, shape)
        rows.append(Layer(config.get("name", kind.lower()), kind, settings, shape, params))
    return rows


def shape_text(shape: tuple[int, ...]) -> str:
    return " x ".join(str(size) for size in shape)


def _node(identifier: str, layer: Layer) -> str:
    words = f"{layer.kind}\\n{layer.settings}\\n{shape_text(layer.output_shape)}" if layer.settings else (
        f"{layer.kind}\\n{shape_text(layer.output_shape)}")
    return f'  {identifier} [label="{words}"];'


def split_diagram(encoder: list[Layer], decoder: list[Layer], titles: dict[str, str]) -> str:
    """A Graphviz (DOT) picture of the split, shaped like a U: the encoder's layers down the left, the code at the
    bottom, the decoder's layers back up the right, each model in its own box, chained as the lesson chains them.
    titles: 'encoder', 'decoder', 'code', 'whole' (the caption)."""
    def quoted(words: str) -> str:
        return words.replace("\\", "\\\\").replace('"', '\\"')

    lines = ["digraph autoencoder {", "  rankdir=TB; nodesep=0.6; ranksep=0.25;",
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
             f'  label="{quoted(titles["whole"])}"; labelloc=t; fontname="Courier"; fontsize=13;']
    for prefix, layers, colour in (("e", encoder[:-1], "#e3efff"), ("d", decoder[1:], "#fff1dd")):
        title = titles["encoder" if prefix == "e" else "decoder"]
        lines += [f"  subgraph cluster_{prefix} {{",
                  f'    label="{quoted(title)}"; fontname="Helvetica"; style=rounded; bgcolor="{colour}";']
        lines += ["  " + _node(f"{prefix}{number}", layer) for number, layer in enumerate(layers)]
        lines.append("  }")
    code = encoder[-1]
    lines.append(f'  code [label="{quoted(titles["code"])}\\n{code.kind}\\n{shape_text(code.output_shape)}",'
                 ' shape=ellipse, fillcolor="#ffe08a"];')
    down = [f"e{number}" for number in range(len(encoder) - 1)] + ["code"]
    lines.append("  " + " -> ".join(down) + ";")
    # The decoder runs upward: each edge is drawn from the later layer with its arrow turned back, so the data
    # still flows code -> first decoder layer -> ... while the layers stack bottom to top.
    up = ["code"] + [f"d{number}" for number in range(len(decoder) - 1)]
    lines += [f"  {later} -> {earlier} [dir=back];" for earlier, later in zip(up, up[1:], strict=False)]
    lines.append("}")
    return "\n".join(lines)
