"""The committed models against their quality bars, measured afresh on the real MNIST test set."""

import json

import pytest

from latentwall import config, data, inference
from tests.helpers import MNIST_FILE
from training import evaluate

COMMITTED = config.PROJECT_ROOT / "models"
pytestmark = pytest.mark.quality


@pytest.fixture(scope="module")
def report():
    models = inference.load_models(COMMITTED)
    mnist = data.load_mnist(MNIST_FILE, download=False)
    return evaluate.evaluate(models, inference.load_checker(COMMITTED), mnist.x_test, mnist.y_test,
                             seed=config.DEFAULT_SEED, samples=5000, grid_side=100)


def test_reconstruction_bars(report):
    assert report["vae"]["test_mse"] <= 0.042
    assert report["ae"]["test_mse"] <= 0.041


def test_reader_bars(report):
    """The reader that judges every decoded image: accurate, calibrated, and saying "I don't know" to nonsense."""
    reader = report["reader"]
    assert reader["test_accuracy"] >= 0.990
    assert reader["ece"] <= 0.015 and reader["ece_bins"] == 15
    assert len(reader["nondigits"]["kinds"]) >= 5 and reader["nondigits"]["unsure_share"] >= 0.95
    assert reader["blends"]["sure_share"] <= 0.20


def test_the_checker_is_a_fair_second_opinion(report):
    checker = report["checker"]
    assert checker["test_accuracy"] >= 0.985 and checker["ece"] <= 0.02
    assert checker["nondigits"]["unsure_share"] >= 0.90 and checker["blends"]["sure_share"] <= 0.30
    assert report["readers_test_agreement"] >= 0.98


def test_the_temperature_is_folded_into_the_committed_readers():
    from latentwall import artifacts

    for name in ("reader", "checker"):
        meta = json.loads((config.dataset_dir(COMMITTED) / f"{name}_meta.json").read_text())
        model = artifacts.load_keras_model(config.dataset_dir(COMMITTED) / f"{name}.keras")
        assert model.get_layer("temperature").temperature == pytest.approx(meta["calibration"]["temperature"])
        assert meta["calibration"]["temperature"] != 1.0


def test_vae_prior_samples_land_near_data_and_read_clearly(report):
    assert report["vae"]["gaps"]["prior"]["far_share"] <= 0.20
    assert report["vae"]["gaps"]["prior"]["readable_share"] >= 0.60


def test_the_committed_evaluation_matches_a_fresh_one(report):
    committed = json.loads((config.dataset_dir(COMMITTED) / config.EVALUATION_FILE).read_text())
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
        assert meta["data_sha256"] == data.file_sha256(MNIST_FILE)
        assert meta["train_samples"] == 60000
