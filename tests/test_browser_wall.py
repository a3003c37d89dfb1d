"""The wall under the hand, in a real browser: the page's own decoder, the opening view, the twin walls, the
interpolation's weight mark and play button, and the layouts for a projector (1366x768) and a phone (390x844).

These run against the committed models (the claims are about them), except where noted; screenshots of the
three layouts land in tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from bench.harness import (
    AppServer,
    axes_of,
    data_to_pixel,
    reported_coordinate,
    wait_for_wall,
    wait_idle,
)
from latentwall import browser, config, inference, latent, store
from latentwall.keras import io as keras_io
from tests.conftest import SCREENSHOTS
from tests.helpers import MNIST_FILE

pytestmark = pytest.mark.browser
DECODER_JS = config.PROJECT_ROOT / "assets" / "wall_decoder.js"
PROJECTOR = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def committed_server(chromium_path):
    """The app on the committed models."""
    with AppServer(config.MODELS_ROOT, str(MNIST_FILE)) as server:
        server.wait_healthy(timeout=90)
        yield server


@pytest.fixture
def viewport_page(browser, request):
    """A page factory for a given viewport (a phone gets touch); screenshots when the test ends."""
    contexts = []

    def make(viewport: dict, phone: bool = False):
        context = browser.new_context(viewport=viewport, has_touch=phone, is_mobile=phone,
                                      device_scale_factor=2 if phone else 1)
        contexts.append(context)
        return context.new_page()

    yield make
    SCREENSHOTS.mkdir(exist_ok=True)
    for number, context in enumerate(contexts):
        for tab in context.pages:
            tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{number}.png"))
        context.close()


def committed_wall(kind: str) -> store.Wall:
    return store.load_wall(store.wall_path(config.dataset_dir(), kind))


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


def preview_picture(page, key: str) -> np.ndarray:
    """The preview's 28x28 picture as the page painted it, in [0, 1]."""
    values = page.locator(f'.st-key-{key}-area [data-lw="preview"] canvas').evaluate(
        "canvas => Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))")
    return np.asarray(values, "float32").reshape(28, 28) / 255.0


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
                assert shown["lwModel"] == kind and shown["lwDecoded"] == "true"
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
            assert x_min < median[0] < x_max and y_min < median[1] < y_max, digit
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


def in_view(box: dict | None, viewport: dict) -> bool:
    return bool(box) and box["y"] >= 0 and box["x"] >= 0 and box["y"] + box["height"] <= viewport["height"] + 1 \
        and box["x"] + box["width"] <= viewport["width"] + 1


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
        codes = store.load_wall(store.wall_path(config.dataset_dir(smoke_models), kind)).codes
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
    assert weights[0] < 0.3 and weights[-1] == 1.0 and weights == sorted(weights), weights
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
    walls = {kind: store.load_wall(store.wall_path(config.dataset_dir(smoke_models), kind)).codes
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


def test_pointing_at_a_digit_on_one_twin_wall_shows_both_models_decodes(page, app_server, smoke_models):
    """On the AE vs VAE page the twin wall's preview decodes the same test digit at its own code."""
    open_wall(page, f"{app_server.url}/compare", ["compare-pick-ae", "compare-pick-vae"])
    wait_decoder_ready(page)
    ae, vae = (store.load_wall(store.wall_path(config.dataset_dir(smoke_models), kind)) for kind in ("ae", "vae"))
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
