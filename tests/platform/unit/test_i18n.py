"""Words in three languages: every key the code uses exists in every file (found by parsing the code), no
file has keys nothing uses, placeholders agree; choosing a language; reading a view from an address."""

from __future__ import annotations

import ast
import re
import string

import pytest

from latentwall import config, i18n, inputs
from lessons import LESSONS

CODE = [config.PROJECT_ROOT / "app.py", *sorted((config.PROJECT_ROOT / "lessons").rglob("*.py")),
        *sorted((config.PROJECT_ROOT / "webapp").rglob("*.py"))]


def _keys_of(node: ast.AST) -> list[str]:
    """The key (a literal) or key pattern (a regex, from an f-string) of a text(...) call's first argument."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [re.escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        return ["".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[^.]+"
                        for part in node.values)]
    if isinstance(node, ast.IfExp):
        return _keys_of(node.body) + _keys_of(node.orelse)
    if isinstance(node, ast.Attribute) and node.attr in {"title", "link"}:
        return []  # A lesson's own keys, read from LESSONS in used_key_patterns.
    raise AssertionError(f"a text() key the test cannot read: {ast.unparse(node)}")


def used_key_patterns() -> set[str]:
    """Every key the app's code asks for: literal keys and f-string patterns, from text(...) and strings(...)."""
    patterns = set()
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else \
                node.func.attr if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and ast.unparse(node.func.value) == "ctx" else None
            if name in {"text", "strings"} and node.args:
                patterns.update(_keys_of(node.args[0]))
    # The lessons' names in the navigation and their links on the home page come from their records.
    patterns.update(re.escape(key) for lesson in LESSONS for key in (lesson.title, lesson.link))
    return patterns


def test_the_scan_finds_literal_multiline_and_fstring_keys():
    patterns = used_key_patterns()
    assert re.escape("wall.title") in patterns
    assert any(re.fullmatch(pattern, "defects.test_mse.label") for pattern in patterns), "f-string keys"
    assert any(re.fullmatch(pattern, "wall.verdict_no") for pattern in patterns), "both sides of an if"
    assert any(re.fullmatch(pattern, "interpolation.filmstrip_caption") for pattern in patterns), "multi-line calls"


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_key_the_code_uses_exists_and_every_key_is_used(language):
    keys = i18n.load_strings(language).keys()
    patterns = used_key_patterns()
    unmatched = sorted(pattern for pattern in patterns if not any(re.fullmatch(pattern, key) for key in keys))
    assert not unmatched, f"keys the code asks for that {language}.toml lacks: {unmatched}"
    unused = sorted(key for key in keys if not any(re.fullmatch(pattern, key) for pattern in patterns))
    assert not unused, f"keys in {language}.toml that no code uses: {unused}"


def placeholders(template: str) -> set[tuple[str, str]]:
    return {(name, spec) for _, name, spec, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_translations_have_the_same_keys_and_placeholders(language):
    english, other = i18n.load_strings("en"), i18n.load_strings(language)
    assert other.keys() == english.keys()
    for key in english.keys():  # noqa: SIM118 (Strings is no dict: it has keys() but cannot be iterated)
        assert placeholders(other(key)) == placeholders(english(key)), key


@pytest.mark.parametrize("language", ["zh-Hans", "zh-Hant"])
def test_the_chinese_story_keeps_both_names_and_is_chinese(language):
    story = i18n.load_strings(language)("home.story")
    assert "N.Coder" in story
    assert "D.Coder" in story
    assert sum("\u4e00" <= character <= "\u9fff" for character in story) > 100


def test_simplified_and_traditional_differ_where_they_should():
    assert "编码器" in i18n.load_strings("zh-Hans")("models.ae")
    assert "編碼器" in i18n.load_strings("zh-Hant")("models.ae")


@pytest.mark.parametrize(("tag", "expected"), [
    ("en", "en"), ("en-GB", "en"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh_SG", "zh-Hans"),
    ("zh-Hans", "zh-Hans"), ("zh-TW", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-Hant-TW", "zh-Hant"),
    ("fr", None), ("", None), (None, None), (42, None), ("zh-TW; DROP", None), ("x" * 200, None),
    ("../en", None)])
def test_a_language_tag_is_matched_or_refused(tag, expected):
    assert i18n.match(tag) == expected


@pytest.mark.parametrize(("header", "expected"), [
    ("fr-FR,zh-TW;q=0.8,en;q=0.5", "zh-Hant"), ("de,en;q=0.9,zh-CN;q=0.95", "zh-Hans"),
    ("zh-CN;q=0,en", "en"), ("garbage;;;q=x", "en"), (None, "en"), ("*", "en")])
def test_the_browser_header_is_read_in_order_of_preference(header, expected):
    assert i18n.negotiate(None, header=header) == expected


def test_the_first_usable_candidate_wins():
    assert i18n.negotiate("xx", "zh-TW", header="en") == "zh-Hant"


@pytest.mark.parametrize("language", ["../en", "en/../../x", "e n", "zh"])
def test_only_the_three_languages_load(language):
    with pytest.raises(ValueError):
        i18n.load_strings(language)


def test_a_link_is_read_into_a_view():
    view = inputs.parse_link({"model": "vae", "x": "1.5", "y": "-0.25", "a": "5", "b": "9", "w": "0.3"})
    assert view == inputs.LinkedView(model="vae", click=(1.5, -0.25), start=5, end=9, weight=0.3)


@pytest.mark.parametrize("params", [
    {"model": "gan"}, {"x": "nan", "y": "1"}, {"x": "1e999", "y": "0"}, {"x": "1"}, {"a": "-1", "b": "3"},
    {"a": "3"}, {"a": "1.5", "b": "2"}, {"w": "2"}, {"w": "inf"}, {"x": "1" * 100, "y": "1"}, {"model": ["ae"]}])
def test_garbage_in_a_link_falls_back_and_says_so(params):
    view = inputs.parse_link(params)
    assert view.unusable
    assert view.model in (None, "ae", "vae")
    assert view.click is None or all(abs(value) < 1e300 for value in view.click)
    assert view.weight is None or 0 <= view.weight <= 1
