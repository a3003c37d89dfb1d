"""Keras models to and from disk: load the safe way, save deflated, export to ONNX. Training only.

Keras (and so TensorFlow) is imported only inside the functions that need it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # Only for the hints: importing Keras starts TensorFlow.
    import keras


def load_keras_model(path: Path) -> keras.Model:
    """Load one .keras file the safe way: no compile, safe_mode on, our custom layers registered."""
    import keras

    from latentwall.keras import builders  # noqa: F401  Registers the Sampling and Temperature layers with Keras.

    return keras.saving.load_model(path, compile=False, safe_mode=True)


def save_keras_model(model: keras.Model, path: Path) -> None:
    """Save a Keras model as a .keras file with its members deflated (see deflate_keras)."""
    model.save(path)
    deflate_keras(path)


def deflate_keras(path: Path) -> None:
    """Rewrite a .keras file with every member deflated; each member's name, date and bytes stay as they were.

    Keras stores its zip uncompressed, and the weights of these models shrink by about a tenth under zlib.
    Keras, and summary.py reading the config, open a deflated archive as they open a stored one.
    """
    path = Path(path)
    staged = path.with_name(f".{path.name}.deflating")
    try:
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(staged, "w") as target:
            for info in source.infolist():
                member = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                member.external_attr = info.external_attr
                target.writestr(member, source.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)


def export_onnx(model: keras.Model, target: Path) -> Path:
    """Export a loaded Keras model to ONNX at target (needs tf2onnx, a training-time dependency).

    The model is called once first: Keras builds a functional model's graph for export from a traced call.
    """
    model(np.zeros((1, *model.input_shape[1:]), "float32"))
    model.export(str(target), format="onnx", verbose=False)
    return Path(target)
