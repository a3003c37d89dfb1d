"""App speed: single-point decode, click-to-image in a real browser, start-up time, and server memory.

    python -m bench.app [--models models/] [--clicks 20] [--chromium /usr/bin/chromium]

Starts `streamlit run serve.py` on a free port against the given models, drives Debian's Chromium with
Playwright, and prints each figure beside its bar. It asserts nothing; its helpers are in bench.harness.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from bench.harness import (
    VIEWPORT,
    AppServer,
    add_app_arguments,
    click_and_wait,
    launch_browser,
    server_rss_mb,
    wait_for_wall,
    wait_idle,
)
from latentwall import config, inference, latent, registry, store
from lessons import wall as wall_lesson

BARS = {"decode_ms": 3.0, "click_ms": 250.0, "startup_s": 12.0, "rss_mb": 1536.0}


def decode_median_ms(models: inference.ModelSet, repeats: int = 300) -> float:
    """Median wall time of decoding one point with the app's shared decoder."""
    rng = np.random.default_rng(0)
    decoder = models[registry.WALL_PAIR[0].name].decoder
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

    wall = models[registry.WALL_PAIR[0].name].wall
    box = latent.opening_view(wall)  # Clicks land where the wall opens.
    rng = np.random.default_rng(1)
    key = wall_lesson.pick_key(registry.WALL_PAIR[0].name)
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
    parser = argparse.ArgumentParser(prog="python -m bench.app", description=__doc__.split("\n\n")[0])
    add_app_arguments(parser)
    parser.add_argument("--clicks", type=int, default=20, help="clicks to time in the browser")
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
