"""Your own digit in a real browser: draw with the pointer on the pad, upload good and bad files; every bad file
gets its own message while the drawing, its results and the rest of the page stay."""

from __future__ import annotations

import numpy as np
import pytest

from latentwall import drawing, i18n, inference
from tests import bad_images
from training import benchmark_digit
from training.benchmark_app import wait_idle
from training.benchmark_digit import PAD, UPLOAD_INPUT, draw, landings, wait_for_landing

pytestmark = pytest.mark.browser
STRINGS = i18n.load_strings("en")
# A seven, in pad pixels: the top bar left to right, then down and to the left.
SEVEN = [(70, 60), (210, 60), (120, 230)]


def refusal_words(kind: str) -> str:
    return STRINGS(f"digit.refused_{kind}", megabytes=drawing.MAX_FILE_BYTES / 1e6,
                   megapixels=drawing.MAX_PIXELS / 1e6, side=drawing.MIN_SIDE)


def open_pad(page, server) -> None:
    benchmark_digit.open_pad(page, server.url)


def pad_is_blank(page) -> bool:
    return page.locator(PAD).evaluate(
        "canvas => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data"
        ".every(value => value === 255)")


def assert_no_error(page) -> None:
    assert "Traceback" not in page.content()
    assert page.locator('[data-testid="stException"]').count() == 0


def stars_on(page, kind: str) -> int:
    """Star markers Plotly drew on a wall (the test digits are WebGL; the landing is SVG)."""
    return page.locator(f".st-key-digit-wall-{kind} .scatterlayer path.point").count()


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
        np.testing.assert_allclose(found[kind], models[kind].encoder.encode(digit.image[None])[0], atol=1e-3)
        page.locator(f".st-key-digit-wall-{kind} .scatterlayer path.point").first.wait_for(timeout=20_000)
        assert stars_on(page, kind) == 1
    assert page.locator(".st-key-digit-wall-vae .legendtext").filter(has_text="2σ").count() == 1
    digits, confidences = models.reader.read(digit.image[None])
    page.get_by_text(STRINGS("decoded.reader", digit=int(digits[0]), confidence=float(confidences[0]))).wait_for()
    assert page.get_by_text(STRINGS("digit.anomaly_title")).count() == 1
    assert_no_error(page)
    # Clear: the pad is blank and the results go.
    page.locator('button[data-lw="draw-clear"]').click()
    page.get_by_text(STRINGS("digit.hint")).wait_for(timeout=20_000)
    assert pad_is_blank(page) and not landings(page)


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
