"""LESSONS: the one ordered list of the app's lesson pages.

Navigation (app.py), the home page's links, the evaluation's reports (training.evaluate), the class-load benchmark
and the page tests all read it. Each lesson is a folder beside this file: `__init__.py` (its record: widget keys and
data-lw hooks, no Streamlit), `logic.py` (pure), `report.py` (offline, run by training.evaluate) and `page.py`
(render(ctx)), which only the app runs. Adding a lesson: docs/adding-a-lesson.md.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from latentwall import registry

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Lesson:
    """One lesson page: where it lives, what it is called, which models it shows and which report it reads.

    name: its folder under lessons/; url: its address after the server's (never changed: links are shared);
    title: the strings key of its name in the navigation (and of its link on the home page, `link`); icon: a
    Material icon; recipes: the registry's models it shows; report: whether its folder has a report.py that
    training.evaluate runs.
    """

    name: str
    url: str
    title: str
    link: str
    icon: str
    recipes: tuple[registry.Recipe, ...]
    report: bool = False
    # Where the lesson folders live; only a test's throwaway lesson lives elsewhere.
    root: Path = FOLDER

    @property
    def page(self) -> Path:
        """The page's script, which Streamlit runs (navigation only)."""
        return self.root / self.name / "page.py"

    def record(self) -> ModuleType:
        """The lesson's record, its folder's __init__.py (a lesson outside lessons/ is loaded from its file)."""
        if self.root == FOLDER:
            return importlib.import_module(f"lessons.{self.name}")
        spec = importlib.util.spec_from_file_location(f"lesson_{self.name}", self.root / self.name / "__init__.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    @property
    def report_module(self) -> str | None:
        """The module training.evaluate imports for this lesson's report, if it has one."""
        return f"lessons.{self.name}.report" if self.report else None


LESSONS: tuple[Lesson, ...] = (
    Lesson("wall", "wall", "wall.nav", "home.link_wall", ":material/grid_on:", registry.WALL_PAIR),
    Lesson("interpolation", "interpolation", "interpolation.nav", "home.link_interpolation",
           ":material/linear_scale:", registry.interpolable()),
    Lesson("compare", "compare", "compare.nav", "home.link_compare", ":material/compare:", registry.WALL_PAIR),
    Lesson("compression", "compression", "compression.nav", "compression.home_link", ":material/compress:",
           registry.dense_lessons(), report=True),
    Lesson("models", "models", "models_page.nav", "models_page.home_link", ":material/model_training:",
           registry.trained()),
    Lesson("denoising", "denoising", "denoising.nav", "denoising.link", ":material/blur_off:",
           registry.denoising_pair(), report=True),
    Lesson("vae20", "vae20", "vae20.nav", "vae20.link", ":material/casino:", registry.vae_20()),
    Lesson("anomaly", "anomaly", "anomaly.nav", "anomaly.home_link", ":material/crisis_alert:",
           (*registry.held_out(), registry.anomaly_scorer()), report=True),
    Lesson("your_digit", "draw", "digit.nav", "digit.home_link", ":material/draw:", registry.WALL_PAIR,
           report=True),
)


def lesson(name: str) -> Lesson:
    """The lesson of that folder name."""
    for found in LESSONS:
        if found.name == name:
            return found
    raise ValueError(f"No lesson is named {name!r}; the lessons are {', '.join(item.name for item in LESSONS)}.")


def urls() -> tuple[str, ...]:
    """Every lesson page's address after the server's."""
    return tuple(item.url for item in LESSONS)


def from_link(view) -> dict:
    """The session values a shared address sets up, gathered from every lesson whose record reads the address."""
    found = {}
    for item in LESSONS:
        reader = getattr(item.record(), "from_link", None)
        if reader is not None:
            found.update(reader(view))
    return found
