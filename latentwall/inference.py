"""What the app runs: ONNX Runtime sessions for the encoders, decoders and reader. Never imports TensorFlow.

The serving process must not load TensorFlow: Streamlit runs a full garbage collection (and Keras's
`clear_session()` when Keras is loaded) after every script run, and with TensorFlow's objects on the heap
that cost ~0.5 s of the server's one Python core per click. The ONNX files are exported from the `.keras`
files by training (`python -m training.export`), listed in the manifest and verified before loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from latentwall import config, latent, registry, store


@dataclass(frozen=True)
class Probe:
    """What one model answered when it was exported: each output for the noise probe inputs, and, for a model
    that takes images, the real probe digits (as the model takes them) with each output for those."""

    answers: list[np.ndarray]
    digits: np.ndarray | None = None
    digit_answers: tuple[np.ndarray, ...] = ()


def _answers_match(answers: list[np.ndarray], expected: list[np.ndarray] | tuple[np.ndarray, ...]) -> bool:
    return len(answers) == len(expected) and all(
        answer.shape == want.shape
        and np.allclose(answer, want, rtol=store.PROBE_TOLERANCE, atol=store.PROBE_TOLERANCE)
        for answer, want in zip(answers, expected, strict=False))


class _OnnxModel:
    """One ONNX model shared by every session of the process.

    ONNX Runtime's `InferenceSession.run` is safe to call from many threads at once, so no lock is needed.
    One intra-op thread per call: a classroom's sessions already run in parallel, and a one-point decode is
    far too small to be worth splitting. No memory arena: the arena keeps the peak of the largest batch for
    good, and the comparison page's decodability maps (3,600 decodes and reads in batches of 1,024) left a
    replica at 1.4 GB of resident memory instead of ~0.2 GB, with no gain in speed (measured with
    `python -m bench.classroom --through-nginx --soak 500`).
    """

    def __init__(self, path: Path, input_shape: tuple[int, ...], expected: Probe | None = None):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.enable_cpu_mem_arena = False
        options.log_severity_level = 3  # Errors only: shape-inference notes would fill the server log.
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._input_shape = input_shape
        # The probe doubles as the warm-up, so a student's first click does not pay for it.
        answers = self._run(store.probe_inputs(input_shape))
        if expected is None:
            return
        if not _answers_match(answers, expected.answers):
            raise store.ArtifactError(f"{path.name} does not answer its probe inputs as the trained model did.")
        if store.takes_images(input_shape):
            # Without real digits a damaged reader can pass (see store.PROBE_DIGITS): their absence is a fault.
            if expected.digits is None or not expected.digit_answers:
                raise store.ArtifactError(f"{store.PROBES_FILE} holds no real digits to check {path.name} on.")
            if not _answers_match(self._run(expected.digits), expected.digit_answers):
                raise store.ArtifactError(
                    f"{path.name} does not answer the real probe digits as the trained model did.")

    def _run(self, inputs: np.ndarray, batch_size: int = 1024) -> list[np.ndarray]:
        """Every output of the model for inputs, in batches so a large grid stays within memory."""
        inputs = np.ascontiguousarray(inputs, dtype="float32").reshape(-1, *self._input_shape)
        if len(inputs) == 0:  # Run one dummy row for the output shapes, and keep none of it.
            return [output[:0] for output in self._run(np.zeros((1, *self._input_shape), "float32"))]
        parts = [self._session.run(None, {self._input: inputs[start:start + batch_size]})
                 for start in range(0, len(inputs), batch_size)]
        return [np.concatenate([part[output] for part in parts]) for output in range(len(parts[0]))]


class Decoder(_OnnxModel):
    """Codes in, images out, always on the [0, 1] scale whatever scale the recipe's lesson trains on."""

    def __init__(self, path: Path, latent_dim: int = config.LATENT_DIM, expected: Probe | None = None,
                 pixel_range: tuple[float, float] = (0.0, 1.0)):
        self.latent_dim = latent_dim
        self._low, self._span = pixel_range[0], pixel_range[1] - pixel_range[0]
        super().__init__(path, (latent_dim,), expected)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        """(n, latent_dim) codes -> (n, side, side) float32 images in [0, 1]."""
        images = self._run(codes)[0][..., 0]
        return np.clip((images - self._low) / self._span, 0.0, 1.0).astype("float32")


class Encoder(_OnnxModel):
    """Images in, codes out (the VAE's code is z_mean, the point the app decodes)."""

    def __init__(self, path: Path, expected: Probe | None = None,
                 pixel_range: tuple[float, float] = (0.0, 1.0), dataset: registry.Dataset = registry.MNIST):
        self._low, self._span = pixel_range[0], pixel_range[1] - pixel_range[0]
        super().__init__(path, (*dataset.image_shape, 1), expected)

    def _scaled(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(images, "float32") * self._span + self._low

    def encode(self, images: np.ndarray) -> np.ndarray:
        """(n, side, side) images in [0, 1] -> (n, latent_dim) codes."""
        return self._run(self._scaled(images))[0]

    def encode_spread(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Codes and, for a variational encoder, the log-variances (None otherwise)."""
        outputs = self._run(self._scaled(images))
        return outputs[0], (outputs[1] if len(outputs) > 1 else None)


class PcaCoder:
    """A PCA recipe: encodes by projecting on its components, decodes by the inverse, clipped to [0, 1]."""

    def __init__(self, path: Path, dataset: registry.Dataset = registry.MNIST):
        self.image_shape = dataset.image_shape
        with np.load(path, allow_pickle=False) as stored:
            self.projection = latent.Projection(stored["mean"].astype("float64"),
                                                stored["components"].astype("float64"))
        self.latent_dim = len(self.projection.axes)

    def encode(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, "float32")
        return self.projection.apply(images.reshape(len(images), -1)).astype("float32")

    def encode_spread(self, images: np.ndarray) -> tuple[np.ndarray, None]:
        return self.encode(images), None

    def decode(self, codes: np.ndarray) -> np.ndarray:
        codes = np.asarray(codes, "float32").reshape(-1, self.latent_dim)
        return np.clip(self.projection.inverse(codes), 0.0, 1.0).astype("float32").reshape(-1, *self.image_shape)


class Reader(_OnnxModel):
    """Images in, digit probabilities out."""

    def __init__(self, path: Path, expected: Probe | None = None, dataset: registry.Dataset = registry.MNIST):
        super().__init__(path, (*dataset.image_shape, 1), expected)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(n, side, side) images in [0, 1] -> (n, classes) probabilities."""
        return self._run(images)[0]

    def read(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The digit each image shows and the reader's confidence in it."""
        probabilities = self.probabilities(images)
        return probabilities.argmax(axis=1), probabilities.max(axis=1)


@dataclass(frozen=True)
class LatentModel:
    """One of the two 2-D models as the app and the evaluation need it."""

    kind: str
    encoder: Encoder
    decoder: Decoder
    wall: store.Wall
    meta: dict


@dataclass(frozen=True)
class ModelSet:
    """The gallery wall's 2-D models by their recipe's name (models[name]), the reader, and their folder."""

    walls: dict[str, LatentModel]
    reader: Reader
    folder: Path

    def __getitem__(self, kind: str) -> LatentModel:
        if kind not in self.walls:
            raise ValueError(f"Unknown model {kind!r}; choose one of: {', '.join(self.walls)}.")
        return self.walls[kind]


def _expected_answers(folder: Path):
    """A function giving the stored probe answers of one .keras file's export."""
    with np.load(folder / store.PROBES_FILE, allow_pickle=False) as stored:
        probes = {name: stored[name] for name in stored.files}
    digits = probes.get(store.PROBE_DIGITS)

    def outputs(key) -> list[np.ndarray]:
        found = []
        while key(len(found)) in probes:
            found.append(probes[key(len(found))])
        return found

    def expected(keras_name: str) -> Probe:
        return Probe(answers=outputs(lambda number: store.probe_key(keras_name, number)),
                     digits=None if digits is None else store.probe_digit_inputs(digits),
                     digit_answers=tuple(outputs(lambda number: store.digit_probe_key(keras_name, number))))

    return expected


def load_checker(models_root: Path = config.MODELS_ROOT) -> Reader:
    """The second reader, which only the evaluation runs (the app never loads it), verified like the others."""
    folder = config.dataset_dir(models_root)
    store.verify_manifest(folder, (store.CHECKER_FILE, store.onnx_name(store.CHECKER_FILE)))
    try:
        return Reader(folder / store.onnx_name(store.CHECKER_FILE),
                      expected=_expected_answers(folder)(store.CHECKER_FILE))
    except Exception as error:  # ONNX Runtime raises its own types; every one means the same to a user.
        raise store.ArtifactError(
            f"The second reader in {folder} could not be loaded ({type(error).__name__}: {error}).\n"
            f"{store.fix_advice()}") from None


def load_models(models_root: Path = config.MODELS_ROOT) -> ModelSet:
    """Verify the manifest, then load both latent models and the reader from their ONNX exports.

    Any failure to load, a damaged file whose manifest entry was recomputed included, raises ArtifactError.
    """
    folder = config.dataset_dir(models_root)
    store.verify_manifest(folder, store.required_files())
    try:
        expected = _expected_answers(folder)
        latent = {}
        for recipe in registry.WALL_PAIR:
            kind = recipe.name
            encoder_file, decoder_file = store.MODEL_FILES[kind]
            latent[kind] = LatentModel(
                kind=kind,
                encoder=Encoder(folder / store.onnx_name(encoder_file), expected=expected(encoder_file)),
                decoder=Decoder(folder / store.onnx_name(decoder_file), expected=expected(decoder_file)),
                wall=store.load_wall(store.wall_path(folder, kind)),
                meta=store.read_json(store.record_path(folder, kind, "meta")),
            )
        reader = Reader(folder / store.onnx_name(store.READER_FILE), expected=expected(store.READER_FILE))
    except Exception as error:  # ONNX Runtime raises its own types; every one means the same to a user.
        raise store.ArtifactError(
            f"The models in {folder} could not be loaded ({type(error).__name__}: {error}).\n"
            f"{store.fix_advice()}") from None
    return ModelSet(walls={recipe.name: latent[recipe.name] for recipe in registry.WALL_PAIR}, reader=reader,
                    folder=folder)


@dataclass(frozen=True)
class RecipeModel:
    """Any recipe of the registry as the pages need it: [0, 1] images in and out, its codes' 2-D picture (the
    wall itself for a 2-D code, a PCA projection of the test digits' codes otherwise), meta and history."""

    recipe: registry.Recipe
    encoder: Encoder | PcaCoder
    decoder: Decoder | PcaCoder
    meta: dict
    history: dict
    picture: store.Wall | None
    projection: latent.Projection | None

    def encode(self, images: np.ndarray) -> np.ndarray:
        return self.encoder.encode(images)

    def decode(self, codes: np.ndarray) -> np.ndarray:
        return self.decoder.decode(codes)

    def reconstruct(self, images: np.ndarray) -> np.ndarray:
        return self.decode(self.encode(images))


def load_recipe(name: str, models_root: Path = config.MODELS_ROOT) -> RecipeModel:
    """One recipe, verified against the manifest (its own files only) and loaded; ArtifactError otherwise."""
    recipe = registry.recipe(name)
    folder = config.dataset_dir(models_root)
    files = store.recipe_files(recipe)
    store.verify_manifest(folder, (*files, store.PROBES_FILE), only_required=True)
    own = folder / recipe.name
    try:
        meta = store.read_json(store.record_path(folder, recipe.name, "meta"))
        if not recipe.trained:
            coder = PcaCoder(own / store.PCA_FILE, recipe.dataset)
            return RecipeModel(recipe, coder, coder, meta, {}, None, None)
        expected = _expected_answers(folder)
        encoder_file, decoder_file = store.MODEL_FILES[recipe.name]
        encoder = Encoder(folder / store.onnx_name(encoder_file), expected(encoder_file), recipe.pixel_range,
                          recipe.dataset)
        decoder = Decoder(folder / store.onnx_name(decoder_file), recipe.latent_dim, expected(decoder_file),
                          recipe.pixel_range)
        history = store.read_json(store.record_path(folder, recipe.name, "history"))
        if recipe.latent_dim == 2:
            return RecipeModel(recipe, encoder, decoder, meta, history, store.load_wall(own / store.WALL_FILE), None)
        with np.load(own / store.PROJECTION_FILE, allow_pickle=False) as stored:
            projection = latent.Projection(stored["mean"].astype("float64"), stored["axes"].astype("float64"))
            picture = store.Wall(stored["codes"], stored["labels"])
        return RecipeModel(recipe, encoder, decoder, meta, history, picture, projection)
    except Exception as error:  # ONNX Runtime raises its own types; every one means the same to a user.
        raise store.ArtifactError(
            f"The model {recipe.name} in {folder} could not be loaded ({type(error).__name__}: {error}).\n"
            f"Recreate it with:  {config.TRAIN_COMMAND} --recipe {recipe.name}") from None
