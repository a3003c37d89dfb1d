"""The 20-D VAE page in a real browser: Debian's Chromium driven by Playwright against a real
`streamlit run serve.py` with the tiny models."""

from __future__ import annotations

import pytest

from bench.harness import wait_idle

pytestmark = pytest.mark.browser


def test_draw_again_draws_new_digits(page, app_server):
    page.goto(f"{app_server.url}/vae20")
    samples = page.locator('[data-lw="vae20-samples"] img')
    samples.wait_for(timeout=60_000)
    wait_idle(page)
    first, plain = samples.get_attribute("src"), page.locator('[data-lw="vae20-plain"] img').get_attribute("src")
    page.get_by_role("button", name="Draw again").click()
    page.get_by_text("draw 2 (seed").wait_for(timeout=40_000)
    wait_idle(page)
    assert samples.get_attribute("src") != first
    assert page.locator('[data-lw="vae20-plain"] img').get_attribute("src") != plain
