"""Your own digit, headless (AppTest): the pad's value as the browser would send it, forged ones, and the
anomaly figure's source. Drawing with the pointer and uploading are tested in test_browser.py."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw

from latentwall import config, i18n, inference, registry, store
from lessons.your_digit import logic as drawing
from tests import bad_images
from tests.helpers import assert_clean, html_text

PAGE = "lessons/your_digit/page.py"
STRINGS = i18n.load_strings("en")
LANDING = re.compile(r'data-lw="digit-landing" data-lw-model="(\w+)" data-lw-x="([^"]+)" data-lw-y="([^"]+)"')


def pad_value(picture: Image.Image) -> dict:
    return {"drawing": drawing.DATA_URL_PREFIX + base64.b64encode(bad_images.png(picture)).decode("ascii")}


def seven_on_the_pad() -> Image.Image:
    picture = Image.new("RGB", (280, 280), "white")
    ImageDraw.Draw(picture).line([(70, 60), (210, 60), (120, 230)], fill="black", width=22)
    return picture


def listener_data(test) -> dict[str, dict]:
    """What each wall's listener was sent, by model: the landing it draws over the wall comes from here."""
    sent = [json.loads(element.proto.json or "{}") for element in test.get("bidi_component")]
    return {data["model"]: data for data in sent if str(data.get("scope", "")).startswith("st-key-digit-wall-")}




def test_the_page_opens_with_a_hint_and_both_walls_without_a_landing(app):
    test = app(PAGE)
    assert_clean(test)
    assert test.title[0].value == STRINGS("digit.title")
    assert any(info.value == STRINGS("digit.hint") for info in test.info)
    assert len(test.get("plotly_chart")) == 2, "both walls, ready for a digit"
    listeners = listener_data(test)
    assert set(listeners) == {recipe.name for recipe in registry.WALL_PAIR}
    assert not any("landing" in data for data in listeners.values())


def test_a_drawing_lands_where_the_encoders_put_it(app, smoke_models):
    test = app(PAGE, **{"digit-drawing": pad_value(seven_on_the_pad())["drawing"]})
    assert_clean(test)
    digit = drawing.digit_from(drawing.read_drawing(pad_value(seven_on_the_pad())["drawing"]))
    models = inference.load_models(smoke_models)
    shown = {kind: (float(x), float(y)) for kind, x, y in LANDING.findall(html_text(test))}
    assert set(shown) == {recipe.name for recipe in registry.WALL_PAIR}
    for kind in shown:
        np.testing.assert_allclose(shown[kind], models[kind].encoder.encode(digit.image[None])[0], rtol=1e-4,
                                   atol=1e-4)
    assert len(test.get("plotly_chart")) == 3, "both walls and the histogram"
    # Each wall's listener draws the star at the code the page names; the VAE's also draws its two rings.
    listeners = listener_data(test)
    for kind, code in shown.items():
        landing = listeners[kind]["landing"]
        np.testing.assert_allclose(landing["code"], code, rtol=1e-4, atol=1e-4)
        assert landing["name"] == STRINGS("digit.yours")
    assert not listeners[registry.AE.name]["landing"]["rings"]
    rings = listeners[registry.VAE.name]["landing"]["rings"]
    assert [ring["name"] for ring in rings] == [STRINGS("digit.sigma", count=count) for count in (1, 2)]
    mean, log_var = models[registry.VAE.name].encoder.encode_spread(digit.image[None])
    sigma = np.exp(0.5 * log_var[0])
    for count, ring in zip((1, 2), rings, strict=False):
        offsets = (np.asarray(ring["points"]) - mean[0]) / (count * sigma)
        np.testing.assert_allclose(np.hypot(offsets[:, 0], offsets[:, 1]), 1.0, atol=1e-3)
    digits, confidences = models.reader.read(digit.image[None])
    assert STRINGS("decoded.reader", digit=int(digits[0]), confidence=float(confidences[0])) in html_text(test)


@pytest.mark.parametrize("forged", [
    {"drawing": 42}, {"drawing": math.nan}, {"drawing": "data:image/png;base64,@@@"}, {"drawing": [0.5] * 784},
    {"drawing": "data:image/png;base64," + "A" * (drawing.MAX_DATA_URL_CHARS + 4)},
    {"drawing": "data:text/html;base64,PGgxPg=="}, {"drawing": {"nested": "value"}},
])
def test_a_forged_drawing_gets_a_message_not_an_error(app, forged):
    test = app(PAGE, **{"digit-drawing": forged["drawing"]})
    assert_clean(test)
    assert [warning.value for warning in test.warning] == [STRINGS("digit.refused_bad_drawing")]
    assert not any("landing" in data for data in listener_data(test).values())


def test_a_blank_pad_says_nothing_is_drawn(app):
    test = app(PAGE, **{"digit-drawing": pad_value(Image.new("RGB", (280, 280), "white"))["drawing"]})
    assert_clean(test)
    assert [warning.value for warning in test.warning] == [STRINGS("digit.refused_no_ink")]


def test_without_the_stored_scores_they_are_measured_once_from_the_test_set(app, smoke_models, use_models,
                                                                             tmp_path):
    root = tmp_path / "models"
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(root))
    (config.dataset_dir(root) / drawing.SCORES_FILE).unlink(missing_ok=True)
    use_models(root)
    test = app(PAGE, **{"digit-drawing": pad_value(seven_on_the_pad())["drawing"]})
    assert_clean(test)
    assert re.search(r"higher than that of \d+(\.\d)?% of", "\n".join(item.value for item in test.markdown))


def test_the_evaluation_writes_the_scores_the_page_reads(evaluated_models):
    stored = store.read_json(config.dataset_dir(evaluated_models) / drawing.SCORES_FILE)
    scores = drawing.parse_scores(stored)
    assert stored["model"] == registry.AE.name
    assert stored["count"] == 10_000
    assert scores is not None
    assert int(scores.counts.sum()) == 10_000
