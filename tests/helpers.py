"""Paths, small builders and readers of what a page shows, shared by the tests."""

import base64
import json
import os
import re
from pathlib import Path

import numpy as np

from latentwall import config, i18n, inference, latent, registry, store
from latentwall.datasets import load

_SHARED_COPY = config.PROJECT_ROOT.parent / "shared" / "data" / "mnist.npz"
# The real MNIST file: LATENT_WALL_MNIST when set (CI sets it), else the copy beside a checkout, else the
# Keras cache, which conftest.py fills through a Keras download on a machine with a network.
MNIST_FILE = Path(os.environ.get(config.DATA_ENV_VAR)
                  or (_SHARED_COPY if _SHARED_COPY.is_file() else config.KERAS_CACHE_FILE))

# Where the browser tests leave their screenshots (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

# The hooks a page's markup carries: the verdict panel's decoded coordinate, and the pictures sent inline.
VERDICT = re.compile(r'data-lw="verdict" data-lw-model="(\w+)" data-lw-x="([^"]+)" data-lw-y="([^"]+)"')
PICTURES = re.compile(r'src="(data:image/png;base64,[^"]+)"')

# A recipe whose code is wider than 2-D, as the page offers it: 20-D where the registry has one.
WIDE = min((recipe for recipe in registry.interpolable() if recipe.latent_dim > 2),
           key=lambda recipe: (recipe.latent_dim != 20, recipe.name))
VARIATIONAL = next(recipe for recipe in registry.RECIPES.values() if recipe.variational)
PCA = next(recipe for recipe in registry.RECIPES.values() if not recipe.trained)


def train_tiny(out: Path, *extra: str, limit: int = 300) -> None:
    """Train all three models for one epoch on a few hundred digits: seconds, yet real store."""
    from training import train

    code = train.main(["--limit", str(limit), "--epochs", "1", "--out", str(out), "--data", str(MNIST_FILE), *extra])
    assert code == 0


def assert_clean(test) -> None:
    """An AppTest run showed no exception and no error, and no value made the page crash inside the reset guard
    (which a student sees only as a note on the next run, and AppTest never runs)."""
    from webapp.guard import CAUGHT_KEY

    assert not test.exception, [error.value for error in test.exception]
    assert not test.error, [error.value for error in test.error]
    caught = test.session_state.get(CAUGHT_KEY, None)
    assert caught is None, f"the page crashed inside the reset guard: {caught}"


# With client.showErrorDetails = "none" (.streamlit/config.toml) no traceback ever reaches a page: an uncaught
# exception shows as this box, holding only "This app has encountered an error..." (lowercase "error"), and a
# broken connection or message as one of the other words. Looking for "Traceback" can never fail; these can.
EXCEPTION_BOX = '[data-testid="stException"]'
STREAMLIT_ERROR_WORDS = ("Error", "Exception", "This app has encountered an error", "Connection error",
                         "Bad message format", "Is Streamlit still running")


def error_words(text: str, language: str = "en") -> list[str]:
    """The words of text that say something went wrong: Streamlit's own, and the app's note that it reset the
    session after a value it could not use (shared.bad_input, in the page's language)."""
    return [word for word in (*STREAMLIT_ERROR_WORDS, i18n.load_strings(language)("shared.bad_input"))
            if word in text]


def page_errors(page, language: str = "en") -> list[str]:
    """Everything a browser page shows that means an error: exception boxes, then error_words of its text."""
    boxes = [f"exception box: {box}" for box in page.locator(EXCEPTION_BOX).all_inner_texts()]
    return boxes + error_words(page.locator("body").inner_text(), language)


def markdown_text(test) -> str:
    return "\n".join(element.value for element in test.markdown)


def html_text(test) -> str:
    return "\n".join(str(element.proto.body) for element in test.get("html"))


def coordinate(test) -> tuple[float, float] | None:
    """The decoded coordinate the verdict panel's hooks report."""
    found = VERDICT.search(html_text(test))
    return (float(found.group(2)), float(found.group(3))) if found else None


def wall_of(root, kind: str = "ae") -> store.Wall:
    return store.load_wall(config.dataset_dir(root) / kind / "wall.npz")


def pictures_of(test) -> list[str]:
    return PICTURES.findall(html_text(test))


def chart_traces(test, key: str) -> list[dict]:
    charts = [chart for chart in test.get("plotly_chart") if chart.proto.id.endswith(key) or key in chart.proto.id]
    assert charts, f"no chart {key}"
    return json.loads(charts[-1].proto.spec)["data"]


def values(array) -> np.ndarray:
    """A trace's numbers as Plotly sends them: a plain list, or typed bytes in base64."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).astype("float64")
    return np.asarray(array, "float64")


def oracle_path(root, start: int, end: int, positions: np.ndarray) -> np.ndarray:
    """The path's frames projected on the recipe's picture, computed without the page."""
    model = inference.load_recipe(WIDE.name, root)
    images = load(registry.MNIST, MNIST_FILE, download=False).x_test[[start, end]].astype("float32") / 255.0
    codes = model.encode(images)
    frames = latent.interpolate(codes[0], codes[1], 1.0 - positions)
    return model.projection.apply(frames)
