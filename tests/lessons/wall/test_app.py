"""The wall lesson headless through Streamlit's AppTest: the model switch, clicks as the page stores them (forged
and extreme ones too) and the random points painted on the wall.

AppTest cannot click a chart; a click is set the way the page stores it (st.session_state[key] holds what
the browser sent) and the page is checked for what it does with it. The click itself is tested in
test_browser.py.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from latentwall import inference, latent, registry
from tests.helpers import assert_clean, coordinate, html_text, markdown_text, wall_of
from tests.oracles import as_shown, grey, values, verdict_captions

KINDS = registry.WALL_KINDS


def test_model_switch_changes_the_wall_page(app):
    test = app("lessons/wall/page.py")
    assert "Autoencoder (AE)" in markdown_text(test)
    test.sidebar.radio(key="model-en").set_value("vae").run()
    assert_clean(test)
    assert "Variational autoencoder (VAE)" in markdown_text(test)


def test_a_click_on_a_digit_decodes_it_and_shows_original_and_reconstruction(app, smoke_models):
    wall = wall_of(smoke_models)
    index = 7
    x, y = (float(value) for value in wall.codes[index])
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y, "index": index}})
    assert_clean(test)
    assert coordinate(test) == pytest.approx((x, y), abs=1e-3)
    assert f"#{index}, a {int(wall.labels[index])}" in html_text(test)
    pictures = html_text(test)
    assert pictures.count("<img") == 1 + 5 + 2, "decoded image, five neighbours, original and reconstruction"
    assert "The reader sees:" in html_text(test)


def test_a_click_on_empty_space_decodes_without_a_digit(app, smoke_models):
    box = latent.wall_box(wall_of(smoke_models))
    x, y = box[0] + 0.02 * (box[1] - box[0]), box[3] - 0.02 * (box[3] - box[2])
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y, "index": None}})
    assert_clean(test)
    assert coordinate(test) == pytest.approx((x, y), abs=1e-3)
    assert "You clicked test digit" not in html_text(test)
    assert html_text(test).count("<img") == 1 + 5


@pytest.mark.parametrize("forged", [
    {"x": float("nan"), "y": 0.0}, {"x": "0.1", "y": None}, {"x": [1], "y": {}}, "not a dict", 42, None,
    {"x": 0.0, "y": 0.0, "index": -1}, {"x": 0.0, "y": 0.0, "index": 10**12}, {"x": 0.0, "y": 0.0, "index": "3; drop"},
    {"x": 0.0, "y": 0.0, "index": float("nan")}, {"x": 0.0, "y": 0.0, "index": 2.5},
])
def test_forged_clicks_never_raise(app, forged):
    test = app("lessons/wall/page.py", **{"wall-pick-ae": forged})
    assert_clean(test)
    assert "You clicked test digit" not in html_text(test)


@pytest.mark.parametrize(("x", "y"), [(1e308, -1e308), (math.inf, -math.inf), (-0.0, 1e30)])
def test_extreme_clicks_are_clamped_to_the_wall(app, smoke_models, x, y):
    box = latent.wall_box(wall_of(smoke_models))
    test = app("lessons/wall/page.py", **{"wall-pick-ae": {"x": x, "y": y}})
    assert_clean(test)
    shown_x, shown_y = coordinate(test)
    assert box[0] - 1e-3 <= shown_x <= box[1] + 1e-3
    assert box[2] - 1e-3 <= shown_y <= box[3] + 1e-3


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_paint_random_points_shows_their_verdicts(app, kind):
    test = app("lessons/wall/page.py", model=kind)
    test.slider(key="paint-count").set_value(8).run()
    test.button(key="paint-button").click().run()
    assert_clean(test)
    assert re.search(r"confident about \d+ of 8", markdown_text(test))
    assert [len(image.captions) for image in test.get("image")] == [8]
    chart = test.get("plotly_chart")[0].proto.spec
    assert '"name":"random"' in chart


def test_forged_paint_state_is_capped(app):
    test = app("lessons/wall/page.py", **{"painted-ae": {"count": 10**9, "seed": -5}})
    assert_clean(test)
    assert re.search(rf"of {latent.MAX_PAINTED}:", markdown_text(test))


@pytest.mark.parametrize("kind", KINDS)
def test_painted_codes_are_the_chosen_models_decodes_at_the_marked_spots(app, smoke_models, kind, media):
    models = inference.load_models(smoke_models)
    test = app("lessons/wall/page.py", model=kind)
    test.slider(key="paint-count").set_value(12).run()
    test.button(key="paint-button").click().run()
    assert_clean(test)
    painting = test.session_state[f"painted-{kind}"]
    codes = latent.random_codes(kind, models[kind].wall.codes, painting["count"], painting["seed"])
    assert len(codes) == 12, "the slider's count is what is painted"
    (image,) = test.get("image")
    assert list(image.captions) == verdict_captions(models[kind], models.reader, codes)
    decoded = models[kind].decoder.decode(codes)
    for shown, expected in zip(image.proto.imgs, decoded, strict=True):
        np.testing.assert_allclose(grey(media[shown.url.rsplit("/", 1)[1].split(".")[0]]), as_shown(expected[None], 3),
                                   atol=1.5 / 255)
    chart = json.loads(test.get("plotly_chart")[0].proto.spec)
    (marked,) = [trace for trace in chart["data"] if trace.get("name") == "random"]
    np.testing.assert_allclose(np.column_stack([values(marked["x"]), values(marked["y"])]), codes, atol=1e-5)
