"""What the app serves: the ONNX exports agree with their Keras models, are guarded by the manifest, load
without TensorFlow, and any failure to load one is the friendly "damaged" message."""

from __future__ import annotations

import shutil
import subprocess
import sys

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
    images = served.ae.decoder.decode(codes)
    expected = np.asarray(keras_io.load_keras_model(folder / "reader.keras")(images[..., None]))
    np.testing.assert_allclose(served.reader.probabilities(images), expected, atol=1e-5)


def test_serving_never_imports_tensorflow(smoke_models):
    """Load, decode, read and render a page the way the server does, in a fresh interpreter."""
    program = f"""
import sys
from pathlib import Path
from latentwall import config, inference
models = inference.load_models(Path({str(smoke_models)!r}))
models.vae.decoder.decode([[0.0, 0.0]])
models.reader.read(models.ae.decoder.decode([[0.0, 0.0]]))
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
    assert "could not be loaded" in str(caught.value) and config.TRAIN_COMMAND in str(caught.value)
