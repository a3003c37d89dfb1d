"""Shared links headless through AppTest: an address brings back the wall's view or the interpolation, and a
forged one gives the default view with a note."""

from __future__ import annotations

import pytest

from latentwall import latent
from tests.helpers import VERDICT, assert_clean, html_text, markdown_text, wall_of


def test_a_link_brings_back_the_wall_view(app, smoke_models):
    box = latent.wall_box(wall_of(smoke_models, "vae"))
    x, y = box[0] + 0.3 * (box[1] - box[0]), box[2] + 0.6 * (box[3] - box[2])
    test = app("lessons/wall/page.py", query={"model": "vae", "x": f"{x:.6g}", "y": f"{y:.6g}"})
    assert_clean(test)
    assert test.sidebar.radio(key="model-en").value == "vae"
    found = VERDICT.search(html_text(test))
    assert found
    assert found.group(1) == "vae"
    assert (float(found.group(2)), float(found.group(3))) == pytest.approx((x, y), abs=1e-3)


def test_a_link_brings_back_the_interpolation(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py", query={"a": "5", "b": "9", "w": "0.3"})
    assert_clean(test)
    assert test.radio(key="interp-way-en").value == "index"
    assert f"**#5** (a {labels[5]}) to **#9** (a {labels[9]})" in markdown_text(test)
    captions = [caption for image in test.get("image") for caption in image.captions]
    assert sum("w = 0.30" in caption for caption in captions) == 2


@pytest.mark.parametrize("query", [{"lang": "klingon"}, {"model": "gan"}, {"x": "nan", "y": "0"},
                                   {"a": "99999999", "b": "-4"}, {"w": "1e999"}, {"x": "1" * 500, "y": "2"}])
def test_a_forged_address_gives_the_default_view_and_a_note(app, query):
    test = app(query=query)
    assert_clean(test)
    assert any("could not be used" in info.value for info in test.info)
