"""Pictures to take away: words under a decoded image in English and Chinese, and never boxes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from latentwall import figures, pictures

IMAGE = np.linspace(0, 1, 28 * 28, dtype="float32").reshape(28, 28)


def opened(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data), formats=["PNG"])
    picture.load()
    return picture


def ink_below(picture: Image.Image, height: int) -> int:
    """How many non-white pixels lie under the first `height` rows (where the words go)."""
    grey = np.asarray(picture.convert("L"))[height:]
    return int((grey < 200).sum())


@pytest.fixture
def no_cjk_font(monkeypatch, tmp_path):
    monkeypatch.setattr(pictures, "CJK_FONTS", (tmp_path / "absent.ttc",))
    pictures.font_for.cache_clear()
    yield
    pictures.font_for.cache_clear()


def test_english_words_are_written_under_the_picture(no_cjk_font):
    picture = opened(pictures.decoded_png(IMAGE, ["Coordinate: (1.000, 2.000)", "The reader sees: 3"], scale=4))
    assert picture.height > 28 * 4 + 20
    assert ink_below(picture, 28 * 4 + 12) > 50


def test_chinese_words_are_left_off_rather_than_drawn_as_boxes_without_a_cjk_font(no_cjk_font):
    picture = opened(pictures.decoded_png(IMAGE, ["座標：(1.000, 2.000)"], scale=4))
    assert picture.size == (28 * 4, 28 * 4)


@pytest.mark.skipif(not any(path.is_file() for path in pictures.CJK_FONTS), reason="no CJK font installed")
def test_chinese_words_are_written_with_a_cjk_font():
    pictures.font_for.cache_clear()
    picture = opened(pictures.decoded_png(IMAGE, ["座標：(1.000, 2.000)", "辨識器認為這是：3"], scale=4))
    assert picture.height > 28 * 4 + 20
    assert ink_below(picture, 28 * 4 + 12) > 50


def test_a_wall_picture_puts_each_digit_at_its_code_in_its_colour():
    codes = np.array([[0.0, 0.0], [1.0, 1.0]], "float32")
    picture = opened(pictures.wall_png(codes, np.array([1, 7]), (0.0, 1.0, 0.0, 1.0), figures.DIGIT_COLOURS, [],
                                     side=100)).convert("RGB")
    assert picture.getpixel((1, 98)) == Image.new("RGB", (1, 1), figures.DIGIT_COLOURS[1]).getpixel((0, 0))
    assert picture.getpixel((98, 1)) == Image.new("RGB", (1, 1), figures.DIGIT_COLOURS[7]).getpixel((0, 0))


def test_a_filmstrip_reads_start_to_end_left_to_right():
    frames = np.stack([np.full((28, 28), value, "float32") for value in (0.0, 1.0)])
    picture = opened(pictures.filmstrip_png(frames, [], scale=1)).convert("L")
    assert picture.getpixel((5, 5)) == 0
    assert picture.getpixel((33, 5)) == 255
