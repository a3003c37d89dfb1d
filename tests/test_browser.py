"""The app in a real browser: Debian's Chromium driven by Playwright against a real `streamlit run app.py`.

Clicks are placed by mapping data coordinates to pixels through the chart's plot area and its fixed axis
ranges; each test leaves a full-page screenshot in tests/screenshots/.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from latentwall import artifacts, config, explore, latent
from training.benchmark_app import click_and_wait, data_to_pixel, reported_coordinate, wait_for_wall, wait_idle

pytestmark = pytest.mark.browser
# One pixel of the wall is about 1/400 of its span; a click must come back within a few pixels.
TOLERANCE = 0.015


def wall_of(root, kind: str) -> artifacts.Wall:
    return artifacts.load_wall(config.dataset_dir(root) / kind / "wall.npz")


def open_page(page, server, path: str, wall_keys: list[str]) -> None:
    page.goto(f"{server.url}/{path}")
    for key in wall_keys:
        wait_for_wall(page, key)
    wait_idle(page)
    page.wait_for_timeout(400)


def close_enough(reported, expected, box) -> bool:
    span = np.array([box[1] - box[0], box[3] - box[2]])
    return reported is not None and bool(np.all(np.abs(np.subtract(reported, expected)) <= TOLERANCE * span))


def loneliest_digit(codes: np.ndarray) -> int:
    """The test digit farthest from its nearest neighbour, so a click on it cannot hit another."""
    return int(np.argmax(latent.distances_to_bank(codes, codes, exclude_self=True)))


def emptiest_spot(codes: np.ndarray, box) -> np.ndarray:
    """The point of a grid over the inner wall that lies farthest from every test code."""
    inner = (box[0] + 0.1 * (box[1] - box[0]), box[1] - 0.1 * (box[1] - box[0]),
             box[2] + 0.1 * (box[3] - box[2]), box[3] - 0.1 * (box[3] - box[2]))
    candidates = latent.grid(inner, 40)
    return candidates[np.argmax(latent.distances_to_bank(candidates, codes))]


def decoded_image(page, key: str) -> str:
    return page.locator(f".st-key-{key}-decoded img").first.get_attribute("src")


def test_click_on_a_digit_decodes_it_and_shows_its_reconstruction(page, app_server, smoke_models):
    wall = wall_of(smoke_models, "ae")
    box = explore.wall_box(wall)
    index = loneliest_digit(wall.codes)
    open_page(page, app_server, "wall", ["wall-pick-ae"])
    page.mouse.move(*data_to_pixel(page, "wall-pick-ae", box, *wall.codes[index]))
    hover = page.locator(".st-key-wall-pick-ae-area .hoverlayer .hovertext")
    hover.first.wait_for(timeout=10_000)
    assert f"digit {wall.labels[index]}" in hover.first.text_content()
    assert f"index {index}" in hover.first.text_content()
    _, reported = click_and_wait(page, "wall-pick-ae", box, *wall.codes[index])
    assert close_enough(reported, wall.codes[index], box)
    panel = page.locator(".st-key-wall-pick-ae-decoded")
    panel.get_by_text(f"You clicked test digit #{index}").wait_for()
    assert panel.locator("img").count() == 1 + 5 + 2
    assert page.locator(".latent-wall-marker").count() == 1


def test_click_on_empty_space_decodes_exactly_there(page, app_server, smoke_models):
    wall = wall_of(smoke_models, "ae")
    box = explore.wall_box(wall)
    open_page(page, app_server, "wall", ["wall-pick-ae"])
    first = wall.codes[loneliest_digit(wall.codes)]
    click_and_wait(page, "wall-pick-ae", box, *first)
    before = decoded_image(page, "wall-pick-ae")
    page.wait_for_timeout(350)
    spot = emptiest_spot(wall.codes, box)
    _, reported = click_and_wait(page, "wall-pick-ae", box, *spot)
    assert close_enough(reported, spot, box), (reported, spot)
    assert decoded_image(page, "wall-pick-ae") != before, "the decoded image changed"
    assert page.locator(".st-key-wall-pick-ae-decoded").get_by_text("You clicked test digit").count() == 0
    # The marker sits where the click was.
    marker = page.locator(".latent-wall-marker").bounding_box()
    pixel_x, pixel_y = data_to_pixel(page, "wall-pick-ae", box, *spot)
    assert abs(marker["x"] + marker["width"] / 2 - pixel_x) < 4
    assert abs(marker["y"] + marker["height"] / 2 - pixel_y) < 4


def test_the_interpolation_slider_decodes_live(page, app_server):
    open_page(page, app_server, "interpolation", ["interp-wall-ae", "interp-wall-vae"])
    captions = page.get_by_text(re.compile(r"^w = 0\.50"))
    assert captions.count() == 2
    before = page.locator("[data-testid=stImage] img").first.get_attribute("src")
    thumb = page.locator(".st-key-interp-weight input[type=range]")
    thumb.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    page.get_by_text(re.compile(r"^w = 0\.70")).first.wait_for(timeout=20_000)
    wait_idle(page)
    assert page.get_by_text(re.compile(r"^w = 0\.70")).count() == 2
    assert page.locator("[data-testid=stImage] img").first.get_attribute("src") != before


def test_both_walls_on_the_comparison_page_answer_clicks(page, app_server, smoke_models):
    open_page(page, app_server, "compare", ["compare-pick-ae", "compare-pick-vae"])
    for kind in ("ae", "vae"):
        wall = wall_of(smoke_models, kind)
        box = explore.wall_box(wall)
        spot = emptiest_spot(wall.codes, box)
        _, reported = click_and_wait(page, f"compare-pick-{kind}", box, *spot)
        assert close_enough(reported, spot, box), (kind, reported, spot)
        page.wait_for_timeout(350)
    assert reported_coordinate(page, "compare-pick-ae") != reported_coordinate(page, "compare-pick-vae")
