"""The app's own browser components: a bit of HTML and the JavaScript files in assets/ that drive it."""

from __future__ import annotations

import streamlit as st

from latentwall import config

ASSETS = config.PROJECT_ROOT / "assets"


def component(name: str, scripts: tuple[str, ...], html: str | None = None, css: str | None = None):
    """A Streamlit component named latent_wall.<name>, its script the given assets/ files joined in order."""
    script = "\n".join((ASSETS / file).read_text(encoding="utf-8") for file in scripts)
    parts = {key: value for key, value in (("html", html), ("css", css)) if value is not None}
    return st.components.v2.component(f"latent_wall.{name}", js=script, **parts)
