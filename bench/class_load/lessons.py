"""Students at work: one student's lesson, action after action, round after round, and the warm-up pass that
loads every replica's models before the class."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import numpy as np
import websockets

from bench.class_load.actions import Learner
from bench.class_load.course import LESSON, THINK_S, Course
from bench.class_load.tab import Tally

if TYPE_CHECKING:
    from deploy.launch import ClassServer


def from_page(actions: tuple[str, ...], block: int) -> tuple[str, ...]:
    """The actions begun at the block-th page they open (counted round), then the rest in turn."""
    opens = [index for index, action in enumerate(actions) if action.startswith("open ")] or [0]
    start = opens[block % len(opens)]
    return actions[start:] + actions[:start]


async def lesson(url: str, course: Course, seed: int, tally: Tally, until: float, actions: tuple[str, ...] = LESSON,
                 think_s: float = THINK_S, rounds: int | None = None, start_page: int = 0) -> None:
    """One student: the lesson's actions in turn, ~think_s apart, round after round until `until` (or `rounds`),
    from the start_page-th page the lesson opens."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, course, rng)
    actions = from_page(actions, start_page)
    try:
        await asyncio.sleep(rng.uniform(0, think_s))  # Students do not start in step.
        await learner.enter()
        tally.sessions += 1
        done = 0
        while time.perf_counter() < until and (rounds is None or done < rounds):
            for action in actions:
                started = time.perf_counter()
                if not await learner.act(action, tally) or time.perf_counter() >= until:
                    return  # A student whose page broke stops there, as a real one would reload.
                await asyncio.sleep(max(0.0, think_s * rng.uniform(0.8, 1.2) - (time.perf_counter() - started)))
            done += 1
    except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as error:
        tally.errors.append(f"enter: {type(error).__name__}: {error}")
    finally:
        await learner.leave()


async def warm_up(served: ClassServer, course: Course) -> None:
    """One pass over the lesson on every replica directly: models, maps and manifolds load before the class."""
    for port in served.replica_ports:
        tally = Tally()
        await lesson(f"http://127.0.0.1:{port}", course, 10_000 + port, tally, time.perf_counter() + 600,
                     think_s=0.0, rounds=1)
        if tally.errors:
            raise RuntimeError(f"the warm-up pass failed on port {port}: {tally.errors[:2]}")
