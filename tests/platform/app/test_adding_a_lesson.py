"""Adding a lesson is one folder and one LESSONS entry: a throwaway lesson in a temporary folder is navigated (the
home page links it), rendered (its page runs through the page context) and in the class-load benchmark's visit."""

from __future__ import annotations

from pathlib import Path

import pytest

import lessons
from latentwall import i18n
from tests.helpers import assert_clean

PAGE = '''
import streamlit as st

from webapp.context import PageContext, run


def render(ctx: PageContext) -> None:
    st.markdown(f"throwaway lesson read in {ctx.language}")


if __name__ == "__main__":
    run(render)
'''


@pytest.fixture
def throwaway(tmp_path: Path, monkeypatch) -> lessons.Lesson:
    folder = tmp_path / "throwaway"
    folder.mkdir()
    (folder / "__init__.py").write_text('"""A lesson made by a test."""\n', encoding="utf-8")
    (folder / "page.py").write_text(PAGE, encoding="utf-8")
    # Existing words for its name and link: a real lesson adds its own table to every language file.
    added = lessons.Lesson("throwaway", "throwaway", "wall.nav", "home.link_wall", ":material/school:", (),
                           root=tmp_path)
    monkeypatch.setattr(lessons, "LESSONS", (*lessons.LESSONS, added))
    return added


def test_a_new_lesson_is_navigated_and_rendered(app, throwaway):
    test = app()
    assert_clean(test)
    links = [link for link in test.get("page_link") if link.proto.page.endswith(throwaway.url)]
    assert len(links) == 1, "the home page links the new lesson"
    assert links[0].proto.label == i18n.load_strings("en")(throwaway.link)
    test.switch_page(str(throwaway.page)).run()
    assert_clean(test)
    assert any(block.value == "throwaway lesson read in en" for block in test.markdown)


def test_a_new_lesson_is_opened_by_the_page_benchmark(throwaway):
    """bench.pages opens every page of LESSONS in a session of its own, the new one with the rest."""
    import bench.pages

    assert throwaway.url in bench.pages.lessons.urls()


def test_leaving_a_lesson_out_of_lessons_takes_it_off_the_home_page(app, monkeypatch):
    left_out = lessons.LESSONS[-1]
    monkeypatch.setattr(lessons, "LESSONS", lessons.LESSONS[:-1])
    test = app()
    assert not [link for link in test.get("page_link") if link.proto.page.endswith(left_out.url)]
