"""The MNIST loader on the real file and on synthetic good and bad files."""

import numpy as np
import pytest

from latentwall import config, datasets, registry
from tests.helpers import MNIST_FILE

REAL_SHA256 = "06af5dfe73b70e3bc1c36439982b18a8d76803db9b544f6fdf838a37fbb01b64"


def synthetic(**overrides) -> dict:
    arrays = {key: np.zeros(shape, dtype="uint8") for key, shape in datasets.shapes(registry.MNIST).items()}
    arrays.update(overrides)
    return {key: value for key, value in arrays.items() if value is not None}


def write(path, arrays) -> str:
    np.savez(path, **arrays)
    return str(path)


def test_real_file_loads_with_the_documented_layout():
    mnist = datasets.load(registry.MNIST, MNIST_FILE, download=False)
    assert mnist.x_train.shape == (60000, 28, 28)
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.x_train.dtype == np.uint8
    assert mnist.y_test.dtype == np.uint8
    assert np.bincount(mnist.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert datasets.file_sha256(MNIST_FILE) == REAL_SHA256


def test_good_synthetic_file_loads(tmp_path):
    mnist = datasets.load(registry.MNIST, write(tmp_path / "good.npz", synthetic()))
    assert mnist.y_train.shape == (60000,)


@pytest.mark.parametrize(("overrides", "words"), [
    ({"y_test": None}, "missing the key(s) y_test"),
    ({"x_test": np.zeros((10000, 28, 27), "uint8")}, "x_test has shape (10000, 28, 27)"),
    ({"x_train": np.zeros((60000, 28, 28), "float32")}, "x_train has dtype float32"),
    ({"y_train": np.full(60000, 10, "uint8")}, "labels above 9"),
])
def test_bad_contents_are_named(tmp_path, overrides, words):
    path = write(tmp_path / "bad.npz", synthetic(**overrides))
    with pytest.raises(datasets.DataError) as caught:
        datasets.load(registry.MNIST, path)
    message = str(caught.value)
    assert words in message
    assert str(path) in message
    assert "--data" in message
    assert config.DATA_ENV_VAR in message


def test_pickled_object_array_is_refused_without_unpickling(tmp_path):
    path = write(tmp_path / "pickled.npz", synthetic(x_train=np.array([{"evil": 1}], dtype=object)))
    with pytest.raises(datasets.DataError, match="pickled objects"):
        datasets.load(registry.MNIST, path)


def test_truncated_file_is_refused(tmp_path):
    good = tmp_path / "good.npz"
    write(good, synthetic())
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(datasets.DataError, match="truncated"):
        datasets.load(registry.MNIST, truncated)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(datasets.DataError, match="no such file"):
        datasets.load(registry.MNIST, tmp_path / "absent.npz")


def test_search_order_explicit_then_environment_then_cache(tmp_path, monkeypatch):
    cache, from_env, explicit = (write(tmp_path / f"{name}.npz", synthetic()) for name in ("cache", "env", "explicit"))
    monkeypatch.setattr(config, "KERAS_CACHE_FILE", tmp_path / "cache.npz")
    monkeypatch.setenv(config.DATA_ENV_VAR, from_env)
    assert str(datasets.find(registry.MNIST, explicit)) == explicit
    assert str(datasets.find(registry.MNIST)) == from_env
    monkeypatch.delenv(config.DATA_ENV_VAR)
    assert str(datasets.find(registry.MNIST)) == cache
    monkeypatch.setattr(config, "KERAS_CACHE_FILE", tmp_path / "no-cache.npz")
    with pytest.raises(datasets.DataError, match="three ways"):
        datasets.find(registry.MNIST, download=False)


@pytest.mark.parametrize(("content", "kind"), [(b"x_train,y_train\n0,1\n", "a text file"), (b"", "empty"),
                                           (b"\x93NUMPY\x01\x00", "a single .npy array"),
                                           (b"\x80\x04\x95", "a Python pickle")])
def test_a_file_that_is_not_an_npz_is_named_for_what_it_is(tmp_path, content, kind):
    path = tmp_path / "mnist.npz"
    path.write_bytes(content)
    with pytest.raises(datasets.DataError, match=f"it is {kind}, not an .npz file"):
        datasets.load(registry.MNIST, path)
