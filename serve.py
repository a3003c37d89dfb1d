"""Latent Wall as served to a class: the app (app.py) plus one rule about addresses.

    streamlit run serve.py

Streamlit answers an address with more than one segment (/wall/extra, /pages/wall, /app_pages/wall.py)
with its page shell, whose scripts then load from the wrong folder: a permanently blank page. Here such
an address is sent to the home page, which says that nothing lives there. Streamlit's own paths pass.
"""

from urllib.parse import quote

import streamlit as st
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from latentwall import browser, config

# Path prefixes Streamlit serves itself: its API, its scripts and styles, media files and components.
STREAMLIT_PATHS = ("/_stcore", "/static", "/media", "/component", "/app/static", "/~/", "/favicon")
# Our own paths: the decoder weights the wall's in-browser decoder fetches.
APP_PATHS = (f"{browser.ROUTE}/",)
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
                and not path.startswith(STREAMLIT_PATHS + APP_PATHS) and "/_stcore/" not in path):
            response = RedirectResponse(f"/?{MISSING_PAGE_PARAM}={quote(path[:200], safe='/')}", status_code=307)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def decoder_file(request):
    """A 2-D decoder's layer list or weights for the page's own decoder; the address names the file's
    SHA-256, so the browser may keep it for good."""
    found = browser.served_file(str(config.MODELS_ROOT), request.path_params["kind"], request.path_params["name"])
    if found is None:
        return PlainTextResponse("No such decoder file.", status_code=404)
    content, media_type = found
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=31536000, immutable"})


app = st.App("app.py", middleware=[Middleware(LostPaths)],
             routes=[Route(f"{browser.ROUTE}/{{kind}}/{{name}}", decoder_file, methods=["GET"])])
