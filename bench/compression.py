"""The compression page's cost to the server: CPU time per page view and per move of the code-size control.

    python -m bench.compression [--models models/] [--data PATH] [--views 10] [--moves 10]

Starts `streamlit run serve.py` on a free port, opens the page in a fresh Chromium tab (a new session) `views`
times, and reads the server's CPU time (user + system) around each view, from opening the address until the
page is drawn and idle. The first view also loads the models into the process's cache and is reported apart.
Then it moves the code-size control `moves` times in one tab. It asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bench.harness import VIEWPORT, AppServer, add_app_arguments, cpu_seconds, launch_browser, wait_idle
from latentwall import config, registry

if TYPE_CHECKING:
    from playwright.sync_api import Page

SIZES = [recipe.latent_dim for recipe in registry.sweep("dense-ae")]


def drawn(page: Page) -> None:
    """Until the ten digits and both charts are on the page and the script has finished."""
    page.wait_for_selector('[data-lw="triptych"]', timeout=120_000)
    page.wait_for_selector(".st-key-comp-bytes-chart .scatterlayer .trace", timeout=120_000)
    wait_idle(page)


def measure(models_root: Path, data: str | None, views: int, moves: int, chromium: str) -> dict:
    import psutil
    from playwright.sync_api import sync_playwright

    with AppServer(models_root, data) as server, sync_playwright() as playwright:
        server.wait_healthy()
        process = psutil.Process(server.process.pid)
        browser = launch_browser(playwright, chromium)
        view_cpu, view_wall = [], []
        for view in range(views):
            page = browser.new_page(viewport=VIEWPORT)
            before, started = cpu_seconds(process), time.perf_counter()
            page.goto(f"{server.url}/compression")
            drawn(page)
            view_wall.append(time.perf_counter() - started)
            page.wait_for_timeout(300)  # Let the server finish its bookkeeping after the run.
            view_cpu.append(cpu_seconds(process) - before)
            if view < views - 1:
                page.close()
        move_cpu = []
        control = page.locator(".st-key-comp-size input")
        step = 1  # Walk right to the largest code, then back left, and so on.
        for _ in range(moves):
            recipe = page.locator('[data-lw="triptych"]').first.get_attribute("data-lw-recipe")
            place = SIZES.index(registry.recipe(recipe).latent_dim)
            if not 0 <= place + step < len(SIZES):
                step = -step
            before = cpu_seconds(process)
            control.focus()
            page.keyboard.press("ArrowRight" if step > 0 else "ArrowLeft")
            page.wait_for_function("(recipe) => document.querySelector('[data-lw=\"triptych\"]')"
                                   ".getAttribute('data-lw-recipe') !== recipe", arg=recipe, timeout=60_000)
            wait_idle(page)
            page.wait_for_timeout(300)
            move_cpu.append(cpu_seconds(process) - before)
        browser.close()
    return {"first_view_cpu_ms": 1000 * view_cpu[0], "view_cpu_ms": [1000 * value for value in view_cpu[1:]],
            "view_wall_s": view_wall, "move_cpu_ms": [1000 * value for value in move_cpu]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compression",
                                     description=__doc__.split("\n\n")[0])
    add_app_arguments(parser)
    parser.add_argument("--views", type=int, default=10, help="page views, each in a fresh tab (at least 2)")
    parser.add_argument("--moves", type=int, default=10, help="moves of the code-size control")
    args = parser.parse_args(argv)
    if args.views < 2:
        parser.error("--views must be at least 2: the first view also loads the models")
    if not Path(args.chromium).is_file():
        print(f"Chromium not found at {args.chromium}.", file=sys.stderr)
        return 1
    figures = measure(args.models, args.data or os.environ.get(config.DATA_ENV_VAR), args.views, max(args.moves, 0),
                      args.chromium)
    views, moves = figures["view_cpu_ms"], figures["move_cpu_ms"]
    print(f"server CPU, first view (loads the models): {figures['first_view_cpu_ms']:.0f} ms")
    print(f"server CPU per later page view: median {statistics.median(views):.0f} ms "
          f"(min {min(views):.0f}, max {max(views):.0f}; {len(views)} views, each a new session)")
    print(f"page drawn, later views: median {statistics.median(figures['view_wall_s'][1:]):.2f} s")
    if moves:
        print(f"server CPU per code-size move: median {statistics.median(moves):.0f} ms "
              f"(min {min(moves):.0f}, max {max(moves):.0f}; {len(moves)} moves)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
