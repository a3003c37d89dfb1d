"""Save, verify and load what lives in models/: the manifest guards every file before Keras reads it."""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import config
from latentwall.data import file_sha256

MANIFEST_NAME = "manifest.json"
MODEL_FILES = {
    "ae": ("ae/encoder.keras", "ae/decoder.keras"),
    "vae": ("vae/encoder.keras", "vae/decoder.keras"),
}
READER_FILE = "reader.keras"


class ArtifactError(Exception):
    """The models are missing or damaged; the message names the file and the command that fixes it."""


def _fix_advice() -> str:
    return f"Recreate the models with:  {config.TRAIN_COMMAND}"


def write_json(path: Path, payload: dict) -> None:
    """Write JSON that people read too: sorted keys, indented, trailing newline."""
    Path(path).write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


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


def verify_manifest(folder: Path, required: tuple[str, ...] = ()) -> dict:
    """Check every file the manifest lists (and each required one) against its recorded SHA-256."""
    folder = Path(folder)
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise ArtifactError(f"No trained models were found in {folder} (no {MANIFEST_NAME}).\n{_fix_advice()}")
    try:
        files = read_json(manifest_path)["files"]
    except (ValueError, KeyError, TypeError):
        raise ArtifactError(f"The model manifest {manifest_path} is damaged.\n{_fix_advice()}") from None
    for name in required:
        if name not in files:
            raise ArtifactError(f"The manifest in {folder} does not list {name}.\n{_fix_advice()}")
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise ArtifactError(f"The model file {path} is missing.\n{_fix_advice()}")
        if file_sha256(path) != expected:
            raise ArtifactError(
                f"The model file {path} is damaged: its SHA-256 does not match the manifest.\n{_fix_advice()}")
    return files


def load_keras_model(path: Path):
    """Load one .keras file the safe way: no compile, safe_mode on, our custom layers registered."""
    import keras

    from latentwall import architectures  # noqa: F401  Registers the Sampling layer with Keras.

    return keras.saving.load_model(path, compile=False, safe_mode=True)


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
    np.savez(path, **arrays)


def load_wall(path: Path) -> Wall:
    with np.load(path, allow_pickle=False) as npz:
        if "z_mean" in npz.files:
            return Wall(npz["z_mean"], npz["labels"], npz["z_log_var"])
        return Wall(npz["codes"], npz["labels"])


class _SharedModel:
    """A loaded model made fast and safe to share: one traced graph, called under a lock.

    A plain eager `model(x)` call costs 5-9 ms; a traced tf.function with a fixed signature costs a
    fraction of that. Streamlit runs every session in its own thread and Keras does not promise thread
    safety, so calls are serialised; one call is far shorter than a click's round trip.
    """

    def __init__(self, model, input_shape: tuple[int, ...], output_shape: tuple[int, ...]):
        import tensorflow as tf

        self.model = model
        self._input_shape, self._output_shape = input_shape, output_shape
        self._lock = threading.Lock()
        self._graph = tf.function(lambda inputs: model(inputs, training=False),
                                  input_signature=[tf.TensorSpec([None, *input_shape], tf.float32)])
        self._run(np.zeros((1, *input_shape), "float32"))  # Warm-up: trace once at load, not on a click.

    def _run(self, inputs: np.ndarray, batch_size: int = 1024) -> np.ndarray:
        inputs = np.asarray(inputs, dtype="float32").reshape(-1, *self._input_shape)
        with self._lock:
            parts = [self._graph(inputs[start:start + batch_size]).numpy()
                     for start in range(0, len(inputs), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0, *self._output_shape), "float32")


class Decoder(_SharedModel):
    """The shared decoder: codes in, images out."""

    def __init__(self, model):
        self.latent_dim = model.input_shape[-1]
        super().__init__(model, (self.latent_dim,), (28, 28, 1))

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """(n, latent_dim) codes -> (n, 28, 28) float32 images in [0, 1]."""
        return self._run(codes)[..., 0]


class Reader(_SharedModel):
    """The shared digit reader: images in, probabilities out."""

    def __init__(self, model):
        super().__init__(model, (28, 28, 1), (10,))

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(n, 28, 28) images in [0, 1] -> (n, 10) probabilities."""
        return self._run(images)

    def read(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The digit each image shows and the reader's confidence in it."""
        probabilities = self.probabilities(images)
        return probabilities.argmax(axis=1), probabilities.max(axis=1)


@dataclass(frozen=True)
class LatentModel:
    """One of the two models as the app and the evaluation need it."""

    kind: str
    encoder: object
    decoder: Decoder
    wall: Wall
    meta: dict


@dataclass(frozen=True)
class ModelSet:
    ae: LatentModel
    vae: LatentModel
    reader: Reader
    folder: Path

    def __getitem__(self, kind: str) -> LatentModel:
        if kind not in MODEL_FILES:
            raise ValueError(f"Unknown model {kind!r}; choose 'ae' or 'vae'.")
        return getattr(self, kind)


def required_files() -> tuple[str, ...]:
    names = [READER_FILE]
    for kind, (encoder, decoder) in MODEL_FILES.items():
        names += [encoder, decoder, f"{kind}/wall.npz", f"{kind}/meta.json"]
    return tuple(names)


def load_models(models_root: Path = config.MODELS_ROOT) -> ModelSet:
    """Verify the manifest, then load both latent models and the reader. Raises ArtifactError."""
    folder = config.dataset_dir(models_root)
    verify_manifest(folder, required_files())
    try:
        latent = {}
        for kind, (encoder_file, decoder_file) in MODEL_FILES.items():
            latent[kind] = LatentModel(
                kind=kind,
                encoder=load_keras_model(folder / encoder_file),
                decoder=Decoder(load_keras_model(folder / decoder_file)),
                wall=load_wall(folder / kind / "wall.npz"),
                meta=read_json(folder / kind / "meta.json"),
            )
        reader = Reader(load_keras_model(folder / READER_FILE))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ArtifactError(f"The models in {folder} could not be loaded ({error}).\n{_fix_advice()}") from None
    return ModelSet(ae=latent["ae"], vae=latent["vae"], reader=reader, folder=folder)


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
