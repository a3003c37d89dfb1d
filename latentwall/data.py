"""Find, load and validate the MNIST file, without ever unpickling anything."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import config

EXPECTED_SHAPES = {
    "x_train": (60000, 28, 28),
    "y_train": (60000,),
    "x_test": (10000, 28, 28),
    "y_test": (10000,),
}

HOW_TO_SUPPLY = (
    "Supply MNIST in one of three ways:\n"
    "  1. pass --data /path/to/mnist.npz (or set the environment variable "
    f"{config.DATA_ENV_VAR}=/path/to/mnist.npz);\n"
    f"  2. put the file in the Keras cache at {config.KERAS_CACHE_FILE};\n"
    "  3. run with internet access, and Keras downloads it into that cache."
)


class DataError(Exception):
    """MNIST could not be found or is not what it should be; the message says what to do."""


@dataclass(frozen=True)
class Mnist:
    """The four MNIST arrays as uint8, and the file they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    path: Path


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks so large files cost little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _problem(path: Path, what: str) -> DataError:
    return DataError(f"The MNIST file {path} cannot be used: {what}.\n{HOW_TO_SUPPLY}")


def find_mnist(path: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """Return the MNIST file to use: explicit path, then the Keras cache, then a Keras download."""
    explicit = path if path is not None else os.environ.get(config.DATA_ENV_VAR)
    if explicit:
        explicit_path = Path(explicit).expanduser()
        if not explicit_path.is_file():
            raise _problem(explicit_path, "no such file")
        return explicit_path
    if config.KERAS_CACHE_FILE.is_file():
        return config.KERAS_CACHE_FILE
    if not download:
        raise DataError(f"MNIST was not found.\n{HOW_TO_SUPPLY}")
    try:
        import keras

        keras.datasets.mnist.load_data()
    except Exception as error:  # Any network or disk failure ends in the same advice.
        raise DataError(f"MNIST was not found and could not be downloaded ({error}).\n{HOW_TO_SUPPLY}") from None
    return config.KERAS_CACHE_FILE


def _validate(arrays: dict[str, np.ndarray], path: Path) -> None:
    missing = sorted(set(EXPECTED_SHAPES) - set(arrays))
    if missing:
        raise _problem(path, f"missing the key(s) {', '.join(missing)}")
    for key, shape in EXPECTED_SHAPES.items():
        array = arrays[key]
        if array.dtype != np.uint8:
            raise _problem(path, f"{key} has dtype {array.dtype}, expected uint8")
        if array.shape != shape:
            raise _problem(path, f"{key} has shape {array.shape}, expected {shape}")
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise _problem(path, f"{key} holds labels above 9")
    # Pixels are uint8, so the 0-255 range is guaranteed by the dtype check above.


def _file_kind(path: Path) -> str:
    """What a file looks like from its first bytes: "zip" for an .npz, else a description for the message."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if not head:
        return "empty"
    if head.startswith(b"\x93NUMPY"):
        return "a single .npy array"
    if head[:1] == b"\x80":
        return "a Python pickle"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "a binary file of some other kind"
    return "a text file"


def load_mnist(path: str | os.PathLike | None = None, *, download: bool = True) -> Mnist:
    """Load and validate MNIST; any problem raises DataError with a message a user can act on."""
    source = find_mnist(path, download=download)
    kind = _file_kind(source)
    if kind != "zip":
        raise _problem(source, f"it is {kind}, not an .npz file (an .npz file is a zip archive of NumPy arrays)")
    try:
        with np.load(source, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files if key in EXPECTED_SHAPES}
    except ValueError as error:
        # NumPy refuses object arrays when pickles are not allowed.
        if "pickle" in str(error).lower():
            raise _problem(source, "it holds pickled objects, which are never loaded") from None
        raise _problem(source, f"it is not a valid .npz file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise _problem(source, f"it is truncated or not an .npz file ({error})") from None
    _validate(arrays, source)
    return Mnist(path=source, **arrays)


def as_images(pixels: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) pixels to float32 (n, 28, 28, 1) on the [0, 1] scale the models use."""
    return (pixels.astype("float32") / 255.0)[..., None]
