"""The 20-D VAE page headless through AppTest: a new draw on each press, forged draw counts, and its test error
beside the plain autoencoders'."""

from __future__ import annotations

import numpy as np
import pytest

from latentwall import config, inference, registry, store
from tests.helpers import assert_clean, pictures_of
from tests.oracles import first_inline_picture, sheet

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
    assert second[0] != first[0]
    assert second[1] != first[1]
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
    recipes = store.read_json(config.dataset_dir(evaluated_models) / store.EVALUATION_FILE)["recipes"]
    shown = {metric.label.split(":")[0]: metric.value for metric in test.metric}
    assert shown == {recipe.name: f"{recipes[recipe.name]['test_mse']:.4f}" for recipe in registry.vae_20()}


def test_the_20d_page_decodes_each_draws_prior_codes_with_the_model_it_names(app, smoke_models):
    from latentwall import registry

    vae_recipe, plain_recipe = registry.vae_20()
    vae, plain = (inference.load_recipe(recipe.name, smoke_models) for recipe in (vae_recipe, plain_recipe))
    test = app("lessons/vae20/page.py")
    for press in range(2):
        assert_clean(test)
        html = "\n".join(str(element.proto.body) for element in test.get("html"))
        codes = np.random.default_rng(2024 + press).standard_normal((48, vae_recipe.latent_dim)).astype("float32")
        vae_sheet = first_inline_picture(html, "vae20-samples")
        np.testing.assert_allclose(vae_sheet, sheet(vae.decode(codes), 8, 2), atol=1.5 / 255)
        plain_sheet = first_inline_picture(html, "vae20-plain")
        np.testing.assert_allclose(plain_sheet, sheet(plain.decode(codes), 8, 2), atol=1.5 / 255)
        test.button(key="vae20-draw").click().run()
