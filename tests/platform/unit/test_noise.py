"""Noise and PSNR against closed forms and NumPy oracles."""

from __future__ import annotations

import numpy as np
import pytest

from latentwall import noise


@pytest.fixture
def digits() -> np.ndarray:
    images = np.zeros((40, 28, 28), "float32")
    images[:, 8:20, 12:16] = 1.0  # A bar: bright stroke on a dark page, like a 1.
    return images


def test_gaussian_noise_has_the_asked_spread_and_is_seeded():
    grey = np.full((200, 28, 28), 0.5, "float32")
    noisy = noise.gaussian(grey, 0.1, seed=3)
    # Clipping barely touches noise of std 0.1 around 0.5 (5 sigma), so the spread is the asked one.
    assert abs(float((noisy - grey).std()) - 0.1) < 0.002
    assert abs(float((noisy - grey).mean())) < 0.002
    np.testing.assert_array_equal(noisy, noise.gaussian(grey, 0.1, seed=3))
    assert not np.array_equal(noisy, noise.gaussian(grey, 0.1, seed=4))


def test_gaussian_noise_stays_on_the_pixel_scale_and_zero_strength_changes_nothing(digits):
    strong = noise.gaussian(digits, 0.8, seed=1)
    assert strong.dtype == np.float32
    assert strong.min() >= 0.0
    assert strong.max() <= 1.0
    np.testing.assert_array_equal(noise.gaussian(digits, 0.0, seed=1), digits)


def test_the_lessons_mean_brightens_the_page_as_the_keras_example_does():
    background = noise.gaussian(np.zeros((100, 28, 28)), noise.LESSON_STD, seed=2, mean=noise.LESSON_MEAN)
    # Clipped N(0.5, 0.5) on a black page: P(x > 1) = P(x < 0) = 15.9%, the mean of the clipped value
    # is 0.5 by symmetry.
    assert abs(float(background.mean()) - 0.5) < 0.01
    assert abs(float(np.mean(background == 1.0)) - 0.1587) < 0.01
    assert abs(float(np.mean(background == 0.0)) - 0.1587) < 0.01


def test_salt_and_pepper_flips_the_asked_share_to_black_or_white(digits):
    grey = np.full((100, 28, 28), 0.5, "float32")
    noisy = noise.salt_and_pepper(grey, 0.2, seed=5)
    changed = noisy != 0.5
    assert abs(float(changed.mean()) - 0.2) < 0.01
    assert set(np.unique(noisy[changed])) == {0.0, 1.0}
    assert abs(float(np.mean(noisy[changed] == 1.0)) - 0.5) < 0.02
    np.testing.assert_array_equal(noisy, noise.salt_and_pepper(grey, 0.2, seed=5))
    np.testing.assert_array_equal(noise.salt_and_pepper(digits, 0.0, seed=5), digits)
    assert grey.min() == 0.5, "the input is left untouched"


@pytest.mark.parametrize("bad", [-0.1, 1.5, float("nan")])
def test_levels_out_of_range_are_refused_with_a_message(digits, bad):
    with pytest.raises(ValueError, match="between 0 and"):
        noise.gaussian(digits, bad, seed=1)
    with pytest.raises(ValueError, match="between 0 and"):
        noise.salt_and_pepper(digits, bad, seed=1)


def test_psnr_matches_its_definition():
    clean = np.zeros((2, 28, 28))
    other = clean.copy()
    other[0] += 0.1  # MSE 0.01 -> 20 dB
    other[1, :14] = 1.0  # MSE 0.5 -> 3.01 dB
    np.testing.assert_allclose(noise.psnr(clean, other), [20.0, 10 * np.log10(2.0)], atol=1e-9)


def test_identical_images_read_the_cap_not_infinity(digits):
    values = noise.psnr(digits, digits)
    assert np.all(values == noise.PSNR_CAP_DB)
    assert np.all(np.isfinite(values))
    nearly = digits.copy()
    nearly[:, 0, 0] = 1e-5
    assert np.all(noise.psnr(digits, nearly) == noise.PSNR_CAP_DB)


def test_more_noise_means_lower_psnr(digits):
    levels = [noise.psnr(digits, noise.gaussian(digits, strength, seed=1)).mean() for strength in (0.1, 0.3, 0.6)]
    assert levels[0] > levels[1] > levels[2]
    with pytest.raises(ValueError, match="same shape"):
        noise.psnr(digits, digits[:3])


@pytest.mark.parametrize(("sent", "kept"), [(0.35, 0.35), (-2, 0.0), (9.0, 0.8), ("0.2", 0.2), ("x", 0.0),
                                            (None, 0.0), (float("nan"), 0.0), (float("inf"), 0.0), (10**400, 0.0)])
def test_a_level_from_the_browser_is_held_in_range(sent, kept):
    assert noise.safe_level(sent, 0.8) == kept
