"""The 20-D VAE page headless through AppTest: a new draw on each press, forged draw counts, and its test error
beside the plain autoencoders'."""

from __future__ import annotations

import pytest

from latentwall import artifacts, config, registry
from tests.helpers import assert_clean, pictures_of

VAE_PAGE = "lessons/vae20/page.py"


def test_vae_page_draws_again_on_each_press(app):
    test = app(VAE_PAGE)
    assert_clean(test)
    first = pictures_of(test)
    assert len(first) == 2, "the VAE's samples and the plain AE's decodes of the same codes"
    assert any("draw 1 (seed" in caption.value for caption in test.caption)
    test.button(key="vae20-draw").click().run()
    assert_clean(test)
    second = pictures_of(test)
    assert second[0] != first[0] and second[1] != first[1]
    assert any("draw 2 (seed" in caption.value for caption in test.caption)
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code), "no evaluation yet: the command"


@pytest.mark.parametrize("forged", [-1, "many", 10**12, 2.5])
def test_forged_draw_counts_start_from_the_first_draw(app, forged):
    test = app(VAE_PAGE, **{"vae20-draws": forged})
    assert_clean(test)
    assert any("draw 1 (seed" in caption.value for caption in test.caption)


def test_vae_page_sets_its_test_error_beside_the_plain_autoencoders(app, evaluated_models, use_models):
    use_models(evaluated_models)
    test = app(VAE_PAGE)
    assert_clean(test)
    recipes = artifacts.read_json(config.dataset_dir(evaluated_models) / config.EVALUATION_FILE)["recipes"]
    shown = {metric.label.split(":")[0]: metric.value for metric in test.metric}
    assert shown == {recipe.name: f"{recipes[recipe.name]['test_mse']:.4f}" for recipe in registry.vae_20()}
