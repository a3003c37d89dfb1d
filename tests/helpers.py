"""Paths and small builders shared by the tests."""

import os
from pathlib import Path

from latentwall import config, i18n

_SHARED_COPY = config.PROJECT_ROOT.parent / "shared" / "data" / "mnist.npz"
# The real MNIST file: LATENT_WALL_MNIST when set (CI sets it), else the copy beside a checkout, else the
# Keras cache, which conftest.py fills through a Keras download on a machine with a network.
MNIST_FILE = Path(os.environ.get(config.DATA_ENV_VAR)
                  or (_SHARED_COPY if _SHARED_COPY.is_file() else config.KERAS_CACHE_FILE))


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
    caught = test.session_state[CAUGHT_KEY] if CAUGHT_KEY in test.session_state else None
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
