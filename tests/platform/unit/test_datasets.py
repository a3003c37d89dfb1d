"""The Fashion-MNIST loader: the real files where Debian's package put them, and good and bad IDX files."""

import gzip
import tracemalloc

import numpy as np
import pytest

from latentwall import datasets, registry
from latentwall.datasets import DataError

SMALL = (3, 28, 28)


def idx_bytes(array: np.ndarray, type_code: int = 0x08, dimensions: int | None = None, shape=None) -> bytes:
    shape = array.shape if shape is None else shape
    dimensions = len(shape) if dimensions is None else dimensions
    header = bytes([0, 0, type_code, dimensions]) + b"".join(int(size).to_bytes(4, "big") for size in shape)
    return header + array.astype("uint8").tobytes()


def write_gz(path, payload: bytes):
    path.write_bytes(gzip.compress(payload))
    return path


def test_a_good_file_reads_back_exactly(tmp_path):
    array = np.arange(np.prod(SMALL)).reshape(SMALL) % 256
    read = datasets.read_idx(write_gz(tmp_path / "good.gz", idx_bytes(array)), SMALL)
    assert read.dtype == np.uint8
    assert np.array_equal(read, array)


@pytest.mark.parametrize(("payload", "words"), [
    (idx_bytes(np.zeros(SMALL), type_code=0x0D), "magic number 00000d03"),
    (b"\x01" + idx_bytes(np.zeros(SMALL))[1:], "magic number 01000803"),
    (idx_bytes(np.zeros((3, 784)), shape=(3, 784)), "declares 2 dimensions, expected 3"),
    (idx_bytes(np.zeros((3, 28, 27))), "declares the shape (3, 28, 27), expected (3, 28, 28)"),
    (idx_bytes(np.zeros(SMALL))[:-5], "only 2347 values after its header, expected 2352"),
    (idx_bytes(np.zeros(SMALL)) + b"\x00", "holds more values after its header"),
    (b"\x00\x00\x08", "too few for an IDX header"),
])
def test_bad_contents_are_named(tmp_path, payload, words):
    path = write_gz(tmp_path / "bad.gz", payload)
    with pytest.raises(DataError) as caught:
        datasets.read_idx(path, SMALL)
    message = str(caught.value)
    assert words in message
    assert str(path) in message
    assert datasets.FASHION_ENV_VAR in message


def test_truncated_and_foreign_files_are_refused(tmp_path):
    good = write_gz(tmp_path / "good.gz", idx_bytes(np.zeros(SMALL)))
    cut = tmp_path / "cut.gz"
    cut.write_bytes(good.read_bytes()[:20])
    with pytest.raises(DataError, match="truncated or damaged"):
        datasets.read_idx(cut, SMALL)
    plain = tmp_path / "plain.gz"
    plain.write_bytes(idx_bytes(np.zeros(SMALL)))
    with pytest.raises(DataError, match="not gzip-compressed"):
        datasets.read_idx(plain, SMALL)
    garbage = tmp_path / "garbage.gz"
    garbage.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match="truncated or damaged"):
        datasets.read_idx(garbage, SMALL)


def test_a_small_file_that_inflates_hugely_is_read_no_further_than_needed(tmp_path):
    bomb = tmp_path / "bomb.gz"
    with gzip.open(bomb, "wb") as handle:
        handle.write(idx_bytes(np.zeros(SMALL)))
        for _ in range(256):  # 256 MB of zeros after the real data, about 250 KB on disk.
            handle.write(bytes(1 << 20))
    assert bomb.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="holds more values"):
            datasets.read_idx(bomb, SMALL)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20, f"reading the file took {peak / 1e6:.0f} MB"


def test_the_search_order_and_a_missing_data_set(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "SYSTEM_FOLDER", tmp_path / "system")
    monkeypatch.setattr(datasets, "KERAS_CACHE_FOLDER", tmp_path / "cache")
    monkeypatch.delenv(datasets.FASHION_ENV_VAR, raising=False)
    with pytest.raises(DataError) as caught:
        datasets.find(registry.FASHION_MNIST, download=False)
    assert "apt-get install dataset-fashion-mnist" in str(caught.value)
    for folder in ("system", "cache"):
        (tmp_path / folder).mkdir()
        for name in datasets.IDX_FILES.values():
            (tmp_path / folder / name).write_bytes(b"")
    assert datasets.find(registry.FASHION_MNIST, download=False) == tmp_path / "system"
    (tmp_path / "system" / datasets.IDX_FILES["y_test"]).unlink()
    assert datasets.find(registry.FASHION_MNIST, download=False) == tmp_path / "cache"
    monkeypatch.setenv(datasets.FASHION_ENV_VAR, str(tmp_path / "mine"))
    with pytest.raises(DataError, match="does not exist"):
        datasets.find(registry.FASHION_MNIST, download=False)
    assert datasets.find(registry.FASHION_MNIST, tmp_path / "system", download=False) == tmp_path / "system"


def test_a_folder_with_a_label_out_of_range_is_refused(tmp_path):
    for key, shape in datasets.shapes(registry.FASHION_MNIST).items():
        name = datasets.IDX_FILES[key]
        array = np.zeros(shape, "uint8")
        if key == "y_test":
            array[-1] = 10
        write_gz(tmp_path / name, idx_bytes(array))
    with pytest.raises(DataError, match="labels above 9"):
        datasets.load(registry.FASHION_MNIST, tmp_path, download=False)
    (tmp_path / datasets.IDX_FILES["x_test"]).unlink()
    with pytest.raises(DataError, match="no such file"):
        datasets.load(registry.FASHION_MNIST, tmp_path, download=False)


@pytest.mark.skipif(not (datasets.SYSTEM_FOLDER / datasets.IDX_FILES["x_test"]).is_file(),
                    reason="Debian's dataset-fashion-mnist is not installed (scripts/test.sh installs it).")
def test_the_real_files_load_with_the_documented_layout(monkeypatch):
    monkeypatch.delenv(datasets.FASHION_ENV_VAR, raising=False)
    fashion = datasets.load(registry.FASHION_MNIST, download=False)
    assert fashion.x_train.shape == (60000, 28, 28)
    assert fashion.x_test.shape == (10000, 28, 28)
    assert np.bincount(fashion.y_test).tolist() == [1000] * 10
    assert np.bincount(fashion.y_train).tolist() == [6000] * 10
    assert fashion.y_test[:5].tolist() == [9, 2, 1, 1, 6]
    assert fashion.x_test.max() == 255
