"""Find, validate and load Fashion-MNIST, the anomaly lesson's second data set, from its IDX files; never
unpickling anything. (MNIST, which every model trains on, is read by latentwall/data.py from its .npz.)

Fashion-MNIST (Xiao, Rasul and Vollgraf 2017, MIT licence) comes as four gzip-compressed IDX files. The
loader looks for them in this order: an explicit folder (an argument, or the environment variable
LATENT_WALL_FASHION), Debian's `dataset-fashion-mnist` package, the Keras cache, a Keras download where a
network exists.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall.data import DataError

FASHION_ENV_VAR = "LATENT_WALL_FASHION"
# Where Debian's dataset-fashion-mnist package installs the files (apt-get install dataset-fashion-mnist).
SYSTEM_FOLDER = Path("/usr/share/datasets/fashion-mnist")
# Where keras.datasets.fashion_mnist.load_data() keeps its download.
KERAS_CACHE_FOLDER = Path("~/.keras/datasets/fashion-mnist").expanduser()

# Each split's file names and the shapes the files must declare: 28 x 28 grey images, one label each.
FILES = {
    "x_train": ("train-images-idx3-ubyte.gz", (60000, 28, 28)),
    "y_train": ("train-labels-idx1-ubyte.gz", (60000,)),
    "x_test": ("t10k-images-idx3-ubyte.gz", (10000, 28, 28)),
    "y_test": ("t10k-labels-idx1-ubyte.gz", (10000,)),
}
# What the ten labels mean, in the data set's own order.
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")

# An IDX file opens with two zero bytes, a type code (0x08: unsigned bytes, the only one used here) and the
# number of dimensions, then one big-endian 32-bit size per dimension.
_UNSIGNED_BYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"

HOW_TO_SUPPLY = (
    "Supply Fashion-MNIST in one of four ways:\n"
    f"  1. set the environment variable {FASHION_ENV_VAR}=/path/to/folder (holding the four .gz files);\n"
    f"  2. on Debian or Ubuntu: apt-get install dataset-fashion-mnist (it installs them in {SYSTEM_FOLDER});\n"
    f"  3. put the files in the Keras cache at {KERAS_CACHE_FOLDER};\n"
    "  4. run with internet access and TensorFlow installed, and Keras downloads them into that cache."
)


@dataclass(frozen=True)
class Fashion:
    """The four Fashion-MNIST arrays as uint8, and the folder they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    folder: Path


def _problem(path: Path, what: str) -> DataError:
    return DataError(f"The Fashion-MNIST file {path} cannot be used: {what}.\n{HOW_TO_SUPPLY}")


def read_idx(path: str | os.PathLike, shape: tuple[int, ...]) -> np.ndarray:
    """One gzip-compressed IDX file of unsigned bytes, checked to declare exactly shape and to hold exactly
    that many values. Never decompresses more than the expected size (plus one byte, to see if there is more),
    so a small file that inflates to gigabytes costs nothing."""
    path = Path(path)
    header_size = 4 + 4 * len(shape)
    expected = header_size + int(np.prod(shape))
    try:
        with open(path, "rb") as handle:
            if handle.read(2) != _GZIP_MAGIC:
                raise _problem(path, "it is not gzip-compressed (an IDX .gz file starts with 1f 8b)")
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle) as unpacked:
                raw = unpacked.read(expected + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise _problem(path, f"it is truncated or damaged ({error})") from None
    if len(raw) < header_size:
        raise _problem(path, f"it holds {len(raw)} bytes, too few for an IDX header")
    zero, type_code, dimensions = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or type_code != _UNSIGNED_BYTE:
        raise _problem(path, f"its magic number {raw[:4].hex()} is not that of an IDX file of unsigned bytes")
    if dimensions != len(shape):
        raise _problem(path, f"it declares {dimensions} dimensions, expected {len(shape)}")
    declared = tuple(int.from_bytes(raw[4 + 4 * axis:8 + 4 * axis], "big") for axis in range(dimensions))
    if declared != shape:
        raise _problem(path, f"it declares the shape {declared}, expected {shape}")
    if len(raw) != expected:
        found = "more" if len(raw) > expected else f"only {len(raw) - header_size}"
        raise _problem(path, f"it holds {found} values after its header, expected {expected - header_size}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def _complete(folder: Path) -> bool:
    return all((folder / name).is_file() for name, _ in FILES.values())


def find_fashion(path: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """The folder to read: explicit, then Debian's package, then the Keras cache, then a Keras download."""
    explicit = path if path is not None else os.environ.get(FASHION_ENV_VAR)
    if explicit:
        folder = Path(explicit).expanduser()
        if not folder.is_dir():
            raise DataError(f"The Fashion-MNIST folder {folder} does not exist.\n{HOW_TO_SUPPLY}")
        return folder
    for folder in (SYSTEM_FOLDER, KERAS_CACHE_FOLDER):
        if _complete(folder):
            return folder
    if not download:
        raise DataError(f"Fashion-MNIST was not found.\n{HOW_TO_SUPPLY}")
    try:
        import keras

        keras.datasets.fashion_mnist.load_data()
    except Exception as error:  # Any network, disk or import failure ends in the same advice.
        raise DataError(f"Fashion-MNIST was not found and could not be downloaded ({error}).\n{HOW_TO_SUPPLY}") \
            from None
    return KERAS_CACHE_FOLDER


def load_fashion(path: str | os.PathLike | None = None, *, download: bool = True) -> Fashion:
    """Load and validate all four Fashion-MNIST arrays; any problem raises DataError saying what to do."""
    folder = find_fashion(path, download=download)
    arrays = {}
    for key, (name, shape) in FILES.items():
        if not (folder / name).is_file():
            raise _problem(folder / name, "no such file")
        arrays[key] = read_idx(folder / name, shape)
    for key in ("y_train", "y_test"):
        if arrays[key].max() >= len(CLASS_NAMES):
            raise _problem(folder / FILES[key][0], f"it holds labels above {len(CLASS_NAMES) - 1}")
    return Fashion(folder=folder, **arrays)
