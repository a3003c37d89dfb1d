"""The app in a real browser: Debian's Chromium driven by Playwright against a real `streamlit run serve.py`.

Clicks are placed by mapping data coordinates to pixels through the chart's plot area and its fixed axis
ranges; each test leaves a full-page screenshot in tests/screenshots/.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from bench.harness import (
    axes_of,
    click_and_wait,
    data_to_pixel,
    reported_coordinate,
    show_everything,
    wait_for_wall,
    wait_idle,
)
from latentwall import config, latent, store
from tests.conftest import SCREENSHOTS
from tests.helpers import MNIST_FILE

pytestmark = pytest.mark.browser
# One pixel of the wall is about 1/400 of its span; a click must come back within a few pixels.
TOLERANCE = 0.015


def wall_of(root, kind: str) -> store.Wall:
    return store.load_wall(store.wall_path(config.dataset_dir(root), kind))


def open_page(page, server, path: str, wall_keys: list[str], root=None) -> None:
    """Open a page and wait for its walls; given the models' root, also show each whole wall."""
    page.goto(f"{server.url}/{path}")
    for key in wall_keys:
        wait_for_wall(page, key)
    wait_idle(page)
    page.wait_for_timeout(400)
    for key in wall_keys if root is not None else ():
        show_everything(page, key, latent.wall_box(wall_of(root, key.rsplit("-", 1)[1])))


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


def assert_walls_are_marked(page) -> None:
    """The stable hooks outside checks use: each wall's chart sits inside data-lw-wall="<model>"."""
    for kind in ("ae", "vae"):
        page.locator(f'[data-lw-wall="{kind}"] .js-plotly-plot').first.wait_for(state="attached", timeout=10_000)


def test_the_interpolation_slider_decodes_live(page, app_server):
    open_page(page, app_server, "interpolation", ["interp-wall-ae", "interp-wall-vae"])
    assert_walls_are_marked(page)
    captions = page.get_by_text(re.compile(r"^V?AE, w = 0\.50"))
    assert captions.count() == 2
    before = page.locator("[data-testid=stImage] img").first.get_attribute("src")
    thumb = page.locator(".st-key-interp-weight input[type=range]")
    thumb.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    page.get_by_text(re.compile(r"^V?AE, w = 0\.70")).first.wait_for(timeout=20_000)
    wait_idle(page)
    assert page.get_by_text(re.compile(r"^V?AE, w = 0\.70")).count() == 2
    assert page.locator("[data-testid=stImage] img").first.get_attribute("src") != before


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


def click_at(page, key: str, x: float, y: float) -> None:
    page.mouse.click(*data_to_pixel(page, key, x, y))


def verdict_and_marker(page, key: str) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    marker = page.locator(f".st-key-{key}-area .latent-wall-marker")
    shown = None
    if marker.count() and marker.first.is_visible():
        shown = float(marker.first.get_attribute("data-lw-x")), float(marker.first.get_attribute("data-lw-y"))
    return reported_coordinate(page, key), shown


def test_the_last_of_thirty_quick_clicks_wins(page, app_server, smoke_models):
    """30 clicks 50 ms apart, five times: once all settles, marker, coordinate and picture are the last click's.

    The clicks stay in the opening view: two quick clicks are also a double click, which resets the view.
    """
    open_page(page, app_server, "wall", ["wall-pick-ae"])
    box = axes_of(page, "wall-pick-ae")
    rng = np.random.default_rng(11)
    mismatches = []
    for attempt in range(5):
        spots = [(rng.uniform(box[0], box[1]) * 0.8 + 0.1 * (box[0] + box[1]),
                  rng.uniform(box[2], box[3]) * 0.8 + 0.1 * (box[2] + box[3])) for _ in range(30)]
        before = decoded_image(page, "wall-pick-ae") if attempt else None
        for x, y in spots:
            click_at(page, "wall-pick-ae", x, y)
            page.wait_for_timeout(50)
        page.wait_for_timeout(1500)
        wait_idle(page)
        page.wait_for_timeout(500)
        reported, marker = verdict_and_marker(page, "wall-pick-ae")
        if not (close_enough(reported, spots[-1], box) and close_enough(marker, spots[-1], box)):
            mismatches.append((attempt, reported, marker, spots[-1]))
        assert decoded_image(page, "wall-pick-ae") != before
    assert not mismatches, mismatches


_COUNT_OBSERVERS = """() => {
  const Original = window.MutationObserver;
  window.liveObservers = new Set();
  window.MutationObserver = class extends Original {
    observe(...args) { window.liveObservers.add(this); return super.observe(...args); }
    disconnect() { window.liveObservers.delete(this); return super.disconnect(); }
  };
}"""


def test_clicks_do_not_pile_up_observers(page, app_server, smoke_models):
    """Each wall keeps one listener however often it is clicked (an observer per render froze tabs)."""
    page.add_init_script(f"({_COUNT_OBSERVERS})()")
    wall = wall_of(smoke_models, "ae")
    open_page(page, app_server, "wall", ["wall-pick-ae"], smoke_models)
    click_and_wait(page, "wall-pick-ae", *wall.codes[0])
    settled = page.evaluate("window.liveObservers.size")
    for index in range(1, 21):
        click_and_wait(page, "wall-pick-ae", *wall.codes[index])
        page.wait_for_timeout(100)
    assert page.evaluate("window.latentWallMounts.size") == 1
    assert page.evaluate("window.liveObservers.size") <= settled, "no observer outlives its render"
    # The tab still answers at once: nothing loops in the background.
    started = page.evaluate("performance.now()")
    page.wait_for_timeout(200)
    assert page.evaluate("performance.now()") - started < 1000


# True once the verdict shows x (within tolerance), or the notice that says to reload is showing.
_ANSWERED_OR_STALE = """([x, tolerance]) => {
  const verdict = document.querySelector('[data-lw="verdict"]');
  const stale = document.querySelector('[data-lw="stale"]');
  return Boolean((stale && stale.style.display === "block")
                 || (verdict && Math.abs(parseFloat(verdict.dataset.lwX) - x) < tolerance));
}"""


def test_a_server_restart_never_leaves_a_frozen_tab(browser, smoke_models):
    """Kill the server and start it again on the same address: in a tab that had clicked and in one that had
    not, the next click either works or the page says to reload; reloading always works."""
    from bench.harness import VIEWPORT, AppServer, free_port

    wall = wall_of(smoke_models, "ae")
    box = latent.wall_box(wall)
    port = free_port()
    context = browser.new_context(viewport=VIEWPORT)
    tabs = [context.new_page(), context.new_page()]
    try:
        with AppServer(smoke_models, str(MNIST_FILE), port=port) as server:
            server.wait_healthy(timeout=90)
            for tab in tabs:
                open_page(tab, server, "wall", ["wall-pick-ae"], smoke_models)
            click_and_wait(tabs[0], "wall-pick-ae", *wall.codes[3])
        with AppServer(smoke_models, str(MNIST_FILE), port=port) as server:
            server.wait_healthy(timeout=90)
            tabs[0].wait_for_timeout(4000)  # The tabs notice the new server and reconnect.
            for number, tab in enumerate(tabs):
                spot = emptiest_spot(wall.codes, box)
                click_at(tab, "wall-pick-ae", *spot)
                tab.wait_for_function(_ANSWERED_OR_STALE, arg=[float(spot[0]), TOLERANCE * (box[1] - box[0])],
                                      timeout=15_000)
                tab.screenshot(path=str(SCREENSHOTS / f"restart-tab-{number}.png"))
                tab.reload()
                wait_for_wall(tab, "wall-pick-ae")
                wait_idle(tab)
                tab.wait_for_timeout(300)
                _, reported = click_and_wait(tab, "wall-pick-ae", *wall.codes[5])
                assert close_enough(reported, wall.codes[5], box), "after a reload the tab works"
    finally:
        context.close()


_AXES = """(key) => {
  const graph = document.querySelector(`.st-key-${key}-area .js-plotly-plot`);
  return [graph._fullLayout.xaxis.range.slice(), graph._fullLayout.yaxis.range.slice()];
}"""


def test_zoom_then_click_decodes_the_spot_under_the_pointer_and_reset_brings_the_wall_back(page, app_server):
    key = "wall-pick-ae"
    open_page(page, app_server, "wall", [key])
    initial = page.evaluate(_AXES, key)
    area = page.locator(f".st-key-{key}-area .nsewdrag").last.bounding_box()
    start = (area["x"] + 0.25 * area["width"], area["y"] + 0.25 * area["height"])
    end = (area["x"] + 0.6 * area["width"], area["y"] + 0.6 * area["height"])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=8)
    page.mouse.up()
    page.wait_for_timeout(600)
    (x_low, x_high), (y_low, y_high) = page.evaluate(_AXES, key)
    assert x_high - x_low < 0.5 * (initial[0][1] - initial[0][0]), "the drag zoomed in"
    wait_idle(page)
    area = page.locator(f".st-key-{key}-area .nsewdrag").last.bounding_box()
    page.mouse.click(area["x"] + 0.5 * area["width"], area["y"] + 0.5 * area["height"])
    expected = ((x_low + x_high) / 2, (y_low + y_high) / 2)
    page.wait_for_function(
        """([x, tolerance]) => { const v = document.querySelector('[data-lw="verdict"]');
             return v && Math.abs(parseFloat(v.dataset.lwX) - x) < tolerance; }""",
        arg=[expected[0], 0.02 * (x_high - x_low)], timeout=15_000)
    reported = reported_coordinate(page, key)
    assert reported == pytest.approx(expected, abs=0.02 * (x_high - x_low) + 0.02 * (y_high - y_low))
    page.locator(f".st-key-{key}-area .updatemenu-button").first.click()  # "reset view"
    page.wait_for_timeout(600)
    reset = page.evaluate(_AXES, key)
    assert [*reset[0], *reset[1]] == pytest.approx([*initial[0], *initial[1]], rel=1e-6, abs=1e-9)


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
