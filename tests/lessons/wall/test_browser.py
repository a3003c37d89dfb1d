"""The wall lesson in a real browser (Debian's Chromium driven by Playwright against a real `streamlit run
serve.py`): a click on a digit and on empty space, the opening view, and the layouts for a projector (1366x768)
and a phone (390x844).

The opening view and the layouts run against the committed models (the claims are about them); screenshots land
in tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.harness import axes_of, click_and_wait, data_to_pixel, reported_coordinate, wait_idle
from latentwall import config, latent, store
from tests.browser_helpers import (
    PHONE,
    PROJECTOR,
    close_enough,
    decoded_image,
    emptiest_spot,
    in_view,
    loneliest_digit,
    open_page,
    open_wall,
    wait_decoder_ready,
)
from tests.helpers import wall_of

pytestmark = pytest.mark.browser


def test_click_on_a_digit_decodes_it_and_shows_its_reconstruction(page, app_server, smoke_models):
    wall = wall_of(smoke_models, "ae")
    box = latent.wall_box(wall)
    index = loneliest_digit(wall.codes)
    open_page(page, app_server, "wall", ["wall-pick-ae"], smoke_models)
    page.mouse.move(*data_to_pixel(page, "wall-pick-ae", *wall.codes[index]))
    preview = page.locator('.st-key-wall-pick-ae-area [data-lw="preview"]')
    preview.wait_for(timeout=10_000)
    assert preview.get_attribute("data-lw-index") == str(index)
    assert f"test digit #{index}, a {wall.labels[index]}" in preview.text_content()
    _, reported = click_and_wait(page, "wall-pick-ae", *wall.codes[index])
    assert close_enough(reported, wall.codes[index], box)
    panel = page.locator(".st-key-wall-pick-ae-decoded")
    panel.get_by_text(f"You clicked test digit #{index}").wait_for()
    assert panel.locator("img").count() == 1 + 5 + 2
    assert page.locator(".latent-wall-marker").count() == 1


def test_click_on_empty_space_decodes_exactly_there(page, app_server, smoke_models):
    wall = wall_of(smoke_models, "ae")
    box = latent.wall_box(wall)
    open_page(page, app_server, "wall", ["wall-pick-ae"], smoke_models)
    first = wall.codes[loneliest_digit(wall.codes)]
    click_and_wait(page, "wall-pick-ae", *first)
    before = decoded_image(page, "wall-pick-ae")
    page.wait_for_timeout(350)
    spot = emptiest_spot(wall.codes, box)
    _, reported = click_and_wait(page, "wall-pick-ae", *spot)
    assert close_enough(reported, spot, box), (reported, spot)
    assert decoded_image(page, "wall-pick-ae") != before, "the decoded image changed"
    assert page.locator(".st-key-wall-pick-ae-decoded").get_by_text("You clicked test digit").count() == 0
    # The marker sits where the click was.
    marker = page.locator(".latent-wall-marker").bounding_box()
    pixel_x, pixel_y = data_to_pixel(page, "wall-pick-ae", *spot)
    assert abs(marker["x"] + marker["width"] / 2 - pixel_x) < 4
    assert abs(marker["y"] + marker["height"] / 2 - pixel_y) < 4


def committed_wall(kind: str) -> store.Wall:
    return store.load_wall(config.dataset_dir() / kind / "wall.npz")


def test_the_opening_ae_view_reaches_every_class_median_with_one_zoom(browser, committed_server):
    """At 1366x768 every class's median code is in the opening view; one box zoom around it and a click
    there decodes that median."""
    wall = committed_wall("ae")
    key = "wall-pick-ae"
    page = browser.new_page(viewport=PROJECTOR)
    try:
        open_wall(page, f"{committed_server.url}/wall?model=ae", [key])
        x_min, x_max, y_min, y_max = axes_of(page, key)
        full = latent.wall_box(wall)
        assert (x_max - x_min) * (y_max - y_min) < 0.5 * (full[1] - full[0]) * (full[3] - full[2]), \
            "the far codes do not set the opening view"
        for digit in range(10):
            open_wall(page, f"{committed_server.url}/wall?model=ae", [key])
            median = np.median(wall.codes[wall.labels == digit], axis=0)
            x_min, x_max, y_min, y_max = axes_of(page, key)
            assert x_min < median[0] < x_max, digit
            assert y_min < median[1] < y_max, digit
            center = data_to_pixel(page, key, *median)
            page.mouse.move(center[0] - 25, center[1] - 25)
            page.mouse.down()
            page.mouse.move(center[0] + 25, center[1] + 25, steps=6)
            page.mouse.up()
            page.wait_for_timeout(500)
            zoomed = axes_of(page, key)
            assert zoomed[1] - zoomed[0] < 0.2 * (x_max - x_min), "one drag zoomed in"
            page.mouse.click(*data_to_pixel(page, key, *median))
            page.wait_for_function("""([x, tolerance]) => { const v = document.querySelector('[data-lw="verdict"]');
                return v && Math.abs(parseFloat(v.dataset.lwX) - x) < tolerance; }""",
                                   arg=[float(median[0]), 0.02 * (zoomed[1] - zoomed[0])], timeout=15_000)
            reported = reported_coordinate(page, key)
            assert reported[1] == pytest.approx(median[1], abs=0.02 * (zoomed[3] - zoomed[2])), digit
    finally:
        page.close()


def test_at_1366x768_the_wall_preview_picture_and_verdict_fit_one_screen(viewport_page, committed_server):
    page = viewport_page(PROJECTOR)
    key = "wall-pick-ae"
    open_wall(page, f"{committed_server.url}/wall", [key])
    wait_decoder_ready(page)
    plot = page.locator(f".st-key-{key}-area .nsewdrag").last.bounding_box()
    page.mouse.click(plot["x"] + 0.55 * plot["width"], plot["y"] + 0.5 * plot["height"])
    page.locator(f'.st-key-{key}-decoded [data-lw="verdict"]').wait_for(timeout=15_000)
    wait_idle(page)
    assert page.evaluate("window.scrollY") == 0
    assert in_view(plot, PROJECTOR), "the wall's plot area"
    assert in_view(page.locator(f'.st-key-{key}-area [data-lw="preview"]').bounding_box(), PROJECTOR)
    verdict = page.locator(f'.st-key-{key}-decoded [data-lw="verdict"]')
    assert in_view(verdict.locator("img").first.bounding_box(), PROJECTOR), "the decoded picture"
    assert in_view(verdict.get_by_text("The reader sees").bounding_box(), PROJECTOR), "the verdict"


def test_on_a_phone_a_tap_shows_its_preview_on_screen_and_names_the_digit_the_panel_names(viewport_page,
                                                                                      committed_server):
    page = viewport_page(PHONE, phone=True)
    key = "wall-pick-ae"
    open_wall(page, f"{committed_server.url}/wall", [key])
    wait_decoder_ready(page)
    wall = committed_wall("ae")
    page.locator(f".st-key-{key}-area .nsewdrag").last.scroll_into_view_if_needed()
    x_min, x_max, y_min, y_max = axes_of(page, key)
    inside = np.flatnonzero((wall.codes[:, 0] > x_min) & (wall.codes[:, 0] < x_max)
                            & (wall.codes[:, 1] > y_min) & (wall.codes[:, 1] < y_max))
    rng = np.random.default_rng(5)
    for index in rng.choice(inside, 6, replace=False):
        page.touchscreen.tap(*data_to_pixel(page, key, *wall.codes[index]))
        preview = page.locator(f'.st-key-{key}-area [data-lw="preview"]')
        assert in_view(preview.bounding_box(), PHONE), "the tap's preview is on screen"
        named = preview.get_attribute("data-lw-index")
        page.wait_for_function("""([x]) => { const v = document.querySelector('[data-lw="verdict"]');
            return v && Math.abs(parseFloat(v.dataset.lwX) - x) < 1e-3 * (Math.abs(x) + 1); }""",
                               arg=[float(preview.get_attribute("data-lw-x"))], timeout=15_000)
        wait_idle(page)
        panel = page.locator(f".st-key-{key}-decoded").text_content()
        if named:
            assert f"You clicked test digit #{named}," in panel
        else:
            assert "You clicked test digit" not in panel
        page.locator(f".st-key-{key}-area .nsewdrag").last.scroll_into_view_if_needed()
