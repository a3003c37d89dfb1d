"""Calibration, temperature fitting, the two-reader measures and the continuity maths against NumPy oracles."""

import numpy as np
import pytest

from latentwall import latent, measures


def ece_oracle(probabilities: np.ndarray, labels: np.ndarray, bins: int) -> float:
    """ECE written out the textbook way: bin edges, each bin (low, high] with 0 in the first."""
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == labels).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=False):
        members = (confidence > low) & (confidence <= high) if low > 0 else (confidence <= high)
        if members.sum():
            total += members.sum() / len(labels) * abs(correct[members].mean() - confidence[members].mean())
    return total


@pytest.mark.parametrize("seed", range(5))
def test_ece_matches_the_textbook_oracle(seed):
    rng = np.random.default_rng(seed)
    logits = rng.normal(0, 1 + seed, (3000, 10))
    probabilities = measures.softmax(logits)
    labels = rng.integers(0, 10, 3000)
    labels[: 1500] = probabilities[:1500].argmax(axis=1)  # Half right, so accuracy and confidence both vary.
    assert measures.expected_calibration_error(probabilities, labels) == pytest.approx(
        ece_oracle(probabilities, labels, 15), abs=1e-12)


def test_ece_on_cases_worked_by_hand():
    sure_and_right = np.eye(10)[[3, 4]]
    assert measures.expected_calibration_error(sure_and_right, np.array([3, 4])) == 0.0
    # Every prediction 80% sure and every one right: the whole gap is 0.2.
    eighty = np.full((4, 10), 0.2 / 9)
    eighty[:, 1] = 0.8
    assert measures.expected_calibration_error(eighty, np.ones(4, int)) == pytest.approx(0.2)
    # Half of them wrong: 80% sure, 50% right.
    assert measures.expected_calibration_error(eighty, np.array([1, 1, 2, 2])) == pytest.approx(0.3)
    # Bins are closed on the right: 0.8 = 12/15 ends the 12th bin, 0.81 starts the 13th, so right and wrong are
    # not averaged together: 0.5 * |1 - 0.8| + 0.5 * |0 - 0.81|.
    edge = np.full((2, 10), 0.0)
    edge[0, 1], edge[0, 2], edge[1, 1], edge[1, 2] = 0.8, 0.2, 0.81, 0.19
    assert measures.expected_calibration_error(edge, np.array([1, 2])) == pytest.approx(0.505)
    with pytest.raises(ValueError):
        measures.expected_calibration_error(np.zeros((0, 10)), np.zeros(0, int))


def test_fit_temperature_recovers_the_temperature_labels_were_drawn_at():
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 4, (20000, 10))
    probabilities = measures.softmax(logits, 2.5)
    labels = np.array([rng.choice(10, p=row) for row in probabilities])
    fitted = measures.fit_temperature(logits, labels)
    assert fitted == pytest.approx(2.5, rel=0.05)
    grid = np.exp(np.linspace(np.log(0.5), np.log(10), 400))
    best = grid[np.argmin([measures.negative_log_likelihood(logits, labels, t) for t in grid])]
    assert fitted == pytest.approx(best, rel=0.01)


def test_softmax_and_nll_against_plain_numpy():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1000.0]])
    expected = np.exp(logits[0] / 2) / np.exp(logits[0] / 2).sum()
    np.testing.assert_allclose(measures.softmax(logits, 2.0)[0], expected)
    np.testing.assert_allclose(measures.softmax(logits)[1], [0, 0, 1])
    assert measures.negative_log_likelihood(logits[:1], np.array([2])) == pytest.approx(
        -np.log(np.exp(3) / np.exp([1, 2, 3]).sum()))


def test_readable_both_needs_two_sure_readers_of_one_digit():
    sure = {digit: np.eye(10)[digit] * 0.95 + 0.005 for digit in range(10)}
    unsure = np.full(10, 0.1)
    first = np.stack([sure[3], sure[3], sure[3], unsure])
    second = np.stack([sure[3], sure[5], unsure, sure[3]])
    np.testing.assert_array_equal(measures.readable_both(first, second, 0.9), [True, False, False, False])


def test_digit_shares_add_up_to_the_readable_share():
    digits = np.array([1, 1, 2, 7, 7, 7, 0, 9])
    mask = np.array([1, 0, 1, 1, 1, 0, 0, 1], bool)
    shares = measures.digit_shares(digits, mask)
    assert shares[1] == shares[2] == shares[9] == pytest.approx(1 / 8)
    assert shares[7] == pytest.approx(2 / 8)
    assert sum(shares) == pytest.approx(mask.mean())


def test_the_reconstruction_error_is_the_mean_squared_difference_per_image_whatever_the_layout():
    rng = np.random.default_rng(4)
    images = rng.uniform(size=(3, 28, 28)).astype("float32")
    copies = rng.uniform(size=(3, 28, 28)).astype("float32")
    oracle = [np.mean((image.astype("float64") - copy) ** 2) for image, copy in zip(images, copies, strict=False)]
    np.testing.assert_allclose(measures.reconstruction_errors(images, copies), oracle)
    np.testing.assert_allclose(measures.reconstruction_errors(images[..., None], copies.reshape(3, -1)), oracle)
    with pytest.raises(ValueError, match="as many images"):
        measures.reconstruction_errors(images, copies[:, :27])
    with pytest.raises(ValueError, match="as many images"):
        measures.reconstruction_errors(images, copies[:2])


def test_pixel_change_is_the_rms_difference():
    first = np.zeros((2, 28, 28))
    second = np.zeros((2, 28, 28))
    second[1, :14] = 1.0  # Half the pixels change by 1.
    np.testing.assert_allclose(measures.pixel_change(first, second), [0.0, np.sqrt(0.5)])


def test_a_step_moves_every_code_by_exactly_its_length_in_every_direction():
    rng = np.random.default_rng(3)
    codes = rng.normal(0, 10, (5000, 2))
    stepped = latent.step_codes(codes, 0.7, rng)
    np.testing.assert_allclose(np.linalg.norm(stepped - codes, axis=1), 0.7, rtol=1e-4)
    angles = np.arctan2(*(stepped - codes).T[::-1])
    assert np.histogram(angles, bins=4, range=(-np.pi, np.pi))[0].min() > 1100  # No favoured direction.


def test_the_fitted_gaussian_has_the_codes_mean_and_covariance():
    rng = np.random.default_rng(4)
    codes = rng.multivariate_normal([30.0, -5.0], [[100.0, 30.0], [30.0, 16.0]], 4000)
    drawn = latent.sample_fitted(codes, 40000, rng)
    np.testing.assert_allclose(drawn.mean(axis=0), codes.mean(axis=0), atol=0.3)
    np.testing.assert_allclose(np.cov(drawn, rowvar=False), np.cov(codes, rowvar=False), rtol=0.05)
