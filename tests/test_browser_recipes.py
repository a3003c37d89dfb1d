"""Any recipe on the interpolation page and the Models page's curves, in Debian's Chromium against a live server.

The path drawn on a wide recipe's projection is read back from the chart in the page and compared with the
oracle of test_app_recipes.py (the recipe's encoder, the straight line, its stored projection).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from bench.harness import wait_for_wall, wait_idle
from latentwall import i18n, latent
from tests.test_app_recipes import VARIATIONAL, WIDE, oracle_path

pytestmark = pytest.mark.browser
WORDS = i18n.load_strings("en")


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
    assert drawn["visible"] is True and drawn["xTitle"] == WORDS("interpolation_any.axis", number=1)
    expected = oracle_path(smoke_models, 5, 9, np.linspace(0.0, 1.0, frames))
    np.testing.assert_allclose(np.c_[drawn["x"], drawn["y"]], expected, rtol=1e-4, atol=1e-3)
    note = page.locator(".st-key-interp-picture").get_by_text("A projection:")
    assert note.is_visible() and f"{WIDE.latent_dim}-D codes" in note.text_content()
    decoded = page.get_by_text(re.compile(rf"^{re.escape(WIDE.name)}, w = 0\.50: reads \d"))
    assert decoded.count() == 1, "the slider's point, decoded on the server"


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
    assert WORDS("models_page.curve_loss") in names and WORDS("models_page.curve_val_loss") in names, names
    for key in ("loss", "val_loss", "kl_loss"):
        assert legend.get_by_text(WORDS(f"models_page.curve_{key}"), exact=True).is_visible()
