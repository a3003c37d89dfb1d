"""The anomaly lesson's figures: how well reconstruction error tells digits from what is not a digit, and from a
digit the model never saw. Run by `python -m training.evaluate`, which writes the returned report as
models/mnist/anomaly.json; the example images go beside it in anomaly_examples.npz (both listed in the manifest).

Per case: the scores (reconstruction MSE per pixel) of normal test digits and of the anomalies, their AUC, a
threshold fixed beforehand at the 95th percentile of held-aside normal training digits with the precision and
recall it gives, histograms, a ROC curve and sorted score samples for the page's threshold slider.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from latentwall import config, datasets, inference, measures, registry
from latentwall.datasets import DataError, Splits
from lessons.anomaly import logic as anomaly

NAME = anomaly.REPORT_FILE


def _scores(model: inference.RecipeModel, images: np.ndarray) -> np.ndarray:
    return anomaly.scores(images, model.reconstruct(images))


def _floats(pixels: np.ndarray) -> np.ndarray:
    return np.asarray(pixels, "float32") / 255.0


def _case(model, kind: str, normal: np.ndarray, strange: np.ndarray, validation: np.ndarray,
          examples: dict) -> dict:
    """One case's summary; its example images (uint8) are added to examples under the case's name."""
    normal_scores, anomaly_scores = _scores(model, normal), _scores(model, strange)
    threshold = anomaly.validation_threshold(_scores(model, validation))
    name = anomaly.case_id(kind, model.recipe.name)
    summary = {"recipe": model.recipe.name, "kind": kind, **anomaly.summarise(normal_scores, anomaly_scores,
                                                                              threshold)}
    summary["examples"] = {}
    for side, images, side_scores in (("normal", normal, normal_scores), ("anomaly", strange, anomaly_scores)):
        chosen = anomaly.example_ranks(side_scores)
        examples[f"{name}:{side}"] = np.round(np.clip(images[chosen], 0, 1) * 255).astype("uint8")
        summary["examples"][side] = anomaly.rounded(side_scores[chosen])
    return summary


def measure(models_root: Path, mnist: Splits, seed: int) -> dict:
    """Score every anomaly kind; write the example images beside the models; return the report."""
    rng = np.random.default_rng(seed)
    test = _floats(mnist.x_test)
    # Held-aside normal digits for the threshold: the training split's last digits, never the test set.
    validation, validation_labels = _floats(mnist.x_train[-anomaly.VALIDATION_DIGITS:]), \
        mnist.y_train[-anomaly.VALIDATION_DIGITS:]
    strange = {anomaly.NOISE: anomaly.uniform_noise(len(test), rng), anomaly.INVERTED: anomaly.inverted(test)}
    missing = {}
    try:
        strange[anomaly.FASHION] = _floats(datasets.load(registry.FASHION_MNIST).x_test)
    except DataError as error:  # The other kinds are still worth measuring; the page says what is missing.
        print(f"warning: the Fashion-MNIST case is left out. {error}", file=sys.stderr)
        missing[anomaly.FASHION] = str(error).split("\n")[0]

    cases, examples = {}, {}
    scorer = inference.load_recipe(registry.anomaly_scorer().name, models_root)
    for kind in (kind for kind in anomaly.KINDS if kind in strange):
        cases[anomaly.case_id(kind, scorer.recipe.name)] = _case(scorer, kind, test, strange[kind], validation,
                                                                 examples)
    for recipe in registry.held_out():
        model = inference.load_recipe(recipe.name, models_root)
        digit = recipe.held_out_digit
        unseen, known = mnist.y_test == digit, mnist.y_test != digit
        case = _case(model, anomaly.UNSEEN, test[known], test[unseen], validation[validation_labels != digit],
                     examples)
        # The same split scored by the model that did see this digit: how much of the separation is newness.
        case["scorer_auc"] = measures.roc_auc(_scores(scorer, test[known]), _scores(scorer, test[unseen]))
        case["held_out_digit"] = digit
        cases[anomaly.case_id(anomaly.UNSEEN, recipe.name)] = case

    np.savez_compressed(config.dataset_dir(models_root) / anomaly.EXAMPLES_FILE, **examples)
    return {"score": "reconstruction MSE per pixel, [0, 1] scale", "seed": seed, "scorer": scorer.recipe.name,
            "threshold_quantile": anomaly.THRESHOLD_QUANTILE, "validation_digits": len(validation),
            "bin_edges": anomaly.rounded(anomaly.BIN_EDGES), "cases": cases, "missing": missing}


def at_threshold(case: dict) -> tuple[str, str, str]:
    """A case's precision ("-" where nothing was flagged), recall and false alarms at the validation threshold."""
    at = case["at_threshold"]
    precision = "-" if at["precision"] is None else f"{at['precision']:.1%}"
    return precision, f"{at['recall']:.1%}", f"{at['false_positive_rate']:.1%}"


def table(report: dict) -> str:
    """One line per case: AUC, and precision / recall at the validation threshold."""
    lines = [f"{'case':<26} {'AUC':>6} {'threshold':>9} {'precision':>9} {'recall':>7} {'FPR':>6}"]
    for name, case in report["cases"].items():
        precision, recall, false_alarms = at_threshold(case)
        lines.append(f"{name:<26} {case['auc']:6.3f} {case['threshold']:9.4f} {precision:>9} {recall:>7} "
                     f"{false_alarms:>6}")
    return "\n".join(lines)


def readme_table(report: dict) -> str:
    """The AUC table docs/figures.md shows (python -m training.readme): per case, AUC and the validation threshold's
    precision, recall and false alarms."""
    rows = ["| case | AUC | precision | recall | false alarms on test digits |", "|---|---:|---:|---:|---:|"]
    for name, case in report["cases"].items():
        precision, recall, false_alarms = at_threshold(case)
        rows.append(f"| {name} | {case['auc']:.3f} | {precision} | {recall} | {false_alarms} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """This report alone, on models already evaluated or not: prints the table, writes the files."""
    import argparse

    from latentwall import store

    parser = argparse.ArgumentParser(prog="python -m lessons.anomaly.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR}, then the Keras cache)")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    args = parser.parse_args(argv)
    try:
        report = measure(args.models, datasets.load(registry.MNIST, args.data), args.seed)
    except (store.ArtifactError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    folder = config.dataset_dir(args.models)
    store.write_json(folder / NAME, report)
    store.write_manifest(folder)
    print(table(report))
    print(f"\nWritten to {folder / NAME} and {folder / anomaly.EXAMPLES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
