"""The app's pure helpers against NumPy oracles, and property tests for everything that takes a user value."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from latentwall import figures, html, inputs, latent, pictures, reports, store
from latentwall.i18n import load_strings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
BOX = (-3.0, 5.0, -10.0, 0.5)
CODES = np.random.default_rng(0).normal(size=(300, 2)).astype("float32") * [2.0, 4.0] + [1.0, -5.0]
LABELS = np.arange(300) % 10

# Anything a browser (or a forged websocket message) could put where a click, index or count goes.
untrusted = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6)
clicks = st.fixed_dictionaries({"x": untrusted, "y": untrusted}, optional={"index": untrusted, "at": untrusted})


def test_a_vae_wall_reaches_over_its_prior_and_an_ae_wall_hugs_its_codes():
    codes = CODES * 0.01
    ae_box = latent.wall_box(store.Wall(codes, LABELS))
    vae_box = latent.wall_box(store.Wall(codes, LABELS, log_var=np.zeros_like(codes)))
    assert ae_box == latent.bounding_box(codes, latent.WALL_MARGIN)
    reach = latent.PRIOR_REACH
    assert vae_box[0] <= -reach
    assert vae_box[1] >= reach
    assert vae_box[2] <= -reach
    assert vae_box[3] >= reach
    wide = store.Wall(CODES * 10, LABELS, log_var=np.zeros_like(CODES))
    assert latent.wall_box(wide) == latent.bounding_box(CODES * 10, latent.WALL_MARGIN)


@given(st.one_of(untrusted, clicks))
def test_parse_pick_never_raises_and_stays_on_the_wall(raw):
    pick = inputs.parse_pick(raw, BOX, 300)
    if pick is None:
        return
    assert pick.code.shape == (2,)
    assert pick.code.dtype == np.float32
    assert np.all(np.isfinite(pick.code))
    assert BOX[0] <= pick.code[0] <= BOX[1]
    assert BOX[2] <= pick.code[1] <= BOX[3]
    assert pick.index is None or (isinstance(pick.index, int) and 0 <= pick.index < 300)


@given(st.floats(-1e6, 1e6), st.floats(-1e6, 1e6), st.integers(0, 299))
def test_parse_pick_keeps_good_values_exactly(x, y, index):
    pick = inputs.parse_pick({"x": x, "y": y, "index": index}, BOX, 300)
    assert pick.index == index
    assert pick.code[0] == np.float32(min(max(x, BOX[0]), BOX[1]))
    assert pick.code[1] == np.float32(min(max(y, BOX[2]), BOX[3]))


@given(untrusted)
def test_safe_index_count_and_weight_never_raise(value):
    assert 0 <= inputs.safe_index(value, 50) < 50
    assert 1 <= inputs.safe_count(value, 64) <= 64
    weight = inputs.safe_weight(value)
    assert 0.0 <= weight <= 1.0
    assert not math.isnan(weight)


@given(st.integers(0, 10**12), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_random_codes_are_capped_and_drawn_as_each_model_expects(count, seed):
    ae = latent.random_codes("ae", CODES, count, seed)
    vae = latent.random_codes("vae", CODES, count, seed)
    expected = min(max(count, 1), latent.MAX_PAINTED) if count >= 1 else 1
    assert len(ae) == len(vae) == expected
    x_min, x_max, y_min, y_max = latent.bounding_box(CODES)
    assert np.all((ae[:, 0] >= x_min) & (ae[:, 0] <= x_max) & (ae[:, 1] >= y_min) & (ae[:, 1] <= y_max))
    np.testing.assert_array_equal(vae, latent.sample_prior(expected, np.random.default_rng(seed)))


def test_prior_samples_look_standard_normal():
    samples = np.concatenate([latent.random_codes("vae", CODES, 64, seed) for seed in range(200)])
    assert abs(samples.mean()) < 0.05
    assert abs(samples.std() - 1.0) < 0.05


@given(st.integers(0, 9), st.integers(0, 2**32 - 1))
@settings(max_examples=30)
def test_random_index_of_a_class_has_that_label(digit, seed):
    index = latent.random_index_of(LABELS, digit, seed)
    assert LABELS[index] == digit
    assert latent.random_index_of(LABELS, digit, seed) == index, "repeatable by seed"


@pytest.mark.parametrize("digit", [-1, 10, 2.5, float("nan"), "three", None])
def test_random_index_of_refuses_bad_classes(digit):
    with pytest.raises(ValueError):
        latent.random_index_of(LABELS, digit, 0)


@given(st.integers(1, 12))
@settings(max_examples=12)
def test_upscale_is_nearest_neighbour(scale):
    image = np.random.default_rng(scale).random((28, 28)).astype("float32")
    picture = np.asarray(pictures.upscale(image, scale))
    oracle = np.kron((image * 255).round().astype("uint8"), np.ones((scale, scale), "uint8"))
    np.testing.assert_array_equal(picture, oracle)


def test_upscale_survives_nan_and_out_of_range_pixels():
    image = np.array([[np.nan, -1.0], [2.0, 0.5]], "float32")
    np.testing.assert_array_equal(np.asarray(pictures.upscale(image, 1)), [[0, 0], [255, 128]])


def test_montage_places_tiles_row_by_row():
    images = np.arange(5)[:, None, None] * np.ones((5, 2, 3))
    sheet = pictures.montage(images, 2)
    assert sheet.shape == (6, 6)
    for number in range(5):
        row, column = divmod(number, 2)
        assert np.all(sheet[2 * row:2 * row + 2, 3 * column:3 * column + 3] == number)
    assert np.all(sheet[4:, 3:] == 0), "the unused cell stays blank"


@given(st.lists(st.floats(-5, 5), min_size=1, max_size=12))
def test_cross_fade_is_the_pixel_formula(weights):
    rng = np.random.default_rng(len(weights))
    start, end = rng.random((28, 28)), rng.random((28, 28))
    fades = latent.cross_fade(start, end, weights)
    clipped = np.clip(np.asarray(weights, "float32"), 0, 1)
    for fade, weight in zip(fades, clipped, strict=False):
        np.testing.assert_allclose(fade, weight * start + (1 - weight) * end, rtol=1e-5, atol=1e-6)


def test_filmstrip_runs_from_start_to_end():
    weights = latent.filmstrip_weights()
    assert len(weights) == latent.FILMSTRIP_STEPS
    assert weights[0] == 1.0
    assert weights[-1] == 0.0
    assert np.all(np.diff(weights) < 0)
    codes = latent.interpolate(np.array([1.0, 2.0]), np.array([-3.0, 4.0]), weights)
    np.testing.assert_allclose(codes[0], [1.0, 2.0])
    np.testing.assert_allclose(codes[-1], [-3.0, 4.0])


class YPainter:
    """A stand-in decoder that paints every pixel with the code's y value, to check grid orientation."""

    def decode(self, codes):
        codes = np.asarray(codes, "float32")
        return np.repeat(codes[:, 1], 28 * 28).reshape(-1, 28, 28)


class BrightnessReader:
    """A stand-in reader: 'digit' 1 with confidence equal to the mean pixel."""

    def read(self, images):
        means = np.asarray(images).reshape(len(images), -1).mean(axis=1)
        return np.ones(len(images), int), means


def test_manifold_puts_the_top_of_the_wall_on_top():
    sheet = latent.manifold(YPainter(), (0.0, 1.0, 0.0, 1.0), side=4)
    assert sheet.shape == (4 * 28, 4 * 28)
    row_values = sheet[::28, 0]
    assert np.all(np.diff(row_values) < 0), "rows go from high y (top) to low y (bottom)"


def test_decodability_grid_has_row_zero_at_the_bottom():
    digits, confidence = latent.decodability(YPainter(), BrightnessReader(), (0.0, 1.0, 0.0, 1.0), side=5)
    assert digits.shape == confidence.shape == (5, 5)
    np.testing.assert_allclose(confidence[:, 0], (np.arange(5) + 0.5) / 5, rtol=1e-5)


def test_gallery_html_escapes_captions():
    picture = pictures.upscale(np.zeros((28, 28)), 1)
    markup = html.gallery_html([picture], ['<script>alert("x")</script>'], 28)
    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    assert markup.count("data:image/png;base64,") == 1


REPORT = {
    "seed": 1, "reader": {"test_accuracy": 0.99},
    **{kind: {"test_mse": 0.04, "area": {"grid_side": 10, "shares": [0.1] * 10, "smallest_digit": 3,
                                         "largest_digit": 1, "smallest_to_largest": 0.5},
              "axes": [{"axis": axis, "mean": 0.1, "std": 1.0, "min": -2.0, "max": 2.0} for axis in (0, 1)],
              "gaps": {"threshold": 0.2, **{source: {"samples": 2000, "far_share": 0.25, "readable_share": 0.75,
                                                     "readable_both": 0.7}
                                            for source in ("box", "fitted", "prior")}}}
       for kind in ("ae", "vae")},
}


def test_defect_rows_format_every_number_and_have_words():
    rows = reports.defect_rows(REPORT)
    text = load_strings("en")
    assert len(rows) == 17
    for key, ae, vae in rows:
        assert ae == vae
        assert ae != "–"
        assert text(f"defects.{key}.label")
        assert text(f"defects.{key}.meaning")
    assert dict((key, ae) for key, ae, _ in rows)["box_far"] == "25.0%"


def test_the_area_ratio_reads_as_largest_to_smallest():
    report = {kind: {"area": {"shares": [0.7459, 0.0005, *[0.0282] * 8]}} for kind in ("ae", "vae")}
    report["vae"]["area"]["shares"] = [0.0, *[1 / 9] * 9]
    ratios = dict((key, (ae, vae)) for key, ae, vae in reports.defect_rows(report))["area_ratio"]
    assert ratios == ("1,492 : 1", "∞ : 1")


def test_defect_rows_survive_a_damaged_report():
    rows = reports.defect_rows({"ae": {"test_mse": "oops"}, "vae": {}})
    assert all(ae == "–" and vae == "–" for _, ae, vae in rows)


def test_load_evaluation_rejects_garbage(tmp_path):
    assert reports.load_evaluation(tmp_path) is None
    (tmp_path / store.EVALUATION_FILE).write_text("[1, 2")
    assert reports.load_evaluation(tmp_path) is None
    (tmp_path / store.EVALUATION_FILE).write_text('{"ae": {}}')
    assert reports.load_evaluation(tmp_path) is None


WORDS = {name: name for name in ("reset_view", "show_all", "legend", "legend_hint")}


def test_wall_figure_is_built_for_clicking():
    view = (BOX[0] / 2, BOX[1] / 2, BOX[2] / 2, BOX[3] / 2)
    figure = figures.wall_figure(CODES, LABELS, BOX, words=WORDS, confidence=np.zeros((4, 4)), view=view)
    assert [trace.type for trace in figure.data] == ["heatmap"] + ["scattergl"] * 10
    assert figure.layout.dragmode == "zoom"
    assert figure.layout.uirevision == "wall"
    assert not figure.layout.xaxis.fixedrange
    assert not figure.layout.yaxis.fixedrange
    assert tuple(figure.layout.xaxis.range) == view[:2]
    assert tuple(figure.layout.yaxis.range) == view[2:]
    assert figure.layout.legend.x > 1, "the legend sits outside the plot area"
    indices = np.concatenate([np.asarray(trace.customdata) for trace in figure.data[1:]])
    assert sorted(indices) == list(range(len(CODES))), "every digit carries its test index"
    reset, everything = figure.layout.updatemenus[0].buttons
    assert (reset.label, everything.label) == ("reset_view", "show_all")
    assert reset.args[0] == {"xaxis.range": list(view[:2]), "yaxis.range": list(view[2:])}
    assert everything.args[0] == {"xaxis.range": list(BOX[:2]), "yaxis.range": list(BOX[2:])}


def test_with_marks_leaves_the_shared_figure_alone():
    base = figures.wall_figure(CODES, LABELS, BOX, words=WORDS)
    before = base.to_json()
    marked = figures.with_marks(base, painted=CODES[:5], path=(CODES[0], CODES[1]))
    assert len(marked.data) == len(base.data) + 2
    assert base.to_json() == before


def test_opening_view_shows_the_middle_of_every_class_inside_the_wall():
    rng = np.random.default_rng(0)
    # Nine classes around the origin and one long arm reaching far out, as the AE's 1s do.
    codes = rng.normal(0, 1, (1000, 2))
    labels = np.repeat(np.arange(10), 100)
    codes[labels == 1] = np.column_stack([rng.uniform(0, 100, 100), rng.normal(0, 1, 100)])
    codes[np.flatnonzero(labels == 1)[:5], 0] += 400
    wall = store.Wall(codes.astype("float32"), labels)
    view, box = latent.opening_view(wall), latent.wall_box(wall)
    assert box[0] <= view[0]
    assert view[1] <= box[1]
    assert box[2] <= view[2]
    assert view[3] <= box[3]
    for digit in range(10):
        median = np.median(codes[labels == digit], axis=0)
        assert view[0] < median[0] < view[1], digit
        assert view[2] < median[1] < view[3], digit
    assert view[1] - view[0] < 0.8 * (box[1] - box[0]), "the far codes do not set the opening view"


def test_strings_fill_in_values_and_name_missing_keys():
    text = load_strings("en")
    assert text("decoded.coordinate", x=1.23456, y=-2.0) == "Coordinate: (1.235, -2.000)"
    with pytest.raises(KeyError, match="no.such.key"):
        text("no.such.key")
