"""The latent maths against independent NumPy oracles, and property tests for every user-facing value."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from latentwall import latent

BOX = (-3.0, 5.0, -1.0, 2.0)


def test_interpolate_endpoints_and_midpoint():
    start, end = np.array([1.0, 2.0]), np.array([-3.0, 6.0])
    np.testing.assert_allclose(latent.interpolate(start, end, 1.0), start)
    np.testing.assert_allclose(latent.interpolate(start, end, 0.0), end)
    np.testing.assert_allclose(latent.interpolate(start, end, 0.25), 0.25 * start + 0.75 * end)
    path = latent.interpolate(start, end, np.linspace(0, 1, 11))
    assert path.shape == (11, 2)
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((start - end) / 10, (10, 1)), atol=1e-6)


def test_grid_cell_centres():
    cells = latent.grid((0.0, 4.0, 0.0, 2.0), 2)
    np.testing.assert_allclose(cells, [[1.0, 0.5], [3.0, 0.5], [1.0, 1.5], [3.0, 1.5]])


def test_nearest_matches_a_full_sort():
    rng = np.random.default_rng(0)
    bank, z = rng.normal(size=(500, 2)), rng.normal(size=2)
    indices, distances = latent.nearest(z, bank, 5)
    oracle = np.argsort(np.hypot(*(bank - z).T))[:5]
    np.testing.assert_array_equal(indices, oracle)
    np.testing.assert_allclose(distances, np.hypot(*(bank[oracle] - z).T))


def test_distances_to_bank_and_far_threshold():
    rng = np.random.default_rng(1)
    bank, points = rng.normal(size=(300, 2)), rng.normal(size=(50, 2))
    full = np.linalg.norm(points[:, None] - bank[None], axis=2)
    np.testing.assert_allclose(latent.distances_to_bank(points, bank, chunk=7), full.min(axis=1), atol=1e-9)
    self_distances = np.linalg.norm(bank[:, None] - bank[None], axis=2) + np.diag(np.full(300, np.inf))
    assert latent.far_threshold(bank) == pytest.approx(np.percentile(self_distances.min(axis=1), 99))


def test_statistics_and_area_shares():
    codes = np.array([[0.0, 1.0], [2.0, 3.0]])
    stats = latent.axis_statistics(codes)
    assert stats[0] == {"axis": 0, "mean": 1.0, "std": 1.0, "min": 0.0, "max": 2.0}
    assert latent.bounding_box(codes, margin=0.5) == (-1.0, 3.0, 0.0, 4.0)
    np.testing.assert_allclose(latent.area_shares(np.array([1, 1, 3, 9])), [0, .5, 0, .25, 0, 0, 0, 0, 0, .25])


def test_samplers_stay_in_their_regions():
    rng = np.random.default_rng(2)
    box_samples = latent.sample_box(BOX, 2000, rng)
    assert box_samples[:, 0].min() >= -3
    assert box_samples[:, 0].max() <= 5
    prior = latent.sample_prior(20000, rng)
    np.testing.assert_allclose(prior.mean(axis=0), 0, atol=0.03)
    np.testing.assert_allclose(prior.std(axis=0), 1, atol=0.03)


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5), st.none()),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers()))
def test_clamp_code_never_escapes_the_box(x, y):
    try:
        code = latent.clamp_code(x, y, BOX)
    except ValueError as error:
        message = str(error)
        assert "number" in message
        return
    assert code.shape == (1, 2)
    assert np.all(np.isfinite(code))
    assert BOX[0] <= code[0, 0] <= BOX[1]
    assert BOX[2] <= code[0, 1] <= BOX[3]


def test_clamp_code_cases():
    np.testing.assert_array_equal(latent.clamp_code(1e308, -math.inf, BOX), [[5.0, -1.0]])
    np.testing.assert_array_equal(latent.clamp_code(-0.0, 0.5, BOX), [[0.0, 0.5]])
    with pytest.raises(ValueError):
        latent.clamp_code(math.nan, 0, BOX)


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4), st.none()))
def test_check_index_accepts_only_valid_indices(index):
    try:
        value = latent.check_index(index, 10)
    except ValueError as error:
        message = str(error)
        assert "index" in message
        return
    assert isinstance(value, int)
    assert 0 <= value < 10
    assert value == float(index)


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4)))
def test_check_count_is_capped(count):
    try:
        value = latent.check_count(count, 50)
    except ValueError:
        return
    assert 1 <= value <= 50


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5))
def test_interpolate_rejects_non_finite_and_clamps_weights(weights):
    try:
        path = latent.interpolate([0.0, 0.0], [1.0, 1.0], weights)
    except ValueError:
        assert not all(math.isfinite(weight) for weight in weights)
        return
    assert np.all((path >= 0) & (path <= 1))


def test_a_position_along_the_path_starts_at_the_start():
    """The interpolation slider's w: 0 is the start digit's code, 1 the end's, 0.25 a quarter of the way."""
    start, end = np.array([0.0, 10.0]), np.array([4.0, -2.0])
    codes = latent.along_path(start, end, [0.0, 0.25, 1.0])
    np.testing.assert_allclose(codes, [start, start + 0.25 * (end - start), end], atol=1e-6)
