"""The non-digit generators: valid images, repeatable by seed, each kind what it says it is."""

import numpy as np
import pytest

from latentwall import outliers

SEED = 11


@pytest.fixture(scope="module")
def digits():
    """Stand-in digits: image k has one bright 6x4 patch at a place of its own, so a blend shows its two parts."""
    images = np.zeros((10, 28, 28), "float32")
    for digit in range(10):
        row, column = divmod(digit, 5)
        images[digit, 4 + 10 * row:10 + 10 * row, 1 + 5 * column:5 + 5 * column] = 1.0
    return images


def test_every_kind_gives_valid_images_and_the_same_seed_the_same_ones(digits):
    corpus = outliers.corpus(digits, 40, SEED)
    assert set(corpus) == set(outliers.NONDIGIT_KINDS)
    assert len(corpus) >= 5
    again = outliers.corpus(digits, 40, SEED)
    other = outliers.corpus(digits, 40, SEED + 1)
    for kind, images in corpus.items():
        assert images.shape == (40, 28, 28), kind
        assert images.dtype == np.float32, kind
        assert images.min() >= 0.0, kind
        assert images.max() <= 1.0, kind
        np.testing.assert_array_equal(images, again[kind])
        assert not np.array_equal(images, other[kind]), f"{kind} ignores its seed"


def test_the_kinds_look_like_their_names(digits):
    rng = np.random.default_rng(SEED)
    ink = {kind: (images > 0.5).mean(axis=(1, 2)) for kind, images in outliers.corpus(digits, 200, SEED).items()}
    assert ink["noise"].mean() > 0.05
    assert ink["strokes"].min() > 0.01
    assert outliers.blobs(200, rng).max(axis=(1, 2)).min() > 0.3, "every picture has a spot"
    flat = outliers.flat(200, rng)
    assert np.all(flat.std(axis=(1, 2)) < 0.1), "a flat page has no pattern"
    smooth = outliers.smooth(50, rng)
    neighbours = np.corrcoef(smooth[:, :, :-1].ravel(), smooth[:, :, 1:].ravel())[0, 1]
    white = outliers.noise(50, rng)
    assert neighbours > 0.5 > np.corrcoef(white[:, :, :-1].ravel(), white[:, :, 1:].ravel())[0, 1]


def test_fragments_keep_only_part_of_a_digit():
    whole = np.zeros((1, 28, 28), "float32")
    whole[0, 4:24, 4:24] = 1.0  # A digit-sized square of ink, 20 x 20.
    fragments = outliers.fragments(whole, 100, np.random.default_rng(SEED))
    pushed, blown_up = fragments[1::2], fragments[::2]  # Every other one is pushed out of the frame.
    assert np.all(pushed.sum(axis=(1, 2)) <= 0.65 * whole.sum()), "at least 11 of 20 rows or columns gone"
    assert np.all(blown_up.sum(axis=(1, 2)) > 0), "a crop of the ink, never of the empty margin alone"


def test_blends_are_half_and_half_of_two_different_digits(digits):
    labels = np.arange(10)
    blended = outliers.blends(digits, labels, 500, np.random.default_rng(SEED))
    for image in blended:
        present = [digit for digit in range(10) if np.allclose(image[digits[digit] == 1], 0.5)]
        assert len(present) == 2, "two different digits, each at half strength"
    assert set(np.unique(blended)) <= {0.0, 0.5}


def test_the_evaluation_seed_is_not_one_training_uses():
    from training import train

    training_seeds = {outliers.TRAIN_SEED + 1337 + settings["seed_offset"] for settings in train.DEFAULTS.values()}
    assert outliers.EVALUATION_SEED not in training_seeds


def test_an_unknown_kind_is_refused(digits):
    with pytest.raises(ValueError, match="Unknown outlier kinds"):
        outliers.corpus(digits, 3, SEED, kinds=("noise", "clouds"))


def test_gaussian_blur_matches_a_direct_two_dimensional_sum():
    rng = np.random.default_rng(SEED)
    images = rng.uniform(size=(2, 28, 28)).astype("float32")
    sigma = 1.25
    radius = int(np.ceil(3 * sigma))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2 * sigma ** 2))
    kernel /= kernel.sum()
    padded = np.pad(images, ((0, 0), (radius, radius), (radius, radius)))
    expected = np.zeros_like(images)
    for row in range(28):
        for column in range(28):
            window = padded[:, row:row + 2 * radius + 1, column:column + 2 * radius + 1]
            expected[:, row, column] = (window * kernel).sum(axis=(1, 2))
    np.testing.assert_allclose(outliers.gaussian_blur(images, sigma), expected, atol=1e-5)


def test_soften_blurs_and_dims_about_the_share_asked_and_leaves_the_rest_alone():
    rng = np.random.default_rng(SEED)
    images = outliers.strokes(400, rng)
    softened = outliers.soften(images, np.random.default_rng(5), share=0.5)
    changed = np.any(softened != images, axis=(1, 2))
    assert 0.4 < changed.mean() < 0.6
    assert softened.min() >= 0.0
    assert softened.max() <= 1.0
    assert np.all(softened[changed].max(axis=(1, 2)) < images[changed].max(axis=(1, 2))), "blurred and dimmed"
    np.testing.assert_array_equal(softened[~changed], images[~changed])
    np.testing.assert_array_equal(softened, outliers.soften(images, np.random.default_rng(5), share=0.5))
