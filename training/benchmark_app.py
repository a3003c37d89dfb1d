"""App speed: single-point decode, click-to-image in a real browser, start-up time, and server memory.

    python -m training.benchmark_app [--models models/] [--clicks 20] [--chromium /usr/bin/chromium]

Starts `streamlit run serve.py` on a free port against the given models, drives Debian's Chromium with
Playwright, and prints each figure beside its bar. It asserts nothing; the browser tests reuse its helpers.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from latentwall import config, inference, latent, store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# Flags for a headless Chromium with no network and no GPU (see the click-anywhere notes).
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
BARS = {"decode_ms": 3.0, "click_ms": 250.0, "startup_s": 12.0, "rss_mb": 1536.0}
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`streamlit run serve.py` (the app as served to a class) on a free port, for as long as the with-block
    lasts."""

    def __init__(self, models_root: Path, data: str | None = None, port: int | None = None,
                 extra_args: list[str] | None = None):
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


def launch_browser(playwright, executable: str = CHROMIUM):
    return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


async def launch_browser_async(playwright, executable: str = CHROMIUM):
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout_ms)


def wait_for_wall(page, key: str, timeout_ms: int = 60_000) -> None:
    """Until the chart in the wall container `key` is drawn (its WebGL canvas and drag layer exist)."""
    page.wait_for_selector(f".st-key-{key}-area .nsewdrag", timeout=timeout_ms)
    page.wait_for_selector(f".st-key-{key}-area canvas", state="attached", timeout=timeout_ms)


_AXES = """(key) => {
  const graph = document.querySelector(`.st-key-${key}-area .js-plotly-plot`);
  return [...graph._fullLayout.xaxis.range, ...graph._fullLayout.yaxis.range];
}"""


def axes_of(page, key: str) -> tuple[float, float, float, float]:
    """The wall chart's current axis ranges (x_min, x_max, y_min, y_max), as zoomed or reset."""
    return tuple(page.evaluate(_AXES, key))


def show_everything(page, key: str, box: tuple[float, float, float, float]) -> None:
    """Press the wall's "show everything" button and wait until the axes span box, the whole wall."""
    page.locator(f".st-key-{key}-area .updatemenu-button").nth(1).click()
    page.wait_for_function(f"""([key, box]) => ({_AXES})(key).every(
        (edge, side) => Math.abs(edge - box[side]) <= 1e-6 * (Math.abs(box[side]) + 1))""",
                           arg=[key, list(box)], timeout=10_000)


def data_to_pixel(page, key: str, x: float, y: float) -> tuple[float, float]:
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


def click_and_wait(page, key: str, x: float, y: float, timeout_ms: int = 20_000) -> tuple[float, tuple]:
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


def reported_coordinate(page, key: str) -> tuple[float, float] | None:
    """The decoded coordinate the verdict panel under key reports through its data-lw hooks."""
    verdict = page.locator(f'.st-key-{key}-decoded [data-lw="verdict"]')
    if verdict.count() == 0:
        return None
    return float(verdict.first.get_attribute("data-lw-x")), float(verdict.first.get_attribute("data-lw-y"))


def server_rss_mb(pid: int) -> float:
    import psutil

    process = psutil.Process(pid)
    return sum(member.memory_info().rss for member in [process, *process.children(recursive=True)]) / 2**20


def decode_median_ms(models: inference.ModelSet, repeats: int = 300) -> float:
    """Median wall time of decoding one point with the app's shared decoder."""
    rng = np.random.default_rng(0)
    decoder = models.ae.decoder
    timings = []
    for code in rng.standard_normal((repeats, 1, 2)).astype("float32"):
        started = time.perf_counter()
        decoder.decode(code)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def browser_figures(models: inference.ModelSet, models_root: Path, data: str | None, clicks: int,
                    chromium: str) -> dict:
    """Start the app, time its first wall, click it `clicks` times, and read the server's memory."""
    from playwright.sync_api import sync_playwright

    wall = models.ae.wall
    box = latent.opening_view(wall)  # Clicks land where the wall opens.
    rng = np.random.default_rng(1)
    key = "wall-pick-ae"
    with AppServer(models_root, data) as server, sync_playwright() as playwright:
        browser = launch_browser(playwright, chromium)
        page = browser.new_page(viewport=VIEWPORT)
        server.wait_healthy()
        page.goto(f"{server.url}/wall")
        wait_for_wall(page, key)
        startup = time.perf_counter() - server.started_at
        wait_idle(page)
        page.wait_for_timeout(500)
        timings = []
        for _ in range(clicks):
            x = rng.uniform(box[0] + 0.1 * (box[1] - box[0]), box[1] - 0.1 * (box[1] - box[0]))
            y = rng.uniform(box[2] + 0.1 * (box[3] - box[2]), box[3] - 0.1 * (box[3] - box[2]))
            elapsed, _ = click_and_wait(page, key, x, y)
            timings.append(elapsed)
            page.wait_for_timeout(350)
        rss = server_rss_mb(server.process.pid)
        browser.close()
    return {"click_ms": statistics.median(timings), "click_ms_all": timings, "startup_s": startup, "rss_mb": rss}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.benchmark_app", description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT, help="models folder (default: models/)")
    parser.add_argument("--data", help=f"path to mnist.npz (default: ${config.DATA_ENV_VAR})")
    parser.add_argument("--clicks", type=int, default=20, help="clicks to time in the browser")
    parser.add_argument("--chromium", default=CHROMIUM, help="the Chromium executable to drive")
    args = parser.parse_args(argv)
    try:
        models = inference.load_models(args.models)
    except store.ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    figures = {"decode_ms": decode_median_ms(models)}
    print(f"single-point decode, in process: median {figures['decode_ms']:.2f} ms (bar {BARS['decode_ms']} ms)",
          flush=True)
    if not Path(args.chromium).is_file():
        print(f"Chromium not found at {args.chromium}: browser figures skipped.", file=sys.stderr)
        return 1
    figures.update(browser_figures(models, args.models, args.data or os.environ.get(config.DATA_ENV_VAR),
                                   max(args.clicks, 1), args.chromium))
    print(f"click -> decoded image visible, headless Chromium: median {figures['click_ms']:.0f} ms over "
          f"{len(figures['click_ms_all'])} clicks (min {min(figures['click_ms_all']):.0f}, "
          f"max {max(figures['click_ms_all']):.0f}; bar {BARS['click_ms']:.0f} ms)")
    print(f"streamlit run serve.py -> first wall drawn: {figures['startup_s']:.1f} s (bar {BARS['startup_s']:.0f} s)")
    print(f"server resident memory, one session: {figures['rss_mb']:.0f} MB (bar {BARS['rss_mb']:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
