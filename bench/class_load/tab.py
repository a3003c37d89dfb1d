"""One browser tab's session over the app, for the students and the hostile tabs alike: it enters through nginx
(keeping the route cookie), opens pages, and does one action at a time, recording its latency or its problem in
a Tally. The actions themselves, page by page, are in actions.py."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import websockets

from bench.class_load.course import KINDS, LANGUAGE, Course
from bench.class_load.reading import slider_key
from bench.class_load.web import http_get, route_cookie
from bench.student import Run, Student
from latentwall import i18n


@dataclass
class Tally:
    """What a class's students saw: each action's latencies, and every problem, by action."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    sessions: int = 0

    @property
    def actions(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values()) + len(self.errors)


class Tab:
    """One browser tab's session: what it last saw of each page, and how an action is done and recorded. An
    action named "click wall" is the method click_wall of the page classes in actions.py."""

    def __init__(self, url: str, course: Course, rng: np.random.Generator) -> None:
        self.url, self.course, self.rng = url, course, rng
        self.student: Student | None = None
        self.kind = KINDS[0]  # The model the sidebar shows: the app opens on the first of the pair.
        self.strings = i18n.load_strings(LANGUAGE)
        self.sliders: dict = {}  # The last page's sliders by key, as drawn: their options, ends and step.
        self.samples = ""  # The 20-D VAE's last sheet of samples, as shown.
        self.code_size: int | None = None  # The code size the compression page last showed.
        self.noise: dict[str, str] = {}  # The denoising examples last shown: their kind, level and PSNRs.

    async def enter(self, page: str = "wall") -> None:
        self.student = Student(self.url, await route_cookie(self.url, page))

    async def leave(self) -> None:
        if self.student is not None:
            await self.student.close()

    async def act(self, action: str, tally: Tally) -> bool:
        """Do one action; record its latency (server run plus the pictures it shows) or its problem."""
        started = time.perf_counter()
        try:
            run, problem = await getattr(self, action.replace(" ", "_"))()
            problem = problem or await self.fetch_pictures(run)
        except (OSError, asyncio.TimeoutError, KeyError, websockets.ConnectionClosed) as error:
            problem = f"{type(error).__name__}: {error}"
        if problem:
            tally.errors.append(f"{action}: {problem}")
            return False
        tally.latencies_ms[action].append(1000 * (time.perf_counter() - started))
        return True

    async def fetch_pictures(self, run: Run) -> str | None:
        """Fetch the run's pictures (served as media files by the replica) through nginx, as the page does."""
        urls = [image.url for element in run.of_type("imgs") for image in element.imgs.imgs
                if image.url.startswith("/media/")]
        answers = await asyncio.gather(*(http_get(self.url, url, self.student.cookie) for url in urls))
        missing = [url for url, (status, _, _) in zip(urls, answers, strict=False) if status != 200]
        return f"picture {missing[0]} not found on this student's replica" if missing else None

    async def open(self, page: str) -> Run:
        """Open a page and keep its sliders, whose options and ends a student's next moves stay within."""
        run = await self.student.open_page(page)
        self.sliders = {slider_key(element): element.slider for element in run.of_type("slider")}
        return run
