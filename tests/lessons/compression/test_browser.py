"""The compression page in a real browser: the code-size control repaints the ten digits, and the bytes chart
draws JPEG's curve. Debian's Chromium driven by Playwright against `streamlit run serve.py` with tiny models
that have been through the evaluation (so compression.json exists)."""

from __future__ import annotations

import pytest

from bench.harness import AppServer, wait_idle
from latentwall import config, registry
from lessons.compression import logic as compression
from tests.helpers import MNIST_FILE

pytestmark = pytest.mark.browser
SIZES = [recipe.latent_dim for recipe in registry.sweep("dense-ae")]
# Each row's second picture: the model's copy of the digit.
COPY = '[data-lw="row"] img:nth-child(2)'


@pytest.fixture(scope="module")
def evaluated_server(evaluated_models, chromium_path):
    with AppServer(evaluated_models, str(MNIST_FILE)) as server:
        server.wait_healthy(timeout=90)
        yield server


def open_compression(page, server) -> None:
    page.goto(f"{server.url}/compression")
    page.wait_for_selector('[data-lw="triptych"]', timeout=60_000)
    wait_idle(page)


def shown(page) -> dict:
    """What the student sees of the first triptych: its model, the copies' pictures and the rows' MSE words."""
    triptych = page.locator('[data-lw="triptych"]').first
    return {"recipe": triptych.get_attribute("data-lw-recipe"),
            "copies": [image.get_attribute("src") for image in triptych.locator(COPY).all()],
            "words": [row.inner_text() for row in triptych.locator('[data-lw="row"]').all()]}


def test_moving_the_code_size_repaints_the_digits(page, evaluated_server):
    open_compression(page, evaluated_server)
    before = shown(page)
    assert len(before["copies"]) == 10
    assert all(src.startswith("data:image/png") for src in before["copies"])
    size = registry.recipe(before["recipe"]).latent_dim
    page.locator(".st-key-comp-size input").focus()
    page.keyboard.press("ArrowRight" if size != SIZES[-1] else "ArrowLeft")
    page.wait_for_function("(recipe) => document.querySelector('[data-lw=\"triptych\"]')"
                           ".getAttribute('data-lw-recipe') !== recipe", arg=before["recipe"], timeout=30_000)
    wait_idle(page)
    after = shown(page)
    assert registry.recipe(after["recipe"]).latent_dim == SIZES[SIZES.index(size) + (1 if size != SIZES[-1] else -1)]
    assert after["copies"] != before["copies"], "the copies are painted again by the other code size"
    assert after["words"] != before["words"], "each row's MSE changes with the model"
    # The same ten test digits: the row numbers stay.
    assert [words.split(":")[0] for words in after["words"]] == [words.split(":")[0] for words in before["words"]]


def test_the_bytes_chart_draws_jpeg_beside_the_codes(page, evaluated_server, evaluated_models):
    report = compression.load_report(config.dataset_dir(evaluated_models))
    open_compression(page, evaluated_server)
    chart = page.locator(".st-key-comp-bytes-chart .js-plotly-plot")
    chart.wait_for(timeout=30_000)
    chart.scroll_into_view_if_needed()
    # The points Plotly drew in the page, by trace: each drawn trace group carries its trace's data.
    drawn = dict(page.evaluate("""() => [...document.querySelectorAll(
        '.st-key-comp-bytes-chart .scatterlayer .trace')].map(group => [group.__data__[0].trace.meta,
                                                                       group.querySelectorAll('.point').length])"""))
    for way in ("with_tables", "without_tables"):
        assert drawn.get(f"jpeg-{way}") == len(report["jpeg"]["curve"]) == 95, "every JPEG quality is a drawn point"
    assert sum(key.startswith("codes-") for key in drawn) == 4 * len(compression.STORAGES)
    legend = page.locator(".st-key-comp-bytes-chart .legend").text_content()
    assert "JPEG, whole file" in legend
    assert "JPEG, image data only" in legend
