"""Every lesson page of LESSONS in every language, headless (AppTest), on models with every report: each opens
with no error (none shown, none swallowed by the reset guard), under its own title in that language, with no word
of another language's title set."""

from __future__ import annotations

import pytest

from latentwall import i18n
from lessons import LESSONS
from tests.helpers import assert_clean


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
