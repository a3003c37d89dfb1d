"""Languages headless through AppTest: two sessions in two languages at once, and the sidebar's language
switch."""

from __future__ import annotations

from latentwall import i18n
from tests.helpers import assert_clean


def test_two_sessions_read_two_languages_at_once(app):
    chinese = app(query={"lang": "zh-Hant"})
    english = app(query={"lang": "en"})
    chinese.run()
    assert chinese.title[0].value == i18n.load_strings("zh-Hant")("home.title")
    assert english.title[0].value == i18n.load_strings("en")("home.title")
    assert_clean(chinese)
    assert chinese.sidebar.selectbox(key="language-switch").value == "zh-Hant"


def test_the_language_switch_changes_the_words_and_the_address(app):
    test = app()
    test.sidebar.selectbox(key="language-switch").set_value("zh-Hans").run()
    assert_clean(test)
    assert test.title[0].value == i18n.load_strings("zh-Hans")("home.title")
    assert test.query_params["lang"] == ["zh-Hans"] or test.query_params["lang"] == "zh-Hans"
