"""Every model the project trains, as the Models page lists them: each recipe of the registry and the two
digit readers, with how it was trained (its meta.json), its test figures once `python -m training.evaluate`
has judged it, and the curves of its training history.

No Streamlit and no model loading here: the table reads small JSON files only, so a page view stays cheap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from latentwall import config, registry, store

# The two digit readers, by the names training gives their files (reader_meta.json, checker_history.json).
READERS = tuple(name.removesuffix(".keras") for name in (store.READER_FILE, store.CHECKER_FILE))
# The history's curves a chart shows, in this order: the loss the model was trained on, its value on the
# held-out digits, and for a VAE the KL term of that loss.
LOSS_CURVES = ("loss", "val_loss")
KL_CURVES = ("kl_loss", "val_kl_loss")


@dataclass(frozen=True)
class ModelRow:
    """One line of the Models page's table; None wherever the models folder or the evaluation lacks it."""

    name: str
    lesson: str | None
    family: str | None
    latent_dim: int | None
    trained: bool
    training_seconds: float | None
    epochs: int | None
    test_mse: float | None = None
    max_test_mse: float | None = None

    @property
    def present(self) -> bool:
        """Whether its meta.json was found: a model not trained yet has none."""
        return self.epochs is not None

    @property
    def meets_bar(self) -> bool | None:
        if self.test_mse is None or self.max_test_mse is None:
            return None
        return self.test_mse <= self.max_test_mse


def model_names() -> tuple[str, ...]:
    """Every recipe of the registry, then the two readers."""
    return (*registry.RECIPES, *READERS)


def _json_file(models_root: Path, name: str, kind: str) -> Path:
    """Where a model's meta.json or history.json lives: in its own folder, or beside the readers' files."""
    return store.record_path(config.dataset_dir(models_root), name, kind)


def _read(path: Path) -> dict | None:
    try:
        found = store.read_json(path)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def model_rows(models_root: Path, evaluation: dict | None = None) -> list[ModelRow]:
    """One row per model of model_names(), from its meta.json and the evaluation's "recipes" section."""
    judged = evaluation.get("recipes") if isinstance(evaluation, dict) else None
    judged = judged if isinstance(judged, dict) else {}
    rows = []
    for name in model_names():
        meta = _read(_json_file(models_root, name, "meta")) or {}
        seconds, epochs = _number(meta.get("training_seconds")), _number(meta.get("epochs_run"))
        recipe = registry.RECIPES.get(name)
        figures = judged.get(name) if isinstance(judged.get(name), dict) else {}
        rows.append(ModelRow(
            name=name, lesson=recipe.lesson if recipe else None, family=recipe.family if recipe else None,
            latent_dim=recipe.latent_dim if recipe else None, trained=recipe.trained if recipe else True,
            training_seconds=seconds, epochs=int(epochs) if epochs is not None else None,
            test_mse=_number(figures.get("test_mse")),
            max_test_mse=_number(figures.get("max_test_mse")) or (recipe.max_test_mse if recipe else None)))
    return rows


def reader_history(models_root: Path, name: str) -> dict | None:
    """A digit reader's history.json (the recipes' histories come with their loaded RecipeModel)."""
    if name not in READERS:
        raise ValueError(f"Unknown reader {name!r}; choose one of: {', '.join(READERS)}.")
    return _read(_json_file(models_root, name, "history"))


def curves(history: dict | None) -> dict[str, list[float]]:
    """The loss curves of a history, by key (LOSS_CURVES, then KL_CURVES where present): per-epoch lists of
    finite numbers; a curve that is missing, empty or not a list of numbers is left out."""
    found = {}
    for key in (*LOSS_CURVES, *KL_CURVES):
        values = (history or {}).get(key)
        if isinstance(values, list) and values and all(_number(value) is not None for value in values):
            found[key] = [float(value) for value in values]
    return found
