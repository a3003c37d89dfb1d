"""python -m bench.digit: what a drawn stroke and an upload on "Your own digit" cost the server.

    python -m bench.digit [--models models/] [--data PATH] [--strokes 10] [--uploads 10]

Starts `streamlit run serve.py`, opens the page in headless Debian Chromium, draws strokes on the pad and uploads
pictures one at a time, each waited for until both walls show the new landing. Server CPU is the server
process's user + system time over the actions, less its idle loop's rate measured before them.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import psutil
from PIL import Image, ImageDraw

from bench.harness import (
    CHROMIUM,
    UPLOAD_INPUT,
    VIEWPORT,
    AppServer,
    add_app_arguments,
    cpu_seconds,
    draw,
    landings,
    launch_browser,
    open_pad,
    wait_for_landing,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

IDLE_SECONDS = 4.0


def seven_png(shift: int) -> bytes:
    picture = Image.new("RGB", (400, 400), "white")
    ImageDraw.Draw(picture).line([(100 + shift, 90), (300, 90 + shift), (170, 330)], fill="black", width=30)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def measure(page: Page, process: psutil.Process, idle_rate: float,
            actions: list[Callable[[], object]]) -> tuple[float, list[float]]:
    """Server CPU per action (ms, idle loop removed) and each action's wall time until its landing (ms)."""
    walls, start_cpu, start = [], cpu_seconds(process), time.perf_counter()
    for action in actions:
        before = landings(page)
        began = time.perf_counter()
        action()
        wait_for_landing(page, before)
        walls.append((time.perf_counter() - began) * 1000)
    elapsed = time.perf_counter() - start
    used = cpu_seconds(process) - start_cpu - idle_rate * elapsed
    return used / len(walls) * 1000, walls


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.digit", description=__doc__.split("\n\n")[0])
    add_app_arguments(parser, chromium=False)
    parser.add_argument("--strokes", type=int, default=10)
    parser.add_argument("--uploads", type=int, default=10)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, AppServer(args.models, args.data) as server, \
            sync_playwright() as playwright:
        files = [Path(folder) / f"seven-{number}.png" for number in range(2)]
        for number, path in enumerate(files):
            path.write_bytes(seven_png(40 * number))
        server.wait_healthy(timeout=90)
        process = psutil.Process(server.process.pid)
        browser = launch_browser(playwright, CHROMIUM)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        open_pad(page, server.url)
        draw(page, [(70, 60), (210, 60), (120, 230)])  # The first run warms the caches (walls, scores).
        wait_for_landing(page)
        start_cpu, start = cpu_seconds(process), time.perf_counter()
        time.sleep(IDLE_SECONDS)
        idle_rate = (cpu_seconds(process) - start_cpu) / (time.perf_counter() - start)
        strokes = [lambda number=number: draw(page, [(40 + 18 * number, 250), (60 + 18 * number, 200)])
                   for number in range(args.strokes)]
        stroke_cpu, stroke_walls = measure(page, process, idle_rate, strokes)
        uploads = [lambda number=number: page.locator(UPLOAD_INPUT).set_input_files(str(files[number % 2]))
                   for number in range(args.uploads)]
        upload_cpu, upload_walls = measure(page, process, idle_rate, uploads)
        browser.close()
    print(f"server idle loop: {idle_rate * 1000:.1f} ms of CPU per second (removed below)")
    print(f"drawn stroke: {stroke_cpu:.0f} ms of server CPU each; stroke end -> both walls updated, median "
          f"{statistics.median(stroke_walls):.0f} ms (max {max(stroke_walls):.0f}) over {len(stroke_walls)}")
    print(f"upload: {upload_cpu:.0f} ms of server CPU each; file chosen -> both walls updated, median "
          f"{statistics.median(upload_walls):.0f} ms (max {max(upload_walls):.0f}) over {len(upload_walls)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
