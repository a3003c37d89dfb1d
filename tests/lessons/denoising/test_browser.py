"""The denoising page in a real browser: Debian's Chromium driven by Playwright against a real
`streamlit run serve.py` with the tiny models."""

from __future__ import annotations

import pytest

from bench.harness import wait_idle

pytestmark = pytest.mark.browser
DENOISED = '[data-lw="denoised"]'
NOISY_ROW = '[data-lw="row"][data-lw-role="input"]'


def noisy_row(page) -> tuple[str, str, str]:
    """The first noisy picture, the row's PSNR hooks and the PSNR words under its pictures, as shown."""
    row = page.locator(NOISY_ROW)
    return (row.locator("img").first.get_attribute("src"), row.get_attribute("data-lw-psnr"),
            " ".join(row.locator("figcaption").all_text_contents()))


def step_slider_to(page, thumb, target: float) -> None:
    """Move the slider by keyboard one step at a time until it shows target: a key pressed while the page redraws
    the slider would be lost."""
    for _ in range(40):
        value = float(thumb.input_value())
        if abs(value - target) < 1e-6:
            return
        thumb.focus()
        page.keyboard.press("ArrowRight" if value < target else "ArrowLeft")
        page.wait_for_timeout(100)
    raise AssertionError(f"the slider stayed at {thumb.input_value()}, not {target}")


def test_moving_the_noise_control_redraws_the_noisy_digits_and_their_psnr(page, app_server):
    page.goto(f"{app_server.url}/denoising")
    page.locator(f'{DENOISED}[data-lw-level="0.50"]').wait_for(timeout=60_000)
    wait_idle(page)
    image, hooks, words = noisy_row(page)
    assert words.count(" dB") == 6
    thumb = page.locator(".st-key-denoise-level input[type=range]")
    step_slider_to(page, thumb, 0.70)
    page.locator(f'{DENOISED}[data-lw-level="0.70"]').wait_for(timeout=40_000)
    wait_idle(page)
    new_image, new_hooks, new_words = noisy_row(page)
    assert new_image != image, "the noisy picture changed"
    assert new_words != words, "the PSNR under the pictures changed"
    assert new_words.count(" dB") == 6, "the PSNR under the pictures changed"
    assert sum(map(float, new_hooks.split())) < sum(map(float, hooks.split())), "more noise, lower PSNR"
    page.get_by_text("Gaussian (mean 0)").click()
    page.locator(f'{DENOISED}[data-lw-kind="gaussian"]').wait_for(timeout=40_000)
    wait_idle(page)
    step_slider_to(page, thumb, 0.0)
    page.locator(f'{DENOISED}[data-lw-kind="gaussian"][data-lw-level="0.00"]').wait_for(timeout=40_000)
    wait_idle(page)
    assert noisy_row(page)[2].split() == ["identical"] * 6
