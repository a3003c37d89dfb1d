"""What the tests and the benchmarks share to drive the app: `streamlit run serve.py` on a free port
(AppServer), Debian's headless Chromium (launch_browser), the page helpers that wait for a run, read and click
the wall chart and draw or upload on the "Your own digit" pad, and the server's CPU and memory readings.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from latentwall import config
from lessons import your_digit

if TYPE_CHECKING:
    import psutil
    from playwright.async_api import Browser as AsyncBrowser
    from playwright.async_api import Playwright as AsyncPlaywright
    from playwright.sync_api import Browser, Page, Playwright

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Flags for a headless Chromium with no network and no GPU (see the click-anywhere notes).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`streamlit run serve.py` (the app as served to a class) on a free port, for as long as the with-block
    lasts."""

    def __init__(self, models_root: Path, data: str | None = None, port: int | None = None,
                 extra_args: list[str] | None = None) -> None:
        self.port = port or free_port()
        self.extra_args = list(extra_args or [])
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "LATENT_WALL_MODELS": str(models_root), "TF_CPP_MIN_LOG_LEVEL": "2"}
        if data:
            self.env[config.DATA_ENV_VAR] = str(data)
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0

    def __enter__(self) -> AppServer:
        self.started_at = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true",
             "--server.port", str(self.port), "--server.address", "127.0.0.1", *self.extra_args],
            cwd=PROJECT_ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"streamlit did not answer on {self.url} within {timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def launch_browser(playwright: Playwright, executable: str = CHROMIUM) -> Browser:
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


async def launch_browser_async(playwright: AsyncPlaywright, executable: str = CHROMIUM) -> AsyncBrowser:
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


def wait_idle(page: Page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def wait_for_wall(page: Page, key: str, timeout_ms: int = 60_000) -> None:
    """Until the chart in the wall container `key` is drawn (its WebGL canvas and drag layer exist)."""
    page.wait_for_selector(f".st-key-{key}-area .nsewdrag", timeout=timeout_ms)
    page.wait_for_selector(f".st-key-{key}-area canvas", state="attached", timeout=timeout_ms)


_AXES = """(key) => {
  const graph = document.querySelector(`.st-key-${key}-area .js-plotly-plot`);
  return [...graph._fullLayout.xaxis.range, ...graph._fullLayout.yaxis.range];
}"""


def axes_of(page: Page, key: str) -> tuple[float, float, float, float]:
    """The wall chart's current axis ranges (x_min, x_max, y_min, y_max), as zoomed or reset."""
    return tuple(page.evaluate(_AXES, key))


def show_everything(page: Page, key: str, box: tuple[float, float, float, float]) -> None:
    """Press the wall's "show everything" button and wait until the axes span box, the whole wall."""
    page.locator(f".st-key-{key}-area .updatemenu-button").nth(1).click()
    page.wait_for_function(f"""([key, box]) => ({_AXES})(key).every(
        (edge, side) => Math.abs(edge - box[side]) <= 1e-6 * (Math.abs(box[side]) + 1))""",
                           arg=[key, list(box)], timeout=10_000)


def data_to_pixel(page: Page, key: str, x: float, y: float) -> tuple[float, float]:
    """Page pixel of the data point (x, y) on the wall chart under key, through its current axes."""
    area = page.locator(f".st-key-{key}-area .nsewdrag").last.bounding_box()
    x_min, x_max, y_min, y_max = axes_of(page, key)
    return (float(area["x"] + (x - x_min) / (x_max - x_min) * area["width"]),
            float(area["y"] + (y_max - y) / (y_max - y_min) * area["height"]))


_WATCH = """(root) => {
  const image = () => document.querySelector(`.${root} img`);
  const before = image() ? image().src : null;
  window.latentWallClick = {start: null, done: null};
  document.addEventListener("pointerdown", () => { window.latentWallClick.start = performance.now(); },
                            {capture: true, once: true});
  const poll = () => {
    const now = image();
    if (now && now.src !== before && now.complete && now.naturalWidth > 0 && window.latentWallClick.start) {
      window.latentWallClick.done = performance.now() - window.latentWallClick.start;
    } else {
      requestAnimationFrame(poll);
    }
  };
  requestAnimationFrame(poll);
}"""


def click_and_wait(page: Page, key: str, x: float, y: float, timeout_ms: int = 20_000) -> tuple[float, tuple]:
    """Click the wall under key at data (x, y); wait for a new decoded image. Returns (ms, reported x, y)."""
    pixel_x, pixel_y = data_to_pixel(page, key, x, y)
    page.mouse.move(pixel_x, pixel_y)
    page.wait_for_timeout(80)
    page.evaluate(_WATCH, f"st-key-{key}-decoded")
    page.mouse.click(pixel_x, pixel_y)
    page.wait_for_function("() => window.latentWallClick && window.latentWallClick.done !== null", timeout=timeout_ms)
    elapsed = page.evaluate("() => window.latentWallClick.done")
    wait_idle(page)  # The image comes first; let the rest of the rerun land before reading the text.
    return elapsed, reported_coordinate(page, key)


def reported_coordinate(page: Page, key: str) -> tuple[float, float] | None:
    """The decoded coordinate the verdict panel under key reports through its data-lw hooks."""
    verdict = page.locator(f'.st-key-{key}-decoded [data-lw="verdict"]')
    if verdict.count() == 0:
        return None
    return float(verdict.first.get_attribute("data-lw-x")), float(verdict.first.get_attribute("data-lw-y"))


def server_rss_mb(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    return sum(member.memory_info().rss for member in [process, *process.children(recursive=True)]) / 2**20




def cpu_seconds(process: psutil.Process) -> float:
    """A process's own CPU time so far, user + system."""
    times = process.cpu_times()
    return times.user + times.system


def add_app_arguments(parser: argparse.ArgumentParser, chromium: bool = True) -> None:
    """The options of every benchmark that serves the app: its models and MNIST file, and the Chromium to drive."""
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR})")
    if chromium:
        parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium executable to drive")


# --- "Your own digit": the drawing pad and the upload ------------------------------------------------------------

PAD = 'canvas[data-lw="draw-pad"]'
UPLOAD_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


def open_pad(page: Page, url: str) -> None:
    """Open the "Your own digit" page and wait until its pad is drawn and the run has finished."""
    page.goto(f"{url}/draw")
    page.locator(PAD).wait_for(timeout=60_000)
    wait_idle(page)


def draw(page: Page, points: list[tuple[float, float]], steps: int = 12) -> None:
    """One stroke through points (pad pixels) with the mouse: down, moves, up."""
    frame = page.locator(PAD).bounding_box()
    at = [(frame["x"] + 1 + x, frame["y"] + 1 + y) for x, y in points]
    page.mouse.move(*at[0])
    page.mouse.down()
    for (x0, y0), (x1, y1) in zip(at, at[1:], strict=False):
        for step in range(1, steps + 1):
            page.mouse.move(x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
    page.mouse.up()


def landings(page: Page) -> dict[str, tuple[float, float]]:
    """Where the page says the digit landed on each wall, by model."""
    return {item.get_attribute("data-lw-model"): (float(item.get_attribute("data-lw-x")),
                                                  float(item.get_attribute("data-lw-y")))
            for item in page.locator(f'[data-lw="{your_digit.LANDING_HOOK}"]').all()}


def wait_for_landing(page: Page, before: dict | None = None, timeout_ms: int = 30_000) -> dict:
    """Wait until both walls show a landing (different from before, when given), the page is idle, and the
    landing has stayed the same over two looks (while a run is replacing the page, old and new can mix)."""
    page.locator(f'[data-lw="{your_digit.VERDICT_HOOK}"]').first.wait_for(timeout=timeout_ms)
    seen = None
    for _ in range(timeout_ms // 100):
        wait_idle(page)
        found = landings(page)
        settled = page.locator(f'[data-lw="{your_digit.LANDING_HOOK}"]').count() == 2 and found == seen
        if settled and found != before:
            return found
        seen = found
        page.wait_for_timeout(100)
    raise AssertionError(f"no new landing: {landings(page)}")
