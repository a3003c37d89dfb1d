"""The AE vs VAE page in a real browser (Debian's Chromium against a live server): both walls answer clicks,
and pointing at a digit on one twin wall rings it on the other and decodes it there with that wall's model."""

from __future__ import annotations

import numpy as np
import pytest

from bench.harness import axes_of, click_and_wait, data_to_pixel, reported_coordinate
from latentwall import config, inference, latent, store
from tests.browser_helpers import (
    assert_walls_are_marked,
    close_enough,
    emptiest_spot,
    loneliest_digit,
    open_page,
    open_wall,
    preview_of,
    wait_decoder_ready,
)
from tests.helpers import wall_of

pytestmark = pytest.mark.browser


def test_both_walls_on_the_comparison_page_answer_clicks(page, app_server, smoke_models):
    open_page(page, app_server, "compare", ["compare-pick-ae", "compare-pick-vae"], smoke_models)
    assert_walls_are_marked(page)
    for kind in ("ae", "vae"):
        wall = wall_of(smoke_models, kind)
        box = latent.wall_box(wall)
        spot = emptiest_spot(wall.codes, box)
        _, reported = click_and_wait(page, f"compare-pick-{kind}", *spot)
        assert close_enough(reported, spot, box), (kind, reported, spot)
        page.wait_for_timeout(350)
    assert reported_coordinate(page, "compare-pick-ae") != reported_coordinate(page, "compare-pick-vae")


def test_pointing_at_a_digit_on_one_twin_wall_rings_it_on_the_other(page, app_server, smoke_models):
    """On the AE vs VAE page the walls are linked by test digit: hover a digit on the AE's wall, and the
    same digit is ringed on the VAE's wall at its VAE code (and the other way round)."""
    open_page(page, app_server, "compare", ["compare-pick-ae", "compare-pick-vae"], smoke_models)
    for source, target in (("ae", "vae"), ("vae", "ae")):
        wall, twin = wall_of(smoke_models, source), wall_of(smoke_models, target)
        index = loneliest_digit(wall.codes)
        page.mouse.move(*data_to_pixel(page, f"compare-pick-{source}", *wall.codes[index]))
        ring = page.locator(f".st-key-compare-pick-{target}-area .latent-wall-linked")
        ring.wait_for(state="visible", timeout=10_000)
        assert ring.get_attribute("data-lw-index") == str(index)
        box = ring.bounding_box()
        expected = data_to_pixel(page, f"compare-pick-{target}", *twin.codes[index])
        assert abs(box["x"] + box["width"] / 2 - expected[0]) < 4
        assert abs(box["y"] + box["height"] / 2 - expected[1]) < 4
        page.mouse.move(5, 5)


def preview_picture(page, key: str) -> np.ndarray:
    """The preview's 28x28 picture as the page painted it, in [0, 1]."""
    values = page.locator(f'.st-key-{key}-area [data-lw="preview"] canvas').evaluate(
        "canvas => Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))")
    return np.asarray(values, "float32").reshape(28, 28) / 255.0


def test_pointing_at_a_digit_on_one_twin_wall_shows_both_models_decodes(page, app_server, smoke_models):
    """On the AE vs VAE page the twin wall's preview decodes the same test digit at its own code."""
    open_wall(page, f"{app_server.url}/compare", ["compare-pick-ae", "compare-pick-vae"])
    wait_decoder_ready(page)
    ae, vae = (store.load_wall(config.dataset_dir(smoke_models) / kind / "wall.npz") for kind in ("ae", "vae"))
    x_min, x_max, y_min, y_max = axes_of(page, "compare-pick-ae")
    inside = np.flatnonzero((ae.codes[:, 0] > x_min) & (ae.codes[:, 0] < x_max)
                            & (ae.codes[:, 1] > y_min) & (ae.codes[:, 1] < y_max))
    distances = np.linalg.norm(ae.codes[inside, None] - ae.codes[None], axis=2)
    distances[distances == 0] = np.inf
    index = int(inside[np.argmax(distances.min(axis=1))])
    page.mouse.move(*data_to_pixel(page, "compare-pick-ae", *ae.codes[index]))
    mine, twin = preview_of(page, "compare-pick-ae"), preview_of(page, "compare-pick-vae")
    assert mine["lwIndex"] == twin["lwIndex"] == str(index)
    assert (float(twin["lwX"]), float(twin["lwY"])) == pytest.approx(tuple(vae.codes[index]), abs=1e-5)
    models = inference.load_models(smoke_models)
    for key, kind, wall in (("compare-pick-ae", "ae", ae), ("compare-pick-vae", "vae", vae)):
        expected = models[kind].decoder.decode(wall.codes[index:index + 1])[0]
        assert np.max(np.abs(preview_picture(page, key) - expected)) <= 1 / 255, "each wall paints its own model"
