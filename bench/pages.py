"""python -m bench.pages: server CPU per action on the pages that load any recipe, and per open
of every page.

One protocol student (bench/student.py) opens the interpolation page on a wide recipe and moves the weight
slider, then views the Models page again and again, then opens each of the app's pages again and again. Each
action is timed as the server's own CPU time (user + system) across it, after a warm-up that loads the models,
so the figures are what a class pays per action. Pictures a page shows as media files are not fetched here
(bench.classroom fetches them).

    python -m bench.pages --data ../shared/data/mnist.npz --recipe dense-100-20 --steps 200
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import lessons
from bench.harness import AppServer, cpu_seconds
from bench.student import Student
from latentwall import config, registry
from lessons import interpolation as interpolation_keys

if TYPE_CHECKING:
    import psutil


def server_cpu_ms(process: psutil.Process) -> float:
    return 1000.0 * cpu_seconds(process)


async def per_action(process: psutil.Process, action: Callable[[int], Awaitable[None]], count: int) -> float:
    """The server CPU of one run of action, in milliseconds: the total over count runs (the clock counts in
    10 ms ticks, so single runs cannot be timed), less what the idle server spends in the same time."""
    idle = await idle_rate(process)
    started, before = time.perf_counter(), server_cpu_ms(process)
    for number in range(count):
        await action(number)
    await asyncio.sleep(0.1)  # What the last run left (its messages, its collector) is counted too.
    total = server_cpu_ms(process) - before
    return (total - idle * (time.perf_counter() - started)) / count


async def idle_rate(process: psutil.Process, seconds: float = 3.0) -> float:
    """The server's own CPU per second with this session open and nothing asked (its event loop)."""
    before = server_cpu_ms(process)
    await asyncio.sleep(seconds)
    return (server_cpu_ms(process) - before) / seconds


async def measure(url: str, pid: int, recipe: str, steps: int, views: int) -> dict[str, float]:
    import psutil

    process = psutil.Process(pid)
    student = Student(url)
    first = await student.open_page(lessons.lesson("interpolation").url, query=f"recipe={recipe}")
    if first.errors:
        raise RuntimeError(f"The interpolation page failed: {first.errors}")
    fragment = student.fragments_of[interpolation_keys.WEIGHT]

    async def step(number: int) -> None:
        weight = round((number % 99 + 1) / 100, 2)
        answer = await student.send_widget(interpolation_keys.WEIGHT, fragment_id=fragment,
                                           double_array_value={"data": [weight]})
        if answer.errors or answer.of_type("plotly_chart"):
            raise RuntimeError(f"A slider step redrew the chart or failed: {answer.errors}")

    async def page_view(number: int, page: str = "models", query: str = "") -> None:
        student.page_hash = ""  # A fresh page load, as a click on the page's link gives.
        answer = await student.open_page(page, query=query)
        if answer.errors:
            raise RuntimeError(f"The {page} page failed: {answer.errors}")

    slider = await per_action(process, step, steps)
    await page_view(0)  # Warm-up: the table's files are read once per process.
    views_ms = await per_action(process, page_view, views)
    interpolation = await per_action(process, lambda number: page_view(number, "interpolation", f"recipe={recipe}"),
                                     views)
    await student.close()
    opens = {}
    # Each lesson page in a session of its own, on the page's own defaults, as a class opens it.
    for page in lessons.urls():
        student = Student(url)

        async def page_open(number: int, page: str = page, student: Student = student) -> None:
            student.page_hash = ""
            answer = await student.open_page(page)
            if answer.errors:
                raise RuntimeError(f"The {page} page failed: {answer.errors}")

        await page_open(0)  # Warm-up: what a page draws once per process is drawn here.
        opens[f"open {page}"] = await per_action(process, page_open, views)
        await student.close()
    return {"slider step": slider, "Models page view": views_ms, f"interpolation page view ({recipe})": interpolation,
            **opens}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="the MNIST file (default: $LATENT_WALL_MNIST, then the Keras cache)")
    parser.add_argument("--models", type=Path, default=config.MODELS_ROOT)
    parser.add_argument("--recipe", default=min((recipe for recipe in registry.interpolable() if recipe.latent_dim > 2),
                                                key=lambda recipe: abs(recipe.latent_dim - 20)).name,
                        choices=[recipe.name for recipe in registry.interpolable()])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--views", type=int, default=30)
    args = parser.parse_args(argv)
    with AppServer(args.models, args.data) as server:
        server.wait_healthy(timeout=90)
        time.sleep(1.0)
        figures = asyncio.run(measure(server.url, server.process.pid, args.recipe, args.steps, args.views))
    print(f"server CPU per action, ms ({args.models}, recipe {args.recipe}):")
    for name, cost in figures.items():
        print(f"  {name:<40} {cost:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
