"""Your own digit in a real browser: draw with the pointer on the pad, upload good and bad files; every bad file
gets its own message while the drawing, its results and the rest of the page stay."""

from __future__ import annotations

import numpy as np
import pytest

from bench import harness
from bench.harness import PAD, UPLOAD_INPUT, draw, landings, wait_for_landing, wait_idle
from latentwall import i18n, inference
from lessons.your_digit import logic as drawing
from tests import bad_images
from tests.helpers import page_errors

pytestmark = pytest.mark.browser
STRINGS = i18n.load_strings("en")
# A seven, in pad pixels: the top bar left to right, then down and to the left.
SEVEN = [(70, 60), (210, 60), (120, 230)]


def refusal_words(kind: str) -> str:
    return STRINGS(f"digit.refused_{kind}", megabytes=drawing.MAX_FILE_BYTES / 1e6,
                   megapixels=drawing.MAX_PIXELS / 1e6, side=drawing.MIN_SIDE)


def open_pad(page, server) -> None:
    harness.open_pad(page, server.url)


def pad_is_blank(page) -> bool:
    return page.locator(PAD).evaluate(
        "canvas => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data"
        ".every(value => value === 255)")


def assert_no_error(page) -> None:
    assert not page_errors(page), page_errors(page)


def drawn_landing(page, kind: str) -> dict | None:
    """The landing the wall's listener drew over the chart: the code it was given, where the star's centre is and
    where that code lies on the chart's axes (both in plot pixels), and the words shown; None when none shows."""
    graph = page.locator(f".st-key-digit-wall-{kind}-area .js-plotly-plot").last
    return graph.evaluate("""graph => {
        const overlay = graph.querySelector(':scope > .latent-wall-landing');
        if (!overlay || overlay.style.display === 'none' || !overlay.dataset.lwLanding) {
            return null;
        }
        const code = JSON.parse(overlay.dataset.lwLanding);
        const box = overlay.querySelector('path').getBBox();
        const {xaxis, yaxis} = graph._fullLayout;
        return {code, star: [box.x + box.width / 2, box.y + box.height / 2],
                at: [xaxis.d2p(code[0]), yaxis.d2p(code[1])], size: [xaxis._length, yaxis._length],
                rings: [...overlay.querySelectorAll('polyline')].filter(line => line.getAttribute('display') !== 'none')
                    .map(line => line.getAttribute('points').split(' ').map(pair => pair.split(',').map(Number))),
                words: [...overlay.querySelectorAll('text')].filter(word => word.getAttribute('display') !== 'none')
                    .map(word => word.textContent)};
    }""")


def assert_star_at(shown: dict, code) -> None:
    """The star sits on the code (or, for a code beyond the view, at the view's edge, and says so)."""
    np.testing.assert_allclose(shown["code"], code, atol=1e-3)
    inside = all(0 <= shown["at"][axis] <= shown["size"][axis] for axis in (0, 1))
    expected = [min(max(shown["at"][axis], 8), shown["size"][axis] - 8) for axis in (0, 1)]
    np.testing.assert_allclose(shown["star"], expected, atol=3)
    assert STRINGS("digit.yours" if inside else "digit.outside") in shown["words"]


def test_a_drawn_digit_lands_on_both_walls_where_the_encoders_put_it(page, app_server, smoke_models):
    open_pad(page, app_server)
    assert page.get_by_text(STRINGS("digit.hint")).count() == 1
    draw(page, SEVEN)
    found = wait_for_landing(page)
    # The oracle: the canvas the browser drew, read and prepared here, encoded by the same models.
    sent = page.locator(PAD).evaluate("canvas => canvas.toDataURL('image/png')")
    digit = drawing.digit_from(drawing.read_drawing(sent))
    models = inference.load_models(smoke_models)
    for kind in ("ae", "vae"):
        code = models[kind].encoder.encode(digit.image[None])[0]
        np.testing.assert_allclose(found[kind], code, atol=1e-3)
        page.wait_for_function(f"""() => {{
            const overlay = document.querySelector('.st-key-digit-wall-{kind}-area .latent-wall-landing');
            return overlay !== null && overlay.dataset.lwLanding !== '';
        }}""", timeout=20_000)
        assert_star_at(drawn_landing(page, kind), code)
    # The VAE's rings at 1 and 2 sigma, each named; the AE has none.
    assert drawn_landing(page, "ae")["rings"] == []
    vae = drawn_landing(page, "vae")
    assert len(vae["rings"]) == 2
    one, two = (np.asarray(ring) for ring in vae["rings"])
    for ring in (one, two):  # Both round the mean, the 2-sigma ring twice the 1-sigma one's size.
        np.testing.assert_allclose((ring.min(axis=0) + ring.max(axis=0)) / 2, vae["at"], atol=1.5)
    np.testing.assert_allclose(np.ptp(two, axis=0), 2 * np.ptp(one, axis=0), atol=1.5)
    named = np.ptp(one, axis=0)[1] > 30, np.ptp(two, axis=0)[1] > 30  # A ring smaller than the star goes unnamed.
    assert [word in vae["words"] for word in ("1σ", "2σ")] == list(named)
    digits, confidences = models.reader.read(digit.image[None])
    page.get_by_text(STRINGS("decoded.reader", digit=int(digits[0]), confidence=float(confidences[0]))).wait_for()
    assert page.get_by_text(STRINGS("digit.anomaly_title")).count() == 1
    assert_no_error(page)
    # Clear: the pad is blank and the results go.
    page.locator('button[data-lw="draw-clear"]').click()
    page.get_by_text(STRINGS("digit.hint")).wait_for(timeout=20_000)
    assert pad_is_blank(page)
    assert not landings(page)
    wait_idle(page)
    assert drawn_landing(page, "ae") is None
    assert drawn_landing(page, "vae") is None


def test_a_good_upload_lands_and_the_drawing_comes_back_when_it_is_removed(page, app_server, tmp_path):
    files = bad_images.write_all(tmp_path)
    open_pad(page, app_server)
    draw(page, SEVEN)
    drawn = wait_for_landing(page)
    page.locator(UPLOAD_INPUT).set_input_files(str(files["seven-on-black.png"]))
    uploaded = wait_for_landing(page, before=drawn)
    page.get_by_text(STRINGS("digit.showing_upload")).wait_for()
    assert uploaded != drawn
    page.locator('[data-testid="stFileChipDeleteBtn"] button').click()
    assert wait_for_landing(page, before=uploaded) == drawn
    page.get_by_text(STRINGS("digit.showing_drawing")).wait_for()
    assert_no_error(page)


def test_every_bad_file_gets_its_message_and_the_drawing_stays(page, app_server, tmp_path):
    files = bad_images.write_all(tmp_path)
    open_pad(page, app_server)
    draw(page, SEVEN)
    drawn = wait_for_landing(page)
    message = page.locator(".st-key-digit-upload-message")
    for name, (_, kind) in bad_images.bad_files().items():
        page.locator(UPLOAD_INPUT).set_input_files(str(files[name]))
        page.locator('[data-testid="stFileChipName"]').filter(has_text=name).wait_for(timeout=20_000)
        message.get_by_text(refusal_words(kind), exact=True).wait_for(timeout=20_000)
        wait_idle(page)
        assert message.locator('[data-testid="stAlert"]').count() == 1, name
        assert_no_error(page)
        assert landings(page) == drawn, f"{name}: the drawing's results stay"
        assert not pad_is_blank(page), f"{name}: the drawing stays on the pad"
        page.get_by_text(STRINGS("digit.showing_drawing")).wait_for()
        # Remove the file, so the next one's message cannot be mistaken for this one's.
        page.locator('[data-testid="stFileChipDeleteBtn"] button').click()
        message.wait_for(state="detached", timeout=20_000)
        wait_idle(page)


def test_the_drawing_is_still_there_after_a_visit_to_another_page(page, app_server):
    open_pad(page, app_server)
    draw(page, SEVEN)
    drawn = wait_for_landing(page)
    page.get_by_role("link", name=STRINGS("wall.nav")).click()
    page.locator(PAD).wait_for(state="detached", timeout=20_000)
    wait_idle(page)
    page.get_by_role("link", name=STRINGS("digit.nav")).click()
    page.locator(PAD).wait_for(timeout=20_000)
    # The page kept the drawing: the same landing, and the pad paints it again.
    assert wait_for_landing(page) == drawn
    for _ in range(100):
        if page.locator(PAD).evaluate("canvas => canvas.dataset.drawn") == "true":
            break
        page.wait_for_timeout(100)
    assert not pad_is_blank(page)
    page.get_by_text(STRINGS("digit.showing_drawing")).wait_for()
    assert_no_error(page)
