"""Training speed: seconds per epoch and samples per second for each model, and how long the VAE takes
to reach the test-MSE bar.

    python -m bench.training_speed [--data PATH] [--target-mse 0.042] [--max-epochs 20]

Trains into a temporary folder; models/ is never touched. Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
from pathlib import Path

from latentwall import config, registry, store
from training import train

# The keras.io VAE recipe on this 2-core machine: 30 epochs at 22-26 s each to reach test MSE 0.0422.
RECIPE_SECONDS = (30 * 22, 30 * 26)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_training(kind: str, epochs: int, out: Path, args, extra: list[str] = ()) -> tuple[dict, dict, float]:
    """Train one model with the project's own command; return its meta, history and CPU seconds."""
    before = cpu_seconds()
    command = ["--recipe", kind, "--epochs", str(epochs), "--out", str(out), "--seed", str(args.seed), *extra]
    if args.data:
        command += ["--data", args.data]
    if train.main(command) != 0:
        raise SystemExit(2)
    meta = store.read_json(store.record_path(config.dataset_dir(out), kind, "meta"))
    history = store.read_json(store.record_path(config.dataset_dir(out), kind, "history"))
    return meta, history, cpu_seconds() - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.training_speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR}, then the Keras cache)")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--target-mse", type=float, default=0.042)
    parser.add_argument("--max-epochs", type=train.positive_int, default=registry.VAE.epochs)
    args = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="latentwall-benchmark-") as scratch:
        out = Path(scratch)
        for kind in (*train.READER_KINDS, registry.AE.name):
            meta, history, _ = timed_training(kind, 1, out, args)
            seconds = history["epoch_seconds"][0]
            # A reader's epoch also holds its non-digits, not only its training digits.
            rows.append((kind, seconds, meta.get("epoch_samples", meta["train_samples"]) / seconds))
        meta, history, cpu = timed_training(registry.VAE.name, args.max_epochs, out, args,
                                            ["--target-mse", str(args.target_mse)])
    seconds = history["epoch_seconds"]
    rows.append((registry.VAE.name, sum(seconds) / len(seconds), meta["train_samples"] * len(seconds) / sum(seconds)))
    reached = [epoch for epoch, mse in enumerate(history["val_mse"]) if mse <= args.target_mse]

    print("\nmodel   seconds/epoch  samples/s")
    for kind, per_epoch, rate in rows:
        print(f"{kind:<7} {per_epoch:>13.1f}  {rate:>9.0f}")
    if not reached:
        print(f"\nThe VAE did not reach test MSE {args.target_mse} in {args.max_epochs} epochs "
              f"(best {min(history['val_mse']):.4f}).")
        return 1
    epoch = reached[0]
    wall = sum(seconds[: epoch + 1])
    print(f"\nVAE reached test MSE {history['val_mse'][epoch]:.4f} <= {args.target_mse} after {epoch + 1} epochs: "
          f"{wall:.0f} s wall, {cpu:.0f} s CPU (both cores).")
    low, high = RECIPE_SECONDS
    print(f"keras.io recipe: {low}-{high} s wall for 30 epochs; "
          f"this run took {wall / high:.0%}-{wall / low:.0%} of it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
