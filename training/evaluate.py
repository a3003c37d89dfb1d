"""Measure the committed models and the three defects of a wall, for the AE and the VAE alike.

    python -m training.evaluate [--models models/] [--data PATH] [--seed N] [--samples N]

Prints a table and writes models/mnist/evaluation.json, which the app's comparison page reads. It runs the
ONNX exports, exactly what the app serves.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from latentwall import artifacts, config, inference, latent
from latentwall.data import DataError, as_images, load_mnist


def encode(model: inference.LatentModel, images: np.ndarray) -> np.ndarray:
    """Codes of images; the VAE's code is z_mean, the point the app decodes."""
    return model.encoder.encode(images)


def reconstruction_mse(model: inference.LatentModel, images: np.ndarray) -> float:
    """Mean squared error per pixel on the [0, 1] scale."""
    decoded = model.decoder.decode(encode(model, images))
    return float(np.mean((decoded - images[..., 0]) ** 2))


def readable_share(model: inference.LatentModel, reader: inference.Reader, codes: np.ndarray) -> float:
    """Share of codes whose decoded image the reader reads with confidence >= READABLE_CONFIDENCE."""
    _, confidence = reader.read(model.decoder.decode(codes))
    return float(np.mean(confidence >= config.READABLE_CONFIDENCE))


def defects(model: inference.LatentModel, reader: inference.Reader, codes: np.ndarray, seed: int,
            samples: int, grid_side: int) -> dict:
    """The three defects the gallery-wall story tells of, measured rather than assumed.

    (a) uneven areas: the share of a grid over the wall's bounding box that the reader reads as each digit;
    (b) asymmetry and unboundedness: per-axis statistics of the test codes;
    (c) gaps: random codes, uniform over the box and from N(0, I): how many land far from every test code
        (beyond the 99th percentile of the test codes' own nearest-neighbour distances), and how many
        decode to an image the reader is confident about.
    """
    box = latent.bounding_box(codes)
    grid_digits, _ = reader.read(model.decoder.decode(latent.grid(box, grid_side)))
    shares = latent.area_shares(grid_digits)
    smallest, largest = int(shares.argmin()), int(shares.argmax())
    threshold = latent.far_threshold(codes)
    rng = np.random.default_rng(seed)
    gaps = {"threshold": threshold}
    for name, sample in (("box", latent.sample_box(box, samples, rng)), ("prior", latent.sample_prior(samples, rng))):
        gaps[name] = {
            "samples": samples,
            "far_share": float(np.mean(latent.distances_to_bank(sample, codes) > threshold)),
            "readable_share": readable_share(model, reader, sample),
        }
    ratio = float(shares[smallest] / max(shares[largest], 1e-12))
    return {
        "area": {"grid_side": grid_side, "shares": [float(share) for share in shares], "smallest_digit": smallest,
                 "largest_digit": largest, "smallest_to_largest": ratio},
        "axes": latent.axis_statistics(codes),
        "gaps": gaps,
    }


def evaluate(models: inference.ModelSet, x_test: np.ndarray, y_test: np.ndarray, seed: int, samples: int,
             grid_side: int) -> dict:
    images = as_images(x_test)
    digits, _ = models.reader.read(images[..., 0])
    report = {"seed": seed, "reader": {"test_accuracy": float(np.mean(digits == y_test))}}
    for kind in ("ae", "vae"):
        model = models[kind]
        report[kind] = {"test_mse": reconstruction_mse(model, images),
                        **defects(model, models.reader, encode(model, images), seed, samples, grid_side)}
    return report


def format_table(report: dict) -> str:
    rows = [("measure", "AE", "VAE"), ("test MSE per pixel", *(f"{report[k]['test_mse']:.4f}" for k in ("ae", "vae")))]
    for name in ("box", "prior"):
        source = "uniform over box" if name == "box" else "from N(0, I)"
        rows.append((f"far from data, {source}",
                     *(f"{report[k]['gaps'][name]['far_share']:.1%}" for k in ("ae", "vae"))))
        rows.append((f"readable >= {config.READABLE_CONFIDENCE}, {source}",
                     *(f"{report[k]['gaps'][name]['readable_share']:.1%}" for k in ("ae", "vae"))))
    for end in ("smallest", "largest"):
        rows.append((f"{end} digit area", *(
            f"digit {report[k]['area'][end + '_digit']}: "
            f"{report[k]['area']['shares'][report[k]['area'][end + '_digit']]:.1%}" for k in ("ae", "vae"))))
    for axis in (0, 1):
        rows.append((f"axis {axis}: mean / std", *(
            f"{report[k]['axes'][axis]['mean']:.2f} / {report[k]['axes'][axis]['std']:.2f}" for k in ("ae", "vae"))))
        rows.append((f"axis {axis}: min .. max", *(
            f"{report[k]['axes'][axis]['min']:.2f} .. {report[k]['axes'][axis]['max']:.2f}" for k in ("ae", "vae"))))
    rows.append(("reader test accuracy", f"{report['reader']['test_accuracy']:.2%}", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR}, then the Keras cache)")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--samples", type=int, default=5000, help="random codes per sampling scheme (at least 2000)")
    parser.add_argument("--grid-side", type=int, default=100, help="cells per side of the area grid")
    args = parser.parse_args(argv)
    if args.samples < 2000:
        parser.error(f"--samples must be at least 2000 for stable shares, got {args.samples}")
    if not 10 <= args.grid_side <= latent.MAX_GRID_SIDE:
        parser.error(f"--grid-side must be between 10 and {latent.MAX_GRID_SIDE}, got {args.grid_side}")
    try:
        models = inference.load_models(args.models)
        mnist = load_mnist(args.data)
    except (artifacts.ArtifactError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = evaluate(models, mnist.x_test, mnist.y_test, args.seed, args.samples, args.grid_side)
    print(format_table(report))
    artifacts.write_json(models.folder / config.EVALUATION_FILE, report)
    artifacts.write_manifest(models.folder)  # The app reads the report too, so the manifest guards it.
    print(f"\nWritten to {models.folder / config.EVALUATION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
