"""The compression lesson's figures: JPEG at every quality against the codes of the code-size sweep, PCA and the
gallery wall's pair, stored as float32, float16 and 8 bits. `python -m training.evaluate` runs it and writes
models/mnist/compression.json, which the compression page reads (see lessons/compression/logic.py for how bytes
are counted).

On samples of the test set, so it runs in well under a minute on two cores: JPEG_SAMPLE digits for JPEG's 95
qualities (each encoded twice and decoded), CODE_SAMPLE digits for the codes and the reader.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from latentwall import config, inference, registry
from lessons.compression import logic as compression

NAME = compression.REPORT_FILE
JPEG_SAMPLE = 500
CODE_SAMPLE = 2000


def recipes() -> tuple[registry.Recipe, ...]:
    """Whose codes are measured: the dense sweep, PCA at the same sizes, and the wall's 2-D pair."""
    return (*registry.sweep("dense-ae"), *registry.sweep("pca"), *registry.WALL_PAIR)


def measure(models_root: Path, mnist, seed: int) -> dict:
    folder = config.dataset_dir(models_root)
    rng = np.random.default_rng(seed)
    images = mnist.x_test.astype("float32") / 255.0
    jpeg_rows = rng.choice(len(images), min(JPEG_SAMPLE, len(images)), replace=False)
    code_rows = rng.choice(len(images), min(CODE_SAMPLE, len(images)), replace=False)
    curve = [point.__dict__ for point in compression.jpeg_curve(images[jpeg_rows])]
    sample, labels = images[code_rows], mnist.y_test[code_rows]
    reader = inference.load_models(models_root).reader
    codes = {}
    for recipe in recipes():
        model = inference.load_recipe(recipe.name, models_root)
        storage, reconstructions = compression.code_storage(model.encode, model.decode, sample)
        codes[recipe.name] = {"family": recipe.family, "latent_dim": recipe.latent_dim, "storage": storage,
                              "reader_accuracy": float(np.mean(reader.read(reconstructions)[0] == labels))}
    by_quality = {point["quality"]: point for point in curve}
    budgets = {}
    for budget in sorted({figures["bytes"] for item in codes.values() for figures in item["storage"].values()}):
        quality = compression.best_quality_within(budget, lambda q: by_quality[q]["bytes_without_tables"])
        budgets[str(budget)] = {"quality": quality, "mse": None if quality is None else by_quality[quality]["mse"]}
    return {"seed": seed, "jpeg": {"sample": len(jpeg_rows), "curve": curve},
            "codes": {"sample": len(code_rows), "reader_accuracy_originals": float(np.mean(
                reader.read(sample)[0] == labels)), "recipes": codes},
            # The best JPEG quality, without tables, whose mean scan fits each code's bytes (None: none fits).
            "jpeg_within_code_bytes": budgets,
            "decoder_bytes": {recipe.name: compression.decoder_bytes(folder, recipe) for recipe in registry.WALL_PAIR}}
