"""The denoising lesson's logic: the examples' scores, the seeds, the registry's pairs (and the 20-D VAE's), and
the evaluation's report."""

from __future__ import annotations

import numpy as np
import pytest

from latentwall import config, noise, registry, store
from lessons.denoising import logic as denoising


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
    assert trained_on_noise.noise == {"mean": noise.LESSON_MEAN, "std": noise.LESSON_STD}
    assert not plain.noise
    assert (trained_on_noise.family, trained_on_noise.filters, trained_on_noise.latent_dim) == (
        plain.family, plain.filters, plain.latent_dim)
    vae, same_size = registry.vae_20()
    assert vae.variational
    assert not same_size.variational
    assert vae.latent_dim == same_size.latent_dim == 20


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
    assert all(later < earlier for earlier, later in zip(inputs, inputs[1:], strict=False)), "more noise, lower PSNR"
    for kind in ("gaussian", "salt_and_pepper"):
        for point in report["curves"][kind]:
            assert set(point["psnr"]) == {"input", trained_on_noise.name, plain.name}
    assert report["lesson"]["std"] == noise.LESSON_STD
    assert report["lesson"]["mean"] == noise.LESSON_MEAN
    recipes = store.read_json(config.dataset_dir(evaluated_models) / store.EVALUATION_FILE)["recipes"]
    for name, value in report["code_size"]["test_mse"].items():
        assert value == pytest.approx(recipes[name]["test_mse"], rel=1e-5), "the same test set as evaluate"
    manifest = store.read_json(config.dataset_dir(evaluated_models) / "manifest.json")
    assert denoising.REPORT_FILE in str(manifest), "the manifest guards the report the page reads"
