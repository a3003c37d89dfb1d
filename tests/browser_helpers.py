"""What the browser tests share: opening a page and waiting for its walls, reading what it shows, picking spots
on a wall and setting its controls (Debian's Chromium driven by Playwright, bench.harness underneath)."""

from __future__ import annotations

import re

import numpy as np

from bench.harness import show_everything, wait_for_wall, wait_idle
from latentwall import latent
from tests.helpers import wall_of

# One pixel of the wall is about 1/400 of its span; a click must come back within a few pixels.
TOLERANCE = 0.015
PROJECTOR = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


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


def assert_walls_are_marked(page) -> None:
    """The stable hooks outside checks use: each wall's chart sits inside data-lw-wall="<model>"."""
    for kind in ("ae", "vae"):
        page.locator(f'[data-lw-wall="{kind}"] .js-plotly-plot').first.wait_for(state="attached", timeout=10_000)


def open_wall(page, url: str, keys: list[str]) -> None:
    page.goto(url)
    for key in keys:
        wait_for_wall(page, key)
    wait_idle(page)
    page.wait_for_function("() => [...document.querySelectorAll('[data-lw-wall]')].length > 0")
    page.wait_for_timeout(400)


def wait_decoder_ready(page) -> None:
    page.wait_for_function("""async () => {
        const loading = [...(window.latentWallDecoders || new Map()).values()];
        if (!loading.length) return false;
        await Promise.all(loading);
        return true; }""", timeout=20_000)


def preview_of(page, key: str) -> dict:
    return page.locator(f'.st-key-{key}-area [data-lw="preview"]').evaluate(
        "box => ({...box.dataset, text: box.textContent, pixels: box.querySelector('canvas').toDataURL()})")


def in_view(box: dict | None, viewport: dict) -> bool:
    return bool(box) and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1 \
        and box["x"] + box["width"] <= viewport["width"] + 1


def choose(page, key: str, option: str) -> None:
    """Pick an option of the select box under key by its shown label (its start)."""
    field = page.locator(f".st-key-{key} [role=combobox]")
    field.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # A click while the page still scrolls does not open the list.
    field.click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}")).click()
    wait_idle(page)


def set_number(page, key: str, value: int) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    wait_idle(page)


def trace_points(page, scope: str) -> dict:
    """The last trace of the chart under scope as the page drew it, with the chart's axis titles."""
    return page.evaluate("""(scope) => {
        const graph = document.querySelector(`.${scope} .js-plotly-plot`);
        const trace = graph._fullData[graph._fullData.length - 1];
        return {x: Array.from(trace.x), y: Array.from(trace.y), visible: trace.visible,
                xTitle: graph._fullLayout.xaxis.title.text};
    }""", scope)
