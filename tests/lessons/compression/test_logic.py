"""Compression figures: JPEG's bytes and error checked against independent counts, code storage round trips, the
budget search against a plain scan, and the report the page reads."""

from __future__ import annotations

import numpy as np
import pytest

from latentwall import config, measures, registry, store
from lessons.compression import logic as compression
from tests.helpers import MNIST_FILE


@pytest.fixture(scope="module")
def digits() -> np.ndarray:
    if not MNIST_FILE.is_file():
        pytest.skip(f"MNIST is not at {MNIST_FILE}")
    with np.load(MNIST_FILE, allow_pickle=False) as stored:
        return stored["x_test"][:40]


def test_segments_add_up_to_the_whole_file_and_the_scan_is_what_abbreviated_streams_carry(digits):
    for quality in (1, 30, 95):
        whole = compression.encode_jpeg(digits[0], quality)
        parts = compression.segments(whole)
        assert sum(part.size for part in parts) == len(whole)
        names = [part.marker for part in parts]
        assert names[0] == 0xD8
        assert names[-1] == 0xD9
        assert 0xDB in names
        assert 0xC4 in names
        # JPEG's own abbreviated stream leaves the tables out: its scan is byte for byte the one counted.
        abbreviated = compression.encode_jpeg(digits[0], quality, streamtype=2)
        assert 0xDB not in [part.marker for part in compression.segments(abbreviated)]
        assert compression.scan_bytes(abbreviated) == compression.scan_bytes(whole)
        # Everything but the scan is the same for two different digits at one quality.
        other = compression.encode_jpeg(digits[1], quality)
        scan, other_scan = compression.scan_bytes(whole), compression.scan_bytes(other)
        assert whole.replace(scan, b"") == other.replace(other_scan, b"")


def test_the_scan_survives_stuffed_bytes():
    # A noisy picture at top quality has 0xFF bytes in its scan, stuffed with 0x00.
    noise = np.random.default_rng(0).integers(0, 256, (28, 28), dtype="uint8")
    whole = compression.encode_jpeg(noise, 95)
    scan = compression.scan_bytes(whole)
    assert b"\xff\x00" in scan
    assert whole.endswith(scan + b"\xff\xd9")


def test_measure_jpeg_matches_a_direct_count(digits):
    point = compression.measure_jpeg(digits[:5], 20)
    sizes = [len(compression.encode_jpeg(image, 20, optimize=True)) for image in digits[:5]]
    assert point.bytes_with_tables == pytest.approx(np.mean(sizes))
    assert point.bytes_without_tables < point.bytes_with_tables - 100  # Tables and headers are most of a small file.
    decoded = np.stack([compression.decode_jpeg(compression.encode_jpeg(image, 20)) for image in digits[:5]])
    assert point.mse == pytest.approx(np.mean((decoded / 255.0 - digits[:5] / 255.0) ** 2))
    # Fitted Huffman tables are lossless: the optimised file paints exactly the baseline's picture.
    assert np.array_equal(compression.decode_jpeg(compression.encode_jpeg(digits[0], 20, optimize=True)),
                          compression.decode_jpeg(compression.encode_jpeg(digits[0], 20)))


def test_higher_quality_costs_bytes_and_buys_error(digits):
    low, high = compression.measure_jpeg(digits, 5), compression.measure_jpeg(digits, 90)
    assert high.bytes_without_tables > 2 * low.bytes_without_tables
    assert high.mse < low.mse / 10
    assert compression.measure_jpeg(digits / 255.0, 5) == low  # [0, 1] floats and grey levels agree.


@pytest.mark.parametrize("quality", [0, 96, 2.5, True, "50", None])
def test_bad_qualities_are_refused(quality, digits):
    with pytest.raises(ValueError):
        compression.encode_jpeg(digits[0], quality)


def test_bad_images_are_refused():
    for images in (np.full((2, 28, 28), 1.5), np.full((2, 28, 28), np.nan), np.zeros((0, 28, 28)), np.zeros((28, 28))):
        with pytest.raises(ValueError):
            compression.measure_jpeg(images, 50)
    with pytest.raises(ValueError):
        compression.segments(b"not a jpeg")


def test_best_quality_within_agrees_with_a_scan():
    sizes = {quality: 30 + 4 * quality for quality in compression.QUALITIES}
    for budget in (0, 33, 34, 100, 133.5, 409, 410, 10_000):
        fits = [quality for quality in compression.QUALITIES if sizes[quality] <= budget]
        assert compression.best_quality_within(budget, sizes.__getitem__) == (max(fits) if fits else None)
    with pytest.raises(ValueError):
        compression.best_quality_within(float("nan"), sizes.__getitem__)


def test_best_quality_within_a_real_budget(digits):
    sample = digits[:10]
    budget = compression.measure_jpeg(sample, 40).bytes_without_tables
    found = compression.best_quality_within(budget, lambda q: compression.measure_jpeg(sample, q).bytes_without_tables)
    assert found is not None
    assert found >= 40
    assert compression.measure_jpeg(sample, found).bytes_without_tables <= budget
    if found < 95:
        assert compression.measure_jpeg(sample, found + 1).bytes_without_tables > budget


def test_storage_round_trips():
    rng = np.random.default_rng(1)
    codes = rng.normal(0, 3, (500, 6)).astype("float32")
    codes[:, 2] = 0.0  # A unit that is always off.
    assert np.array_equal(compression.stored(codes, "float32"), codes)
    half = compression.stored(codes, "float16")
    assert np.all(np.abs(half - codes) <= np.abs(codes) * 2 ** -11 + 1e-7)
    quantiser = compression.Quantiser.fit(codes)
    levels = quantiser.quantise(codes)
    assert levels.dtype == np.uint8
    assert levels.min() == 0
    assert levels[:, 0].max() == 255
    back = quantiser.dequantise(levels)
    assert np.all(np.abs(back - codes) <= quantiser.step / 2 + 1e-5)
    assert np.all(back[:, 2] == 0.0)
    assert np.array_equal(quantiser.quantise(back), levels)  # Quantising again changes nothing.
    assert [compression.code_bytes(6, storage) for storage in compression.STORAGES] == [24, 12, 6]
    with pytest.raises(ValueError):
        compression.stored(codes, "int4")
    with pytest.raises(ValueError):
        compression.Quantiser.fit(np.full((3, 2), np.inf))


def test_code_storage_measures_the_stored_codes():
    # A linear "model" whose decode is exact for float32 codes: only the storage can add error.
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 1, (50, 28, 28)).astype("float32")
    def encode(pictures):
        return pictures.reshape(len(pictures), -1)[:, :8].copy()

    def decode(codes):
        return np.pad(codes, ((0, 0), (0, 776))).reshape(-1, 28, 28)

    figures, reconstructions = compression.code_storage(encode, decode, images)
    expected = np.sum(images.reshape(50, -1)[:, 8:] ** 2) / images.size
    assert figures["float32"]["mse"] == pytest.approx(expected)
    assert figures["float32"]["mse"] <= figures["float16"]["mse"] <= figures["uint8"]["mse"]
    assert figures["uint8"]["mse"] > figures["float32"]["mse"]
    assert [figures[storage]["bytes"] for storage in compression.STORAGES] == [32, 16, 8]
    assert reconstructions.shape == images.shape


def test_error_image_and_per_image_mse():
    original = np.zeros((2, 28, 28), "float32")
    copy = original.copy()
    copy[1, :14] = 0.5
    assert measures.reconstruction_errors(original, copy).tolist() == pytest.approx([0.0, 0.125])
    assert compression.error_image(original[1], copy[1]).max() == pytest.approx(0.5)


def test_the_report_is_written_listed_and_read(evaluated_models):
    folder = config.dataset_dir(evaluated_models)
    report = compression.load_report(folder)
    assert report is not None, "training.evaluate writes compression.json and lists it in the manifest"
    assert "compression.json" in store.read_json(folder / store.MANIFEST_NAME)["files"]
    assert [point["quality"] for point in report["jpeg"]["curve"]] == list(compression.QUALITIES)
    names = {recipe.name for recipe in (*registry.sweep("dense-ae"), *registry.sweep("pca"), *registry.WALL_PAIR)}
    assert set(report["codes"]["recipes"]) == names
    for name, item in report["codes"]["recipes"].items():
        dim = registry.recipe(name).latent_dim
        assert [item["storage"][storage]["bytes"] for storage in compression.STORAGES] == [4 * dim, 2 * dim, dim]
        assert 0.0 <= item["reader_accuracy"] <= 1.0
    floor = compression.jpeg_floor(report)
    assert 20 < floor["without_tables"] < floor["with_tables"] - 100
    assert report["decoder_bytes"][registry.AE.name] == compression.decoder_bytes(folder, registry.AE)


def test_a_damaged_or_missing_report_reads_as_none(evaluated_models, tmp_path):
    import shutil

    folder = config.dataset_dir(tmp_path)
    shutil.copytree(config.dataset_dir(evaluated_models), folder)
    assert compression.load_report(folder) is not None
    with (folder / compression.REPORT_FILE).open("a") as report:
        report.write(" ")  # Still valid JSON, but not what the manifest recorded.
    assert compression.load_report(folder) is None
    (folder / compression.REPORT_FILE).unlink()
    assert compression.load_report(folder) is None
    assert compression.load_report(tmp_path / "nowhere") is None
