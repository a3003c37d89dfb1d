"""Interpolation: whatever changes the digit pair (class, "Draw another pair", index, a click on a wall), the page
keeps one slider, one Play and one pair of decodes, and the decodes' captions name the current pair."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bench.harness import axes_of, data_to_pixel, wait_idle
from latentwall import i18n
from tests.test_browser import open_page, wall_of
from tests.test_browser_recipes import choose, set_number

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
