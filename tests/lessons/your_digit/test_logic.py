"""A student's own digit: every bad file gets its refusal (never an exception), every good kind of file is read,
and the preparation makes MNIST-style digits (inverted when drawn dark on light, 20x20 box, centred by mass)."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFile

from lessons.your_digit import logic as drawing
from tests import bad_images

BAD = bad_images.bad_files()
GOOD = bad_images.good_files()


def test_the_corpus_has_at_least_twelve_bad_files_of_every_refusal_an_upload_can_get():
    assert len(BAD) >= 12
    kinds = {kind for _, kind in BAD.values()}
    assert kinds == set(drawing.REFUSALS) - {drawing.COLOURS, drawing.BAD_DRAWING}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_bad_file_is_refused_with_its_own_reason(name):
    data, kind = BAD[name]
    answer = drawing.digit_from(drawing.read_picture(data))
    assert isinstance(answer, drawing.Refusal), f"{name} was accepted"
    assert answer.kind == kind, (name, answer)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_good_kind_of_file_gives_a_centred_bright_digit(name):
    answer = drawing.digit_from(drawing.read_picture(GOOD[name]))
    assert isinstance(answer, drawing.Digit), (name, answer)
    assert answer.image.shape == (28, 28)
    assert answer.image.dtype == np.float32
    assert answer.image.min() >= 0.0
    assert answer.image.max() <= 1.0
    assert answer.image.max() > 0.8, "the ink is stretched to full brightness"
    assert answer.inverted == (name != "seven-on-black.png")
    row, column = drawing.centre_of_mass(answer.image)
    assert abs(row - 13.5) <= 1.0
    assert abs(column - 13.5) <= 1.0


def test_the_size_cap_is_checked_before_pillow_opens_the_file(monkeypatch):
    def refuse_to_open(*args, **kwargs):
        raise AssertionError("Pillow was asked to open a file over the cap")

    monkeypatch.setattr(drawing.Image, "open", refuse_to_open)
    assert drawing.read_picture(b"\0" * (drawing.MAX_FILE_BYTES + 1)).kind == drawing.TOO_LARGE_FILE


def test_a_huge_declared_size_is_refused_without_decoding(monkeypatch):
    data, decoded = bad_images.png(Image.new("1", (2100, 2000))), []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self) or None)
    assert drawing.read_picture(data).kind == drawing.TOO_MANY_PIXELS
    assert not decoded


def stroke(size: int, points, width: int, ink: int = 0, paper: int = 255) -> np.ndarray:
    picture = Image.new("L", (size, size), paper)
    ImageDraw.Draw(picture).line(points, fill=ink, width=width)
    return np.asarray(picture, "float32") / 255.0


def test_a_stroke_drawn_in_a_corner_lands_centred_and_fills_the_twenty_pixel_box():
    grey = stroke(280, [(20, 20), (20, 120)], width=12)  # A short "1" in the top left corner of the pad.
    image, inverted = drawing.prepare(grey)
    assert inverted, "dark ink on a white pad is inverted"
    ink = np.nonzero(image > 0.2)
    assert ink[0].max() - ink[0].min() + 1 in (19, 20, 21), "the long side is scaled to 20 pixels"
    row, column = drawing.centre_of_mass(image)
    assert abs(row - 13.5) <= 0.5
    assert abs(column - 13.5) <= 0.5
    assert image[:, :4].sum() == 0
    assert image[:, -4:].sum() == 0


def test_white_background_is_inverted_and_black_background_is_not():
    dark_on_white = stroke(100, [(30, 50), (70, 50)], width=8)
    light_on_black = 1.0 - dark_on_white
    first, inverted_first = drawing.prepare(dark_on_white)
    second, inverted_second = drawing.prepare(light_on_black)
    assert inverted_first
    assert not inverted_second
    assert image_border(first) == 0.0, "the paper becomes MNIST's black ground"
    np.testing.assert_allclose(first, second, atol=1e-5)


def image_border(image: np.ndarray) -> float:
    return float(np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).max())


def test_grey_paper_is_stretched_to_black_and_the_ink_to_white():
    grey = stroke(100, [(50, 20), (50, 80)], width=10, ink=80, paper=170) / 1.0
    image, inverted = drawing.prepare(grey)
    assert inverted
    assert image_border(image) == 0.0
    assert image.max() > 0.95


def test_a_blank_or_almost_blank_pad_is_nothing_drawn():
    assert drawing.prepare(np.ones((280, 280), "float32")).kind == drawing.NO_INK
    speck = np.ones((280, 280), "float32")
    speck[140, 140] = 0.0
    assert drawing.prepare(speck).kind == drawing.NO_INK


def test_a_tall_thin_digit_keeps_its_aspect():
    image, _ = drawing.prepare(stroke(200, [(100, 10), (100, 190)], width=10))
    rows, columns = np.nonzero(image > 0.2)
    assert np.ptp(rows) + 1 >= 19
    assert np.ptp(columns) + 1 <= 4


def data_url(grey: np.ndarray) -> str:
    picture = Image.fromarray((grey * 255).astype(np.uint8), "L")
    return drawing.DATA_URL_PREFIX + base64.b64encode(bad_images.png(picture)).decode("ascii")


def test_the_pads_drawing_is_read_like_an_upload():
    answer = drawing.digit_from(drawing.read_drawing(data_url(stroke(280, [(140, 40), (140, 240)], width=16))))
    assert isinstance(answer, drawing.Digit)
    assert drawing.read_drawing(None) is None


@pytest.mark.parametrize("forged", [
    123, 1.5, math.nan, [1, 2, 3], {"x": 1}, True, "", "hello", "data:image/png;base64,!!!!",
    "data:image/jpeg;base64,AAAA", "data:image/png;base64," + "A" * (drawing.MAX_DATA_URL_CHARS + 10),
    "data:image/png;base64," + base64.b64encode(bad_images.bomb_png()).decode(),
    "data:image/png;base64," + base64.b64encode(b"not a png").decode(),
])
def test_forged_drawings_are_refused_not_raised(forged):
    answer = drawing.digit_from(drawing.read_drawing(forged))
    assert isinstance(answer, drawing.Refusal)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=200), st.binary(max_size=200).map(lambda raw: drawing.DATA_URL_PREFIX
                                                                    + base64.b64encode(raw).decode()),
                 st.lists(st.floats(), max_size=30), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3)))
def test_any_value_from_the_browser_gives_a_digit_a_refusal_or_nothing(value):
    answer = drawing.digit_from(drawing.read_drawing(value))
    assert answer is None or isinstance(answer, (drawing.Digit, drawing.Refusal))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_uploaded_give_a_digit_or_a_refusal(data):
    assert isinstance(drawing.digit_from(drawing.read_picture(data)), (drawing.Digit, drawing.Refusal))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 60), st.integers(1, 60), st.sampled_from([0.0, 1.0, math.nan, math.inf, -5.0, 7.0]),
       st.integers(0, 2**32 - 1))
def test_prepare_never_raises_on_odd_arrays(height, width, odd, seed):
    grey = np.random.default_rng(seed).random((height, width)).astype("float32")
    grey[0, 0] = odd
    answer = drawing.prepare(grey)
    if isinstance(answer, drawing.Refusal):
        return
    image, _ = answer
    assert image.shape == (28, 28)
    assert np.all(np.isfinite(image))


def test_the_anomaly_percentile_and_the_sigma_ellipse():
    quantiles = np.linspace(0.0, 1.0, 101)
    assert drawing.percentile_of(0.25, quantiles) == pytest.approx(0.25)
    assert drawing.percentile_of(5.0, quantiles) == 1.0
    with pytest.raises(ValueError):
        drawing.percentile_of(math.nan, quantiles)
    ring = drawing.sigma_ellipse(np.array([1.0, -1.0]), np.log(np.array([4.0, 0.25])), sigmas=2.0)
    np.testing.assert_allclose(ring.max(axis=0), [1.0 + 4.0, -1.0 + 1.0], atol=1e-3)
    np.testing.assert_allclose(ring.min(axis=0), [1.0 - 4.0, -1.0 - 1.0], atol=1e-3)
