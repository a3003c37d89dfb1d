"""Paths and defaults shared by the training commands and the app, each with the reason it has that value."""

import os
from pathlib import Path

from latentwall import registry

# The project root, found from this file so nothing depends on the working directory.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Committed artifacts live here so `streamlit run serve.py` works straight after install; tests and
# experiments point LATENT_WALL_MODELS at another folder.
MODELS_ROOT = Path(os.environ.get("LATENT_WALL_MODELS") or PROJECT_ROOT / "models")

# The environment variable that names the MNIST file when no --data option is given.
DATA_ENV_VAR = "LATENT_WALL_MNIST"

# Where Keras caches its own download; used when no explicit path is given.
KERAS_CACHE_FILE = Path("~/.keras/datasets/mnist.npz").expanduser()

# A 2-D latent space is the whole point: it can be drawn as a wall and clicked.
LATENT_DIM = 2

# The seed every command uses unless told otherwise, so a rerun gives the same models.
DEFAULT_SEED = 1337

# The exact command a user runs to (re)create the committed models; quoted in error messages.
TRAIN_COMMAND = "python -m training.train"

# The command that writes the reports beside the models (latentwall/store.py names their files).
EVALUATE_COMMAND = "python -m training.evaluate"

# Confidence above which the reader's verdict on a decoded image counts as "readable".
READABLE_CONFIDENCE = 0.9


def dataset_dir(models_root: Path = MODELS_ROOT) -> Path:
    """The folder holding one data set's models, manifest and wall codes."""
    # One sub-folder per data set keeps room for a second data set without moving files.
    return Path(models_root) / registry.MNIST.name
