"""What the app serves: the ONNX exports agree with their Keras models, are guarded by the manifest, load
without TensorFlow, and any failure to load one is the friendly "damaged" message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from latentwall import config, inference, store
from latentwall.keras import io as keras_io
from training import export

COMMITTED = config.PROJECT_ROOT / "models"


@pytest.mark.parametrize("root", ["tiny", "committed"])
@pytest.mark.parametrize("name", store.keras_files())
def test_every_export_agrees_with_its_keras_model(root, name, smoke_models):
    folder = config.dataset_dir(smoke_models if root == "tiny" else COMMITTED)
    assert export.largest_difference(folder / name, folder / store.onnx_name(name)) <= 1e-5


def test_the_manifest_lists_every_export():
    listed = store.verify_manifest(config.dataset_dir(COMMITTED))
    for name in store.keras_files():
        assert store.onnx_name(name) in listed


def test_the_served_models_decode_like_keras(smoke_models):
    """The app's decoder and reader give Keras's numbers for the same codes (the whole serving path)."""
    folder = config.dataset_dir(smoke_models)
    served = inference.load_models(smoke_models)
    codes = np.random.default_rng(2).normal(size=(16, 2)).astype("float32")
    for kind in ("ae", "vae"):
        keras_decoder = keras_io.load_keras_model(folder / kind / "decoder.keras")
        expected = np.asarray(keras_decoder(codes))[..., 0]
        np.testing.assert_allclose(served[kind].decoder.decode(codes), expected, atol=1e-5)
    images = served["ae"].decoder.decode(codes)
    expected = np.asarray(keras_io.load_keras_model(folder / "reader.keras")(images[..., None]))
    np.testing.assert_allclose(served.reader.probabilities(images), expected, atol=1e-5)


def test_serving_never_imports_tensorflow(smoke_models):
    """Load, decode, read and render a page the way the server does, in a fresh interpreter."""
    program = f"""
import sys
from pathlib import Path
from latentwall import config, inference
models = inference.load_models(Path({str(smoke_models)!r}))
models["vae"].decoder.decode([[0.0, 0.0]])
models.reader.read(models["ae"].decoder.decode([[0.0, 0.0]]))
config.MODELS_ROOT = Path({str(smoke_models)!r})
from streamlit.testing.v1 import AppTest
test = AppTest.from_file("app.py", default_timeout=120)
test.run()
test.switch_page("lessons/wall/page.py").run()
assert not test.exception, [error.value for error in test.exception]
loaded = sorted(name for name in ("tensorflow", "keras", "tf2onnx") if name in sys.modules)
print("loaded:", loaded)
sys.exit(1 if loaded else 0)
"""
    finished = subprocess.run([sys.executable, "-c", program], cwd=config.PROJECT_ROOT, capture_output=True,
                              text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr[-2000:]


@pytest.mark.parametrize("how", ["flipped byte", "truncated", "not a model"])
def test_a_damaged_export_with_a_recomputed_manifest_is_an_artifact_error(smoke_models, tmp_path, how):
    """The manifest only proves the bytes are the ones training wrote; a file damaged and then re-listed
    still has to give the friendly error, never ONNX Runtime's own exception."""
    copy = tmp_path / "models"
    shutil.copytree(smoke_models, copy)
    target = config.dataset_dir(copy) / "vae" / "decoder.onnx"
    content = bytearray(target.read_bytes())
    if how == "flipped byte":
        content[len(content) // 3: len(content) // 3 + 64] = bytes(64)
    elif how == "truncated":
        content = content[: len(content) // 2]
    else:
        content = bytearray(b"PK\x03\x04 this is a zip header and nothing else")
    target.write_bytes(bytes(content))
    store.write_manifest(config.dataset_dir(copy))
    with pytest.raises(store.ArtifactError) as caught:
        inference.load_models(copy)
    assert "could not be loaded" in str(caught.value)
    assert config.TRAIN_COMMAND in str(caught.value)


def zero_a_quarter_of_the_largest_weights(onnx_path: Path) -> int:
    """Zero the first quarter of an ONNX model's largest initializer, in place; returns the bytes zeroed (for
    the reader, 400 KB of its dense layer's kernel)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(onnx_path)
    largest = max(model.graph.initializer, key=lambda initializer: int(np.prod(initializer.dims)))
    weights = numpy_helper.to_array(largest).copy()
    flat = weights.reshape(-1)
    flat[: flat.size // 4] = 0
    largest.CopyFrom(numpy_helper.from_array(weights, largest.name))
    onnx.save(model, onnx_path)
    return flat[: flat.size // 4].nbytes


def load_reader(root: Path, name: str) -> inference.Reader:
    return inference.load_models(root).reader if name == store.READER_FILE else inference.load_checker(root)


@pytest.mark.parametrize("root", ["tiny", "committed"])
@pytest.mark.parametrize("name", [store.READER_FILE, store.CHECKER_FILE])
def test_a_reader_with_part_of_its_weights_zeroed_is_refused(smoke_models, tmp_path, root, name):
    """Both readers were trained to answer noise flat, so noise alone let a reader with 400 KB of zeroed
    weights (and its manifest entry recomputed) pass; the real probe digits must catch it. The intact copy
    loads."""
    copy = tmp_path / "models"
    shutil.copytree(config.dataset_dir(smoke_models if root == "tiny" else COMMITTED), config.dataset_dir(copy))
    load_reader(copy, name)
    assert zero_a_quarter_of_the_largest_weights(config.dataset_dir(copy) / store.onnx_name(name)) > 0
    store.write_manifest(config.dataset_dir(copy))
    with pytest.raises(store.ArtifactError) as caught:
        load_reader(copy, name)
    message = str(caught.value)
    assert "could not be loaded" in message
    assert config.TRAIN_COMMAND in message
    # A reader trained one epoch on a few hundred digits does not answer noise flat, so noise catches it first.
    what = "the real probe digits" if root == "committed" else ""
    assert f"{store.onnx_name(name)} does not answer {what}" in message


def test_a_probe_file_without_real_digits_is_refused(tmp_path):
    """A probe file that lost its digits would leave only the noise probes, which a damaged reader passes."""
    copy = tmp_path / "models"
    shutil.copytree(config.dataset_dir(COMMITTED), config.dataset_dir(copy))
    probes_path = config.dataset_dir(copy) / store.PROBES_FILE
    with np.load(probes_path, allow_pickle=False) as stored:
        kept = {key: stored[key] for key in stored.files if not key.startswith(store.PROBE_DIGITS)}
    np.savez_compressed(probes_path, **kept)
    store.write_manifest(config.dataset_dir(copy))
    with pytest.raises(store.ArtifactError, match="holds no real digits"):
        inference.load_models(copy)


@pytest.mark.parametrize("root", ["tiny", "committed"])
def test_the_probe_digits_are_real_digits_one_of_each_class(smoke_models, root):
    """The probe file keeps ten real test digits, and every model that takes images has its answers to them;
    the committed reader, trained in full, reads each as its class with most of its probability."""
    folder = config.dataset_dir(smoke_models if root == "tiny" else COMMITTED)
    with np.load(folder / store.PROBES_FILE, allow_pickle=False) as stored:
        probes = {key: stored[key] for key in stored.files}
    digits = probes[store.PROBE_DIGITS]
    assert digits.dtype == np.uint8
    assert digits.shape == (10, 28, 28)
    assert all(50 <= np.count_nonzero(digit) <= 400 for digit in digits)  # Strokes on a dark ground, not noise.
    for name in store.keras_files():
        takes_images = name.endswith("encoder.keras") or name in (store.READER_FILE, store.CHECKER_FILE)
        assert (store.digit_probe_key(name, 0) in probes) == takes_images, name
    if root == "committed":
        for name in (store.READER_FILE, store.CHECKER_FILE):
            read = probes[store.digit_probe_key(name, 0)]
            assert list(read.argmax(axis=1)) == list(range(10)), name
            assert np.all(read.max(axis=1) > 0.5), name


def test_a_re_export_keeps_the_probe_digits_and_needs_no_mnist(smoke_models, tmp_path):
    """`python -m training.export` probes on the digits of the earlier export, so it runs without MNIST and
    the answers it records are the ones training recorded."""
    copy = tmp_path / "models"
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(copy))
    probes_path = config.dataset_dir(copy) / store.PROBES_FILE
    with np.load(probes_path, allow_pickle=False) as stored:
        before = {key: stored[key] for key in stored.files}
    assert export.main(["--models", str(copy), "--data", str(tmp_path / "no-mnist.npz")]) == 0
    with np.load(probes_path, allow_pickle=False) as stored:
        after = {key: stored[key] for key in stored.files}
    assert sorted(after) == sorted(before)
    for key, answer in before.items():
        np.testing.assert_allclose(after[key], answer, atol=1e-6, err_msg=key)
    inference.load_models(copy)
