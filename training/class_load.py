"""A whole lesson through nginx (deploy/): students who use every page, sessions that come and go, and
forged messages from many sessions at once.

`python -m training.benchmark_classroom --through-nginx` runs these; tests/test_deploy_load.py runs a small
version. A student here is a protocol-level client (training/student.py) that first fetches its page through
nginx, as a browser does, and keeps the route cookie nginx hands out: its websocket and the pictures it
fetches then stay on the replica that holds its session.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psutil
import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

from latentwall import artifacts, config, explore, i18n, registry
from training.student import Run, Student

KINDS = tuple(recipe.name for recipe in registry.WALL_PAIR)
LANGUAGE = i18n.DEFAULT_LANGUAGE
MODEL_WIDGET = f"model-{LANGUAGE}"  # The sidebar's model switch, drawn under a key per language.
FINISHED = ("FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY")

# One pass over the app, as a student works through the lesson: the gallery wall and its clicks, the other
# model, the interpolation's weight and digits, then the two walls side by side.
LESSON = ("open wall", "click wall", "click wall", "click wall", "switch model", "click wall", "click wall",
          "open interpolation", "move slider", "move slider", "move slider", "pick digit", "pick digit",
          "open compare", "click compare", "click compare")
# A shorter visit, for the soak: every page once, a click or a step on each.
VISIT = ("open wall", "click wall", "switch model", "click wall", "open interpolation", "move slider",
         "pick digit", "open compare", "click compare")
# What a student does with one click or one small move, and expects to see answered at once.
CLICK_LIKE = ("click wall", "switch model", "move slider", "pick digit", "click compare")
# Seconds between a student's actions (each varies by +-20%), as in the single-server benchmark.
THINK_S = 2.0


def wall_key(kind: str) -> str:
    return f"wall-pick-{kind}"


def compare_key(kind: str) -> str:
    return f"compare-pick-{kind}"


def wall_boxes(models_root: Path) -> dict[str, tuple[float, float, float, float]]:
    """Each wall model's box, where its students click."""
    return {kind: explore.wall_box(artifacts.load_wall(config.dataset_dir(models_root) / kind / "wall.npz"))
            for kind in KINDS}


# --- HTTP through nginx, as the browser's own requests (page shell, pictures) ---------------------------------

async def http_get(base_url: str, target: str, cookie: str | None = None,
                   timeout: float = 30.0) -> tuple[int, dict[str, list[str]], bytes]:
    """GET target (sent as is, odd or not) from base_url: status, headers by lower-case name, raw body."""
    host_port = base_url.split("://", 1)[1].rstrip("/")
    host, port = host_port.rsplit(":", 1)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
    try:
        lines = [f"GET {target} HTTP/1.1", f"Host: {host_port}", "Connection: close"]
        lines += [f"Cookie: {cookie}"] if cookie else []
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = defaultdict(list)
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()].append(value.strip())
    return int(status_line.split()[1]), headers, body


async def route_cookie(base_url: str, page: str) -> str | None:
    """The route cookie nginx gives a browser on its first request (None straight to a replica)."""
    _, headers, _ = await http_get(base_url, f"/{page}")
    for value in headers.get("set-cookie", []):
        if value.startswith("lw_route="):
            return value.split(";", 1)[0]
    return None


# --- One student over the whole app ---------------------------------------------------------------------------

@dataclass
class Tally:
    """What a class's students saw: each action's latencies, and every problem, by action."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    sessions: int = 0

    @property
    def actions(self) -> int:
        return sum(len(values) for values in self.latencies_ms.values()) + len(self.errors)


def problem_of(run: Run) -> str | None:
    """Why a run is not what a student should see, or None if it is."""
    if run.errors:
        return f"error shown: {run.errors[0][:120]}"
    if run.status not in FINISHED:
        return f"run ended {run.status}"
    if run.recovered:
        return "the session was reset"
    return None


def scopes(run: Run) -> set[str]:
    """The walls whose click listeners the run drew, by their container key."""
    found = set()
    for element in run.of_type("bidi_component"):
        scope = json.loads(element.bidi_component.json or "{}").get("scope") or ""
        found.add(scope.removeprefix("st-key-").removesuffix("-area"))
    return found


def captions(run: Run) -> list[str]:
    return [image.caption for element in run.of_type("imgs") for image in element.imgs.imgs]


class Learner:
    """One browser tab over the whole app: each action sends what the page would and checks what comes back."""

    def __init__(self, url: str, boxes: dict, rng: np.random.Generator):
        self.url, self.boxes, self.rng = url, boxes, rng
        self.student: Student | None = None
        self.kind = KINDS[0]  # The model the sidebar shows: the app opens on the first of the pair.
        self.strings = i18n.load_strings(LANGUAGE)

    async def enter(self, page: str = "wall") -> None:
        self.student = Student(self.url, await route_cookie(self.url, page))

    async def leave(self) -> None:
        if self.student is not None:
            await self.student.close()

    def spot(self, kind: str) -> tuple[float, float]:
        x_min, x_max, y_min, y_max = self.boxes[kind]
        return (float(self.rng.uniform(x_min + 0.1 * (x_max - x_min), x_max - 0.1 * (x_max - x_min))),
                float(self.rng.uniform(y_min + 0.1 * (y_max - y_min), y_max - 0.1 * (y_max - y_min))))

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
        missing = [url for url, (status, _, _) in zip(urls, answers) if status != 200]
        return f"picture {missing[0]} not found on this student's replica" if missing else None

    async def open_wall(self) -> tuple[Run, str | None]:
        run = await self.student.open_page("wall")
        return run, problem_of(run) or (None if wall_key(self.kind) in scopes(run) else "no wall drawn")

    async def click_wall(self) -> tuple[Run, str | None]:
        x, y = self.spot(self.kind)
        run = await self.student.click(wall_key(self.kind), x, y)
        return run, problem_of(run) or self.misread(run, x, y, self.kind)

    def misread(self, run: Run, x: float, y: float, kind: str) -> str | None:
        verdict, box = run.verdict, self.boxes[kind]
        if verdict is None:
            return "no decoded panel"
        if abs(float(verdict["x"]) - x) > 1e-3 * (box[1] - box[0]) or verdict["model"] != kind:
            return f"the answer is for another click: {verdict}"
        return None

    async def switch_model(self) -> tuple[Run, str | None]:
        other = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        run = await self.student.send_widget(MODEL_WIDGET, string_value=self.strings(f"models.{other}"))
        self.kind = other
        return run, problem_of(run) or (None if wall_key(other) in scopes(run) else "the other wall is not drawn")

    async def open_interpolation(self) -> tuple[Run, str | None]:
        run = await self.student.open_page("interpolation")
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no decoded pictures")

    async def move_slider(self) -> tuple[Run, str | None]:
        weight = round(float(self.rng.uniform(0, 1)), 2)
        run = await self.student.send_widget("interp-weight", fragment_id=self.student.fragments_of["interp-weight"],
                                             double_array_value={"data": [weight]})
        shown = sum(f"w = {weight:.2f}" in caption for caption in captions(run))
        return run, problem_of(run) or (None if shown == len(KINDS) else "the weight's pictures are missing")

    async def pick_digit(self) -> tuple[Run, str | None]:
        slot, digit = str(self.rng.choice(["interp-class-a", "interp-class-b"])), int(self.rng.integers(10))
        run = await self.student.send_widget(slot, string_value=str(digit))
        return run, problem_of(run) or (None if len(captions(run)) >= 4 else "no filmstrip")

    async def open_compare(self) -> tuple[Run, str | None]:
        run = await self.student.open_page("compare")
        missing = {compare_key(kind) for kind in KINDS} - scopes(run)
        return run, problem_of(run) or (f"walls missing: {missing}" if missing else None)

    async def click_compare(self) -> tuple[Run, str | None]:
        kind = str(self.rng.choice(KINDS))
        x, y = self.spot(kind)
        run = await self.student.click(compare_key(kind), x, y)
        return run, problem_of(run) or self.misread(run, x, y, kind)


async def lesson(url: str, boxes: dict, seed: int, tally: Tally, until: float, actions=LESSON,
                 think_s: float = THINK_S, rounds: int | None = None) -> None:
    """One student: the lesson's actions in turn, ~think_s apart, round after round until `until` (or `rounds`)."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, boxes, rng)
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


# --- What the server spends -------------------------------------------------------------------------------------

def server_pids(served) -> list[int]:
    """The processes that serve a class (deploy.launch.ClassServer): every replica, nginx and its workers."""
    pids = [process.pid for process in served.replicas.values()]
    nginx = psutil.Process(served.nginx.pid)
    return pids + [nginx.pid] + [child.pid for child in nginx.children(recursive=True)]


class ServerWatch:
    """CPU seconds of a group of processes, and the resident memory of the first one."""

    def __init__(self, pids: list[int]):
        self.processes = [psutil.Process(pid) for pid in pids]
        self.rss_mb: list[float] = []

    def cpu(self) -> float:
        total = 0.0
        for process in self.processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def rss(self) -> float:
        value = self.processes[0].memory_info().rss / 2**20
        self.rss_mb.append(value)
        return value

    async def watch_rss(self, every_s: float = 0.25) -> None:
        while True:
            self.rss()
            await asyncio.sleep(every_s)


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(values, share)) if values else float("nan")


async def warm_up(served, boxes: dict) -> None:
    """One pass over the lesson on every replica directly: models, maps and manifolds load before the class."""
    for port in served.replica_ports:
        tally = Tally()
        await lesson(f"http://127.0.0.1:{port}", boxes, 10_000 + port, tally, time.perf_counter() + 600,
                     think_s=0.0, rounds=1)
        if tally.errors:
            raise RuntimeError(f"the warm-up pass failed on port {port}: {tally.errors[:2]}")


async def action_costs(served, boxes: dict, rounds: int = 10, idle_s: float = 3.0) -> dict[str, float]:
    """Server CPU (replicas and nginx) of each action, in ms: one student alone, actions back to back, the
    servers' idle CPU over the same time taken off."""
    watch = ServerWatch(server_pids(served))
    before = watch.cpu()
    await asyncio.sleep(idle_s)
    idle_rate = (watch.cpu() - before) / idle_s
    learner, tally = Learner(served.url, boxes, np.random.default_rng(7)), Tally()
    spent: dict[str, list[float]] = defaultdict(list)
    await learner.enter()
    try:
        for _ in range(rounds):
            for action in LESSON:
                cpu, started = watch.cpu(), time.perf_counter()
                await learner.act(action, tally)
                spent[action].append(watch.cpu() - cpu - idle_rate * (time.perf_counter() - started))
    finally:
        await learner.leave()
    if tally.errors:
        raise RuntimeError(f"the cost pass failed: {tally.errors[:2]}")
    costs = {action: 1000 * float(np.mean(values)) for action, values in spent.items()}
    return costs | {"idle per s": 1000 * idle_rate}


async def class_load(served, boxes: dict, students: int, seconds: float) -> dict:
    """`students` students work through the lesson for `seconds`; latencies by action and what the servers spent."""
    watch, me = ServerWatch(server_pids(served)), psutil.Process()
    tally = Tally()
    cpu, own, started = watch.cpu(), me.cpu_times(), time.perf_counter()
    await asyncio.gather(*(lesson(served.url, boxes, seed, tally, started + seconds) for seed in range(students)))
    elapsed = time.perf_counter() - started
    server_cpu, mine = watch.cpu() - cpu, me.cpu_times()
    return {"students": students, "replicas": len(served.replicas), "seconds": elapsed, "tally": tally,
            "server_cpu_s": server_cpu, "server_cores": server_cpu / elapsed,
            "own_cores": (mine.user + mine.system - own.user - own.system) / elapsed,
            "by_action": {action: {"count": len(values), "p50_ms": percentile(values, 50),
                                   "p95_ms": percentile(values, 95), "max_ms": max(values)}
                          for action, values in tally.latencies_ms.items()}}


# --- Sessions coming and going ----------------------------------------------------------------------------------

async def soak(served, boxes: dict, sessions: int, concurrent: int, session_ttl_s: float) -> dict:
    """`sessions` short visits, `concurrent` at a time, against the first replica; its memory before, at the
    peak and after every session has closed and expired."""
    watch = ServerWatch(server_pids(served)[:1])
    fresh = watch.rss()

    async def settled() -> float:
        await asyncio.sleep(session_ttl_s + 3)
        await http_get(served.url, "/_stcore/health")
        probe = Learner(served.url, boxes, np.random.default_rng(1))
        await probe.enter()
        await probe.student.open_page("")  # A new session makes the server drop the ones whose time is up.
        await probe.leave()
        await asyncio.sleep(2)
        return watch.rss()

    tally = Tally()
    await asyncio.gather(*(lesson(served.url, boxes, seed, tally, time.perf_counter() + 600, VISIT, 0.2, rounds=1)
                           for seed in range(10)))
    warm = await settled()
    gate = asyncio.Semaphore(concurrent)

    async def visit(seed: int) -> None:
        async with gate:
            await lesson(served.url, boxes, seed, tally, time.perf_counter() + 600, VISIT, 0.3, rounds=1)

    sampler = asyncio.ensure_future(watch.watch_rss())
    started = time.perf_counter()
    await asyncio.gather(*(visit(seed) for seed in range(10, 10 + sessions)))
    elapsed = time.perf_counter() - started
    sampler.cancel()
    peak = max(watch.rss_mb)
    after = await settled()
    return {"sessions": sessions, "concurrent": concurrent, "seconds": elapsed, "tally": tally,
            "rss_fresh_mb": fresh, "rss_warm_mb": warm, "rss_peak_mb": peak, "rss_after_mb": after}


# --- Forged messages --------------------------------------------------------------------------------------------

# Values no real page sends: not finite, too big for a float, of the wrong type, or very long.
ODD_VALUES = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 10**400, -(10**400), -0.0, "1e999", "",
              "abc", "<script>alert(1)</script>", None, True, [], {}, [1, 2], {"x": 1}, "x" * 50_000]
ODD_STRINGS = ["", "GAN", "12", "-1", "nan", "<img src=x onerror=alert(1)>", "\u202e\u0000", "x" * 100_000,
               "Autoencoder (AE)\x00"]
ODD_QUERIES = ["x=nan&y=inf", "x=1e999&y=-1e999&model=gan", "model=%00&lang=../../etc", "a=-1&b=1e99&w=NaN",
               "a=9999999999999999999999&b=abc&w=2", "lang=" + "x" * 5000, "missing=<script>alert(1)</script>",
               "%ff%fe=%00", "x=1&x=2&x=3&y=[]", "w=0.5&w=inf&page=../../"]
ODD_PAGES = ["../../etc/passwd", "wall/extra", "app_pages/wall.py", "nope", "%00", "a" * 3000, "_stcore", "wall?x=1"]
# Widgets the pages draw (by key), ids no page draws, and ids equal to the app's own session keys.
WIDGET_TARGETS = [MODEL_WIDGET, "paint-count", "interp-weight", "interp-class-a", f"interp-way-{LANGUAGE}",
                  "interp-index-a", "claims-reveal", "language-switch", "paint-button", "interp-reroll",
                  wall_key(KINDS[0]), "language", "session-resets", "no-such-widget", "$$ID-forged-x"]


def _odd_click(rng: np.random.Generator) -> str:
    """A click listener's trigger payload with one part forged."""
    click = {"x": 0.0, "y": 0.0, "index": None, "at": int(time.time() * 1000)}
    shape = int(rng.integers(6))
    if shape == 0:
        click[str(rng.choice(list(click)))] = ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]
        return json.dumps([{"event": "click", "value": click}])
    if shape == 1:
        return json.dumps([{"event": "click", "value": ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]}])
    if shape == 2:
        return json.dumps([{"event": str(rng.choice(["clack", "recover", "", "__proto__"])), "value": click}])
    if shape == 3:
        return str(rng.choice(['{"event": "click", "value": 7}', "{[", "", "null", "[null]", "NaN", '"text"',
                               "[" * 500 + "]" * 500]))
    if shape == 4:
        return json.dumps([{"event": "click", "value": click}] * int(rng.integers(2, 200)))
    return json.dumps([{"event": "click", "value": {"x": float(rng.normal(0, 1e6)), "y": float(rng.normal(0, 1e6)),
                                                    "index": int(rng.integers(-2**40, 2**40))}}])


def _odd_widget(rng: np.random.Generator) -> WidgetState:
    """A widget value of any type, for any id: a page's own widgets, unknown ones and the app's own keys."""
    target = WIDGET_TARGETS[int(rng.integers(len(WIDGET_TARGETS)))]
    kind = int(rng.integers(7))
    if kind == 0:
        return WidgetState(id=target, int_value=int(rng.choice([2**63 - 1, -(2**63), 3, -1])))
    if kind == 1:
        return WidgetState(id=target, double_value=float(rng.choice([np.nan, np.inf, -np.inf, 1e308, -5.0])))
    if kind == 2:
        return WidgetState(id=target, string_value=ODD_STRINGS[int(rng.integers(len(ODD_STRINGS)))])
    if kind == 3:
        data = [[], [np.nan], [np.inf, -np.inf], [1e308] * 3, [0.5] * 1000][int(rng.integers(5))]
        return WidgetState(id=target, double_array_value={"data": data})
    if kind == 4:
        return WidgetState(id=target, json_value=str(rng.choice(['{"x": NaN}', "[", "null", '{"a": ' * 50 + "1" +
                                                                 "}" * 50])))
    if kind == 5:
        return WidgetState(id=target, bool_value=bool(rng.integers(2)))
    return WidgetState(id=target, trigger_value=True)


def _real_id(student: Student, key: str) -> str:
    return student.widget_ids.get(key, key)


async def forge(learner: Learner, rng: np.random.Generator, kind: str) -> Run | None:
    """Send one forged message of this kind (one of FORGED_KINDS) from this learner's session; the run it
    caused (None if none)."""
    student = learner.student
    if kind == "click" and student.listeners:  # The wall's click: a forged component value.
        trigger = student.listeners[str(rng.choice(sorted(student.listeners)))]
        return await student.send_trigger(trigger, _odd_click(rng))
    if kind in ("click", "widget", "widget in a fragment"):  # A widget's value, of any type, for any id.
        state = _odd_widget(rng)
        state.id = _real_id(student, state.id)
        fragment = str(rng.choice(["", *student.fragments_of.values()])) if kind == "widget in a fragment" else ""
        return await student.rerun([state], fragment_id=fragment)
    if kind == "query":  # An odd query string on a rerun.
        return await student.rerun(query=ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
    if kind == "page":  # An odd page, with an odd query string.
        return await another_page(student, ODD_PAGES[int(rng.integers(len(ODD_PAGES)))],
                                  ODD_QUERIES[int(rng.integers(len(ODD_QUERIES)))])
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
FORGED_KINDS = {"click": 0.35, "widget": 0.25, "widget in a fragment": 0.1, "query": 0.1, "page": 0.1,
                "fragment": 0.05, "bytes": 0.05}


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


# How long a forged message's run may take. Streamlit answers a rerun of a fragment it does not know with
# nothing at all, and the session goes on working, so for those the wait is short.
FORGED_TIMEOUT_S = {"fragment": 3.0}
FORGED_TIMEOUT_DEFAULT_S = 15.0


async def forger(url: str, boxes: dict, seed: int, count: int, found: Forgeries) -> None:
    """A hostile tab: opens a page, then sends `count` forged messages, reconnecting when the server closes it."""
    rng = np.random.default_rng(seed)
    learner = Learner(url, boxes, rng)
    await learner.enter()
    sent = 0
    try:
        while sent < count:
            if learner.student.socket is None:
                await another_page(learner.student, str(rng.choice(["wall", "interpolation", "compare"])))
            sent += 1
            found.sent += 1
            run, answered = None, True
            try:
                kind = str(rng.choice(list(FORGED_KINDS), p=list(FORGED_KINDS.values())))
                found.kinds[kind] += 1
                run = await asyncio.wait_for(forge(learner, rng, kind),
                                             FORGED_TIMEOUT_S.get(kind, FORGED_TIMEOUT_DEFAULT_S))
            except asyncio.TimeoutError:
                found.no_answer[kind] += 1
                answered = False
            except websockets.ConnectionClosed:
                pass
            if run is None or run.status == "connection closed":
                found.connections_closed += answered
                await learner.student.close()  # Any unread answer goes with the connection; the tab reconnects.
                continue
            problem = traceback_in(run)
            if problem:
                found.tracebacks.append(problem)
            elif run.of_type("exception"):
                found.redacted_errors += 1
    finally:
        await learner.leave()


# Addresses a browser (or anyone) can ask nginx for.
ODD_ADDRESSES = ["/wall?x=nan&y=inf&model=gan", "/wall/extra", "/app_pages/wall.py", "/%2e%2e/%2e%2e/etc/passwd",
                 "/media/../../etc/passwd", "/media/nope.png", "/_stcore/stream", "/component/x/../../app.py",
                 "/?lang=" + "x" * 5000, "/wall?%00=%ff", "/" + "a" * 9000, "/interpolation?a=-1&b=1e99&w=NaN",
                 "/compare?lang=../../&missing=%3Cscript%3E", "/_stcore/health?x=%00", "/static/../../../etc/passwd"]


async def odd_addresses(url: str) -> list[str]:
    """Each odd address's answer must be a page, a redirect or a refusal: never a server error or a traceback."""
    problems = []
    for target in ODD_ADDRESSES:
        status, _, body = await http_get(url, target)
        if status >= 500 or b"Traceback" in body or b'File "' in body:
            problems.append(f"{target[:60]}: {status}")
    return problems


async def fuzz(served, boxes: dict, students: int, forgers: int, forgeries: int, seconds: float) -> dict:
    """`forgers` hostile sessions send `forgeries` forged messages between them while `students` students work
    through the lesson; then odd addresses. The servers must stay up and the students see no error."""
    tally, found = Tally(), Forgeries()
    until = time.perf_counter() + seconds
    share = [forgeries // forgers + (index < forgeries % forgers) for index in range(forgers)]
    await asyncio.gather(*(lesson(served.url, boxes, seed, tally, until) for seed in range(students)),
                         *(forger(served.url, boxes, 500 + index, count, found) for index, count in enumerate(share)))
    odd = await odd_addresses(served.url)
    alive = all(process.poll() is None for process in served.replicas.values()) and served.nginx.poll() is None
    status, _, _ = await http_get(served.url, "/_stcore/health")
    after = Tally()
    await lesson(served.url, boxes, 99, after, time.perf_counter() + 600, VISIT, 0.0, rounds=1)
    return {"tally": tally, "forgeries": found, "odd_addresses": odd, "alive": alive and status == 200,
            "after": after}
