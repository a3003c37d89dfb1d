"""Fixtures shared by the app tests: tiny trained models, the app under AppTest, a live server, a browser.

The app tests never depend on the committed models: one session-wide set of tiny models is trained in a
temporary folder (seconds), and the app is pointed at it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from latentwall import config
from tests.helpers import MNIST_FILE, SCREENSHOTS, train_tiny
from tests.oracles import media  # noqa: F401  (the fixture, for every page test)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def mnist_available() -> None:
    """Where no MNIST file is given, fill the Keras cache through a Keras download (needs a network)."""
    if not MNIST_FILE.is_file() and MNIST_FILE == config.KERAS_CACHE_FILE:
        from latentwall.datasets import DataError, find

        # The tests that need MNIST skip with a message saying how to supply it.
        with contextlib.suppress(DataError):
            find(download=True)


# Set to a folder, the tiny models of a run are kept there and reused by later runs (a developer re-running a few
# tests, or trying a slip against them); CI leaves it unset, so every run trains its own.
KEEP_MODELS_ENV_VAR = "LATENT_WALL_TEST_MODELS"


def built(name: str, tmp_path_factory, build) -> Path:
    """A models folder made by build(root): kept under LATENT_WALL_TEST_MODELS when set, else a new temporary one."""
    kept = os.environ.get(KEEP_MODELS_ENV_VAR)
    if not kept:
        root = tmp_path_factory.mktemp(name)
        build(root)
        return root
    root = Path(kept) / name
    if not (root / ".complete").is_file():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        build(root)
        (root / ".complete").touch()
    return root


@pytest.fixture(scope="session")
def smoke_models(tmp_path_factory) -> Path:
    """A models folder with all three models trained for one epoch on a few hundred digits."""
    if not MNIST_FILE.is_file():
        pytest.skip(f"MNIST is not at {MNIST_FILE}; set {config.DATA_ENV_VAR} to run the app tests.")
    return built("app-models", tmp_path_factory, lambda root: train_tiny(root, limit=400))


@pytest.fixture(scope="session")
def evaluated_models(smoke_models, tmp_path_factory) -> Path:
    """A copy of the tiny models with the evaluation report the comparison page reads."""
    from training import evaluate

    def build(root: Path) -> None:
        shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(root))
        assert evaluate.main(["--models", str(root), "--data", str(MNIST_FILE), "--samples", "2000",
                              "--grid-side", "20"]) == 0

    return built("app-models-evaluated", tmp_path_factory, build)


@pytest.fixture
def use_models(monkeypatch):
    """Point the app at a models folder (and at the real MNIST file) for the test's duration."""
    def point(root: Path) -> Path:
        monkeypatch.setattr(config, "MODELS_ROOT", Path(root))
        monkeypatch.setenv(config.DATA_ENV_VAR, str(MNIST_FILE))
        return root

    return point


@pytest.fixture
def app(smoke_models, use_models):
    """A factory for AppTest on app.py, optionally switched to one page, with the tiny models."""
    from streamlit.testing.v1 import AppTest

    use_models(smoke_models)

    def start(page: str | None = None, query: dict | None = None, **state) -> AppTest:
        test = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=180)
        test.query_params.update(query or {})
        for key, value in state.items():
            test.session_state[key] = value
        test.run()
        if page is not None:
            test.switch_page(page).run()
        return test

    return start


@pytest.fixture(scope="session")
def chromium_path() -> str:
    from bench.harness import CHROMIUM

    if not Path(CHROMIUM).is_file():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    return CHROMIUM


@pytest.fixture(scope="session")
def live_server(smoke_models):
    """`streamlit run serve.py` on a free port with the tiny models, shared by the protocol and browser tests."""
    from bench.harness import AppServer

    with AppServer(smoke_models, str(MNIST_FILE)) as server:
        server.wait_healthy(timeout=90)
        yield server


@pytest.fixture(scope="session")
def app_server(live_server, chromium_path):
    """The live server, for tests that also need Chromium."""
    return live_server


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    from bench.harness import launch_browser

    with sync_playwright() as playwright:
        chromium = launch_browser(playwright, chromium_path)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def committed_server(chromium_path):
    """The app on the committed models."""
    from bench.harness import AppServer

    with AppServer(config.MODELS_ROOT, str(MNIST_FILE)) as server:
        server.wait_healthy(timeout=90)
        yield server


@pytest.fixture
def viewport_page(browser, request):
    """A page factory for a given viewport (a phone gets touch); screenshots when the test ends."""
    contexts = []

    def make(viewport: dict, phone: bool = False):
        context = browser.new_context(viewport=viewport, has_touch=phone, is_mobile=phone,
                                      device_scale_factor=2 if phone else 1)
        contexts.append(context)
        return context.new_page()

    yield make
    SCREENSHOTS.mkdir(exist_ok=True)
    for number, context in enumerate(contexts):
        for tab in context.pages:
            tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{number}.png"))
        context.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; its screenshot lands in tests/screenshots/ (git-ignored) when the test ends."""
    from bench.harness import VIEWPORT

    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    yield tab
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture(scope="session")
def anomaly_models(smoke_models, tmp_path_factory) -> Path:
    """A copy of the tiny models with the anomaly report and its examples (lessons.anomaly.report alone)."""
    from lessons.anomaly import report as report_anomaly

    def build(root: Path) -> None:
        shutil.copytree(config.dataset_dir(smoke_models), config.dataset_dir(root))
        assert report_anomaly.main(["--models", str(root), "--data", str(MNIST_FILE)]) == 0

    return built("app-models-anomaly", tmp_path_factory, build)
