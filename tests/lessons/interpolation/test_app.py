"""The interpolation page headless through AppTest: by index, by class and by clicks, forged values, and any
recipe.

For a recipe wider than 2-D the projected path is checked against an oracle computed without the app: the
recipe's own encoder on the two test digits, the straight line between their codes, and the recipe's stored
projection.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from latentwall import artifacts, config, explore, inference
from tests.helpers import PCA, WIDE, assert_clean, chart_traces, markdown_text, oracle_path, values, wall_of

INTERPOLATION = "lessons/interpolation/page.py"


def test_interpolation_by_index_and_the_weight_slider(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py")
    test.radio(key="interp-way-en").set_value("index").run()
    test.number_input(key="interp-index-a").set_value(5).run()
    test.number_input(key="interp-index-b").set_value(9).run()
    assert_clean(test)
    assert f"**#5** (a {labels[5]}) to **#9** (a {labels[9]})" in markdown_text(test)
    test.slider(key="interp-weight").set_value(0.25).run()
    assert_clean(test)
    captions = [caption for image in test.get("image") for caption in image.captions]
    assert sum("w = 0.25" in caption for caption in captions) == 2, "one decoded point per model"
    assert sum("ten steps" in caption for caption in captions) == 2
    assert any("double exposure" in caption for caption in captions)


def test_interpolation_by_class_picks_digits_of_those_classes(app, smoke_models):
    labels = wall_of(smoke_models).labels
    test = app("lessons/interpolation/page.py")
    test.selectbox(key="interp-class-a").set_value(1).run()
    test.selectbox(key="interp-class-b").set_value(7).run()
    assert_clean(test)
    found = re.search(r"\*\*#(\d+)\*\* \(a 1\) to \*\*#(\d+)\*\* \(a 7\)", markdown_text(test))
    assert found and labels[int(found.group(1))] == 1 and labels[int(found.group(2))] == 7
    before = found.groups()
    for _ in range(3):
        test.button(key="interp-reroll").click().run()
        again = re.search(r"\*\*#(\d+)\*\* \(a 1\) to \*\*#(\d+)\*\* \(a 7\)", markdown_text(test))
        assert again, "a new draw keeps the classes"
        if again.groups() != before:
            break
    else:
        pytest.fail("three new draws all gave the same pair")


def test_interpolation_by_clicking_uses_the_stored_picks(app, smoke_models):
    test = app("lessons/interpolation/page.py", **{"interp-click-a": 11, "interp-click-b": 3})
    test.radio(key="interp-way-en").set_value("click").run()
    assert_clean(test)
    assert "**#11**" in markdown_text(test) and "**#3**" in markdown_text(test)
    assert len(test.get("plotly_chart")) == 2


def test_forged_interpolation_values_never_raise(app):
    test = app("lessons/interpolation/page.py", **{"interp-click-a": 10**9, "interp-click-b": float("nan"),
                                                 "interp-seed": "x", "interp-way": "click"})
    assert_clean(test)
    assert "**#0**" in markdown_text(test)


def captions(test) -> list[str]:
    return [caption for image in test.get("image") for caption in image.captions]


def path_points(test) -> np.ndarray:
    path = chart_traces(test, "interp-picture-chart")[-1]
    return np.c_[values(path["x"]), values(path["y"])]


def choose_wide(test, start: int = 5, end: int = 9):
    test.selectbox(key="interp-recipe-en").set_value(WIDE.name).run()
    test.radio(key="interp-way-en").set_value("index").run()
    test.number_input(key="interp-index-a").set_value(start).run()
    test.number_input(key="interp-index-b").set_value(end).run()
    return test


def test_a_wide_recipe_walks_its_own_code_and_draws_the_path_on_its_projection(app, smoke_models):
    test = choose_wide(app(INTERPOLATION))
    assert_clean(test)
    labels = inference.load_recipe(WIDE.name, smoke_models).picture.labels
    assert f"**#5** (a {labels[5]}) to **#9** (a {labels[9]})" in markdown_text(test)
    assert any(f"{WIDE.latent_dim}-D codes" in caption.value and "projection" in caption.value
               for caption in test.caption), "the page says the picture is a projection"
    expected = oracle_path(smoke_models, 5, 9, np.linspace(0.0, 1.0, explore.FILMSTRIP_STEPS))
    np.testing.assert_allclose(path_points(test), expected, rtol=1e-4, atol=1e-3)
    assert any(f"{WIDE.name}: 10 frames" in caption for caption in captions(test)), captions(test)
    assert query(test, "recipe") == WIDE.name, "the address keeps the recipe"


def query(test, name: str):
    value = test.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_the_lessons_weights_and_the_slider(app, smoke_models):
    test = choose_wide(app(INTERPOLATION))
    test.toggle(key="interp-lesson-weights").set_value(True).run()
    assert_clean(test)
    assert any("7 frames" in caption and "w = 0.05, 0.20, 0.35, 0.50, 0.65, 0.80, 0.95" in caption
               for caption in captions(test)), captions(test)
    expected = oracle_path(smoke_models, 5, 9, np.array([0.05, 0.20, 0.35, 0.50, 0.65, 0.80, 0.95]))
    np.testing.assert_allclose(path_points(test), expected, rtol=1e-4, atol=1e-3)
    test.slider(key="interp-weight").set_value(0.3).run()
    assert_clean(test)
    assert any(caption.startswith(f"{WIDE.name}, w = 0.30: reads") for caption in captions(test)), captions(test)


def test_a_link_opens_a_recipe_and_a_forged_one_falls_back_to_the_wall_pair(app):
    linked = app(INTERPOLATION, query={"recipe": WIDE.name, "a": "3", "b": "4"})
    assert_clean(linked)
    assert "**#3**" in markdown_text(linked) and linked.selectbox(key="interp-recipe-en").value == WIDE.name
    for forged in ("nope", PCA.name):
        test = app(INTERPOLATION, query={"recipe": forged})
        assert_clean(test)
        assert len(test.get("plotly_chart")) == 2, "the gallery wall's two walls"
    test = app(INTERPOLATION, **{"interp-recipe": 12, "interp-recipe-en": "x"})
    assert_clean(test)


def test_a_missing_recipe_names_the_command_that_trains_it(app, smoke_models, use_models, tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    shutil.rmtree(config.dataset_dir(tmp_path) / WIDE.name)  # As a folder trained before the recipe existed.
    artifacts.write_manifest(config.dataset_dir(tmp_path))
    use_models(tmp_path)
    test = app(INTERPOLATION, query={"recipe": WIDE.name})
    assert not test.exception
    assert WIDE.name in test.error[0].value
    assert any(code.value == f"{config.TRAIN_COMMAND} --recipe {WIDE.name}" for code in test.code)
