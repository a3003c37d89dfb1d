"""How the AE repaints the test digits, so the "your own digit" page can place a student's digit among them.

One of evaluate's reports (a lesson with report=True in LESSONS): writes models/mnist/digit_scores.json with the
percentiles and a histogram of the AE's per-image reconstruction error (MSE per pixel) on the test set.
"""

from __future__ import annotations

from pathlib import Path

from latentwall import inference, measures, registry
from latentwall.datasets import Splits, as_images
from lessons.your_digit import logic as drawing

NAME = drawing.SCORES_FILE


def measure(models_root: Path, mnist: Splits, seed: int) -> dict:
    """The AE's reconstruction error on every test digit, summarised (seed unused: nothing is sampled)."""
    model = inference.load_models(models_root)[registry.AE.name]
    images = as_images(mnist.x_test)[..., 0]
    errors = measures.reconstruction_errors(images, model.decoder.decode(model.encoder.encode(images)))
    return {"model": registry.AE.name, **drawing.summarise_scores(errors)}
