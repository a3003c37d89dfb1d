"""The live preview: pointer move -> new picture painted by the page's own decoder, and what the page downloads.

    python -m bench.preview [--models models/] [--moves 200] [--chromium /usr/bin/chromium]

Starts `streamlit run serve.py`, opens the gallery wall at 1366x768 in Debian's headless Chromium for each
model, and moves the pointer `--moves` times across the wall. The page records, for every move, the time
from the pointer event's own time stamp to the preview's canvas holding the new picture
(window.latentWallPreviewTimes). It also times the decoder alone inside the page, counts the bytes the page
downloads, and reads the server's CPU time over the sweep (the preview should cost the server nothing).
It asserts nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bench.harness import (
    AppServer,
    add_app_arguments,
    axes_of,
    data_to_pixel,
    launch_browser,
    wait_for_wall,
    wait_idle,
)
from latentwall import config, registry
from lessons import wall

if TYPE_CHECKING:
    from playwright.sync_api import Page

VIEWPORT = {"width": 1366, "height": 768}
BAR_MS = 16.0
_DECODE_ONLY = """async (count) => {
  const decoder = await [...window.latentWallDecoders.values()][0];
  const times = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    decoder.decode([Math.sin(i) * 3, Math.cos(i) * 3]);
    times.push(performance.now() - started);
  }
  return times;
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def sweep(page: Page, server: AppServer, kind: str, moves: int) -> dict:
    """Open the wall for kind, wait for its decoder, move the pointer `moves` times; the figures."""
    import psutil

    downloaded = {}
    page.on("response", lambda response: downloaded.setdefault(response.url, response))
    key = wall.pick_key(kind)
    page.goto(f"{server.url}/wall?model={kind}")
    wait_for_wall(page, key)
    wait_idle(page)
    page.wait_for_function("""async () => { const all = [...(window.latentWallDecoders || new Map()).values()];
                              if (!all.length) return false; await Promise.all(all); return true; }""")
    page.wait_for_timeout(500)
    page.evaluate("window.latentWallPreviewTimes.length = 0; window.latentWallPreviewWork.length = 0")
    x_min, x_max, y_min, y_max = axes_of(page, key)
    corners = [data_to_pixel(page, key, x_min, y_max), data_to_pixel(page, key, x_max, y_min)]
    (left, top), (right, bottom) = corners
    server_process = psutil.Process(server.process.pid)
    cpu_before = sum(server_process.cpu_times()[:2])
    for step in range(moves):
        # A Lissajous sweep over the middle of the plot area: every move lands somewhere new.
        fraction = step / moves
        x = left + (right - left) * (0.5 + 0.4 * math.sin(6.283 * 3 * fraction))
        y = top + (bottom - top) * (0.5 + 0.4 * math.sin(6.283 * 2 * fraction + 0.5))
        page.mouse.move(x, y)
        page.wait_for_timeout(20)
    server_cpu_ms = (sum(server_process.cpu_times()[:2]) - cpu_before) * 1000
    times = page.evaluate("Array.from(window.latentWallPreviewTimes)")
    work = page.evaluate("Array.from(window.latentWallPreviewWork)")
    decode_only = page.evaluate(_DECODE_ONLY, 200)
    decoder_bytes = sum(len(response.body()) for url, response in downloaded.items() if "/weights/" in url)
    page_bytes = sum(len(response.body()) for response in downloaded.values()
                     if response.status == 200 and response.request.method == "GET")
    return {"times": times, "work": work, "decode_only": decode_only, "server_cpu_ms": server_cpu_ms,
            "decoder_bytes": decoder_bytes, "page_bytes": page_bytes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.preview",
                                     description=__doc__.split("\n\n")[0])
    add_app_arguments(parser)
    parser.add_argument("--moves", type=int, default=200, help="pointer moves per model")
    args = parser.parse_args(argv)
    if not Path(args.chromium).is_file():
        print(f"Chromium not found at {args.chromium}.", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with AppServer(args.models, args.data or os.environ.get(config.DATA_ENV_VAR)) as server, \
            sync_playwright() as playwright:
        server.wait_healthy(timeout=90)
        browser = launch_browser(playwright, args.chromium)
        for kind in (recipe.name for recipe in registry.WALL_PAIR):
            context = browser.new_context(viewport=VIEWPORT)  # A fresh cache: the first visit's downloads.
            figures = sweep(context.new_page(), server, kind, max(args.moves, 1))
            context.close()
            times = figures["times"]
            print(f"{kind}: pointer move -> preview painted, median {statistics.median(times):.1f} ms, "
                  f"p95 {percentile(times, 0.95):.1f} ms over {len(times)} moves (bar {BAR_MS:.0f} ms); "
                  f"of it the page's own work (hit test, decode, paint) median "
                  f"{statistics.median(figures['work']):.1f} ms; "
                  f"decoder alone median {statistics.median(figures['decode_only']):.1f} ms; "
                  f"server CPU over the sweep {figures['server_cpu_ms']:.0f} ms")
            print(f"{kind}: downloaded once: decoder {figures['decoder_bytes'] / 1e6:.2f} MB, whole first view "
                  f"{figures['page_bytes'] / 1e6:.2f} MB (uncompressed bodies)")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
