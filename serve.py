"""Latent Wall as served to a class: the app (app.py) plus one rule about addresses.

    streamlit run serve.py

Streamlit answers an address with more than one segment (/wall/extra, /pages/wall, /app_pages/wall.py)
with its page shell, whose scripts then load from the wrong folder: a permanently blank page. Here such
an address is sent to the home page, which says that nothing lives there. Streamlit's own paths pass.
"""

from urllib.parse import quote

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import RedirectResponse

# Path prefixes Streamlit serves itself: its API, its scripts and styles, media files and components.
STREAMLIT_PATHS = ("/_stcore", "/static", "/media", "/component", "/app/static", "/~/", "/favicon")
# The query value the home page reads to say which address it stands in for.
MISSING_PAGE_PARAM = "missing"


class LostPaths:
    """ASGI middleware: a GET of a multi-segment address that is not Streamlit's goes to /?missing=<path>."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "/")
        # The page shell probes <path>/_stcore/... to find where the server lives: those must stay 404s.
        if (scope["type"] == "http" and scope.get("method") == "GET" and path.strip("/").count("/") >= 1
                and not path.startswith(STREAMLIT_PATHS) and "/_stcore/" not in path):
            response = RedirectResponse(f"/?{MISSING_PAGE_PARAM}={quote(path[:200], safe='/')}", status_code=307)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = st.App("app.py", middleware=[Middleware(LostPaths)])
