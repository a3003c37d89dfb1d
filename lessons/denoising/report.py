"""The denoising lesson's figures, and the 20-D VAE's test error beside the plain AE with the same code size.

`python -m training.evaluate` runs measure() after its own figures and writes denoising.json beside
evaluation.json; the denoising page reads it, and `python -m lessons.denoising.report` prints it. Over a fixed
sample of test digits, at each noise level: the mean PSNR of the noisy input, of what the denoising AE makes of
it and of what the plain AE of the same shape makes of it, all against the clean digit. Each level's noise is
drawn with its own seed (as the page draws it), the same for both models.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from latentwall import config, inference, measures, noise, registry, store
from latentwall.datasets import Splits, as_images
from lessons.denoising import logic as denoising
from lessons.denoising.logic import GAUSSIAN, LESSON, SALT_AND_PEPPER

NAME = denoising.REPORT_FILE
# Test digits the curves are averaged over: a PSNR mean is steady to about 0.1 dB from 2,000.
SAMPLE_DIGITS = 2000
# Gaussian strengths (zero-mean, std) and salt-and-pepper amounts (share of pixels) the curves are drawn at.
STRENGTHS = tuple(round(0.1 * step, 1) for step in range(9))
AMOUNTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)


def psnr_at(models: dict[str, inference.RecipeModel], clean: np.ndarray, kind: str, level: float,
            seed: int) -> dict:
    """Mean PSNR (dB) against the clean digits: of the noisy input, and of each model's output from it."""
    found = denoising.examples(models, clean, kind, level, seed)
    return {"level": level, "psnr": {name: float(values.mean()) for name, values in found.psnr.items()}}


def curve(models: dict[str, inference.RecipeModel], clean: np.ndarray, kind: str, levels, seed: int) -> list[dict]:
    return [psnr_at(models, clean, kind, level, seed) for level in levels]


def measure(models_root: Path, mnist: Splits, seed: int) -> dict:
    trained_on_noise, plain = registry.denoising_pair()
    models = {recipe.name: inference.load_recipe(recipe.name, models_root) for recipe in (trained_on_noise, plain)}
    images = as_images(mnist.x_test)[..., 0]
    rng = np.random.default_rng(seed)
    clean = images[np.sort(rng.choice(len(images), min(SAMPLE_DIGITS, len(images)), replace=False))]
    lesson = trained_on_noise.noise
    vae, same_size = registry.vae_20()
    test_mse = {}
    for recipe in (vae, same_size):
        reconstructions = inference.load_recipe(recipe.name, models_root).reconstruct(images)
        test_mse[recipe.name] = float(measures.reconstruction_errors(images, reconstructions).mean())
    return {
        "seed": seed, "digits": len(clean), "psnr_cap_db": noise.PSNR_CAP_DB,
        "denoising": trained_on_noise.name, "plain": plain.name,
        "curves": {GAUSSIAN: curve(models, clean, GAUSSIAN, STRENGTHS, seed),
                   SALT_AND_PEPPER: curve(models, clean, SALT_AND_PEPPER, AMOUNTS, seed)},
        # The noise the denoising AE was trained on: Gaussian of mean 0.5 and std 0.5, clipped.
        LESSON: {"mean": lesson["mean"], "std": lesson["std"],
                 **psnr_at(models, clean, LESSON, lesson["std"], seed)},
        # The VAE decodes its mean code, as the app does; both over the whole test set, on the [0, 1] scale.
        "code_size": {"latent_dim": vae.latent_dim, "variational": vae.name, "plain": same_size.name,
                      "test_mse": test_mse, "test_digits": len(images)},
    }


def format_table(report: dict) -> str:
    """The curves as the command prints them."""
    names = ("input", report["denoising"], report["plain"])
    lines = [f"PSNR (dB) over {report['digits']} test digits: " + " / ".join(names)]
    for kind, label in ((GAUSSIAN, "gaussian std"), (SALT_AND_PEPPER, "salt-and-pepper")):
        for point in report["curves"][kind]:
            lines.append(f"  {label} {point['level']:.2f}: " + " / ".join(f"{point['psnr'][n]:.2f}" for n in names))
    point = report[LESSON]
    lines.append(f"  the lesson's noise (mean {point['mean']}, std {point['std']}): "
                 + " / ".join(f"{point['psnr'][n]:.2f}" for n in names))
    sizes = report["code_size"]
    lines.append(f"test MSE, {sizes['latent_dim']}-D codes: " + ", ".join(
        f"{name} {value:.4f}" for name, value in sizes["test_mse"].items()))
    return "\n".join(lines)


def readme_table(report: dict) -> str:
    """The PSNR table docs/figures.md shows (python -m training.readme): mean dB by noise level, input and both
    models."""
    names = ("input", report["denoising"], report["plain"])
    rows = [f"| noise ({report['digits']} test digits) | noisy input | `{names[1]}` (denoising) | "
            f"`{names[2]}` (plain) |",
            "|---|---:|---:|---:|"]
    point = report[LESSON]
    rows.append(f"| the lesson's noise (mean {point['mean']}, std {point['std']}) | "
                + " | ".join(f"{point['psnr'][name]:.1f}" for name in names) + " |")
    for kind, label in ((GAUSSIAN, "Gaussian std"), (SALT_AND_PEPPER, "salt-and-pepper")):
        for point in report["curves"][kind]:
            rows.append(f"| {label} {point['level']:.2f} | "
                        + " | ".join(f"{point['psnr'][name]:.1f}" for name in names) + " |")
    sizes = report["code_size"]
    rows.append("")
    rows.append(f"Test MSE with {sizes['latent_dim']}-D codes: " + ", ".join(
        f"`{name}` {value:.4f}" for name, value in sizes["test_mse"].items()) + ".")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.denoising.report",
                                     description="Print the denoising figures `python -m training.evaluate` wrote.")
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    args = parser.parse_args(argv)
    path = config.dataset_dir(args.models) / NAME
    try:
        print(format_table(store.read_json(path)))
    except (OSError, ValueError, KeyError) as error:
        print(f"error: no readable {path} ({error}); run {config.EVALUATE_COMMAND} first.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
