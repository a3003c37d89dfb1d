"""Latent Wall: the entry point. It declares the pages, the shared sidebar and the home page.

    streamlit run serve.py      (serve.py runs this file, and sends lost addresses to the home page)
"""

from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from app_pages.shared import (
    apply_link,
    choose_language,
    guarded,
    language_choice,
    share_link,
    text,
)

# Not "pages/": Streamlit 1.67 still treats a folder of that name as an old-style page list and runs
# its scripts without this file (no navigation, no sidebar) when a fresh server's first visitor opens
# a page's address directly.
PAGES = Path(__file__).parent / "app_pages"
# The address of each page after the server's own; anything else is not a page.
PAGE_PATHS = ("wall", "interpolation", "compare", "compression", "models", "denoising", "vae20", "anomaly", "draw")


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
    st.page_link(WALL, label=text("home.link_wall"), icon=":material/grid_on:")
    st.page_link(INTERPOLATION, label=text("home.link_interpolation"), icon=":material/linear_scale:")
    st.page_link(COMPARE, label=text("home.link_compare"), icon=":material/compare:")
    st.page_link(COMPRESSION, label=text("compression.home_link"), icon=":material/compress:")
    st.page_link(MODELS, label=text("models_page.home_link"), icon=":material/model_training:")
    st.page_link(DENOISING, label=text("denoising.link"), icon=":material/blur_off:")
    st.page_link(VAE20, label=text("vae20.link"), icon=":material/casino:")
    st.page_link(ANOMALY, label=text("anomaly.home_link"), icon=":material/crisis_alert:")
    st.page_link(DIGIT, label=text("digit.home_link"), icon=":material/draw:")
    st.caption(text("home.credit"))


_, unusable_language = choose_language()
unusable_link = apply_link()
# A local picture, not a Material icon: Streamlit fetches those for the browser tab from a font service,
# which fails offline.
st.set_page_config(page_title=text("app.title"), page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
                   layout="wide")
HOME = st.Page(home_page, title=text("home.nav"), icon=":material/home:", default=True)
WALL = st.Page(PAGES / "wall.py", title=text("wall.nav"), icon=":material/grid_on:", url_path="wall")
INTERPOLATION = st.Page(PAGES / "interpolation.py", title=text("interpolation.nav"), icon=":material/linear_scale:",
                        url_path="interpolation")
COMPARE = st.Page(PAGES / "compare.py", title=text("compare.nav"), icon=":material/compare:", url_path="compare")
COMPRESSION = st.Page(PAGES / "compression.py", title=text("compression.nav"), icon=":material/compress:",
                      url_path="compression")
MODELS = st.Page(PAGES / "models.py", title=text("models_page.nav"), icon=":material/model_training:",
                 url_path="models")
DENOISING = st.Page(PAGES / "denoising.py", title=text("denoising.nav"), icon=":material/blur_off:",
                    url_path="denoising")
VAE20 = st.Page(PAGES / "vae20.py", title=text("vae20.nav"), icon=":material/casino:", url_path="vae20")
ANOMALY = st.Page(PAGES / "anomaly.py", title=text("anomaly.nav"), icon=":material/crisis_alert:", url_path="anomaly")
DIGIT = st.Page(PAGES / "your_digit.py", title=text("digit.nav"), icon=":material/draw:", url_path="draw")
page = st.navigation([HOME, WALL, INTERPOLATION, COMPARE, COMPRESSION, MODELS, DENOISING, VAE20, ANOMALY, DIGIT])


@guarded
def run_page() -> None:
    language_choice()
    share_link()
    if unusable_language or unusable_link:
        st.info(text("shared.bad_link"), icon=":material/link_off:")
    page.run()


run_page()
