"""Missing or damaged models and a missing data file headless through AppTest: the friendly page with the
command that makes them, or an app that keeps working without the images."""

from __future__ import annotations

import shutil

import pytest

from latentwall import config, store
from tests.helpers import coordinate, html_text, wall_of

PAGES = ["lessons/wall/page.py", "lessons/interpolation/page.py", "lessons/compare/page.py"]


@pytest.mark.parametrize("page", [None, *PAGES])
def test_missing_models_give_the_training_command(app, use_models, tmp_path, page):
    use_models(tmp_path / "nowhere")
    test = app(page)
    assert not test.exception
    if page is None:
        assert not test.error, "the home page needs no models"
        return
    assert "missing or damaged" in test.error[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_a_flipped_byte_gives_the_friendly_page(app, smoke_models, use_models, tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    damaged = config.dataset_dir(tmp_path) / "vae" / "decoder.keras"
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    use_models(tmp_path)
    test = app("lessons/wall/page.py")
    assert not test.exception
    assert "missing or damaged" in test.error[0].value
    assert "damaged" in test.text[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_a_damaged_export_with_a_recomputed_manifest_gives_the_friendly_page(app, smoke_models, use_models,
                                                                            tmp_path):
    shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(tmp_path))
    damaged = config.dataset_dir(tmp_path) / "ae" / "decoder.onnx"
    damaged.write_bytes(damaged.read_bytes()[:-4096])
    store.write_manifest(config.dataset_dir(tmp_path))
    use_models(tmp_path)
    test = app("lessons/wall/page.py")
    assert not test.exception
    assert "missing or damaged" in test.error[0].value
    assert any(code.value == config.TRAIN_COMMAND for code in test.code)


def test_missing_data_keeps_the_app_working(app, smoke_models, monkeypatch, tmp_path):
    wall = wall_of(smoke_models)
    test_app = app("lessons/wall/page.py")
    monkeypatch.setenv(config.DATA_ENV_VAR, str(tmp_path / "absent.npz"))
    test_app.session_state["wall-pick-ae"] = {"x": float(wall.codes[2, 0]), "y": float(wall.codes[2, 1]), "index": 2}
    test_app.run()
    assert not test_app.exception
    assert not test_app.error
    assert "were not found on the server" in test_app.info[0].value
    assert config.DATA_ENV_VAR in test_app.info[0].value
    assert "--data" not in test_app.info[0].value
    assert coordinate(test_app) is not None, "decoding still works without the images"
    assert html_text(test_app).count("<img") == 1 + 1, "decoded image and reconstruction, no real digits"
