"""The evaluation's measures on stand-in models whose answers are known in closed form."""

import numpy as np
import pytest

from training import evaluate


class LineDecoder:
    """Paints every pixel with the code's x: a wall whose picture changes evenly from left to right."""

    def decode(self, codes):
        return np.repeat(np.asarray(codes, "float32")[:, :1, None], 28, axis=1).repeat(28, axis=2)


class SignReader:
    """Reads 1 where the picture is bright (x > 0) and 0 elsewhere, always 95% sure."""

    def probabilities(self, images):
        digits = (np.asarray(images).mean(axis=(1, 2)) > 0).astype(int)
        probabilities = np.full((len(digits), 10), 0.05 / 9)
        probabilities[np.arange(len(digits)), digits] = 0.95
        return probabilities

    def read(self, images):
        probabilities = self.probabilities(images)
        return probabilities.argmax(axis=1), probabilities.max(axis=1)


class Model:
    decoder = LineDecoder()


def test_continuity_against_the_closed_form():
    """Codes spread evenly over x in [-1, 1] (and y in [-5, 5]): the step is 1% of the width, 0.02. A code at
    distance d from the boundary x = 0 crosses it when 0.02 cos(angle) > d, so the digit changes for 0.02 / pi
    of the codes, and the picture changes by 0.02 |cos(angle)|, whose median is 0.02 cos(pi / 4)."""
    rng = np.random.default_rng(0)
    codes = np.stack([np.linspace(-1, 1, 40001), rng.uniform(-5, 5, 40001)], axis=1).astype("float32")
    readers = (SignReader(), SignReader())
    flips = [evaluate.continuity(Model(), readers, codes, seed)["flip_share"] for seed in range(10)]
    assert np.mean(flips) == pytest.approx(0.02 / np.pi, abs=0.0015)
    result = evaluate.continuity(Model(), readers, codes, 0)
    assert result["step"] == pytest.approx(0.02, rel=1e-3)
    assert result["codes"] == evaluate.CONTINUITY_CODES
    assert result["pixel_change_median"] == pytest.approx(0.02 * np.cos(np.pi / 4), rel=0.05)
    assert result["pixel_change_p95"] == pytest.approx(0.02 * np.cos(np.pi * 0.05 / 2), rel=0.02)
    assert result["flip_share_checker"] == result["flip_share"]
    assert result["sure_flip_share"] == result["flip_share"]


def test_read_twice_counts_agreement_and_clear_reads():
    images = np.stack([np.full((28, 28), value, "float32") for value in (-1.0, 1.0, 1.0)])

    class Contrary(SignReader):
        def probabilities(self, images):
            return super().probabilities(-np.asarray(images))

    figures = evaluate.read_twice((SignReader(), Contrary()), images)["figures"]
    assert figures["agreement"] == 0.0
    assert figures["readable_both"] == 0.0
    assert figures["readable_share"] == 1.0
    figures = evaluate.read_twice((SignReader(), SignReader()), images)["figures"]
    assert figures["agreement"] == 1.0
    assert figures["readable_both"] == 1.0
