"""Every data set behind one find, load and validate, never unpickling anything.

MNIST (every recipe trains on it) comes as one .npz file of four arrays; Fashion-MNIST (Xiao, Rasul and
Vollgraf 2017, MIT licence; the anomaly lesson's second data set) as four gzip-compressed IDX files in a
folder. Each is looked for in this order: an explicit path (an argument, or the data set's environment
variable), the system folder where a package installs it (Debian's `dataset-fashion-mnist`), the Keras cache,
a Keras download where a network exists. Whatever the form, the arrays are checked against the data set's
record in latentwall.registry (shapes, uint8 pixels, labels in range).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import config
from latentwall.registry import FASHION_MNIST, MNIST, Dataset

FASHION_ENV_VAR = "LATENT_WALL_FASHION"
# Where Debian's dataset-fashion-mnist package installs the files (apt-get install dataset-fashion-mnist).
SYSTEM_FOLDER = Path("/usr/share/datasets/fashion-mnist")
# Where keras.datasets.fashion_mnist.load_data() keeps its download.
KERAS_CACHE_FOLDER = Path("~/.keras/datasets/fashion-mnist").expanduser()

# The four arrays every data set has, each in a file of its own in IDX form.
SPLITS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
# What Fashion-MNIST's ten labels mean, in the data set's own order.
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")

# An IDX file opens with two zero bytes, a type code (0x08: unsigned bytes, the only one used here) and the
# number of dimensions, then one big-endian 32-bit size per dimension.
_UNSIGNED_BYTE = 0x08
_GZIP_MAGIC = b"\x1f\x8b"


class DataError(Exception):
    """A data set could not be found or is not what it should be; the message says what to do."""


@dataclass(frozen=True)
class Splits:
    """A data set's four arrays as uint8, the data set they are, and the file or folder they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    path: Path
    dataset: Dataset = MNIST


@dataclass(frozen=True)
class Source:
    """How one data set is stored and where it is looked for.

    form: "npz" (one file) or "idx" (a folder of IDX_FILES). places answers the system and cache places in
    order, read at each call so that a test can point them elsewhere. keras_name is the keras.datasets
    module whose load_data() downloads it into the last of those places.
    """

    form: str
    env_var: str
    places: Callable[[], tuple[Path, ...]]
    keras_name: str
    how_to_supply: str


SOURCES = {
    MNIST.name: Source(
        "npz", config.DATA_ENV_VAR, lambda: (config.KERAS_CACHE_FILE,), "mnist",
        "Supply MNIST in one of three ways:\n"
        "  1. pass --data /path/to/mnist.npz (or set the environment variable "
        f"{config.DATA_ENV_VAR}=/path/to/mnist.npz);\n"
        f"  2. put the file in the Keras cache at {config.KERAS_CACHE_FILE};\n"
        "  3. run with internet access, and Keras downloads it into that cache."),
    FASHION_MNIST.name: Source(
        "idx", FASHION_ENV_VAR, lambda: (SYSTEM_FOLDER, KERAS_CACHE_FOLDER), "fashion_mnist",
        "Supply Fashion-MNIST in one of four ways:\n"
        f"  1. set the environment variable {FASHION_ENV_VAR}=/path/to/folder (holding the four .gz files);\n"
        f"  2. on Debian or Ubuntu: apt-get install dataset-fashion-mnist (it installs them in {SYSTEM_FOLDER});\n"
        f"  3. put the files in the Keras cache at {KERAS_CACHE_FOLDER};\n"
        "  4. run with internet access and TensorFlow installed, and Keras downloads them into that cache."),
}


def source_of(dataset: Dataset) -> Source:
    """The stored form and places of a data set the registry lists; any other raises ValueError."""
    try:
        return SOURCES[dataset.name]
    except KeyError:
        raise ValueError(f"No source is known for the data set {dataset.name!r}; "
                         f"known: {', '.join(sorted(SOURCES))}.") from None


def shapes(dataset: Dataset) -> dict[str, tuple[int, ...]]:
    """Each split's shape as the data set's record says: (count, side, side) images and (count,) labels."""
    return {"x_train": (dataset.train_count, *dataset.image_shape), "y_train": (dataset.train_count,),
            "x_test": (dataset.test_count, *dataset.image_shape), "y_test": (dataset.test_count,)}


def problem(dataset: Dataset, path: Path, what: str) -> DataError:
    """The error for a file of dataset that cannot be used, with what to do instead."""
    return DataError(f"The {dataset.title} file {path} cannot be used: {what}.\n{source_of(dataset).how_to_supply}")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks so large files cost little memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _complete(place: Path, form: str) -> bool:
    if form == "npz":
        return place.is_file()
    return all((place / name).is_file() for name in IDX_FILES.values())


def find(dataset: Dataset = MNIST, path: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """The file (npz) or folder (idx) to read: explicit, then the system and cache places, then a Keras download."""
    source = source_of(dataset)
    explicit = path if path is not None else os.environ.get(source.env_var)
    if explicit:
        found = Path(explicit).expanduser()
        if source.form == "npz" and not found.is_file():
            raise problem(dataset, found, "no such file")
        if source.form == "idx" and not found.is_dir():
            raise DataError(f"The {dataset.title} folder {found} does not exist.\n{source.how_to_supply}")
        return found
    places = source.places()
    for place in places:
        if _complete(place, source.form):
            return place
    if not download:
        raise DataError(f"{dataset.title} was not found.\n{source.how_to_supply}")
    try:
        import keras

        getattr(keras.datasets, source.keras_name).load_data()
    except Exception as error:  # Any network, disk or import failure ends in the same advice.
        raise DataError(f"{dataset.title} was not found and could not be downloaded ({error}).\n"
                        f"{source.how_to_supply}") from None
    return places[-1]


def validate(arrays: dict[str, np.ndarray], dataset: Dataset, path: Path) -> None:
    """Raise DataError unless arrays holds the four splits with the record's shapes, uint8, labels in range."""
    missing = [key for key in SPLITS if key not in arrays]
    if missing:
        raise problem(dataset, path, f"missing the key(s) {', '.join(missing)}")
    for key, shape in shapes(dataset).items():
        array = arrays[key]
        if array.dtype != np.uint8:
            raise problem(dataset, path, f"{key} has dtype {array.dtype}, expected uint8")
        if array.shape != shape:
            raise problem(dataset, path, f"{key} has shape {array.shape}, expected {shape}")
    for key in ("y_train", "y_test"):
        if arrays[key].max(initial=0) >= dataset.classes:
            raise problem(dataset, path, f"{key} holds labels above {dataset.classes - 1}")
    # Pixels are uint8, so the 0-255 range is guaranteed by the dtype check above.


def load(dataset: Dataset = MNIST, path: str | os.PathLike | None = None, *, download: bool = True) -> Splits:
    """Find, read and validate a data set; any problem raises DataError with a message a user can act on."""
    found = find(dataset, path, download=download)
    arrays = _read_npz(found, dataset) if source_of(dataset).form == "npz" else _read_idx_folder(found, dataset)
    validate(arrays, dataset, found)
    return Splits(path=found, dataset=dataset, **arrays)


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


def _read_npz(path: Path, dataset: Dataset) -> dict[str, np.ndarray]:
    kind = _file_kind(path)
    if kind != "zip":
        raise problem(dataset, path, f"it is {kind}, not an .npz file (an .npz file is a zip archive of NumPy arrays)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files if key in SPLITS}
    except ValueError as error:
        # NumPy refuses object arrays when pickles are not allowed.
        if "pickle" in str(error).lower():
            raise problem(dataset, path, "it holds pickled objects, which are never loaded") from None
        raise problem(dataset, path, f"it is not a valid .npz file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise problem(dataset, path, f"it is truncated or not an .npz file ({error})") from None


def _read_idx_folder(folder: Path, dataset: Dataset) -> dict[str, np.ndarray]:
    arrays = {}
    for key, shape in shapes(dataset).items():
        path = folder / IDX_FILES[key]
        if not path.is_file():
            raise problem(dataset, path, "no such file")
        arrays[key] = read_idx(path, shape, dataset)
    return arrays


def read_idx(path: str | os.PathLike, shape: tuple[int, ...], dataset: Dataset = FASHION_MNIST) -> np.ndarray:
    """One gzip-compressed IDX file of unsigned bytes, checked to declare exactly shape and to hold exactly
    that many values. Never decompresses more than the expected size (plus one byte, to see if there is more),
    so a small file that inflates to gigabytes costs nothing."""
    path = Path(path)
    header_size = 4 + 4 * len(shape)
    expected = header_size + int(np.prod(shape))
    try:
        with open(path, "rb") as handle:
            if handle.read(2) != _GZIP_MAGIC:
                raise problem(dataset, path, "it is not gzip-compressed (an IDX .gz file starts with 1f 8b)")
            handle.seek(0)
            with gzip.GzipFile(fileobj=handle) as unpacked:
                raw = unpacked.read(expected + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise problem(dataset, path, f"it is truncated or damaged ({error})") from None
    if len(raw) < header_size:
        raise problem(dataset, path, f"it holds {len(raw)} bytes, too few for an IDX header")
    zero, type_code, dimensions = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or type_code != _UNSIGNED_BYTE:
        raise problem(dataset, path, f"its magic number {raw[:4].hex()} is not that of an IDX file of unsigned bytes")
    if dimensions != len(shape):
        raise problem(dataset, path, f"it declares {dimensions} dimensions, expected {len(shape)}")
    declared = tuple(int.from_bytes(raw[4 + 4 * axis:8 + 4 * axis], "big") for axis in range(dimensions))
    if declared != shape:
        raise problem(dataset, path, f"it declares the shape {declared}, expected {shape}")
    if len(raw) != expected:
        found = "more" if len(raw) > expected else f"only {len(raw) - header_size}"
        raise problem(dataset, path, f"it holds {found} values after its header, expected {expected - header_size}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def as_images(pixels: np.ndarray) -> np.ndarray:
    """uint8 (n, side, side) pixels to float32 (n, side, side, 1) on the [0, 1] scale the models use."""
    return (pixels.astype("float32") / 255.0)[..., None]
