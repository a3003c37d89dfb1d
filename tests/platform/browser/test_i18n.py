"""Languages, shared links and lost addresses in a real browser (Debian's Chromium, a CJK font installed
so the screenshots in tests/screenshots/ show the characters)."""

from __future__ import annotations

import re

import pytest

from bench.harness import VIEWPORT, axes_of, click_and_wait, wait_for_wall, wait_idle
from latentwall import config, i18n, latent, store
from tests.helpers import SCREENSHOTS

pytestmark = pytest.mark.browser
PAGES = {"": [], "wall": ["wall-pick-ae"], "interpolation": ["interp-wall-ae", "interp-wall-vae"],
         "compare": ["compare-pick-ae", "compare-pick-vae"]}
# Words that stay as they are in every language: names, abbreviations, and what the sidebar's language
# switch calls each language.
KEPT = {"N.Coder", "D.Coder", "AE", "VAE", "MNIST", "PNG", "Latent", "Wall", "Yann", "LeCun", "Corinna", "Cortes",
        "CC", "BY-SA", "MSE", "JPEG", "PCA", "PSNR", "AUC", "ROC", "Fashion-MNIST", "Fashion", "ELU", "ReLU",
        "English", "简体中文", "繁體中文"}
# The visible text of the page, without Material icon names (they are drawn from a font's ligatures).
# The text a reader sees (innerText of the live page, which skips what CSS hides), without Material icon
# names (drawn from a font's ligatures), commands shown as code, and Streamlit's own skip-to-content link.
VISIBLE_TEXT = """() => {
  const hide = document.createElement("style");
  hide.textContent = '[data-testid*="Icon"], [data-testid="stSkipToContent"], pre, code { display: none !important; }';
  document.head.appendChild(hide);
  const shown = document.body.innerText;
  hide.remove();
  return shown;
}"""


def open_view(page, base_url: str, path: str, walls: list[str]) -> None:
    page.goto(f"{base_url}/{path}")
    for key in walls:
        wait_for_wall(page, key)
    wait_idle(page)
    page.wait_for_timeout(500)


def foreign_words(visible: str, language: str) -> list[str]:
    """Words on the page that belong to another language than the one chosen."""
    visible = visible.replace("N.Coder", " ").replace("D.Coder", " ")
    words = [word for word in re.split(r"[\s,.;:!?()（）、，。：；「」“”\"'·/|=+−\-–×%#]+", visible) if word]
    if language == "en":
        return [word for word in words if re.search(r"[\u3000-\u9fff]", word) and word not in KEPT]
    return [word for word in words if re.fullmatch(r"[A-Za-z]{3,}", word) and word not in KEPT]


@pytest.mark.parametrize("path", list(PAGES), ids=["home", *list(PAGES)[1:]])
@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_page_reads_in_one_language(browser, app_server, language, path, request):
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = context.new_page()
    try:
        separator = "&" if "?" in path else "?"
        open_view(page, app_server.url, f"{path}{separator}lang={language}", PAGES[path])
        visible = page.evaluate(VISIBLE_TEXT)
        page.screenshot(path=str(SCREENSHOTS / f"language-{language}-{path or 'home'}.png"), full_page=True)
        assert i18n.load_strings(language)("app.title").split(" ")[0] in page.title() or page.title()
        foreign = foreign_words(visible, language)
        assert not foreign, f"{language} /{path}: words of another language: {sorted(set(foreign))[:20]}"
        assert "?lang=" in page.url or "&lang=" in page.url
    finally:
        context.close()


def test_a_chinese_browser_reads_chinese_without_touching_anything(browser, app_server):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-TW")
    page = context.new_page()
    try:
        open_view(page, app_server.url, "", [])
        assert i18n.load_strings("zh-Hant")("home.story_title") in page.evaluate(VISIBLE_TEXT)
        assert "lang=zh-Hant" in page.url
    finally:
        context.close()


def test_a_shared_link_brings_the_same_view_back(browser, app_server, smoke_models):
    """Choose the VAE, Simplified Chinese and a spot on the wall; open the address in a fresh browser."""
    wall = store.load_wall(store.wall_path(config.dataset_dir(smoke_models), "vae"))
    box = latent.wall_box(wall)
    first = browser.new_context(viewport=VIEWPORT, locale="en-US")
    page = first.new_page()
    try:
        open_view(page, app_server.url, "wall?lang=zh-Hans", ["wall-pick-ae"])
        page.locator("[data-testid=stSidebar]").get_by_text(i18n.load_strings("zh-Hans")("models.vae")).click()
        wait_for_wall(page, "wall-pick-vae")
        wait_idle(page)
        page.wait_for_timeout(500)
        view = axes_of(page, "wall-pick-vae")
        spot = (view[0] + 0.3 * (view[1] - view[0]), view[2] + 0.7 * (view[3] - view[2]))
        _, shown = click_and_wait(page, "wall-pick-vae", *spot)
        page.wait_for_timeout(500)
        link = page.url
    finally:
        first.close()
    assert "model=vae" in link
    assert "lang=zh-Hans" in link
    assert "x=" in link
    second = browser.new_context(viewport=VIEWPORT, locale="en-US")
    again = second.new_page()
    try:
        open_view(again, app_server.url, link.split("/", 3)[3], ["wall-pick-vae"])
        verdict = again.locator('[data-lw="verdict"]')
        verdict.wait_for(timeout=15_000)
        assert verdict.get_attribute("data-lw-model") == "vae"
        reopened = float(verdict.get_attribute("data-lw-x")), float(verdict.get_attribute("data-lw-y"))
        assert reopened == pytest.approx(shown, abs=1e-4 * (box[1] - box[0]))
        assert i18n.load_strings("zh-Hans")("wall.title") in again.evaluate(VISIBLE_TEXT)
        again.screenshot(path=str(SCREENSHOTS / "link-reopened.png"))
    finally:
        second.close()


@pytest.mark.parametrize("path", ["nope", "wall/extra", "pages/wall", "lessons/wall/page.py", "a/b/c/d"])
def test_a_lost_address_shows_a_note_and_the_home_page(page, app_server, path):
    open_view(page, app_server.url, f"{path}?lang=en", [])
    visible = page.evaluate(VISIBLE_TEXT)
    assert "There is no page at" in visible, visible[:300]
    assert i18n.load_strings("en")("home.story_title") in visible
