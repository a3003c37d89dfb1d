"""Every lesson page of LESSONS in every language, headless (AppTest), on models with every report: each opens
with no error (none shown, none swallowed by the reset guard), under its own title in that language, with no word
of another language's title set. The wall, interpolation and compare pages also show their charts, in simplified
Chinese too, and send their digits as PNG."""

from __future__ import annotations

import pytest

from latentwall import i18n
from lessons import LESSONS
from tests.helpers import assert_clean

PAGES = ["lessons/wall/page.py", "lessons/interpolation/page.py", "lessons/compare/page.py"]


def title_of(lesson, language: str) -> str:
    """The page's title: the title of its table in the strings file (its navigation name's table)."""
    return i18n.load_strings(language)(f"{lesson.title.split('.')[0]}.title")


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.name for lesson in LESSONS])
def test_every_page_opens_in_every_language(app, evaluated_models, use_models, lesson, language):
    use_models(evaluated_models)
    test = app(str(lesson.page.relative_to(lesson.page.parents[2])), query={"lang": language})
    assert_clean(test)
    shown = [element.value for element in test.title]
    assert title_of(lesson, language) in shown, (shown, lesson.name)
    others = {title_of(lesson, other) for other in i18n.LANGUAGES} - {title_of(lesson, language)}
    assert not others & set(shown)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_errors(app, page):
    test = app(page)
    assert_clean(test)
    assert (len(test.sidebar.radio) == 1) == (page == "lessons/wall/page.py"), "the model switch where it is used"
    assert test.title[0].value
    assert test.get("plotly_chart"), "every page shows at least one wall"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_simplified_chinese(app, page):
    test = app(page, query={"lang": "zh-Hans"})
    assert_clean(test)
    assert test.title[0].value in {i18n.load_strings("zh-Hans")(f"{name}.title") for name in
                                   ("wall", "interpolation", "compare")}


# The lessons' pages, each with the strings key of its title.
LESSON_PAGES = {"lessons/compression/page.py": "compression", "lessons/models/page.py": "models_page",
                "lessons/denoising/page.py": "denoising", "lessons/vae20/page.py": "vae20",
                "lessons/anomaly/page.py": "anomaly", "lessons/your_digit/page.py": "digit"}


@pytest.mark.parametrize("language", ["en", "zh-Hans", "zh-Hant"])
@pytest.mark.parametrize("page", list(LESSON_PAGES))
def test_every_lesson_page_renders_in_each_language(app, evaluated_models, use_models, page, language):
    """Each lesson's page runs clean on the tiny models and their reports, titled in the language asked for,
    with its charts or pictures."""
    use_models(evaluated_models)
    test = app(page, query={"lang": language})
    assert_clean(test)
    assert test.title[0].value == i18n.load_strings(language)(f"{LESSON_PAGES[page]}.title")
    if page == "lessons/your_digit/page.py":  # Before a drawing: the pad and the upload.
        assert test.get("file_uploader"), "the upload"
        return
    pictures = [element for kind in ("plotly_chart", "imgs") for element in test.get(kind)]
    assert pictures or any("<img" in element.proto.body for element in test.get("html")), "its pictures"


@pytest.mark.parametrize("page, action", [
    ("lessons/wall/page.py", lambda test: test.button(key="paint-button").click().run()),
    ("lessons/interpolation/page.py", lambda test: test),
    ("lessons/compare/page.py", lambda test: test),
])
def test_digit_pictures_are_sent_as_png(app, page, action):
    """Grey digits are sent losslessly: as JPEG (st.image's choice for a picture without alpha) their strokes
    would blur and ring, on the very pictures the lessons ask students to look at closely."""
    test = app(page)
    action(test)
    assert_clean(test)
    urls = [image.url for element in test.get("image") for image in element.proto.imgs]
    assert urls, "the page shows pictures"
    assert all(url.endswith(".png") for url in urls), urls
