"""The denoising lesson and the 20-D VAE: the examples' logic, the evaluation's report, and both pages (AppTest)."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

from latentwall import config, noise, registry, store
from lessons.denoising import logic as denoising
from tests.test_app import assert_clean, html_text

DENOISING_PAGE, VAE_PAGE = "lessons/denoising/page.py", "lessons/vae20/page.py"
ROW = re.compile(r'data-lw="row" data-lw-role="(\w+)" data-lw-psnr="([^"]+)"')
PICTURES = re.compile(r'src="(data:image/png;base64,[^"]+)"')


class Identity:
    def reconstruct(self, images):
        return np.asarray(images, "float32")


class Blank:
    def reconstruct(self, images):
        return np.zeros_like(images, dtype="float32")


def test_examples_score_each_model_on_the_same_noisy_digits():
    clean = np.random.default_rng(0).random((5, 28, 28)).astype("float32")
    found = denoising.examples({"same": Identity(), "blank": Blank()}, clean, denoising.GAUSSIAN, 0.3, seed=1)
    np.testing.assert_array_equal(found.outputs["same"], found.noisy)
    np.testing.assert_allclose(found.psnr["same"], found.psnr["input"])
    np.testing.assert_allclose(found.psnr["blank"], noise.psnr(clean, np.zeros_like(clean)))
    again = denoising.examples({"same": Identity()}, clean, denoising.GAUSSIAN, 0.3, seed=1)
    np.testing.assert_array_equal(again.noisy, found.noisy)
    other = denoising.examples({"same": Identity()}, clean, denoising.SALT_AND_PEPPER, 0.3, seed=1)
    assert not np.array_equal(other.noisy, found.noisy)


def test_each_kind_and_level_has_its_own_seed():
    seeds = {denoising.level_seed(kind, step / 20, 7) for kind in denoising.KINDS for step in range(17)}
    assert len(seeds) == 3 * 17
    with pytest.raises(ValueError, match="Unknown kind"):
        denoising.level_seed("pink", 0.1, 7)
    with pytest.raises(ValueError, match="Unknown kind"):
        denoising.noisy("pink", np.zeros((1, 28, 28)), 0.1, 7)


def test_the_registry_names_the_lessons_pairs():
    trained_on_noise, plain = registry.denoising_pair()
    assert trained_on_noise.noise == {"mean": noise.LESSON_MEAN, "std": noise.LESSON_STD} and not plain.noise
    assert (trained_on_noise.family, trained_on_noise.filters, trained_on_noise.latent_dim) == (
        plain.family, plain.filters, plain.latent_dim)
    vae, same_size = registry.vae_20()
    assert vae.variational and not same_size.variational and vae.latent_dim == same_size.latent_dim == 20


@pytest.fixture(scope="module")
def denoising_report(evaluated_models) -> dict:
    return store.read_json(config.dataset_dir(evaluated_models) / denoising.REPORT_FILE)


def test_the_evaluation_writes_the_curves_and_the_code_size_figures(evaluated_models, denoising_report):
    report = denoising_report
    trained_on_noise, plain = registry.denoising_pair()
    assert (report["denoising"], report["plain"], report["digits"]) == (trained_on_noise.name, plain.name, 2000)
    gaussian = report["curves"]["gaussian"]
    assert [point["level"] for point in gaussian] == pytest.approx([step / 10 for step in range(9)])
    inputs = [point["psnr"]["input"] for point in gaussian]
    assert inputs[0] == noise.PSNR_CAP_DB, "a noise-free input is the digit itself"
    assert all(later < earlier for earlier, later in zip(inputs, inputs[1:])), "more noise, lower PSNR"
    for kind in ("gaussian", "salt_and_pepper"):
        for point in report["curves"][kind]:
            assert set(point["psnr"]) == {"input", trained_on_noise.name, plain.name}
    assert report["lesson"]["std"] == noise.LESSON_STD and report["lesson"]["mean"] == noise.LESSON_MEAN
    recipes = store.read_json(config.dataset_dir(evaluated_models) / store.EVALUATION_FILE)["recipes"]
    for name, value in report["code_size"]["test_mse"].items():
        assert value == pytest.approx(recipes[name]["test_mse"], rel=1e-5), "the same test set as evaluate"
    manifest = store.read_json(config.dataset_dir(evaluated_models) / "manifest.json")
    assert denoising.REPORT_FILE in str(manifest), "the manifest guards the report the page reads"


def psnr_rows(test) -> dict[str, list[float]]:
    """Each row's PSNR per digit, by role: the noisy input, the denoising AE and the plain AE."""
    return {role: [float(value) for value in values.split()] for role, values in ROW.findall(html_text(test))}


def pictures_of(test) -> list[str]:
    return PICTURES.findall(html_text(test))


def test_denoising_page_shows_each_digit_noisy_and_through_both_models(app):
    test = app(DENOISING_PAGE)
    assert_clean(test)
    rows = psnr_rows(test)
    assert set(rows) == {"input", "denoising", "plain"} and all(len(values) == 6 for values in rows.values())
    assert len(pictures_of(test)) == 6 * 4, "noisy input, two models' outputs and the original per digit"
    body = html_text(test)
    assert 'data-lw-kind="lesson"' in body and 'data-lw-level="0.50"' in body, "the lesson's own noise first"
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
    assert after[:6] != before[:6] and all(new != old for new, old in zip(after[:6], before[:6])), "noisy redrawn"
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
    recipes = store.read_json(config.dataset_dir(evaluated_models) / store.EVALUATION_FILE)["recipes"]
    shown = {metric.label.split(":")[0]: metric.value for metric in test.metric}
    assert shown == {recipe.name: f"{recipes[recipe.name]['test_mse']:.4f}" for recipe in registry.vae_20()}
