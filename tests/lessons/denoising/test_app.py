"""The denoising page headless through AppTest: each digit noisy and through both models, the noise control,
forged levels, the measured curves and a missing recipe."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from latentwall import config, datasets, inference, noise, registry
from lessons.denoising import logic as denoising
from tests.helpers import MNIST_FILE, assert_clean, html_text, pictures_of
from tests.oracles import row_pictures, sheet

DENOISING_PAGE = "lessons/denoising/page.py"
ROW = re.compile(r'data-lw="row" data-lw-role="(\w+)" data-lw-psnr="([^"]+)"')


def psnr_rows(test) -> dict[str, list[float]]:
    """Each row's PSNR per digit, by role: the noisy input, the denoising AE and the plain AE."""
    return {role: [float(value) for value in values.split()] for role, values in ROW.findall(html_text(test))}


def test_denoising_page_shows_each_digit_noisy_and_through_both_models(app):
    test = app(DENOISING_PAGE)
    assert_clean(test)
    rows = psnr_rows(test)
    assert set(rows) == {"input", "denoising", "plain"}
    assert all(len(values) == 6 for values in rows.values())
    assert len(pictures_of(test)) == 6 * 4, "noisy input, two models' outputs and the original per digit"
    body = html_text(test)
    assert 'data-lw-kind="lesson"' in body, "the lesson's own noise first"
    assert 'data-lw-level="0.50"' in body, "the lesson's own noise first"
    assert len(re.findall(r"<figcaption[^>]*>\d+\.\d dB</figcaption>", body)) == 3 * 6
    assert all(f">{words}<" in body for words in ("noisy input", "denoising AE", "plain AE", "original"))
    assert any(code.value == config.EVALUATE_COMMAND for code in test.code), "no report yet: the command"
    assert len(test.get("graphviz_chart")) == 1
    encoder, decoder = (table.value for table in test.table[:2])
    assert list(encoder["layer"]) == ["InputLayer", "Conv2D", "Conv2D", "Flatten", "Dense"]
    assert list(decoder["layer"]).count("Conv2DTranspose") == 3


def test_the_noise_control_changes_the_noisy_digits_and_their_psnr(app):
    test = app(DENOISING_PAGE)
    test.radio(key="denoise-kind-en").set_value(denoising.GAUSSIAN).run()
    test.slider(key="denoise-level").set_value(0.0).run()
    assert_clean(test)
    assert psnr_rows(test)["input"] == [noise.PSNR_CAP_DB] * 6
    assert html_text(test).count(">identical</figcaption>") == 6
    before = pictures_of(test)
    test.slider(key="denoise-level").set_value(0.6).run()
    assert_clean(test)
    assert all(value < 15 for value in psnr_rows(test)["input"]), "noise of std 0.6 leaves well under 15 dB"
    after = pictures_of(test)
    assert after[:6] != before[:6], "noisy redrawn"
    assert all(new != old for new, old in zip(after[:6], before[:6], strict=False)), "noisy redrawn"
    assert after[18:] == before[18:], "the originals stay"
    test.radio(key="denoise-kind-en").set_value(denoising.SALT_AND_PEPPER).run()
    assert_clean(test)
    assert 'data-lw-kind="salt_and_pepper"' in html_text(test)
    assert pictures_of(test)[0] != after[0]
    assert "60% of the pixels" in "\n".join(caption.value for caption in test.caption)


@pytest.mark.parametrize("forged", ["loud", 99.0, -3.0, float("nan"), None])
def test_forged_noise_levels_never_raise(app, forged):
    test = app(DENOISING_PAGE, **{"denoise-level": forged, "denoise-kind": "pink"})
    assert_clean(test)


def test_denoising_page_draws_the_measured_curves(app, evaluated_models, use_models):
    use_models(evaluated_models)
    test = app(DENOISING_PAGE)
    assert_clean(test)
    assert len(test.get("plotly_chart")) == 1
    assert any("2,000 test digits" in caption.value for caption in test.caption)


def test_a_missing_recipe_gives_the_command_that_makes_it(app, smoke_models, use_models, tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    missing = registry.denoising_pair()[1]
    shutil.rmtree(config.dataset_dir(tmp_path) / missing.name)
    use_models(tmp_path)
    test = app(DENOISING_PAGE)
    assert not test.exception
    assert missing.name in test.error[0].value
    assert any(code.value == f"{config.TRAIN_COMMAND} --recipe {missing.name}" for code in test.code)


def test_denoising_rows_are_the_set_noise_and_each_named_models_repair_of_it(app, smoke_models):
    from latentwall import registry
    from lessons.denoising import logic as denoising

    level = 0.6
    denoiser, plain = registry.denoising_pair()
    models = {recipe.name: inference.load_recipe(recipe.name, smoke_models) for recipe in (denoiser, plain)}
    shown_digits = [0, 1, 2, 3, 4, 7]
    clean = datasets.as_images(datasets.load(registry.MNIST, MNIST_FILE, download=False).x_test[shown_digits])[..., 0]
    test = app("lessons/denoising/page.py")
    test.slider(key="denoise-level").set_value(level).run()
    assert_clean(test)
    html = "\n".join(str(element.proto.body) for element in test.get("html"))
    assert f'data-lw-level="{level:.2f}"' in html
    found = denoising.examples(models, clean, denoising.LESSON, level, 7)
    expected = {"input": found.noisy, "denoising": found.outputs[denoiser.name], "plain": found.outputs[plain.name],
                "clean": clean}
    for role, images in expected.items():
        pictures = row_pictures(html, role)
        assert len(pictures) == len(shown_digits), role
        for picture, image in zip(pictures, images, strict=True):
            np.testing.assert_allclose(picture, sheet(image[None], 1, 3), atol=1.5 / 255, err_msg=role)
