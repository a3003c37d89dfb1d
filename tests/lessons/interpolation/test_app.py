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

from latentwall import config, datasets, inference, latent, registry, store
from tests.helpers import MNIST_FILE, PCA, WIDE, assert_clean, chart_traces, markdown_text, oracle_path, values, wall_of
from tests.oracles import STRINGS, as_shown, pictures_by_caption, straight_path

KINDS = registry.WALL_KINDS

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
    assert found
    assert labels[int(found.group(1))] == 1
    assert labels[int(found.group(2))] == 7
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
    assert "**#11**" in markdown_text(test)
    assert "**#3**" in markdown_text(test)
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
    expected = oracle_path(smoke_models, 5, 9, np.linspace(0.0, 1.0, latent.FILMSTRIP_STEPS))
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
    assert "**#3**" in markdown_text(linked)
    assert linked.selectbox(key="interp-recipe-en").value == WIDE.name
    for forged in ("nope", PCA.name):
        test = app(INTERPOLATION, query={"recipe": forged})
        assert_clean(test)
        assert len(test.get("plotly_chart")) == 2, "the gallery wall's two walls"
    test = app(INTERPOLATION, **{"interp-recipe": 12, "interp-recipe-en": "x"})
    assert_clean(test)


def test_a_missing_recipe_names_the_command_that_trains_it(app, smoke_models, use_models, tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    shutil.rmtree(config.dataset_dir(tmp_path) / WIDE.name)  # As a folder trained before the recipe existed.
    store.write_manifest(config.dataset_dir(tmp_path))
    use_models(tmp_path)
    test = app(INTERPOLATION, query={"recipe": WIDE.name})
    assert not test.exception
    assert WIDE.name in test.error[0].value
    assert any(code.value == f"{config.TRAIN_COMMAND} --recipe {WIDE.name}" for code in test.code)


def test_interpolation_shows_each_models_decodes_along_the_path_from_start_to_end(app, smoke_models, media):
    start, end, weight = 5, 9, 0.2
    models = inference.load_models(smoke_models)
    test = app("lessons/interpolation/page.py", query={"a": str(start), "b": str(end), "w": f"{weight}"})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    for kind in KINDS:
        model = models[kind]
        codes = model.wall.codes[[start, end]].astype("float64")
        at_weight = model.decoder.decode(straight_path(codes[0], codes[1], [weight]).astype("float32"))
        (caption,) = [caption for caption in shown if caption.startswith(f"{STRINGS(f'models.{kind}_short')}, w =")]
        digits, confidences = models.reader.read(at_weight)
        assert caption.startswith(STRINGS("interpolation.decoded_caption", model=STRINGS(f"models.{kind}_short"),
                                          weight=weight, digit=int(digits[0]), confidence=float(confidences[0]),
                                          start=start, end=end))
        np.testing.assert_allclose(shown[caption], as_shown(at_weight, 4), atol=1.5 / 255)
        strip = model.decoder.decode(straight_path(codes[0], codes[1], np.linspace(0, 1, 10)).astype("float32"))
        film = STRINGS("interpolation.filmstrip_caption", model=STRINGS(f"models.{kind}"))
        np.testing.assert_allclose(shown[film], as_shown(strip, 2), atol=1.5 / 255)


def test_interpolation_of_any_recipe_decodes_its_own_codes_of_the_two_digits(app, smoke_models, media):
    from latentwall import registry

    start, end, weight = 5, 9, 0.2
    recipe = min((item for item in registry.interpolable() if item.latent_dim > 2), key=lambda item: item.latent_dim)
    model = inference.load_recipe(recipe.name, smoke_models)
    pixels = datasets.as_images(datasets.load(registry.MNIST, MNIST_FILE, download=False).x_test[[start, end]])[..., 0]
    ends = model.encode(pixels).astype("float64")
    test = app("lessons/interpolation/page.py",
               query={"recipe": recipe.name, "a": str(start), "b": str(end), "w": f"{weight}"})
    assert_clean(test)
    shown = pictures_by_caption(test, media)
    (caption,) = [caption for caption in shown if caption.startswith(f"{recipe.name}, w = {weight:.2f}")]
    at_weight = model.decode(straight_path(ends[0], ends[1], [weight]).astype("float32"))
    np.testing.assert_allclose(shown[caption], as_shown(at_weight, 4), atol=1.5 / 255)
    (film,) = [caption for caption in shown if caption.startswith(f"{recipe.name}: 10 frames")]
    strip = model.decode(straight_path(ends[0], ends[1], np.linspace(0, 1, 10)).astype("float32"))
    np.testing.assert_allclose(shown[film], as_shown(strip, 2), atol=1.5 / 255)


@pytest.mark.parametrize(("forged", "shown"), [(float("nan"), "0.50"), ("heavy", "0.50"), (None, "0.50"),
                                               ([0.5], "0.50"), (float("inf"), "1.00"), (-7, "0.00")])
def test_a_forged_weight_is_cleaned_before_the_slider_reads_it(app, forged, shown):
    """Garbage falls back to the middle of the path; a number beyond an end is held at that end."""
    test = app("lessons/interpolation/page.py", **{"interp-weight": forged})
    assert_clean(test)
    captions = [image.caption for element in test.get("image") for image in element.proto.imgs]
    assert sum(f", w = {shown}:" in caption for caption in captions) == len(KINDS), captions
