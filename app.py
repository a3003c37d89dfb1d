"""Latent Wall: the entry point. It declares the pages, the shared sidebar and the home page.

    streamlit run serve.py      (serve.py runs this file, and sends lost addresses to the home page)
"""

from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

import lessons
from lessons import LESSONS
from webapp.guard import guarded
from webapp.session import apply_link, choose_language, language_choice, share_link, text

# The address of each page after the server's own; anything else is not a page.
PAGE_PATHS = lessons.urls()


def lost_address() -> str | None:
    """The address a visitor asked for where no page lives, if that is how they got here.

    serve.py sends multi-segment addresses to /?missing=<path>; an unknown single-segment address lands on
    the home page directly, and its path says so.
    """
    missing = st.query_params.get("missing")
    if missing:
        return missing[:200]
    path = urlparse(st.context.url or "").path.strip("/")
    return f"/{path[:200]}" if path and path not in PAGE_PATHS else None


def home_page() -> None:
    lost = lost_address()
    if lost:
        st.info(text("home.missing_page", path=lost), icon=":material/explore_off:")
    st.title(text("home.title"))
    st.markdown(text("home.what"))
    st.subheader(text("home.story_title"))
    st.markdown(text("home.story"))
    st.subheader(text("home.pages_title"))
    for lesson, page in zip(LESSONS, LESSON_PAGES, strict=False):
        st.page_link(page, label=text(lesson.link), icon=lesson.icon)
    st.caption(text("home.credit"))


_, unusable_language = choose_language()
unusable_link = apply_link(lessons.from_link)
# A local picture, not a Material icon: Streamlit fetches those for the browser tab from a font service,
# which fails offline.
st.set_page_config(page_title=text("app.title"), page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide")
HOME = st.Page(home_page, title=text("home.nav"), icon=":material/home:", default=True)
# Not "pages/": Streamlit 1.67 still treats a folder of that name as an old-style page list and runs its scripts
# without this file (no navigation, no sidebar) when a fresh server's first visitor opens a page's address directly.
LESSON_PAGES = [st.Page(lesson.page, title=text(lesson.title), icon=lesson.icon, url_path=lesson.url)
                for lesson in LESSONS]
page = st.navigation([HOME, *LESSON_PAGES])


@guarded
def run_page() -> None:
    language_choice()
    share_link()
    if unusable_language or unusable_link:
        st.info(text("shared.bad_link"), icon=":material/link_off:")
    page.run()


run_page()
