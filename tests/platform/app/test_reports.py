"""Reports written again while the server runs reach the pages already open (AppTest)."""

from __future__ import annotations

import shutil

from latentwall import config, i18n, store
from tests.helpers import assert_clean


def test_a_new_evaluation_reaches_pages_already_open(app, evaluated_models, use_models, tmp_path):
    """Pages draw their reports' tables and charts once per process; a report written again (a new evaluation while
    the server runs) is drawn again on the next run, not served from before."""
    copy = tmp_path / "models"
    shutil.copytree(evaluated_models, copy)
    folder = config.dataset_dir(copy)
    use_models(copy)
    strings = i18n.load_strings("en")
    compare, denoising_page = app("lessons/compare/page.py"), app("lessons/denoising/page.py")
    assert_clean(compare)
    assert not any(info.value == strings("claims.outdated") for info in compare.info), "the claims are judged"
    shown = store.read_json(folder / "denoising.json")["digits"]
    assert strings("denoising.chart_caption", digits=shown) in [caption.value for caption in denoising_page.caption]

    report = store.read_json(folder / store.EVALUATION_FILE)
    del report["vae"]["continuity"]
    store.write_json(folder / store.EVALUATION_FILE, report)
    noise_report = store.read_json(folder / "denoising.json")
    noise_report["digits"] = shown + 1
    store.write_json(folder / "denoising.json", noise_report)
    store.write_manifest(folder)
    compare.run()
    denoising_page.run()
    assert any(info.value == strings("claims.outdated") for info in compare.info), "the new report is judged"
    assert strings("denoising.chart_caption", digits=shown + 1) in [caption.value for caption in denoising_page.caption]
