"""The models/<dataset>/<recipe>/ layout: every file name under models/, the manifest that guards every file
before anything reads it, and the writes that leave a complete file or folder whatever moment a crash comes.

The `.keras` files are the source of truth; each has an ONNX export beside it (same name, `.onnx`), which
is what the app runs (see inference.py). Loading, saving and exporting Keras models is latentwall/keras/io.py's,
so this module never imports Keras and the app can use it without loading TensorFlow.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import config, registry
from latentwall.datasets import file_sha256

MANIFEST_NAME = "manifest.json"
# A trained model's Keras files, in models/<dataset>/<recipe>/.
ENCODER_FILE, DECODER_FILE = "encoder.keras", "decoder.keras"
# Every trained recipe's encoder and decoder, relative to the data set's folder.
MODEL_FILES = {recipe.name: (f"{recipe.name}/{ENCODER_FILE}", f"{recipe.name}/{DECODER_FILE}")
               for recipe in registry.trained()}
# A recipe's test codes with their labels (and a VAE's log-variances): the wall the pages draw.
WALL_FILE = "wall.npz"
# How each model was made and how its training went: "meta" and "history" records, one JSON file each.
RECORD_KINDS = ("meta", "history")
# The digit readers sit beside the recipes' folders, their records named <reader>_<kind>.json.
READERS = ("reader", "checker")
# The reports `python -m training.evaluate` writes beside the models: its own, then each lesson's.
EVALUATION_FILE = "evaluation.json"
COMPRESSION_FILE = "compression.json"
DENOISING_FILE = "denoising.json"
ANOMALY_FILE = "anomaly.json"
ANOMALY_EXAMPLES_FILE = "anomaly_examples.npz"
DIGIT_SCORES_FILE = "digit_scores.json"
# A PCA recipe's mean image and components (rows), fitted in closed form.
PCA_FILE = "pca.npz"
# A code wider than 2-D is drawn on a 2-D PCA projection of the test digits' codes: the projection's mean and
# axes, and the projected codes, with their labels.
PROJECTION_FILE = "projection.npz"
READER_FILE = "reader.keras"
# A second digit reader of another shape and seed; only the evaluation runs it, to cross-check the reader.
CHECKER_FILE = "checker.keras"
# What each Keras model answered to fixed probe inputs, written when it is exported. The app runs the same
# probes through each ONNX file as it loads it: a file damaged after training (even with its manifest entry
# recomputed) answers differently and is refused.
PROBES_FILE = "probes.npz"
PROBE_COUNT = 8
PROBE_TOLERANCE = 1e-4
# Noise alone does not test a reader: it was trained to answer noise flat (about 0.1 for every digit), so a
# reader with a quarter of its weights zeroed still answered the noise probes as the trained one did. The probe
# file therefore also keeps a few real test digits (PROBE_DIGITS, uint8, one of each class) and what every model
# that takes images answered to them; the app reads them from there and never needs MNIST itself.
PROBE_DIGITS = "digits"


class ArtifactError(Exception):
    """The models are missing or damaged; the message names the file and the command that fixes it."""


def fix_advice() -> str:
    return f"Recreate the models with:  {config.TRAIN_COMMAND}"


def record_name(model: str, kind: str) -> str:
    """The file name of a model's meta or history record, as it sits in the folder the model's files are in."""
    if kind not in RECORD_KINDS:
        raise ValueError(f"A model's record is one of {', '.join(RECORD_KINDS)}, not {kind!r}.")
    return f"{model}_{kind}.json" if model in READERS else f"{kind}.json"


def record_path(folder: Path, model: str, kind: str) -> Path:
    """A model's meta or history record under a data set's folder: in the recipe's own folder, or beside it for
    a reader."""
    folder = Path(folder)
    return folder / record_name(model, kind) if model in READERS else folder / model / record_name(model, kind)


def wall_path(folder: Path, recipe: str) -> Path:
    """A recipe's wall file under a data set's folder."""
    return Path(folder) / recipe / WALL_FILE


def write_json(path: Path, payload: dict) -> None:
    """Write JSON that people read too: sorted keys, indented, trailing newline. Written beside the target and
    renamed into place, so a reader never sees half a file."""
    path = Path(path)
    staged = path.with_name(f".{path.name}.writing")
    try:
        staged.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        staged.replace(path)
    finally:
        staged.unlink(missing_ok=True)


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_manifest(folder: Path) -> dict:
    """Record the SHA-256 of every file under folder (except the manifest) in folder/manifest.json."""
    folder = Path(folder)
    files = {path.relative_to(folder).as_posix(): file_sha256(path)
             for path in sorted(folder.rglob("*")) if path.is_file() and path.name != MANIFEST_NAME}
    manifest = {"algorithm": "sha256", "files": files}
    write_json(folder / MANIFEST_NAME, manifest)
    return manifest


def verify_manifest(folder: Path, required: tuple[str, ...] = (), only_required: bool = False) -> dict:
    """Check every file the manifest lists (and each required one) against its recorded SHA-256; with
    only_required, just the required ones (loading one recipe need not hash every other model)."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ArtifactError(f"No trained models were found in {folder} (no {MANIFEST_NAME}).\n{fix_advice()}")
    try:
        files = read_json(manifest_path)["files"]
    except (ValueError, KeyError, TypeError):
        raise ArtifactError(f"The model manifest {manifest_path} is damaged.\n{fix_advice()}") from None
    for name in required:
        if name not in files:
            raise ArtifactError(f"The manifest in {folder} does not list {name}.\n{fix_advice()}")
    for name, expected in files.items():
        if only_required and name not in required:
            continue
        path = folder / name
        if not path.is_file():
            raise ArtifactError(f"The model file {path} is missing.\n{fix_advice()}")
        if file_sha256(path) != expected:
            raise ArtifactError(
                f"The model file {path} is damaged: its SHA-256 does not match the manifest.\n{fix_advice()}")
    return files


@dataclass(frozen=True)
class Wall:
    """The 2-D codes of the 10,000 test digits, with their labels (and the VAE's log-variances)."""

    codes: np.ndarray
    labels: np.ndarray
    log_var: np.ndarray | None = None


def save_wall(path: Path, codes: np.ndarray, labels: np.ndarray, log_var: np.ndarray | None = None) -> None:
    """Store codes without pickles: AE as `codes`, VAE as `z_mean` and `z_log_var`."""
    arrays = {"labels": labels.astype("uint8")}
    if log_var is None:
        arrays["codes"] = codes.astype("float32")
    else:
        arrays["z_mean"] = codes.astype("float32")
        arrays["z_log_var"] = log_var.astype("float32")
    np.savez_compressed(path, **arrays)


def load_wall(path: Path) -> Wall:
    with np.load(path, allow_pickle=False) as npz:
        if "z_mean" in npz.files:
            return Wall(npz["z_mean"], npz["labels"], npz["z_log_var"])
        return Wall(npz["codes"], npz["labels"])


def onnx_name(keras_name: str) -> str:
    """The ONNX export that sits beside a .keras file."""
    return keras_name.removesuffix(".keras") + ".onnx"


def keras_files() -> tuple[str, ...]:
    """Every .keras file of a complete models folder: the encoders, decoders and the two readers."""
    return (*(name for pair in MODEL_FILES.values() for name in pair), READER_FILE, CHECKER_FILE)


def decoder_files() -> tuple[str, ...]:
    """The decoders the page runs itself under the pointer: those of the 2-D recipes drawn as walls."""
    return tuple(MODEL_FILES[recipe.name][1] for recipe in registry.trained() if recipe.on_wall)


def recipe_files(recipe: registry.Recipe) -> tuple[str, ...]:
    """What one recipe's folder must hold."""
    if not recipe.trained:
        return (f"{recipe.name}/{PCA_FILE}", f"{recipe.name}/meta.json")
    names = [*MODEL_FILES[recipe.name], *(onnx_name(name) for name in MODEL_FILES[recipe.name]),
             f"{recipe.name}/meta.json", f"{recipe.name}/history.json"]
    names.append(f"{recipe.name}/wall.npz" if recipe.latent_dim == 2 else f"{recipe.name}/{PROJECTION_FILE}")
    if recipe.on_wall:
        names.append(browser_spec_name(MODEL_FILES[recipe.name][1]))
    return tuple(names)


def browser_spec_name(keras_name: str) -> str:
    """The layer list of the page's own decoder, beside the decoder's .keras file, which holds the weights it
    names (see latentwall/browser.py)."""
    return keras_name.removesuffix(".keras") + ".weights.json"


def probe_inputs(input_shape: tuple[int, ...], count: int = PROBE_COUNT) -> np.ndarray:
    """Repeatable inputs for a model: codes spread over [-4, 4] for a decoder, [0, 1] images otherwise."""
    rng = np.random.default_rng(config.DEFAULT_SEED)
    if len(input_shape) == 1:
        return rng.uniform(-4.0, 4.0, (count, *input_shape)).astype("float32")
    return rng.uniform(0.0, 1.0, (count, *input_shape)).astype("float32")


def probe_key(keras_name: str, number: int) -> str:
    """Where the probe file keeps output `number` of a model's answers to the noise probe inputs."""
    return f"{onnx_name(keras_name)}:{number}"


def digit_probe_key(keras_name: str, number: int) -> str:
    """Where the probe file keeps output `number` of a model's answers to the real probe digits."""
    return f"{PROBE_DIGITS}:{onnx_name(keras_name)}:{number}"


def takes_images(input_shape: tuple[int, ...]) -> bool:
    """Whether a model's input is an image (an encoder or a reader) rather than a code (a decoder)."""
    return len(input_shape) > 1


def probe_digit_inputs(digits: np.ndarray) -> np.ndarray:
    """The probe file's uint8 digits as a model takes them: float32 (n, 28, 28, 1) on the [0, 1] scale."""
    return (np.asarray(digits, "float32") / 255.0)[..., None]


def required_files(recipes: tuple[registry.Recipe, ...] = registry.WALL_PAIR) -> tuple[str, ...]:
    """What the app needs before it serves anything: the readers, the probes and the given recipes' files."""
    names = [READER_FILE, onnx_name(READER_FILE), CHECKER_FILE, onnx_name(CHECKER_FILE), PROBES_FILE]
    for recipe in recipes:
        names += recipe_files(recipe)
    return tuple(names)


def replace_folder(staged: Path, final: Path) -> None:
    """Move a fully written folder into place so a crash at any moment leaves a complete folder there.

    The old folder is renamed aside first and removed only after the new one is in place; both renames
    are atomic on one file system.
    """
    staged, final = Path(staged), Path(final)
    retired = final.with_name(f".{final.name}.old")
    if retired.exists() and not final.exists():
        retired.rename(final)  # A crash between the two renames of an earlier run: put the old one back.
    if retired.exists():
        shutil.rmtree(retired)
    if final.exists():
        final.rename(retired)
    staged.rename(final)
    if retired.exists():
        shutil.rmtree(retired)
