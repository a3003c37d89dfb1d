"""Train every recipe of latentwall/registry.py, the digit reader and its cross-check, and write them to models/.

    python -m training.train --all                     # every model, each with its recipe's settings
    python -m training.train --recipe dense-32         # one model; the others are kept as they are
    python -m training.train --recipe vae --epochs 5

Everything is written into a staging folder first and moved into place at the end, so an interrupted
run leaves the previous models complete and loadable.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Keep TensorFlow's start-up chatter out of the progress bar.

import numpy as np  # noqa: E402

from latentwall import config, latent, measures, outliers, registry, store  # noqa: E402
from latentwall.datasets import DataError, as_images, file_sha256, load  # noqa: E402
from latentwall.keras import builders  # noqa: E402
from latentwall.keras import io as keras_io  # noqa: E402
from training import export  # noqa: E402

# The readers first: evaluating any latent model needs them. Then every recipe of the registry.
READER_KINDS = ("reader", "checker")
MODEL_KINDS = (*READER_KINDS, *registry.RECIPES)

# The readers' settings, chosen so each clears its quality bar with a margin (the recipes carry their own). The
# checker, the second reader that only the evaluation uses, gets its own seed (so its own initial weights, data
# order and outliers) besides its own shape: where the two readers agree, the agreement is not one model's quirk.
DEFAULTS = {
    "reader": {"epochs": 15, "learning_rate": 2e-3, "seed_offset": 0, "batch_size": 128},
    "checker": {"epochs": 15, "learning_rate": 2e-3, "seed_offset": 1, "batch_size": 128},
    **{recipe.name: {"epochs": recipe.epochs, "learning_rate": recipe.learning_rate, "seed_offset": 0,
                     "batch_size": recipe.batch_size} for recipe in registry.RECIPES.values()},
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
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--recipe", "--model", dest="model", choices=MODEL_KINDS, nargs="+", metavar="NAME",
                       help=f"train these models only: {', '.join(MODEL_KINDS)}")
    which.add_argument("--all", dest="model", action="store_const", const="all", help="train every model (default)")
    parser.add_argument("--epochs", type=positive_int, help="epochs per model (default: per model)")
    parser.add_argument("--batch-size", type=positive_int, help="batch size (default: per model)")
    parser.add_argument("--learning-rate", type=float, help="peak learning rate (default: per model)")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR}, then the Keras cache)")
    parser.add_argument("--out", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--limit", type=positive_int, help="use only the first N train and test digits (quick checks)")
    parser.add_argument("--target-mse", type=float, help="stop a latent model once its test MSE reaches this")
    args = parser.parse_args(argv)
    args.model = args.model or "all"
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


# The signal that asked the run to stop, once one has: a KeyboardInterrupt raised inside TensorFlow's machinery can be
# swallowed there, so the training callback raises it again at the next batch's end.
STOP_SIGNAL: list[int] = []


def epoch_clock(target_mse: float | None = None):
    """A Keras callback that records the wall time of each epoch, stops at a target test MSE, and ends the run at
    the next batch once a stop signal has arrived."""
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

        def on_train_batch_end(self, batch, logs=None):
            if STOP_SIGNAL:
                raise KeyboardInterrupt

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


def to_model_scale(recipe: registry.Recipe, images: np.ndarray) -> np.ndarray:
    """[0, 1] images on the pixel scale the recipe's lesson trains on (0-255, or [-1, 1] under tanh)."""
    low, high = recipe.pixel_range
    return (low + images * (high - low)).astype("float32")


def noisy(recipe: registry.Recipe, images: np.ndarray, seed: int) -> np.ndarray:
    """The denoising recipes' inputs: Gaussian noise (the recipe's mean and spread) added, clipped to [0, 1]."""
    if not recipe.noise:
        return images
    rng = np.random.default_rng([seed, 7])
    noise = rng.normal(recipe.noise["mean"], recipe.noise["std"], images.shape).astype("float32")
    return np.clip(images + noise, 0.0, 1.0)


def reconstruction_loss_for(recipe: registry.Recipe):
    """The loss the recipe's lesson trains with: summed binary cross-entropy, or the mean squared error."""
    return builders.reconstruction_loss if recipe.loss == "bce" else "mse"


def fit_pca(recipe: registry.Recipe, x_train, x_test, y_test, folder: Path) -> dict:
    """The linear baseline: the top principal components of the training images, in closed form."""
    start = time.perf_counter()
    projection = latent.fit_projection(x_train.reshape(len(x_train), -1), recipe.latent_dim)
    seconds = time.perf_counter() - start
    folder.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(folder / store.PCA_FILE, mean=projection.mean.astype("float32"),
                        components=projection.axes.astype("float32"))
    decoded = projection.inverse(projection.apply(x_test.reshape(len(x_test), -1)))
    mse = float(measures.reconstruction_errors(x_test, np.clip(decoded, 0, 1)).mean())
    return {"architecture": {"components": recipe.latent_dim}, "history": {"val_mse": [mse]},
            "epoch_seconds": [seconds]}


def train_latent(recipe: registry.Recipe, x_train, y_train, x_test, y_test, args, settings: dict,
                 folder: Path) -> dict:
    """Train one recipe's model; save its encoder, decoder, the test digits' codes and its history into folder."""
    import keras

    if not recipe.trained:
        return fit_pca(recipe, x_train, x_test, y_test, folder)
    if recipe.held_out_digit is not None:  # A digit the model never sees, for the anomaly lesson's hard case.
        x_train = x_train[y_train != recipe.held_out_digit]
    encoder, decoder, model = builders.recipe_models(recipe, seed=settings["seed"])
    steps = int(np.ceil(len(x_train) / settings["batch_size"]))
    rate = (schedule(settings["learning_rate"], settings["epochs"], steps) if recipe.schedule == "cosine"
            else settings["learning_rate"])
    optimizer = keras.optimizers.Adam(rate)
    if recipe.variational:
        model.compile(optimizer=optimizer)
    else:
        model.compile(optimizer=optimizer, loss=reconstruction_loss_for(recipe),
                      metrics=[keras.metrics.MeanSquaredError(name="mse")])
    clean_train, clean_test = to_model_scale(recipe, x_train), to_model_scale(recipe, x_test)
    inputs_train = to_model_scale(recipe, noisy(recipe, x_train, settings["seed"]))
    inputs_test = to_model_scale(recipe, noisy(recipe, x_test, settings["seed"] + 1))
    targets = (None, None) if recipe.variational else (clean_train, clean_test)
    train = make_dataset(inputs_train, targets[0], settings["batch_size"], settings["seed"], shuffle=True)
    test = make_dataset(inputs_test, targets[1], settings["batch_size"], settings["seed"], shuffle=False)
    history, seconds = fit(model, train, test, settings["epochs"], args.target_mse)

    folder.mkdir(parents=True, exist_ok=True)
    keras_io.save_keras_model(encoder, folder / store.ENCODER_FILE)
    keras_io.save_keras_model(decoder, folder / store.DECODER_FILE)
    encoded = encoder.predict(clean_test, batch_size=1024, verbose=0)
    codes, log_var = (encoded[0], encoded[1]) if recipe.variational else (encoded, None)
    if recipe.latent_dim == 2:
        store.save_wall(folder / store.WALL_FILE, codes, y_test, log_var=log_var)
    else:
        projection = latent.fit_projection(codes, 2)
        np.savez_compressed(folder / store.PROJECTION_FILE, mean=projection.mean.astype("float32"),
                            axes=projection.axes.astype("float32"), codes=projection.apply(codes).astype("float32"),
                            labels=y_test.astype("uint8"))
    return {"architecture": {"family": recipe.family, "latent_dim": recipe.latent_dim, "hidden": list(recipe.hidden),
                             "activation": recipe.activation, "code_activation": recipe.code_activation,
                             "output_activation": recipe.output_activation, "loss": recipe.loss,
                             "pixel_range": list(recipe.pixel_range), "noise": recipe.noise,
                             "held_out_digit": recipe.held_out_digit},
            "history": history, "epoch_seconds": seconds, "train_samples": int(len(x_train))}


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
    arguments = builders.READER_ARGUMENTS[kind]
    build = builders.build_reader if kind == "reader" else builders.build_checker
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

    steps = int(np.ceil(len(images) / settings["batch_size"]))
    model.compile(optimizer=keras.optimizers.Adam(schedule(settings["learning_rate"], settings["epochs"], steps)),
                  loss="categorical_crossentropy", metrics=["categorical_accuracy"])
    train = make_dataset(images, targets, settings["batch_size"], seed, shuffle=True)
    test = make_dataset(x_test, keras.utils.to_categorical(y_test, 10), settings["batch_size"], seed, shuffle=False)
    history, seconds = fit(model, train, test, settings["epochs"], None)

    # The temperature is fitted on held-out digits softened the same way: sharp and soft, as the reader meets them.
    held_out_images = outliers.soften(x_train[calibration][..., 0], augment)[..., None]
    logits = builders.reader_logits(model).predict(held_out_images, batch_size=1024, verbose=0)
    temperature = measures.fit_temperature(logits, y_train[calibration])
    calibrated = builders.with_temperature(model, temperature)
    keras_io.save_keras_model(calibrated, folder / f"{kind}.keras")
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
        "lesson": registry.RECIPES[kind].lesson if kind in registry.RECIPES else "reader",
        "epochs": settings["epochs"],
        "epochs_run": len(result["epoch_seconds"]),
        "batch_size": settings["batch_size"],
        "learning_rate": settings["learning_rate"],
        "learning_rate_schedule": ("constant" if kind in registry.RECIPES and registry.RECIPES[kind].schedule
                                   == "constant" else "cosine decay to 5%"),
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
    store.write_json(folder / store.record_name(kind, "history"), history)
    store.write_json(folder / store.record_name(kind, "meta"), meta)
    return meta


def run(args: argparse.Namespace) -> int:
    import keras

    mnist = load(registry.MNIST, args.data)
    data_sha256 = file_sha256(mnist.path)
    limit = args.limit or len(mnist.x_train)
    x_train, y_train = as_images(mnist.x_train[:limit]), mnist.y_train[:limit]
    x_test, y_test = as_images(mnist.x_test[:limit]), mnist.y_test[:limit]

    final = config.dataset_dir(args.out)
    staged = args.out / f".{final.name}.staging-{os.getpid()}"
    metas = {}
    kinds = MODEL_KINDS if args.model == "all" else tuple(dict.fromkeys(args.model))
    try:
        if final.exists():
            shutil.copytree(final, staged)  # Models not retrained this run are carried over as they are.
        staged.mkdir(parents=True, exist_ok=True)
        (staged / store.EVALUATION_FILE).unlink(missing_ok=True)  # Any retrained model makes it out of date.
        for kind in kinds:
            settings = dict(DEFAULTS[kind])
            settings["epochs"] = args.epochs or settings["epochs"]
            settings["learning_rate"] = args.learning_rate or settings["learning_rate"]
            settings["batch_size"] = args.batch_size or settings["batch_size"]
            settings["seed"] = args.seed + settings.pop("seed_offset")
            keras.utils.set_random_seed(settings["seed"])
            print(f"\n== {kind}: {settings['epochs']} epochs, batch {settings['batch_size']}, seed {settings['seed']}",
                  flush=True)
            if kind in READER_KINDS:
                folder = staged
                result = train_reader(kind, x_train, y_train, x_test, y_test, args, settings, folder)
            else:
                folder = staged / kind
                if folder.exists():
                    shutil.rmtree(folder)
                result = train_latent(registry.RECIPES[kind], x_train, y_train, x_test, y_test, args, settings,
                                      folder)
            meta = metas[kind] = record(kind, result, args, settings, data_sha256, len(x_train), folder)
            print(f"== {kind}: done in {meta['training_seconds']:.0f} s; "
                  + ", ".join(f"{name} {value:.4f}" for name, value in meta["final_metrics"].items()), flush=True)
        # What the app serves: ONNX copies, each checked against its Keras model, and probed on real test digits.
        export.export_folder(staged, export.probe_digits(mnist.x_test, mnist.y_test))
        store.write_manifest(staged)
        store.replace_folder(staged, final)
    finally:
        if staged.exists():
            shutil.rmtree(staged, ignore_errors=True)
    print(f"\nModels written to {final}\n")
    print(summary_table(metas))
    return 0


def summary_table(metas: dict[str, dict]) -> str:
    """One line per model trained this run: epochs, time, and its last training and validation loss."""
    rows = [("model", "lesson", "epochs", "seconds", "loss", "val_loss")]
    for kind, meta in metas.items():
        final = meta["final_metrics"]
        rows.append((kind, meta["lesson"], str(meta["epochs_run"]), f"{meta['training_seconds']:.0f}",
                     *(f"{final[name]:.4g}" if name in final else "-" for name in ("loss", "val_loss"))))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) for row in rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except (DataError, store.ArtifactError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nInterrupted: the previous models are untouched.", file=sys.stderr, flush=True)
        return 130


def stop_on_signals() -> None:
    """Ctrl-C and a plain `kill` both end a run cleanly, even where the shell that started it ignores SIGINT
    (a background job of a script does, and Python then installs no handler of its own)."""
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)


def _stop(number: int, frame) -> None:
    STOP_SIGNAL.append(number)
    raise KeyboardInterrupt


if __name__ == "__main__":
    stop_on_signals()
    code = main()
    if code == 130:
        # Interrupted, and the staging folder is already gone: end now rather than wait at exit for threads
        # TensorFlow may still hold for the interrupted step.
        sys.stdout.flush()
        os._exit(code)
    sys.exit(code)
