"""The Models page headless through AppTest: every recipe and both readers in its table, the judged test error,
the training curves per epoch, and the page (with a wide recipe on the interpolation page) in Chinese."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from latentwall import config, i18n, inference, registry, reports
from lessons.models import logic as catalogue
from tests.helpers import PCA, VARIATIONAL, WIDE, assert_clean, chart_traces, values
from tests.oracles import STRINGS

KINDS = registry.WALL_KINDS

INTERPOLATION, MODELS = "lessons/interpolation/page.py", "lessons/models/page.py"


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
    for trace, key in zip(traces, ("loss", "val_loss", "kl_loss", "val_kl_loss"), strict=False):
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


@pytest.mark.parametrize("kind", KINDS)
def test_the_models_page_draws_the_chosen_models_own_loss_curves(app, smoke_models, kind):
    from latentwall import config

    history = json.loads((config.dataset_dir(smoke_models) / kind / "history.json").read_text(encoding="utf-8"))
    test = app("lessons/models/page.py")
    test.selectbox(key="models-choice-en").set_value(kind).run()
    assert_clean(test)
    (chart,) = [json.loads(element.proto.spec) for element in test.get("plotly_chart")]
    traces = {trace["name"]: values(trace["y"]) for trace in chart["data"]}
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(traces[STRINGS(f"models_page.curve_{key}")], history[key], rtol=1e-6)
