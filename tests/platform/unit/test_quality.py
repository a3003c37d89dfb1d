"""The committed models against their quality bars, measured afresh on the real MNIST test set."""

import json

import numpy as np
import pytest

from latentwall import config, datasets, inference, registry, store
from latentwall.keras import io as keras_io
from tests.helpers import MNIST_FILE
from training import evaluate

COMMITTED = config.PROJECT_ROOT / "models"
pytestmark = pytest.mark.quality


@pytest.fixture(scope="module")
def report():
    models = inference.load_models(COMMITTED)
    mnist = datasets.load(registry.MNIST, MNIST_FILE, download=False)
    return evaluate.evaluate(models, inference.load_checker(COMMITTED), mnist.x_test, mnist.y_test,
                             seed=config.DEFAULT_SEED, samples=5000, grid_side=100)


def test_reconstruction_bars(report):
    assert report["vae"]["test_mse"] <= registry.VAE.max_test_mse
    assert report["ae"]["test_mse"] <= registry.AE.max_test_mse


def test_reader_bars(report):
    """The reader that judges every decoded image: accurate, calibrated, and saying "I don't know" to nonsense."""
    reader = report["reader"]
    assert reader["test_accuracy"] >= 0.990
    assert reader["ece"] <= 0.015
    assert reader["ece_bins"] == 15
    assert len(reader["nondigits"]["kinds"]) >= 5
    assert reader["nondigits"]["unsure_share"] >= 0.95
    assert reader["blends"]["sure_share"] <= 0.20


def test_the_checker_is_a_fair_second_opinion(report):
    checker = report["checker"]
    assert checker["test_accuracy"] >= 0.985
    assert checker["ece"] <= 0.02
    assert checker["nondigits"]["unsure_share"] >= 0.90
    assert checker["blends"]["sure_share"] <= 0.30
    assert report["readers_test_agreement"] >= 0.98


def test_the_temperature_is_folded_into_the_committed_readers():

    for name in ("reader", "checker"):
        meta = json.loads((config.dataset_dir(COMMITTED) / f"{name}_meta.json").read_text())
        model = keras_io.load_keras_model(config.dataset_dir(COMMITTED) / f"{name}.keras")
        assert model.get_layer("temperature").temperature == pytest.approx(meta["calibration"]["temperature"])
        assert meta["calibration"]["temperature"] != 1.0


def test_vae_prior_samples_land_near_data_and_read_clearly(report):
    assert report["vae"]["gaps"]["prior"]["far_share"] <= 0.20
    assert report["vae"]["gaps"]["prior"]["readable_share"] >= 0.60


def test_the_committed_evaluation_matches_a_fresh_one(report):
    committed = json.loads((config.dataset_dir(COMMITTED) / store.EVALUATION_FILE).read_text())
    for kind in ("ae", "vae"):
        assert committed[kind]["test_mse"] == pytest.approx(report[kind]["test_mse"], abs=1e-4)
        for scheme in evaluate.SCHEMES:
            for share in ("far_share", "readable_share", "readable_share_checker", "readable_both", "agreement"):
                assert committed[kind]["gaps"][scheme][share] == pytest.approx(report[kind]["gaps"][scheme][share],
                                                                               abs=0.005)
        for figure in ("flip_share", "flip_share_checker", "pixel_change_median"):
            assert committed[kind]["continuity"][figure] == pytest.approx(report[kind]["continuity"][figure],
                                                                          abs=0.005)
    for reader in ("reader", "checker"):
        for figure in ("test_accuracy", "ece"):
            assert committed[reader][figure] == pytest.approx(report[reader][figure], abs=1e-4)


def test_committed_models_were_trained_on_this_data():
    for kind in ("ae", "vae"):
        meta = json.loads((config.dataset_dir(COMMITTED) / kind / "meta.json").read_text())
        assert meta["data_sha256"] == datasets.file_sha256(MNIST_FILE)
        assert meta["train_samples"] == 60000


@pytest.fixture(scope="module")
def recipes_report():
    models = inference.load_models(COMMITTED)
    mnist = datasets.load(registry.MNIST, MNIST_FILE, download=False)
    return evaluate.judge_recipes(COMMITTED, models.reader, datasets.as_images(mnist.x_test), mnist.y_test)


@pytest.mark.parametrize("name", list(registry.RECIPES))
def test_every_recipe_meets_its_bar_on_the_test_set(recipes_report, name):
    """Each committed recipe, measured afresh on the 10,000 test digits, is within its registry bar; and it was
    trained by the project's own command on this data (PCA included: fitted by the same command)."""
    figures = recipes_report[name]
    assert figures["test_mse"] <= registry.RECIPES[name].max_test_mse, figures
    meta = json.loads((config.dataset_dir(COMMITTED) / name / "meta.json").read_text())
    assert meta["data_sha256"] == datasets.file_sha256(MNIST_FILE)
    assert meta["lesson"] == registry.RECIPES[name].lesson
    held_out = registry.RECIPES[name].held_out_digit
    assert meta["train_samples"] == (60000 if held_out is None else 60000 - int(np.sum(
        datasets.load(registry.MNIST, MNIST_FILE, download=False).y_train == held_out)))


def test_the_code_size_sweep_pays_off(recipes_report):
    """More code, less error, for the dense family and for PCA; and the nonlinear AE beats PCA at the small
    sizes where the lesson makes its point."""
    for family in ("dense-ae", "pca"):
        errors = [recipes_report[recipe.name]["test_mse"] for recipe in registry.sweep(family)]
        assert errors == sorted(errors, reverse=True), (family, errors)
    for dense, linear in list(zip(registry.sweep("dense-ae"), registry.sweep("pca"), strict=False))[:3]:
        assert recipes_report[dense.name]["test_mse"] < recipes_report[linear.name]["test_mse"]


def test_the_committed_recipe_figures_match_a_fresh_measurement(recipes_report):
    committed = json.loads((config.dataset_dir(COMMITTED) / store.EVALUATION_FILE).read_text())["recipes"]
    assert set(committed) == set(registry.RECIPES)
    for name, figures in recipes_report.items():
        assert committed[name]["test_mse"] == pytest.approx(figures["test_mse"], abs=1e-4), name


def test_the_readme_command_finds_docs_figures_up_to_date():
    """docs/figures.md holds every table `python -m training.readme` renders, as the committed evaluation files
    give them; README.md holds none of them."""
    from training import readme

    assert readme.FIGURES == config.PROJECT_ROOT / "docs" / "figures.md"
    assert readme.missing_sections(readme.FIGURES.read_text(encoding="utf-8")) == []
    assert "<!-- figures:" not in (config.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.main(["--models", str(COMMITTED), "--check"]) == 0


def test_the_readme_check_fails_on_a_stale_or_missing_table_and_the_command_mends_it(tmp_path, monkeypatch):
    from training import readme

    wanted = readme.render(readme.FIGURES.read_text(encoding="utf-8"), config.dataset_dir(COMMITTED))
    start = wanted.index("<!-- figures:recipes -->")
    stale = wanted[:start] + wanted[start:].replace(" MB |", " GB |", 1)
    page = tmp_path / "figures.md"
    monkeypatch.setattr(readme, "FIGURES", page)

    page.write_text(stale, encoding="utf-8")
    assert readme.main(["--models", str(COMMITTED), "--check"]) == 1
    assert readme.main(["--models", str(COMMITTED)]) == 0
    assert page.read_text(encoding="utf-8") == wanted
    assert readme.main(["--models", str(COMMITTED), "--check"]) == 0

    page.write_text(wanted.replace("<!-- figures:anomaly -->\n", ""), encoding="utf-8")
    assert readme.main(["--models", str(COMMITTED), "--check"]) == 1
