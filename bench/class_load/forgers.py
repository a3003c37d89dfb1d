"""Hostile tabs: forged messages of every kind from many sessions at once, and what the server must answer
(never a traceback, the drawing page in its own words); then odd addresses, and the fuzz run that sends all of
it beside a class at work."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import websockets

from bench.class_load.actions import Learner
from bench.class_load.course import DIGIT_URL, DRAW_PAD, FINISHED, PAGES, VISIT, Course
from bench.class_load.lessons import lesson
from bench.class_load.odd_values import ODD_ADDRESSES, ODD_PAGES, ODD_QUERIES, odd_click, odd_drawing, odd_widget
from bench.class_load.tab import Tally
from bench.class_load.web import http_get
from bench.student import Run, Student
from latentwall import config

if TYPE_CHECKING:
    from deploy.launch import ClassServer


def _real_id(student: Student, key: str) -> str:
    return student.widget_ids.get(key, key)


async def forge(learner: Learner, rng: np.random.Generator, kind: str, target: str | None = None) -> Run | None:
    """Send one forged message of this kind (one of FORGED_KINDS, or "component") from this learner's session,
    to this target (a widget's key, a component's trigger; for "drawing" the pad's value) or one picked at
    random; the run it caused (None if none)."""
    student = learner.student
    if kind == "click" and student.listeners:  # The wall's click: a forged component value.
        trigger = student.listeners[str(rng.choice(sorted(student.listeners)))]
        return await student.send_trigger(trigger, odd_click(rng))
    if kind == "component":  # Any component's events (a wall's clicks, the share button, the pad).
        return await student.send_trigger(target, odd_click(rng))
    if kind == "drawing":  # The drawing pad's value (target: its JSON text), on the drawing page opened afresh.
        await another_page(student, DIGIT_URL)
        value = target if target is not None else odd_drawing(rng)
        return await student.send_trigger(student.triggers[DRAW_PAD], value)
    if kind in ("click", "widget", "widget in a fragment"):  # A widget's value, of any type, for any id.
        if target is None and student.widget_ids and rng.random() < 0.5:  # One of this page's own widgets.
            target = str(rng.choice(sorted(student.widget_ids)))
        state = odd_widget(rng, target)
        state.id = _real_id(student, state.id)
        fragment = str(rng.choice(["", *student.fragments_of.values()])) if kind == "widget in a fragment" else ""
        return await student.rerun([state], fragment_id=student.fragments_of.get(target, "") if target else fragment)
    if kind == "query":  # An odd query string on a rerun.
        return await student.rerun(query=ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
    if kind == "page":  # A page of the app or an odd one, with an odd query string.
        page = str(rng.choice(PAGES)) if rng.random() < 0.5 else ODD_PAGES[int(rng.integers(len(ODD_PAGES)))]
        return await another_page(student, page, ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
    if kind == "fragment":  # A fragment that does not exist, or one of another page.
        return await student.rerun(fragment_id=str(rng.choice(["forged-fragment", "", "0" * 64])))
    # Bytes that are no message at all: the server closes this connection (the page would reconnect).
    await student.socket.send(bytes(rng.integers(0, 256, int(rng.integers(1, 400)), dtype=np.uint8)))
    return None


async def another_page(student: Student, page: str, query: str = "") -> Run:
    """Open a page and forget the widgets and walls of the one before, so that forged clicks and values go to
    this page's own (a click in a fragment of another page is simply left unanswered by Streamlit)."""
    for seen in (student.listeners, student.listener_fragments, student.widget_ids, student.fragments_of):
        seen.clear()
    return await student.open_page(page, query=query)


# Each kind of forgery, with its share of the forged messages.
FORGED_KINDS = {"click": 0.3, "widget": 0.25, "widget in a fragment": 0.1, "drawing": 0.1, "query": 0.05,
                "page": 0.1, "fragment": 0.05, "bytes": 0.05}
# Forged drawings the pad gets from each hostile tab that sweeps its page, beside one value for each widget.
PAD_SWEEP = 8


def readable(value: str) -> bool:
    """Whether a component value is JSON that Streamlit can read and hand to the page. What it cannot read, it
    refuses itself before the page runs, with its own short error (and again on that session's next run)."""
    try:
        json.loads(value)
    except (ValueError, RecursionError):
        return False
    return True


def pad_problem(run: Run, strings) -> str | None:
    """Why the drawing page did not answer a readable forged drawing in its own words (a refusal said under the
    pad, then the hint, or the drawing's results), or None if it did."""
    if run.errors:
        return f"error shown: {run.errors[0][:120]}"
    if run.recovered:
        return "the session was reset"
    if run.status not in FINISHED:
        return f"run ended {run.status}"
    words = run.text()
    if strings("digit.hint") not in words and strings("digit.showing_drawing") not in words:
        return "the page did not finish"
    return None


def traceback_in(run: Run | None) -> str | None:
    """Anything in a run that shows a traceback, an exception's details or a server path; None if nothing does."""
    if run is None:
        return None
    for element in run.of_type("exception"):
        shown = f"{element.exception.type} {element.exception.message}"
        if element.exception.stack_trace or "Traceback" in shown or 'File "' in shown:
            return shown[:200]
    words = run.text()
    for sign in ("Traceback", 'File "', str(config.PROJECT_ROOT)):
        if sign in words:
            return words[max(0, words.index(sign) - 80):words.index(sign) + 120]
    return None


@dataclass
class Forgeries:
    sent: int = 0
    redacted_errors: int = 0  # Runs where Streamlit raised before app code and showed its own short error.
    connections_closed: int = 0
    no_answer: Counter = field(default_factory=Counter)  # By kind.
    tracebacks: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)
    # Readable forged drawings the drawing page did not answer in its own words (pad_problem).
    pad_problems: list[str] = field(default_factory=list)
    redacted: Counter = field(default_factory=Counter)  # Streamlit's own short errors, by kind.
    # The widgets and components of each page that got at least one forged value, by key or trigger id.
    covered: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


# How long a forged message's run may take. Streamlit answers a rerun of a fragment it does not know with
# nothing at all, and the session goes on working, so for those the wait is short.
FORGED_TIMEOUT_S = {"fragment": 3.0}
FORGED_TIMEOUT_DEFAULT_S = 15.0


def sweep(student: Student, page: str) -> list[tuple[str, str | None]]:
    """A forged value for every widget and component the page drew, and for the pad a handful more."""
    targets = [("widget", key) for key in sorted(student.widget_ids)]
    targets += [("component", trigger) for trigger in sorted(student.listener_fragments)]
    return targets + [("drawing", None)] * (PAD_SWEEP if page == DIGIT_URL else 0)


async def forger(url: str, course: Course, seed: int, count: int, found: Forgeries, pages: Sequence[str] = (),
                 spread_s: float = 0.0) -> None:
    """A hostile tab: opens each of `pages` and sends a forged value to each of its widgets and components, then
    forged messages of every kind at random, `count` in all, reconnecting when the server closes it. With
    spread_s, the messages go out evenly over that many seconds (from a random start within the first step), as
    a rate; without, each as soon as the last is answered."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, course, rng)
    step_s = spread_s / max(count, 1)
    started = time.perf_counter() + rng.uniform(0, step_s)
    await learner.enter()
    student, sent, plan = learner.student, 0, []
    pages = list(pages)
    try:
        while sent < count:
            await asyncio.sleep(max(0.0, started + sent * step_s - time.perf_counter()))
            if not plan and pages:  # The next page to sweep.
                page = pages.pop(0)
                await another_page(student, page)
                plan = sweep(student, page)
            if student.socket is None:
                await another_page(student, page if plan else str(rng.choice(PAGES)))
            kind, target = plan.pop(0) if plan else (str(rng.choice(list(FORGED_KINDS), p=list(FORGED_KINDS.values()))),
                                                     None)
            if kind == "drawing":
                target = odd_drawing(rng)
            sent += 1
            found.sent += 1
            found.kinds[kind] += 1
            if target is not None:
                found.covered[DIGIT_URL if kind == "drawing" else student.page_name].add(
                    DRAW_PAD if kind == "drawing" else target)
            run, answered = None, True
            try:
                run = await asyncio.wait_for(forge(learner, rng, kind, target),
                                             FORGED_TIMEOUT_S.get(kind, FORGED_TIMEOUT_DEFAULT_S))
            except asyncio.TimeoutError:
                found.no_answer[kind] += 1
                answered = False
            except websockets.ConnectionClosed:
                pass
            if run is None or run.status == "connection closed":
                found.connections_closed += answered
                await student.close()  # Any unread answer goes with the connection; the tab reconnects.
                continue
            problem = traceback_in(run)
            if problem:
                found.tracebacks.append(f"{kind} on {student.page_name}: {problem}")
            elif run.of_type("exception"):
                found.redacted_errors += 1
                found.redacted[kind] += 1
            if kind == "drawing" and readable(target):
                problem = pad_problem(run, learner.strings)
                if problem:
                    found.pad_problems.append(f"{target[:80]}: {problem}")
            elif kind == "drawing":
                await student.close()  # Its session would refuse its next run too; the tab reconnects.
    finally:
        await learner.leave()


async def odd_addresses(url: str) -> list[str]:
    """Each odd address's answer must be a page, a redirect or a refusal: never a server error or a traceback."""
    problems = []
    for target in ODD_ADDRESSES:
        status, _, body = await http_get(url, target)
        if status >= 500 or b"Traceback" in body or b'File "' in body:
            problems.append(f"{target[:60]}: {status}")
    return problems


async def fuzz(served: ClassServer, course: Course, students: int, forgers: int, forgeries: int,
               seconds: float) -> dict:
    """`forgers` hostile sessions send `forgeries` forged messages between them, spread evenly over the `seconds`
    in which `students` students work through the lesson; then odd addresses. The servers must stay up and the
    students see no error.

    The hostile sessions share the pages out, and first send a forged value to every widget and component of
    theirs; the students start on different pages, so that every page is in use while forged messages arrive."""
    tally, found = Tally(), Forgeries()
    until = time.perf_counter() + seconds
    share = [forgeries // forgers + (index < forgeries % forgers) for index in range(forgers)] if forgers else []
    await asyncio.gather(*(lesson(served.url, course, seed, tally, until, start_page=seed) for seed in range(students)),
                         *(forger(served.url, course, 500 + index, count, found, PAGES[index::forgers], seconds)
                           for index, count in enumerate(share)))
    odd = await odd_addresses(served.url)
    alive = all(process.poll() is None for process in served.replicas.values()) and served.nginx.poll() is None
    status, _, _ = await http_get(served.url, "/_stcore/health")
    after = Tally()
    await lesson(served.url, course, 99, after, time.perf_counter() + 600, VISIT, 0.0, rounds=1)
    return {"tally": tally, "forgeries": found, "odd_addresses": odd, "alive": alive and status == 200,
            "after": after}
