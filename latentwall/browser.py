"""The page's own decoder (assets/wall_decoder.js): the addresses it fetches for a model, and the bytes.

`python -m training.export` writes each 2-D decoder's weights from its .keras file as one float32 file
with a JSON file naming the layers (see training/export.py). Both are in the manifest. They are served under
addresses that carry their SHA-256, so a browser may keep them for good: new weights get a new address.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from latentwall import artifacts, config

# The address prefix the server answers for these files (serve.py).
ROUTE = "/weights"
# How much of the SHA-256 goes in an address: enough to tell any two trainings apart.
DIGEST_CHARS = 16
SUFFIXES = {"spec": ".json", "weights": ".bin"}


def _files(kind: str) -> dict[str, str]:
    """The two files of one model's browser decoder, by role, relative to the data set's folder."""
    if kind not in artifacts.MODEL_FILES:
        return {}
    decoder = artifacts.MODEL_FILES[kind][1]
    return {"spec": artifacts.browser_spec_name(decoder), "weights": artifacts.browser_weights_name(decoder)}


def decoder_addresses(models_root: Path, kind: str) -> dict[str, str] | None:
    """Where the browser fetches kind's decoder: {"spec": url, "weights": url}, or None when it has none."""
    try:
        listed = artifacts.read_json(config.dataset_dir(models_root) / artifacts.MANIFEST_NAME)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    files = _files(kind)
    if not files or any(name not in listed for name in files.values()):
        return None
    return {role: f"{ROUTE}/{kind}/{listed[name][:DIGEST_CHARS]}{SUFFIXES[role]}" for role, name in files.items()}


@lru_cache(maxsize=8)  # Each file is read and checked once per process; at most two small files per model.
def served_file(models_root: str, kind: str, name: str) -> tuple[bytes, str] | None:
    """The bytes and media type for the address ROUTE/kind/name, or None when no such checked file exists.

    name is "<digest prefix>.json" or "<digest prefix>.bin"; the file is served only when its bytes still
    match the manifest and the address's digest prefix: an old or forged address gets nothing.
    """
    stem, dot, suffix = name.partition(".")
    role = {value.lstrip("."): key for key, value in SUFFIXES.items()}.get(suffix)
    files = _files(kind)
    if not dot or role is None or not files or len(stem) != DIGEST_CHARS:
        return None
    folder = config.dataset_dir(Path(models_root))
    try:
        listed = artifacts.read_json(folder / artifacts.MANIFEST_NAME)["files"]
        expected = listed[files[role]]
        content = (folder / files[role]).read_bytes()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not expected.startswith(stem) or hashlib.sha256(content).hexdigest() != expected:
        return None
    return content, "application/json" if role == "spec" else "application/octet-stream"
