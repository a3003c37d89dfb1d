"""Train the 2-D AE, the VAE, the digit reader and its cross-check on MNIST and write them to models/.

    python -m training.train                      # all three, default settings
    python -m training.train --model vae --epochs 5

Everything is written into a staging folder first and moved into place at the end, so an interrupted
run leaves the previous models complete and loadable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Keep TensorFlow's start-up chatter out of the progress bar.

import numpy as np  # noqa: E402

from latentwall import architectures, artifacts, config, measures, outliers  # noqa: E402
from latentwall.data import DataError, as_images, file_sha256, load_mnist  # noqa: E402
from training import export  # noqa: E402

# The readers first: evaluating either latent model needs them.
MODEL_KINDS = ("reader", "checker", "vae", "ae")
READER_KINDS = ("reader", "checker")

# Per-model defaults, chosen so each committed model clears its quality bar with a margin. The checker, the
# second reader that only the evaluation uses, gets its own seed (so its own initial weights, data order and
# outliers) besides its own shape: where the two readers agree, the agreement is not one model's quirk.
DEFAULTS = {
    "ae": {"epochs": 20, "learning_rate": 2e-3, "seed_offset": 0},
    "vae": {"epochs": 20, "learning_rate": 2e-3, "seed_offset": 0},
    "reader": {"epochs": 15, "learning_rate": 2e-3, "seed_offset": 0},
    "checker": {"epochs": 15, "learning_rate": 2e-3, "seed_offset": 1},
}
# Outlier exposure: this many images of each non-digit kind (latentwall/outliers.py) join the digits with a
# uniform target, about half as many outliers as digits in all (Hendrycks et al. 2019 weigh the outlier
# term 0.5). Their seed is set apart from the one the evaluation's corpus uses.
OUTLIERS_PER_KIND = 4000
# Training digits held out to fit the temperature on: never trained on, and not the test set the
# calibration is then measured on.
CALIBRATION_DIGITS = 5000


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=(*MODEL_KINDS, "all"), default="all", help="which model to train")
    parser.add_argument("--epochs", type=positive_int, help="epochs per model (default: per model)")
    parser.add_argument("--batch-size", type=positive_int, default=128)
    parser.add_argument("--learning-rate", type=float, help="peak learning rate (default: per model)")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR}, then the Keras cache)")
    parser.add_argument("--out", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--limit", type=positive_int, help="use only the first N train and test digits (quick checks)")
    parser.add_argument("--target-mse", type=float, help="stop a latent model once its test MSE reaches this")
    args = parser.parse_args(argv)
    if args.learning_rate is not None and not 0 < args.learning_rate < 1:
        parser.error(f"--learning-rate must be between 0 and 1, got {args.learning_rate}")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        probe = args.out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        parser.error(f"cannot write to the output folder {args.out}: {error.strerror or error}")
    return args


def epoch_clock(target_mse: float | None = None):
    """A Keras callback that records the wall time of each epoch and stops at a target test MSE."""
    import keras  # Imported late so `--help` and argument errors answer without loading TensorFlow.

    class EpochClock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.epoch_start)
            if target_mse is not None and logs.get("val_mse", np.inf) <= target_mse:
                self.model.stop_training = True

    return EpochClock()


def make_dataset(images: np.ndarray, labels: np.ndarray | None, batch_size: int, seed: int, shuffle: bool):
    """An in-memory tf.data pipeline: shuffled with the run's seed, batched, prefetched."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(images if labels is None else (images, labels))
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def schedule(learning_rate: float, epochs: int, steps_per_epoch: int):
    """Cosine decay to 5% over the run: fast early progress, a calm finish."""
    import keras

    return keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=epochs * steps_per_epoch, alpha=0.05)


def fit(model, train, test, epochs: int, target_mse: float | None) -> tuple[dict, list[float]]:
    clock = epoch_clock(target_mse)
    verbose = 1 if sys.stdout.isatty() else 2
    history = model.fit(train, validation_data=test, epochs=epochs, callbacks=[clock], verbose=verbose,
                        shuffle=False)  # tf.data already shuffles with the run's seed.
    return {name: [float(value) for value in values] for name, values in history.history.items()}, clock.seconds


def train_latent(kind: str, x_train, x_test, y_test, args, settings: dict, folder: Path) -> dict:
    """Train the AE or VAE; save encoder, decoder, wall codes and history into folder."""
    import keras

    arguments = architectures.default_arguments(kind)
    steps = int(np.ceil(len(x_train) / args.batch_size))
    optimizer = keras.optimizers.Adam(schedule(settings["learning_rate"], settings["epochs"], steps))
    if kind == "vae":
        model = architectures.build_vae(**arguments, seed=args.seed)
        encoder, decoder = model.encoder, model.decoder
        model.compile(optimizer=optimizer)
    else:
        encoder, decoder, model = architectures.build_autoencoder(**arguments)
        model.compile(optimizer=optimizer, loss=architectures.reconstruction_loss,
                      metrics=[keras.metrics.MeanSquaredError(name="mse")])
    supervised = kind == "ae"
    train = make_dataset(x_train, x_train if supervised else None, args.batch_size, args.seed, shuffle=True)
    test = make_dataset(x_test, x_test if supervised else None, args.batch_size, args.seed, shuffle=False)
    history, seconds = fit(model, train, test, settings["epochs"], args.target_mse)

    folder.mkdir(parents=True, exist_ok=True)
    encoder.save(folder / "encoder.keras")
    decoder.save(folder / "decoder.keras")
    encoded = encoder.predict(x_test, batch_size=1024, verbose=0)
    if kind == "vae":
        artifacts.save_wall(folder / "wall.npz", encoded[0], y_test, log_var=encoded[1])
    else:
        artifacts.save_wall(folder / "wall.npz", encoded, y_test)
    return {"architecture": arguments, "history": history, "epoch_seconds": seconds}


def outlier_exposure_set(x_train: np.ndarray, y_train: np.ndarray, per_kind: int, seed: int):
    """The non-digits a reader trains on: every kind of latentwall/outliers.py, blends of two different
    training digits included, each with the uniform target 1/10 per digit."""
    per_kind = max(1, per_kind)
    rng = np.random.default_rng(outliers.TRAIN_SEED + seed)
    kinds = outliers.corpus(x_train[..., 0], per_kind, int(rng.integers(2**31)))
    kinds["blends"] = outliers.blends(x_train[..., 0], y_train, per_kind, rng)
    images = np.concatenate(list(kinds.values()))[..., None].astype("float32")
    return images, np.full((len(images), 10), 0.1, "float32")


def train_reader(kind: str, x_train, y_train, x_test, y_test, args, settings: dict, folder: Path) -> dict:
    """A digit reader trained with outlier exposure, then calibrated by a temperature fitted on held-out digits.

    The temperature is folded into the saved model (its Temperature layer), so reader.keras and its export
    answer with the calibrated probabilities themselves.
    """
    import keras

    seed = settings["seed"]
    arguments = architectures.default_arguments(kind)
    build = architectures.build_reader if kind == "reader" else architectures.build_checker
    model = build(**arguments)
    held_out = min(CALIBRATION_DIGITS, len(x_train) // 10)
    order = np.random.default_rng(seed).permutation(len(x_train))
    calibration, fitting = order[:held_out], order[held_out:]
    per_kind = min(OUTLIERS_PER_KIND, len(fitting) // 14)  # About one outlier for two digits on tiny data too.
    outlier_images, outlier_targets = outlier_exposure_set(x_train[fitting], y_train[fitting], per_kind, seed)
    # Half of every kind, digits and non-digits alike, blurred and dimmed like a decoder's painting.
    augment = np.random.default_rng([outliers.TRAIN_SEED, seed, 1])
    images = outliers.soften(np.concatenate([x_train[fitting], outlier_images])[..., 0], augment)[..., None]
    targets = np.concatenate([keras.utils.to_categorical(y_train[fitting], 10), outlier_targets])

    steps = int(np.ceil(len(images) / args.batch_size))
    model.compile(optimizer=keras.optimizers.Adam(schedule(settings["learning_rate"], settings["epochs"], steps)),
                  loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    train = make_dataset(images, targets, args.batch_size, seed, shuffle=True)
    test = make_dataset(x_test, keras.utils.to_categorical(y_test, 10), args.batch_size, seed, shuffle=False)
    history, seconds = fit(model, train, test, settings["epochs"], None)

    # The temperature is fitted on held-out digits softened the same way: sharp and soft, as the reader meets them.
    held_out_images = outliers.soften(x_train[calibration][..., 0], augment)[..., None]
    logits = architectures.reader_logits(model).predict(held_out_images, batch_size=1024, verbose=0)
    temperature = measures.fit_temperature(logits, y_train[calibration])
    calibrated = architectures.with_temperature(model, temperature)
    calibrated.save(folder / f"{kind}.keras")
    calibration_report = {
        "temperature": temperature,
        "held_out_digits": int(held_out),
        "held_out_nll_before": measures.negative_log_likelihood(logits, y_train[calibration]),
        "held_out_nll_after": measures.negative_log_likelihood(logits, y_train[calibration], temperature),
        "outliers_per_kind": int(per_kind),
        "outlier_kinds": [*outliers.NONDIGIT_KINDS, "blends"],
        "outlier_seed": outliers.TRAIN_SEED + seed,
    }
    print(f"== {kind}: temperature {temperature:.3f}, held-out NLL "
          f"{calibration_report['held_out_nll_before']:.4f} -> {calibration_report['held_out_nll_after']:.4f}",
          flush=True)
    return {"architecture": arguments, "history": history, "epoch_seconds": seconds,
            "calibration": calibration_report, "train_samples": int(len(fitting)), "epoch_samples": int(len(images))}


def record(kind: str, result: dict, args, settings: dict, data_sha256: str, train_samples: int, folder: Path) -> dict:
    """Write history.json and meta.json beside a model: enough to rebuild it and to explain it."""
    import keras
    import tensorflow as tf

    history = {**result["history"], "epoch_seconds": result["epoch_seconds"]}
    final = {name: values[-1] for name, values in result["history"].items()}
    meta = {
        "model": kind,
        "architecture": result["architecture"],
        "epochs": settings["epochs"],
        "epochs_run": len(result["epoch_seconds"]),
        "batch_size": args.batch_size,
        "learning_rate": settings["learning_rate"],
        "learning_rate_schedule": "cosine decay to 5%",
        "seed": settings["seed"],
        "train_samples": result.get("train_samples", train_samples),
        "data_sha256": data_sha256,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "training_seconds": round(sum(result["epoch_seconds"]), 2),
        "final_metrics": final,
        **{name: result[name] for name in ("calibration", "epoch_samples") if name in result},
    }
    folder.mkdir(parents=True, exist_ok=True)
    prefix = f"{kind}_" if kind in READER_KINDS else ""
    artifacts.write_json(folder / f"{prefix}history.json", history)
    artifacts.write_json(folder / f"{prefix}meta.json", meta)
    return meta


def run(args: argparse.Namespace) -> int:
    import keras

    mnist = load_mnist(args.data)
    data_sha256 = file_sha256(mnist.path)
    limit = args.limit or len(mnist.x_train)
    x_train, y_train = as_images(mnist.x_train[:limit]), mnist.y_train[:limit]
    x_test, y_test = as_images(mnist.x_test[:limit]), mnist.y_test[:limit]

    final = config.dataset_dir(args.out)
    staged = args.out / f".{final.name}.staging-{os.getpid()}"
    kinds = MODEL_KINDS if args.model == "all" else (args.model,)
    try:
        if final.exists():
            shutil.copytree(final, staged)  # Models not retrained this run are carried over as they are.
        staged.mkdir(parents=True, exist_ok=True)
        (staged / "evaluation.json").unlink(missing_ok=True)  # Any retrained model makes it out of date.
        for kind in kinds:
            settings = dict(DEFAULTS[kind])
            settings["epochs"] = args.epochs or settings["epochs"]
            settings["learning_rate"] = args.learning_rate or settings["learning_rate"]
            settings["seed"] = args.seed + settings.pop("seed_offset")
            keras.utils.set_random_seed(settings["seed"])
            print(f"\n== {kind}: {settings['epochs']} epochs, batch {args.batch_size}, seed {settings['seed']}",
                  flush=True)
            if kind in READER_KINDS:
                folder = staged
                result = train_reader(kind, x_train, y_train, x_test, y_test, args, settings, folder)
            else:
                folder = staged / kind
                if folder.exists():
                    shutil.rmtree(folder)
                result = train_latent(kind, x_train, x_test, y_test, args, settings, folder)
            meta = record(kind, result, args, settings, data_sha256, len(x_train), folder)
            print(f"== {kind}: done in {meta['training_seconds']:.0f} s; "
                  + ", ".join(f"{name} {value:.4f}" for name, value in meta["final_metrics"].items()), flush=True)
        export.export_folder(staged)  # What the app serves: ONNX copies, each checked against its Keras model.
        artifacts.write_manifest(staged)
        artifacts.replace_folder(staged, final)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    print(f"\nModels written to {final}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (DataError, artifacts.ArtifactError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: the previous models are untouched.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
