"""The models folder as stored: its size, its compressed files, and the page decoder's weights, which the server
cuts from the .keras decoders and serves only from checked files."""

from __future__ import annotations

import shutil
import zipfile

import numpy as np
import pytest

from latentwall import browser, config, registry, store
from latentwall.keras import io as keras_io
from latentwall.keras import summary as keras_summary
from training import export

COMMITTED = config.PROJECT_ROOT / "models"
# Every trained model lives in the repository; all of models/ must stay under this many bytes.
MODELS_LIMIT_BYTES = 40_000_000
WALL_RECIPES = [recipe.name for recipe in registry.trained() if recipe.on_wall]


def test_the_models_folder_stays_under_40_mb():
    sizes = {path: path.stat().st_size for path in COMMITTED.rglob("*") if path.is_file()}
    total = sum(sizes.values())
    largest = sorted(sizes, key=sizes.get, reverse=True)[:5]
    assert total < MODELS_LIMIT_BYTES, f"models/ holds {total:,} bytes; the largest files: " + ", ".join(
        f"{path.relative_to(COMMITTED)} ({sizes[path]:,})" for path in largest)


@pytest.mark.parametrize("root", ["tiny", "committed"])
def test_keras_and_npz_files_are_stored_compressed(root, smoke_models):
    """The training command writes them deflated (the tiny models), and the committed ones are."""
    folder = config.dataset_dir(smoke_models if root == "tiny" else COMMITTED)
    stored = sorted([*folder.rglob("*.keras"), *folder.rglob("*.npz")])
    assert len(stored) > 2 * len(store.MODEL_FILES)
    for path in stored:
        with zipfile.ZipFile(path) as archive:
            assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}, path


def test_a_deflated_keras_file_holds_the_same_members_and_loads_to_the_same_weights(tmp_path):
    from latentwall.keras import builders

    _, decoder, _ = builders.recipe_models(registry.AE, seed=3)
    plain, deflated = tmp_path / "plain.keras", tmp_path / "deflated.keras"
    decoder.save(plain)
    shutil.copyfile(plain, deflated)
    keras_io.deflate_keras(deflated)
    with zipfile.ZipFile(plain) as before, zipfile.ZipFile(deflated) as after:
        assert [(info.filename, info.date_time) for info in before.infolist()] == [
            (info.filename, info.date_time) for info in after.infolist()]
        assert all(before.read(name) == after.read(name) for name in before.namelist())
    assert deflated.stat().st_size < 0.95 * plain.stat().st_size
    loaded = keras_io.load_keras_model(deflated)
    for mine, theirs in zip(decoder.get_weights(), loaded.get_weights(), strict=True):
        assert mine.dtype == theirs.dtype
        assert mine.tobytes() == theirs.tobytes()
    assert keras_summary.summarize(deflated) == keras_summary.summarize(plain)


@pytest.mark.parametrize("recipe", WALL_RECIPES)
def test_the_served_weights_are_what_keras_loads_from_the_committed_decoder(recipe):
    """Kernel then bias, layer by layer, as little-endian float32: the order the page's decoder reads."""
    address = browser.decoder_addresses(COMMITTED, recipe)["weights"]
    served = browser.served_file(str(COMMITTED), recipe, address.rsplit("/", 1)[1])
    assert served is not None
    assert served[1] == "application/octet-stream"
    decoder = keras_io.load_keras_model(config.dataset_dir(COMMITTED) / store.MODEL_FILES[recipe][1])
    assert served[0] == b"".join(np.asarray(array, "<f4").tobytes() for array in decoder.get_weights())


def _rewrite_weights_member(keras_file, position: int) -> None:
    """Change one byte of the .keras file's weights member, keeping the archive valid."""
    with zipfile.ZipFile(keras_file) as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(keras_file, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members.items():
            if info.filename == browser.WEIGHTS_MEMBER:
                content = content[:position] + bytes([content[position] ^ 0x40]) + content[position + 1:]
            archive.writestr(info, content)


@pytest.mark.parametrize("damage", ["keras file changed", "keras file changed and relisted",
                                    "layer list shifted and relisted"])
def test_weights_are_served_only_from_checked_files(smoke_models, tmp_path, damage):
    """A .keras file that no longer matches the manifest, or whose weights (or layer list) changed with the
    manifest recomputed, serves nothing at the old address: it would not be the bytes the address names."""
    copy = tmp_path / "models"
    shutil.copytree(smoke_models, copy)
    folder = config.dataset_dir(copy)
    name = browser.decoder_addresses(copy, "ae")["weights"].rsplit("/", 1)[1]
    assert browser.served_file(str(copy), "ae", name) is not None
    browser.served_file.cache_clear()
    spec_file = folder / "ae" / "decoder.weights.json"
    spec = store.read_json(spec_file)
    first = spec["layers"][0]["arrays"][0]
    if damage.startswith("keras file"):
        _rewrite_weights_member(folder / "ae" / "decoder.keras", first["stored_at"] + 1)
    else:
        first["stored_at"] += 4
        store.write_json(spec_file, spec)
    if damage.endswith("relisted"):
        store.write_manifest(folder)
    assert browser.served_file(str(copy), "ae", name) is None


def test_the_export_refuses_a_layer_list_that_would_not_serve_the_models_weights(tmp_path):
    """The layer list is written for the model as loaded: a .keras file holding other weights is refused."""
    from latentwall.keras import builders

    _, decoder, _ = builders.recipe_models(registry.AE, seed=3)
    keras_io.save_keras_model(decoder, tmp_path / "decoder.keras")
    export.write_browser_decoder(decoder, tmp_path / "decoder.keras")
    spec = store.read_json(tmp_path / "decoder.weights.json")
    assert browser.decoder_weights((tmp_path / "decoder.keras").read_bytes(), spec) == b"".join(
        np.asarray(array, "<f4").tobytes() for array in decoder.get_weights())
    decoder.set_weights([array + 1.0 for array in decoder.get_weights()])
    with pytest.raises(store.ArtifactError, match="differ"):
        export.write_browser_decoder(decoder, tmp_path / "decoder.keras")
