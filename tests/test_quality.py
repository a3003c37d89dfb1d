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
    return evaluate.evaluate(models, mnist.x_test, mnist.y_test, seed=config.DEFAULT_SEED, samples=5000,
                             grid_side=100)


def test_reconstruction_bars(report):
    assert report["vae"]["test_mse"] <= 0.042
    assert report["ae"]["test_mse"] <= 0.041


def test_reader_bar(report):
    assert report["reader"]["test_accuracy"] >= 0.990


def test_vae_prior_samples_land_near_data_and_read_clearly(report):
    assert report["vae"]["gaps"]["prior"]["far_share"] <= 0.20
    assert report["vae"]["gaps"]["prior"]["readable_share"] >= 0.60


def test_the_committed_evaluation_matches_a_fresh_one(report):
    committed = json.loads((config.dataset_dir(COMMITTED) / config.EVALUATION_FILE).read_text())
    for kind in ("ae", "vae"):
        assert committed[kind]["test_mse"] == pytest.approx(report[kind]["test_mse"], abs=1e-4)
        for scheme in ("box", "prior"):
            for share in ("far_share", "readable_share"):
                assert committed[kind]["gaps"][scheme][share] == pytest.approx(report[kind]["gaps"][scheme][share],
                                                                               abs=0.005)
    assert committed["reader"]["test_accuracy"] == pytest.approx(report["reader"]["test_accuracy"], abs=1e-4)


def test_committed_models_were_trained_on_this_data():
    for kind in ("ae", "vae"):
        meta = json.loads((config.dataset_dir(COMMITTED) / kind / "meta.json").read_text())
        assert meta["data_sha256"] == data.file_sha256(MNIST_FILE)
        assert meta["train_samples"] == 60000
