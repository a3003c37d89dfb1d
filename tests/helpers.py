"""Paths and small builders shared by the tests."""

import os
from pathlib import Path

from latentwall import config

# The real MNIST file: CI points LATENT_WALL_MNIST at it; a checkout beside shared/ finds it there.
MNIST_FILE = Path(os.environ.get(config.DATA_ENV_VAR) or config.PROJECT_ROOT.parent / "shared" / "data" / "mnist.npz")


def train_tiny(out: Path, *extra: str, limit: int = 300) -> None:
    """Train all three models for one epoch on a few hundred digits: seconds, yet real artifacts."""
    from training import train

    code = train.main(["--limit", str(limit), "--epochs", "1", "--out", str(out), "--data", str(MNIST_FILE), *extra])
    assert code == 0
