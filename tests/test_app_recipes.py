"""Any recipe on the interpolation page, and the Models page, headless through AppTest.

The projected path is checked against an oracle computed here without the app: the recipe's own encoder on
the two test digits, the straight line between their codes, and the recipe's stored projection.
"""

from __future__ import annotations

import base64
import json
import re
import shutil

import numpy as np
import pytest

from latentwall import config, i18n, inference, latent, registry, reports, store
from latentwall.datasets import load
from lessons.models import logic as catalogue
from tests.helpers import MNIST_FILE
from tests.test_app import assert_clean, markdown_text

INTERPOLATION, MODELS = "lessons/interpolation/page.py", "lessons/models/page.py"
# A recipe whose code is wider than 2-D, as the page offers it: 20-D where the registry has one.
WIDE = min((recipe for recipe in registry.interpolable() if recipe.latent_dim > 2),
           key=lambda recipe: (recipe.latent_dim != 20, recipe.name))
VARIATIONAL = next(recipe for recipe in registry.RECIPES.values() if recipe.variational)
PCA = next(recipe for recipe in registry.RECIPES.values() if not recipe.trained)


def captions(test) -> list[str]:
    return [caption for image in test.get("image") for caption in image.captions]


def chart_traces(test, key: str) -> list[dict]:
    charts = [chart for chart in test.get("plotly_chart") if chart.proto.id.endswith(key) or key in chart.proto.id]
    assert charts, f"no chart {key}"
    return json.loads(charts[-1].proto.spec)["data"]


def values(array) -> np.ndarray:
    """A trace's numbers as Plotly sends them: a plain list, or typed bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).astype("float64")
    return np.asarray(array, "float64")


def path_points(test) -> np.ndarray:
    path = chart_traces(test, "interp-picture-chart")[-1]
    return np.c_[values(path["x"]), values(path["y"])]


def choose_wide(test, start: int = 5, end: int = 9):
    test.selectbox(key="interp-recipe-en").set_value(WIDE.name).run()
    test.radio(key="interp-way-en").set_value("index").run()
    test.number_input(key="interp-index-a").set_value(start).run()
    test.number_input(key="interp-index-b").set_value(end).run()
    return test


def oracle_path(root, start: int, end: int, positions: np.ndarray) -> np.ndarray:
    """The path's frames projected on the recipe's picture, computed without the page."""
    model = inference.load_recipe(WIDE.name, root)
    images = load(registry.MNIST, MNIST_FILE, download=False).x_test[[start, end]].astype("float32") / 255.0
    codes = model.encode(images)
    frames = latent.interpolate(codes[0], codes[1], 1.0 - positions)
    return model.projection.apply(frames)


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
    store.write_manifest(config.dataset_dir(tmp_path))
    use_models(tmp_path)
    test = app(INTERPOLATION, query={"recipe": WIDE.name})
    assert not test.exception
    assert WIDE.name in test.error[0].value
    assert any(code.value == f"{config.TRAIN_COMMAND} --recipe {WIDE.name}" for code in test.code)


def table(test):
    return test.dataframe[0].value


def test_the_models_page_lists_every_recipe_and_both_readers(app, smoke_models):
    test = app(MODELS)
    assert_clean(test)
    rows = table(test)
    assert list(rows["model"]) == [*registry.RECIPES, *catalogue.READERS]
    strings = i18n.load_strings("en")
    for recipe in registry.RECIPES.values():
        row = rows[rows["model"] == recipe.name].iloc[0]
        assert row["lesson"] == strings(f"model_choice.lesson_{recipe.lesson}")
        assert row["code size"] == str(recipe.latent_dim)
        meta = json.loads((config.dataset_dir(smoke_models) / recipe.name / "meta.json").read_text())
        assert row["training time (s)"] == f"{meta['training_seconds']:,.0f}"
        assert row["bar"] == f"≤ {recipe.max_test_mse:.3f}"
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code), "no evaluation yet: the command"


def test_the_models_page_shows_the_judged_test_mse(app, evaluated_models, use_models):
    use_models(evaluated_models)
    test = app(MODELS)
    assert_clean(test)
    rows = table(test)
    judged = reports.load_evaluation(config.dataset_dir(evaluated_models))["recipes"]
    for name, figures in judged.items():
        row = rows[rows["model"] == name].iloc[0]
        assert row["test MSE"] == f"{figures['test_mse']:.4f}"
        assert row["meets the bar"] == ("yes" if figures["test_mse"] <= figures["max_test_mse"] else "no")


def curve_names(test) -> list[str]:
    return [trace["name"] for trace in chart_traces(test, "models-curves-chart")]


def test_curves_per_epoch_for_a_vae_a_plain_model_and_a_reader_and_none_for_pca(app, smoke_models):
    test = app(MODELS)
    strings = i18n.load_strings("en")
    test.selectbox(key="models-choice-en").set_value(VARIATIONAL.name).run()
    assert_clean(test)
    history = inference.load_recipe(VARIATIONAL.name, smoke_models).history
    traces = chart_traces(test, "models-curves-chart")
    assert [trace["name"] for trace in traces] == [strings(f"models_page.curve_{key}") for key in
                                                   ("loss", "val_loss", "kl_loss", "val_kl_loss")]
    for trace, key in zip(traces, ("loss", "val_loss", "kl_loss", "val_kl_loss")):
        assert values(trace["y"]) == pytest.approx(history[key], rel=1e-5)
    test.selectbox(key="models-choice-en").set_value(WIDE.name).run()
    assert curve_names(test) == [strings("models_page.curve_loss"), strings("models_page.curve_val_loss")]
    test.selectbox(key="models-choice-en").set_value(catalogue.READERS[0]).run()
    assert_clean(test)
    assert len(curve_names(test)) == 2
    test.selectbox(key="models-choice-en").set_value(PCA.name).run()
    assert_clean(test)
    assert not [chart for chart in test.get("plotly_chart")], "PCA has no curves"
    assert re.search(rf"{PCA.name} is PCA", test.info[0].value)


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_models_page_and_a_wide_recipe_in_chinese(app, language):
    strings = i18n.load_strings(language)
    test = app(MODELS, query={"lang": language})
    assert_clean(test)
    assert test.title[0].value == strings("models_page.title")
    test = app(INTERPOLATION, query={"lang": language, "recipe": WIDE.name})
    assert_clean(test)
    assert strings("interpolation_any.projection_note", size=WIDE.latent_dim) in [c.value for c in test.caption]
