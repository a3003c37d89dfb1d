"""The page's own decoder (assets/wall_decoder.js): the addresses it fetches for a model, and the bytes.

`python -m training.export` writes each 2-D decoder's layer list (decoder.weights.json) beside its .keras file.
For every array the list names where its little-endian float32 bytes lie inside the .keras file's weights
member, an HDF5 file in which Keras stores each array whole and uncompressed; the export checks those bytes
against the model's own weights. The server cuts the arrays from there, so the weights are kept once, in the
.keras file, and read without TensorFlow or h5py. Both files are in the manifest and checked before anything is
served, and both are served under addresses that carry the SHA-256 of the bytes served, so a browser may keep
them for good: new weights get a new address.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

from latentwall import config, store

# The address prefix the server answers for these files (serve.py).
ROUTE = "/weights"
# How much of the SHA-256 goes in an address: enough to tell any two trainings apart.
DIGEST_CHARS = 16
SUFFIXES = {"spec": ".json", "weights": ".bin"}
# The member of a .keras file that holds its weights.
WEIGHTS_MEMBER = "model.weights.h5"
FLOAT_BYTES = 4


def _files(kind: str) -> dict[str, str]:
    """The layer list and the .keras file of one model's browser decoder, relative to the data set's folder."""
    if kind not in store.MODEL_FILES:
        return {}
    decoder = store.MODEL_FILES[kind][1]
    return {"spec": store.browser_spec_name(decoder), "keras": decoder}


def decoder_weights(keras_file: bytes, spec: dict) -> bytes:
    """The arrays the spec names, one after another as little-endian float32, cut from the .keras file's weights.

    Raises ValueError when the spec does not describe arrays inside the file, one after another.
    """
    with zipfile.ZipFile(io.BytesIO(keras_file)) as archive:
        stored = archive.read(WEIGHTS_MEMBER)
    chunks, floats = [], 0
    for layer in spec["layers"]:
        for array in layer.get("arrays", []):
            start, size = int(array["stored_at"]), math.prod(int(side) for side in array["shape"])
            if int(array["offset"]) != floats or start < 0 or start + FLOAT_BYTES * size > len(stored):
                raise ValueError(f"The layer list names an array outside {WEIGHTS_MEMBER} or out of order.")
            chunks.append(stored[start:start + FLOAT_BYTES * size])
            floats += size
    if floats != int(spec["floats"]):
        raise ValueError(f"The layer list counts {spec['floats']} floats but names {floats}.")
    return b"".join(chunks)


def decoder_addresses(models_root: Path, kind: str) -> dict[str, str] | None:
    """Where the browser fetches kind's decoder: {"spec": url, "weights": url}, or None when it has none."""
    folder = config.dataset_dir(models_root)
    files = _files(kind)
    try:
        listed = store.read_json(folder / store.MANIFEST_NAME)["files"]
        if not files or any(name not in listed for name in files.values()):
            return None
        weights_digest = str(store.read_json(folder / files["spec"])["weights_sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"spec": f"{ROUTE}/{kind}/{listed[files['spec']][:DIGEST_CHARS]}{SUFFIXES['spec']}",
            "weights": f"{ROUTE}/{kind}/{weights_digest[:DIGEST_CHARS]}{SUFFIXES['weights']}"}


@lru_cache(maxsize=8)  # Each address is read and checked once per process: two per 2-D model.
def served_file(models_root: str, kind: str, name: str) -> tuple[bytes, str] | None:
    """The bytes and media type for the address ROUTE/kind/name, or None when no such checked file exists.

    name is "<digest prefix>.json" or "<digest prefix>.bin". The layer list (and for the weights, the .keras
    file) must still match the manifest, and the bytes served must match the address's digest prefix (for the
    weights, the SHA-256 the layer list records): an old or forged address gets nothing.
    """
    stem, dot, suffix = name.partition(".")
    role = {value.lstrip("."): key for key, value in SUFFIXES.items()}.get(suffix)
    files = _files(kind)
    if not dot or role is None or not files or len(stem) != DIGEST_CHARS:
        return None
    folder = config.dataset_dir(Path(models_root))
    needed = [files["spec"], files["keras"]] if role == "weights" else [files["spec"]]
    try:
        listed = store.read_json(folder / store.MANIFEST_NAME)["files"]
        contents = {file: (folder / file).read_bytes() for file in needed}
        if any(hashlib.sha256(content).hexdigest() != listed[file] for file, content in contents.items()):
            return None
        if role == "spec":
            content, expected = contents[files["spec"]], listed[files["spec"]]
        else:
            spec = json.loads(contents[files["spec"]])
            content, expected = decoder_weights(contents[files["keras"]], spec), str(spec["weights_sha256"])
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, zlib.error):
        return None
    if not expected.startswith(stem) or hashlib.sha256(content).hexdigest() != expected:
        return None
    return content, "application/json" if role == "spec" else "application/octet-stream"
