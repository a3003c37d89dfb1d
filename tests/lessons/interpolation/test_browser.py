"""Interpolation in a real browser (Debian's Chromium against a live server): the slider decodes live, the
walls, slider and results fit a projector's screen, the weight mark and Play, the paths between the chosen digits,
and a 20-D recipe's filmstrip and path on its projection (against the oracle in tests.helpers).

Whatever changes the digit pair (class, "Draw another pair", index, a click on a wall), the page keeps one slider,
one Play and one pair of decodes, and the decodes' captions name the current pair."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bench.harness import axes_of, data_to_pixel, wait_for_wall, wait_idle
from latentwall import config, i18n, latent, store
from tests.browser_helpers import (
    PROJECTOR,
    assert_walls_are_marked,
    choose,
    in_view,
    open_page,
    open_wall,
    preview_of,
    set_number,
    trace_points,
    wait_decoder_ready,
)
from tests.helpers import WIDE, oracle_path, wall_of

pytestmark = pytest.mark.browser
WORDS = i18n.load_strings("en")
CHOSEN = re.compile(r"From test digit #(\d+) \(a \d\) to #(\d+) \(a \d\)")
CAPTION = re.compile(r"^(V?AE), w = \d\.\d\d: reads \d \(\d+%\) · #(\d+) → #(\d+)$")


def chosen_pair(page) -> tuple[int, int]:
    """The two test digits the page says it walks between."""
    found = CHOSEN.search(page.get_by_text(CHOSEN).first.inner_text())
    return int(found[1]), int(found[2])


def assert_one_set(page) -> tuple[int, int]:
    """Exactly one weight slider, one Play button and one decode per model, each naming the current pair."""
    wait_idle(page)
    page.wait_for_timeout(500)
    wait_idle(page)
    assert page.locator(".st-key-interp-weight input[type=range]").count() == 1, "one weight slider"
    assert page.locator("iframe, [data-lw=play]").filter(has_text=WORDS("interpolation.play")).count() <= 1
    assert page.locator("[data-lw=play]").count() == 1, "one Play button"
    captions = [text for text in page.locator("[data-testid=stImageCaption]").all_inner_texts()
                if CAPTION.match(text.strip())]
    assert len(captions) == 2, captions
    pair = chosen_pair(page)
    for caption in captions:
        found = CAPTION.match(caption.strip())
        assert (int(found[2]), int(found[3])) == pair, (caption, pair)
    return pair


def test_changing_the_pair_keeps_one_slider_one_play_and_decodes_of_the_current_pair(page, app_server, smoke_models):
    open_page(page, app_server, "interpolation", ["interp-wall-ae", "interp-wall-vae"])
    first = assert_one_set(page)
    choose(page, "interp-class-a", "1")
    choose(page, "interp-class-b", "7")
    by_class = assert_one_set(page)
    assert by_class != first
    page.locator(".st-key-interp-reroll button").click()
    assert_one_set(page)
    page.locator(".st-key-interp-way-en").get_by_text(WORDS("interpolation.way_index")).click()
    set_number(page, "interp-index-a", 5)
    set_number(page, "interp-index-b", 9)
    assert assert_one_set(page) == (5, 9)
    page.locator(".st-key-interp-way-en").get_by_text(WORDS("interpolation.way_click")).click()
    assert_one_set(page)
    codes = wall_of(smoke_models, "ae").codes
    x_min, x_max, y_min, y_max = axes_of(page, "interp-wall-ae")
    inside = (codes[:, 0] > x_min) & (codes[:, 0] < x_max) & (codes[:, 1] > y_min) & (codes[:, 1] < y_max)
    shown = np.flatnonzero(inside)
    # Two clicks on two test digits in view, far apart: the first picks the start, the second the end.
    picked = [int(shown[np.argmin(codes[shown, 0])]), int(shown[np.argmax(codes[shown, 0])])]
    for index in picked:
        spot = data_to_pixel(page, "interp-wall-ae", *codes[index])
        page.mouse.move(*spot)
        page.wait_for_timeout(100)
        page.mouse.click(*spot)
        page.wait_for_timeout(300)
        wait_idle(page)
    assert assert_one_set(page) == tuple(picked)


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


def test_at_1366x768_the_interpolation_walls_slider_and_results_fit_one_screen(viewport_page, committed_server):
    page = viewport_page(PROJECTOR)
    open_wall(page, f"{committed_server.url}/interpolation", ["interp-wall-ae", "interp-wall-vae"])
    assert page.evaluate("window.scrollY") == 0
    for kind in ("ae", "vae"):
        assert in_view(page.locator(f".st-key-interp-wall-{kind}-area .nsewdrag").last.bounding_box(), PROJECTOR)
        assert in_view(page.locator(f".st-key-interp-wall-{kind}-area .latent-wall-weight").bounding_box(), PROJECTOR)
    assert in_view(page.locator(".st-key-interp-weight").bounding_box(), PROJECTOR), "the slider"
    for caption in page.get_by_text(re.compile(r"^V?AE, w = 0\.50")).all():
        assert in_view(caption.bounding_box(), PROJECTOR), "the decoded results"
    assert page.get_by_text(re.compile(r"^V?AE, w = 0\.50")).count() == 2


def test_the_weight_mark_sits_on_each_path_and_play_walks_it_from_start_to_end(page, app_server, smoke_models):
    """w = 0.5 is marked at the path's middle; play moves the mark from the start (w = 0) to the end (1)."""
    open_wall(page, f"{app_server.url}/interpolation?a=0&b=1&w=0.5", ["interp-wall-ae", "interp-wall-vae"])
    wait_decoder_ready(page)
    for kind in ("ae", "vae"):
        codes = store.load_wall(config.dataset_dir(smoke_models) / kind / "wall.npz").codes
        mark = page.locator(f".st-key-interp-wall-{kind}-area .latent-wall-weight")
        box = mark.bounding_box()
        expected = data_to_pixel(page, f"interp-wall-{kind}", *(codes[0] + codes[1]) / 2)
        assert abs(box["x"] + box["width"] / 2 - expected[0]) < 4
        assert abs(box["y"] + box["height"] / 2 - expected[1]) < 4
    page.locator('[data-lw="play"]').click()
    weights = []
    while len(weights) < 40 and 1.0 not in weights:
        page.wait_for_timeout(150)
        weights.append(float(page.locator(".st-key-interp-wall-ae-area .latent-wall-weight").get_attribute(
            "data-lw-weight")))
    assert weights[0] < 0.3, weights
    assert weights[-1] == 1.0, weights
    assert weights == sorted(weights), weights
    assert "w = " in preview_of(page, "interp-wall-vae")["text"], "the VAE's preview decodes along its path too"


def path_ends(page, key: str) -> np.ndarray:
    """Page pixels of the two ends of the path the listener drew over the wall under key."""
    return np.array(page.locator(f".st-key-{key}-area .latent-wall-path").evaluate("""svg => {
        const box = svg.getBoundingClientRect(), line = svg.querySelector("line");
        return [[box.x + Number(line.getAttribute("x1")), box.y + Number(line.getAttribute("y1"))],
                [box.x + Number(line.getAttribute("x2")), box.y + Number(line.getAttribute("y2"))]]; }"""))


def test_each_path_runs_between_the_chosen_digits_and_follows_a_new_pick(page, app_server, smoke_models):
    """The path over each wall joins the two chosen test digits' codes, its ends labelled; a new end digit
    moves the path's end to that digit's code on both walls."""
    open_wall(page, f"{app_server.url}/interpolation?a=0&b=1&w=0.5", ["interp-wall-ae", "interp-wall-vae"])
    walls = {kind: store.load_wall(config.dataset_dir(smoke_models) / kind / "wall.npz").codes
             for kind in ("ae", "vae")}
    for kind, codes in walls.items():
        expected = [data_to_pixel(page, f"interp-wall-{kind}", *codes[index]) for index in (0, 1)]
        np.testing.assert_allclose(path_ends(page, f"interp-wall-{kind}"), expected, atol=3)
        labels = page.locator(f".st-key-interp-wall-{kind}-area .latent-wall-path text").all_text_contents()
        assert labels == ["start", "end"]
    field = page.locator(".st-key-interp-index-b input")
    field.fill("5")
    field.press("Enter")
    page.wait_for_function("""(code) => {
        const svg = document.querySelector(".st-key-interp-wall-ae-area .latent-wall-path");
        return svg && Math.abs(JSON.parse(svg.dataset.lwPath)[1][0] - code) < 1e-4; }""",
                           arg=float(walls["ae"][5][0]), timeout=20_000)
    wait_idle(page)
    for kind, codes in walls.items():
        expected = [data_to_pixel(page, f"interp-wall-{kind}", *codes[index]) for index in (0, 5)]
        np.testing.assert_allclose(path_ends(page, f"interp-wall-{kind}"), expected, atol=3)


def test_a_20d_recipe_shows_its_filmstrip_and_its_path_on_the_projection(page, app_server, smoke_models):
    page.goto(f"{app_server.url}/interpolation")
    wait_for_wall(page, "interp-wall-ae")
    wait_idle(page)
    choose(page, "interp-recipe-en", f"{WIDE.name} ")
    page.locator(".st-key-interp-way-en").get_by_text(WORDS("interpolation.way_index")).click()
    wait_idle(page)
    set_number(page, "interp-index-a", 5)
    set_number(page, "interp-index-b", 9)
    page.get_by_text(re.compile(r"From test digit #5 \(a \d\) to #9")).wait_for(timeout=20_000)
    film = page.locator(".st-key-interp-filmstrip img").first
    film.wait_for(timeout=20_000)
    page.wait_for_function("(image) => image.complete && image.naturalWidth > 0", arg=film.element_handle())
    frames = latent.FILMSTRIP_STEPS
    assert film.evaluate("(image) => image.naturalWidth") == 28 * 2 * frames, "ten frames side by side"
    page.wait_for_selector(".st-key-interp-picture .nsewdrag", timeout=20_000)
    drawn = trace_points(page, "st-key-interp-picture")
    assert drawn["visible"] is True
    assert drawn["xTitle"] == WORDS("interpolation_any.axis", number=1)
    expected = oracle_path(smoke_models, 5, 9, np.linspace(0.0, 1.0, frames))
    np.testing.assert_allclose(np.c_[drawn["x"], drawn["y"]], expected, rtol=1e-4, atol=1e-3)
    note = page.locator(".st-key-interp-picture").get_by_text("A projection:")
    assert note.is_visible()
    assert f"{WIDE.latent_dim}-D codes" in note.text_content()
    decoded = page.get_by_text(re.compile(rf"^{re.escape(WIDE.name)}, w = 0\.50: reads \d"))
    assert decoded.count() == 1, "the slider's point, decoded on the server"
