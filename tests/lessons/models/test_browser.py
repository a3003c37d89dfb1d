"""The Models page's curves in Debian's Chromium against a live server: a VAE's loss, validation loss and KL
panel."""

from __future__ import annotations

import pytest

from bench.harness import wait_idle
from latentwall import i18n
from tests.browser_helpers import choose
from tests.helpers import VARIATIONAL

pytestmark = pytest.mark.browser
WORDS = i18n.load_strings("en")


def test_the_models_page_draws_a_vaes_loss_and_validation_loss(page, app_server):
    page.goto(f"{app_server.url}/models")
    page.locator("[data-testid=stDataFrame]").wait_for(timeout=30_000)
    wait_idle(page)
    choose(page, "models-choice-en", f"{VARIATIONAL.name} ")
    # The chart of the recipe shown before may still be there: wait for the VAE's own KL panel in the legend.
    legend = page.locator(".st-key-models-curves .legend")
    legend.get_by_text(WORDS("models_page.curve_kl_loss"), exact=True).wait_for(timeout=20_000)
    names = page.evaluate("""() => {
        const graph = document.querySelector('.st-key-models-curves .js-plotly-plot');
        return graph._fullData.filter((trace) => trace.visible === true && trace.y.length > 0)
            .map((trace) => trace.name);
    }""")
    assert WORDS("models_page.curve_loss") in names, names
    assert WORDS("models_page.curve_val_loss") in names, names
    for key in ("loss", "val_loss", "kl_loss"):
        assert legend.get_by_text(WORDS(f"models_page.curve_{key}"), exact=True).is_visible()
