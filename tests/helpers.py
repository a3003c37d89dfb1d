"""Paths and small builders shared by the tests."""

import os
from pathlib import Path

from latentwall import config

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
