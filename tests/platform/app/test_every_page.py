"""Every lesson page of LESSONS in every language, headless (AppTest), on models with every report: each opens
with no error (none shown, none swallowed by the reset guard), under its own title in that language, with no word
of another language's title set, with its charts or pictures. The wall, interpolation and compare pages send their
digits as PNG."""

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
    if lesson.name == "your_digit":  # Before a drawing: the pad and the upload.
        assert test.get("file_uploader"), "the upload"
        return
    pictures = [element for kind in ("plotly_chart", "imgs") for element in test.get(kind)]
    assert pictures or any("<img" in element.proto.body for element in test.get("html")), "its pictures"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_errors(app, page):
    test = app(page)
    assert_clean(test)
    assert (len(test.sidebar.radio) == 1) == (page == "lessons/wall/page.py"), "the model switch where it is used"
    assert test.title[0].value
    assert test.get("plotly_chart"), "every page shows at least one wall"


@pytest.mark.parametrize(("page", "action"), [
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
