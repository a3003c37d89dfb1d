"""The wall widget every page shares, in a real browser (Debian's Chromium driven by Playwright against a real
`streamlit run serve.py`): quick clicks, listeners that do not pile up, a server restart, zoom and reset, the
preview under a sweeping pointer, and the page's own decoder against Keras.

Clicks are placed by mapping data coordinates to pixels through the chart's plot area and its fixed axis
ranges; each test leaves a full-page screenshot in tests/screenshots/.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from bench.harness import axes_of, click_and_wait, data_to_pixel, reported_coordinate, wait_for_wall, wait_idle
from latentwall import browser, config, latent, store
from latentwall.keras import io as keras_io
from tests.browser_helpers import (
    PROJECTOR,
    TOLERANCE,
    close_enough,
    decoded_image,
    emptiest_spot,
    open_page,
    open_wall,
    preview_of,
    wait_decoder_ready,
)
from tests.helpers import MNIST_FILE, SCREENSHOTS, wall_of

pytestmark = pytest.mark.browser
DECODER_JS = config.PROJECT_ROOT / "assets" / "wall_decoder.js"


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


def test_a_pointer_sweep_repaints_the_preview_at_each_step_where_the_pointer_is(browser, committed_server):
    """Twelve steps across each wall: each paints a new picture, at the coordinate under the pointer."""
    page = browser.new_page(viewport=PROJECTOR)
    try:
        for kind in ("ae", "vae"):
            key = f"wall-pick-{kind}"
            open_wall(page, f"{committed_server.url}/wall?model={kind}", [key])
            wait_decoder_ready(page)
            x_min, x_max, y_min, y_max = axes_of(page, key)
            seen = []
            for step in range(12):
                x = x_min + (0.15 + 0.06 * step) * (x_max - x_min)
                y = y_min + (0.3 + 0.03 * step) * (y_max - y_min)
                page.mouse.move(*data_to_pixel(page, key, x, y))
                shown = preview_of(page, key)
                assert shown["lwModel"] == kind
                assert shown["lwDecoded"] == "true"
                assert float(shown["lwX"]) == pytest.approx(x, abs=0.005 * (x_max - x_min))
                assert float(shown["lwY"]) == pytest.approx(y, abs=0.005 * (y_max - y_min))
                seen.append(shown["pixels"])
            assert len(set(seen)) == len(seen), "every step painted a new picture"
            # Nothing reached the server: the sweep left the decoded panel as it was (no click yet).
            assert page.locator(f'.st-key-{key}-decoded [data-lw="verdict"]').count() == 0
    finally:
        page.close()


def _keras_images(decoder_file, codes: np.ndarray) -> np.ndarray:
    decoder = keras_io.load_keras_model(decoder_file)
    return np.asarray(decoder(codes, training=False)).reshape(len(codes), -1)


CODES = np.array([[0.0, 0.0], [0.7, -1.3], [2.5, 2.5], [-3.0, 1.0], [35.0, -8.0], [-12.0, -30.0]], "float32")


def test_the_served_decoder_matches_keras_within_1e4(page, app_server, smoke_models):
    """The page fetches its decoder from the server (here: freshly trained tiny models) and paints what Keras
    paints."""
    page.goto(f"{app_server.url}/compare")
    wait_for_wall(page, "compare-pick-vae")
    wait_decoder_ready(page)
    for kind in ("ae", "vae"):
        url = page.evaluate(f"""() => [...window.latentWallDecoders.keys()].find(
            url => url.includes('/{kind}/'))""")
        mine = np.array(page.evaluate("""async ([url, codes]) => {
            const decoder = await window.latentWallDecoders.get(url);
            return codes.map(code => Array.from(decoder.decode(code))); }""", [url, CODES.tolist()]))
        expected = _keras_images(config.dataset_dir(smoke_models) / kind / "decoder.keras", CODES)
        assert np.max(np.abs(mine - expected)) <= 1e-4, kind


def test_the_committed_weights_in_the_browser_match_the_committed_keras_decoders(page):
    """The browser decoder on the weights the server cuts from models/'s .keras decoders paints what those
    decoders paint in Keras."""
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=DECODER_JS.read_text(encoding="utf-8"))
    for kind in ("ae", "vae"):
        keras_file = config.dataset_dir() / kind / "decoder.keras"
        spec = store.read_json(keras_file.with_name("decoder.weights.json"))
        weights = browser.decoder_weights(keras_file.read_bytes(), spec)
        mine = np.array(page.evaluate("""([spec, encoded, codes]) => {
            const bytes = Uint8Array.from(atob(encoded), c => c.charCodeAt(0));
            const decoder = buildDecoder(spec, new Float32Array(bytes.buffer));
            return codes.map(code => Array.from(decoder.decode(code))); }""",
                                      [spec, base64.b64encode(weights).decode(), CODES.tolist()]))
        expected = _keras_images(keras_file, CODES)
        assert np.max(np.abs(mine - expected)) <= 1e-4, kind
