"""Measure the committed models, the readers that judge them, and the story's claims, for the AE and the VAE alike.

Every readability figure is given by both readers (the app's reader and the checker, a second reader of
another shape and seed) and by their agreement, so no figure rests on one classifier's quirks.

    python -m training.evaluate [--models models/] [--data PATH] [--seed N] [--samples N]

Prints a table and writes models/mnist/evaluation.json, which the app's comparison page reads. It runs the
ONNX exports, exactly what the app serves.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import numpy as np

from latentwall import config, inference, latent, measures, outliers, registry, store
from latentwall.datasets import DataError, as_images, load
from lessons import LESSONS

# The lessons' own reports, in the order of LESSONS: each a module with NAME (the JSON file it writes beside
# evaluation.json) and measure(models_root, mnist, seed) -> dict. Each runs after the main evaluation, on the same
# ONNX exports.
REPORTS: tuple[str, ...] = tuple(lesson.report_module for lesson in LESSONS if lesson.report_module)


def encode(model: inference.LatentModel, images: np.ndarray) -> np.ndarray:
    """Codes of images; the VAE's code is z_mean, the point the app decodes."""
    return model.encoder.encode(images)


def reconstruction_mse(model: inference.LatentModel, images: np.ndarray) -> float:
    """Mean squared error per pixel on the [0, 1] scale."""
    decoded = model.decoder.decode(encode(model, images))
    return float(measures.reconstruction_errors(images, decoded).mean())


# Non-digit images of each kind, and blends, in the corpus the readers are judged on.
CORPUS_PER_KIND = 1000
BLEND_COUNT = 2000
# The reader's "I don't know": below this confidence a non-digit counts as refused.
UNSURE_CONFIDENCE = 0.5
# Codes stepped from for the continuity measure, and the step as a share of the wall's width.
CONTINUITY_CODES = 2000
CONTINUITY_STEP = 0.01
# A decoder paints soft digits; a reader must still read a test digit blurred by this many pixels.
BLUR_SIGMA = 1.0
SCHEMES = ("box", "fitted", "prior")


def judge_reader(reader: inference.Reader, images: np.ndarray, labels: np.ndarray, nondigits: dict,
                 blended: np.ndarray) -> dict:
    """A reader's bars: test accuracy, calibration error, refusing non-digits, doubting blends; and whether it
    still reads a blurred digit, as a decoder paints them."""
    probabilities = reader.probabilities(images)
    blurred_digits, blurred_confidence = reader.read(outliers.gaussian_blur(images, BLUR_SIGMA))
    kinds = {kind: measures.share_below(reader.read(pictures)[1], UNSURE_CONFIDENCE)
             for kind, pictures in nondigits.items()}
    return {
        "test_accuracy": float(np.mean(probabilities.argmax(axis=1) == labels)),
        "ece": measures.expected_calibration_error(probabilities, labels),
        "ece_bins": measures.ECE_BINS,
        "nondigits": {"unsure_below": UNSURE_CONFIDENCE, "per_kind": len(next(iter(nondigits.values()))),
                      "unsure_share": float(np.mean(list(kinds.values()))), "kinds": kinds},
        "blends": {"count": len(blended), "sure_at": config.READABLE_CONFIDENCE,
                   "sure_share": measures.share_at_least(reader.read(blended)[1], config.READABLE_CONFIDENCE)},
        "blurred": {"sigma": BLUR_SIGMA, "accuracy": float(np.mean(blurred_digits == labels)),
                    "sure_share": measures.share_at_least(blurred_confidence, config.READABLE_CONFIDENCE)},
    }


def read_twice(readers: tuple[inference.Reader, inference.Reader], images: np.ndarray) -> dict:
    """What both readers make of the same images: each one's readable share, both, and their agreement."""
    first, second = (reader.probabilities(images) for reader in readers)
    level = config.READABLE_CONFIDENCE
    both = measures.readable_both(first, second, level)
    return {"first": first, "second": second, "both": both, "figures": {
        "readable_share": measures.share_at_least(first.max(axis=1), level),
        "readable_share_checker": measures.share_at_least(second.max(axis=1), level),
        "readable_both": float(both.mean()),
        "agreement": float(np.mean(first.argmax(axis=1) == second.argmax(axis=1))),
    }}


def sampling(model: inference.LatentModel, readers, codes: np.ndarray, seed: int, samples: int) -> dict:
    """Three ways to draw random codes, each judged the same way: how many land far from every test code, how
    many both readers read clearly (overall, far from data and near it), and which digits they show."""
    box = latent.bounding_box(codes)
    threshold = latent.far_threshold(codes)
    rng = np.random.default_rng(seed)
    drawn = {"box": latent.sample_box(box, samples, rng), "fitted": latent.sample_fitted(codes, samples, rng),
             "prior": latent.sample_prior(samples, rng)}
    gaps = {"threshold": threshold,
            # N(0, I) puts 95% of each axis within +-2 units: this share of the wall's width.
            "prior_width_share": 4.0 / (box[1] - box[0])}
    for name, sample in drawn.items():
        far = latent.distances_to_bank(sample, codes) > threshold
        read = read_twice(readers, model.decoder.decode(sample))
        gaps[name] = {
            "samples": samples, "far_share": float(far.mean()), **read["figures"],
            "far_readable_both": float(read["both"][far].mean()) if far.any() else None,
            "near_readable_both": float(read["both"][~far].mean()) if (~far).any() else None,
            "digits": measures.digit_shares(read["first"].argmax(axis=1), read["both"]),
        }
    return gaps


def continuity(model: inference.LatentModel, readers, codes: np.ndarray, seed: int) -> dict:
    """The story's (2, -2) against (2.1, -2.1): from random test codes, a step of 1% of the wall's width in a
    random direction. How much the picture changes, and how often each reader's digit changes."""
    rng = np.random.default_rng(seed)
    start = codes[rng.choice(len(codes), min(CONTINUITY_CODES, len(codes)), replace=False)]
    box = latent.bounding_box(codes)
    length = CONTINUITY_STEP * (box[1] - box[0])
    here, there = model.decoder.decode(start), model.decoder.decode(latent.step_codes(start, length, rng))
    change = measures.pixel_change(here, there)
    before, after = read_twice(readers, here), read_twice(readers, there)
    flips = {name: before[name].argmax(axis=1) != after[name].argmax(axis=1) for name in ("first", "second")}
    return {
        "codes": len(start), "step_share": CONTINUITY_STEP, "step": float(length),
        "pixel_change_median": float(np.median(change)), "pixel_change_p95": float(np.percentile(change, 95)),
        "flip_share": float(flips["first"].mean()), "flip_share_checker": float(flips["second"].mean()),
        # A clear digit on both sides, and not the same one: a small step that a student would see as a jump.
        "sure_flip_share": float(np.mean(flips["first"] & before["both"] & after["both"])),
    }


def areas(model: inference.LatentModel, readers, codes: np.ndarray, grid_side: int) -> dict:
    """How much of the wall's box each reader reads as each digit, how much it will not read at all, and how
    much of the box the two readers give the same digit."""
    read = read_twice(readers, model.decoder.decode(latent.grid(latent.bounding_box(codes), grid_side)))
    found = {}
    for name, prefix in (("first", ""), ("second", "checker_")):
        shares = latent.area_shares(read[name].argmax(axis=1))
        smallest, largest = int(shares.argmin()), int(shares.argmax())
        found.update({
            f"{prefix}shares": [float(share) for share in shares], f"{prefix}smallest_digit": smallest,
            f"{prefix}largest_digit": largest,
            f"{prefix}smallest_to_largest": float(shares[smallest] / max(shares[largest], 1e-12)),
            f"{prefix}largest_to_smallest": float(shares[largest] / shares[smallest]) if shares[smallest] > 0 else None,
            f"{prefix}unsure_share": measures.share_below(read[name].max(axis=1), UNSURE_CONFIDENCE)})
    return {"grid_side": grid_side, **found, "agreement": read["figures"]["agreement"]}


def evaluate(models: inference.ModelSet, checker: inference.Reader, x_test: np.ndarray, y_test: np.ndarray,
             seed: int, samples: int, grid_side: int) -> dict:
    """Every figure the README and the comparison page show, measured on the ONNX exports the app serves."""
    images = as_images(x_test)
    corpus = outliers.corpus(images[..., 0], CORPUS_PER_KIND, outliers.EVALUATION_SEED)
    blended = outliers.blends(images[..., 0], y_test, BLEND_COUNT, np.random.default_rng(outliers.EVALUATION_SEED))
    readers = (models.reader, checker)
    test_reads = read_twice(readers, images[..., 0])
    report = {"seed": seed,
              "reader": judge_reader(models.reader, images[..., 0], y_test, corpus, blended),
              "checker": judge_reader(checker, images[..., 0], y_test, corpus, blended),
              "readers_test_agreement": test_reads["figures"]["agreement"]}
    for kind in (recipe.name for recipe in registry.WALL_PAIR):
        model = models[kind]
        codes = encode(model, images)
        reconstructions = model.decoder.decode(codes)
        report[kind] = {"test_mse": reconstruction_mse(model, images),
                        # The best a decoded image does: the repainted test digits, read by both readers.
                        "reconstructions": read_twice(readers, reconstructions)["figures"],
                        "area": areas(model, readers, codes, grid_side),
                        "axes": latent.axis_statistics(codes),
                        "gaps": sampling(model, readers, codes, seed, samples),
                        "continuity": continuity(model, readers, codes, seed)}
    return report


def _both(report: dict, format_one) -> tuple[str, str]:
    return tuple(format_one(report[recipe.name]) for recipe in registry.WALL_PAIR)


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in Path(folder).rglob("*") if path.is_file())


def judge_recipes(models_root: Path, reader: inference.Reader, images: np.ndarray, labels: np.ndarray) -> dict:
    """Every recipe of the registry on the test set: its MSE on the [0, 1] scale against its bar, what the reader
    reads in its reconstructions, its size on disk and its training time."""
    figures = {}
    for recipe in registry.RECIPES.values():
        model = inference.load_recipe(recipe.name, models_root)
        reconstructions = model.reconstruct(images[..., 0])
        mse = float(measures.reconstruction_errors(images, reconstructions).mean())
        figures[recipe.name] = {
            "lesson": recipe.lesson, "family": recipe.family, "latent_dim": recipe.latent_dim,
            "test_mse": mse, "max_test_mse": recipe.max_test_mse,
            "reader_accuracy": float(np.mean(reader.read(reconstructions)[0] == labels)),
            "bytes": folder_bytes(config.dataset_dir(models_root) / recipe.name),
            "training_seconds": model.meta.get("training_seconds", 0.0),
            "epochs": model.meta.get("epochs_run", 0),
        }
    return figures


def recipe_table(figures: dict) -> str:
    rows = [("recipe", "lesson", "code", "test MSE", "bar", "reader", "MB", "train s")]
    for name, item in figures.items():
        rows.append((name, item["lesson"], str(item["latent_dim"]), f"{item['test_mse']:.4f}",
                     f"{item['max_test_mse']:.3f}", f"{item['reader_accuracy']:.1%}", f"{item['bytes'] / 1e6:.1f}",
                     f"{item['training_seconds']:.0f}"))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def format_table(report: dict) -> str:
    level = config.READABLE_CONFIDENCE
    rows = [("measure", "AE", "VAE"), ("test MSE per pixel", *_both(report, lambda m: f"{m['test_mse']:.4f}")),
            ("test reconstructions: reader / checker / both", *_both(report, lambda m: " / ".join(
                f"{m['reconstructions'][key]:.1%}"
                for key in ("readable_share", "readable_share_checker", "readable_both"))))]
    names = {"box": "uniform over box", "fitted": "from its own Gaussian", "prior": "from N(0, I)"}
    for name in SCHEMES:
        source = names[name]
        figures = [("far from data", "far_share"), (f"reader >= {level}", "readable_share"),
                   (f"checker >= {level}", "readable_share_checker"), ("both readers, same digit", "readable_both"),
                   ("readers agree on the digit", "agreement")]
        for label, key in figures:
            rows.append((f"{source}: {label}",
                         *_both(report, lambda m, name=name, key=key: f"{m['gaps'][name][key]:.1%}")))
        rows.append((f"{source}: both readers, far / near", *_both(report, lambda m, name=name: " / ".join(
            "–" if m["gaps"][name][key] is None else f"{m['gaps'][name][key]:.1%}"
            for key in ("far_readable_both", "near_readable_both")))))
        rows.append((f"{source}: digits 0-9 (both readers)", *_both(report, lambda m, name=name: " ".join(
            f"{share * 100:.0f}" for share in m["gaps"][name]["digits"]))))
    rows.append(("N(0, I) +-2 units: share of wall width",
                 *_both(report, lambda m: f"{m['gaps']['prior_width_share']:.1%}")))
    for end in ("smallest", "largest"):
        rows.append((f"{end} digit area", *_both(report, lambda m, end=end: (
            f"digit {m['area'][end + '_digit']}: {m['area']['shares'][m['area'][end + '_digit']]:.2%}"))))
    for prefix, reader in (("", "reader"), ("checker_", "checker")):
        rows.append((f"largest : smallest area ({reader})", *_both(report, lambda m, prefix=prefix: (
            "no cell of one digit" if m["area"][f"{prefix}largest_to_smallest"] is None
            else f"{m['area'][f'{prefix}largest_to_smallest']:,.0f} : 1"))))
        rows.append((f"wall area the {reader} is < {UNSURE_CONFIDENCE} sure of",
                     *_both(report, lambda m, prefix=prefix: f"{m['area'][f'{prefix}unsure_share']:.1%}")))
    rows.append(("wall area the readers give the same digit",
                 *_both(report, lambda m: f"{m['area']['agreement']:.1%}")))
    for axis in (0, 1):
        rows.append((f"axis {axis}: mean / std", *_both(report, lambda m, axis=axis: (
            f"{m['axes'][axis]['mean']:.2f} / {m['axes'][axis]['std']:.2f}"))))
        rows.append((f"axis {axis}: min .. max", *_both(report, lambda m, axis=axis: (
            f"{m['axes'][axis]['min']:.2f} .. {m['axes'][axis]['max']:.2f}"))))
    rows.append(("1% step: size in wall units", *_both(report, lambda m: f"{m['continuity']['step']:.3f}")))
    rows.append(("1% step: pixel RMS change median / p95", *_both(report, lambda m: (
        f"{m['continuity']['pixel_change_median']:.4f} / {m['continuity']['pixel_change_p95']:.4f}"))))
    rows.append(("1% step: digit changes, reader / checker", *_both(report, lambda m: (
        f"{m['continuity']['flip_share']:.1%} / {m['continuity']['flip_share_checker']:.1%}"))))
    rows.append(("1% step: one clear digit to another", *_both(report, lambda m: (
        f"{m['continuity']['sure_flip_share']:.1%}"))))
    rows += reader_rows(report)
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def reader_rows(report: dict) -> list[tuple[str, str, str]]:
    """The readers' own bars, the reader in the AE column's place and the checker in the VAE's."""
    readers = ("reader", "checker")
    rows = [("", "reader", "checker"),
            ("test accuracy", *(f"{report[name]['test_accuracy']:.2%}" for name in readers)),
            (f"calibration error (ECE, {measures.ECE_BINS} bins)", *(f"{report[name]['ece']:.2%}" for name in readers)),
            (f"non-digits read < {UNSURE_CONFIDENCE} sure",
             *(f"{report[name]['nondigits']['unsure_share']:.1%}" for name in readers))]
    for kind in report["reader"]["nondigits"]["kinds"]:
        rows.append((f"  {kind}", *(f"{report[name]['nondigits']['kinds'][kind]:.1%}" for name in readers)))
    rows.append((f"50/50 blends read >= {config.READABLE_CONFIDENCE} sure",
                 *(f"{report[name]['blends']['sure_share']:.1%}" for name in readers)))
    rows.append((f"test digits blurred {BLUR_SIGMA} px: accuracy / >= {config.READABLE_CONFIDENCE} sure", *(
        f"{report[name]['blurred']['accuracy']:.1%} / {report[name]['blurred']['sure_share']:.1%}"
        for name in readers)))
    rows.append(("readers agree on test digits", f"{report['readers_test_agreement']:.2%}", ""))
    return rows


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
        checker = inference.load_checker(args.models)
        mnist = load(registry.MNIST, args.data)
    except (store.ArtifactError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    report = evaluate(models, checker, mnist.x_test, mnist.y_test, args.seed, args.samples, args.grid_side)
    report["recipes"] = judge_recipes(args.models, models.reader, as_images(mnist.x_test), mnist.y_test)
    print(format_table(report))
    print()
    print(recipe_table(report["recipes"]))
    for name in REPORTS:
        topic = importlib.import_module(name)
        store.write_json(models.folder / topic.NAME, topic.measure(args.models, mnist, args.seed))
        print(f"Written {models.folder / topic.NAME}")
    store.write_json(models.folder / store.EVALUATION_FILE, report)
    store.write_manifest(models.folder)  # The app reads the report too, so the manifest guards it.
    print(f"\nWritten to {models.folder / store.EVALUATION_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
