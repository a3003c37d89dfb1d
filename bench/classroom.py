"""A class on one server: N students open the wall and click a different spot every ~2 s.

    python -m bench.classroom [--students 1,10,30,60] [--seconds 30] [--browsers 5]
    python -m bench.classroom --memory 200
    python -m bench.classroom --through-nginx --replicas 2 --students 60 [--seconds 60]
    python -m bench.classroom --through-nginx --replicas 1 --soak 500 --concurrent 50
    python -m bench.classroom --through-nginx --replicas 2 --students 20 --fuzz 2000 --forgers 20

Each student is a lightweight client that speaks Streamlit's websocket protocol (bench/student.py), so
dozens of them cost this process little CPU; with --browsers, up to that many real Chromium pages click
too. For each class size a fresh `streamlit run serve.py` is started on a free port, and the command prints
click -> verdict latency (p50, p95, max), errors, the server's CPU per click, its resident memory at start,
peak and end, and this process's own CPU. --memory runs the session soak instead: students connect, click
5 times and leave, in waves, and the server's memory is read after the first 10 and after all of them,
once their sessions have expired. It asserts nothing.

--through-nginx serves the class as deploy.launch does (nginx in front of --replicas replicas) and has each
student work through every page of the app (bench/class_load/: the wall and its clicks, the model switch,
the interpolation's slider and digits, the comparison's walls, the code size, the list of models, the noise
level, the 20-D VAE's samples, the anomaly threshold and a digit drawn on the pad), round after round. It
prints each action's latency (from sending it until the run finished and its pictures arrived), the bar for
click-like actions, and what every replica and nginx spent, under load and per action for one student alone,
with each replica's CPU and resident memory. With --soak,
sessions come and go against one replica and its memory is read; with --fuzz, hostile sessions send forged
messages while the students work.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import lessons
from bench import class_load
from bench.harness import CHROMIUM, VIEWPORT, AppServer, add_app_arguments, launch_browser_async
from bench.student import Student
from latentwall import config, latent, registry, store
from lessons import wall

BARS = {30: 150.0, 60: 500.0}  # p95 click -> verdict, milliseconds, for these class sizes.
CLICK_EVERY_S = 2.0
WALL_KEY = wall.pick_key(registry.WALL_PAIR[0].name)
WALL_URL = lessons.lesson("wall").url
# Sessions of students who left are dropped this long after they disconnect (Streamlit's default is 120 s).
SOAK_SESSION_TTL_S = 5


@dataclass
class Tally:
    """What the students of one class saw; `go` starts the clicking once every student has the page open."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    until: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    browser_latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    opened: int = 0

    @property
    def clicks(self) -> int:
        return len(self.latencies_ms) + len(self.browser_latencies_ms)


async def student_session(url: str, box, seed: int, tally: Tally, clicks: int | None = None) -> None:
    """One student: open the wall, wait for the class to start, then click a new spot every ~2 s until the
    class ends (or `clicks` times)."""
    rng = np.random.default_rng(seed)
    student = Student(url)
    try:
        opened = await student.open_page(WALL_URL)
        if opened.errors or WALL_KEY not in student.listeners:
            tally.errors.append(f"open: {opened.status} {opened.errors[:1]}")
            return
        tally.opened += 1
        await tally.go.wait()
        done = 0
        await asyncio.sleep(rng.uniform(0, CLICK_EVERY_S))  # Students do not click in step.
        while time.perf_counter() < tally.until and (clicks is None or done < clicks):
            x, y = class_load.random_spot(rng, box)
            run = await student.click(WALL_KEY, x, y)
            verdict = run.verdict
            if run.errors or verdict is None or abs(float(verdict["x"]) - x) > 1e-3 * (box[1] - box[0]):
                tally.errors.append(f"click: {run.status} {run.errors[:1]} {verdict}")
            else:
                tally.latencies_ms.append(1000 * (run.first_verdict_s or run.seconds))
            done += 1
            await asyncio.sleep(max(0.0, CLICK_EVERY_S * rng.uniform(0.8, 1.2) - run.seconds))
    except (OSError, asyncio.TimeoutError, KeyError) as error:
        tally.errors.append(f"{type(error).__name__}: {error}")
    finally:
        await student.close()


# Resolves with the milliseconds from now until the verdict panel shows a new coordinate (null after 20 s).
_BROWSER_CLICK = """() => new Promise((resolve) => {
  const started = performance.now();
  const shown = () => {
    const verdict = document.querySelector('[data-lw="verdict"]');
    return verdict ? `${verdict.dataset.lwX},${verdict.dataset.lwY}` : null;
  };
  const before = shown();
  const poll = () => {
    if (shown() !== before) {
      resolve(performance.now() - started);
    } else if (performance.now() - started > 20000) {
      resolve(null);
    } else {
      requestAnimationFrame(poll);
    }
  };
  requestAnimationFrame(poll);
})"""


async def browser_session(browser, url: str, box, seed: int, tally: Tally) -> None:
    """One student in a real Chromium page: the same rhythm, measured from the click to the verdict painted."""
    rng = np.random.default_rng(seed)
    page = await browser.new_page(viewport=VIEWPORT)
    try:
        await page.goto(f"{url}/wall")
        area = page.locator(f".st-key-{WALL_KEY}-area .nsewdrag").last
        await area.wait_for(timeout=60_000)
        await page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        tally.opened += 1
        await tally.go.wait()
        while time.perf_counter() < tally.until:
            plot = await area.bounding_box()
            layout = await page.evaluate(
                f"""() => {{ const g = document.querySelector('.st-key-{WALL_KEY}-area .js-plotly-plot');
                     return [g._fullLayout.xaxis.range, g._fullLayout.yaxis.range]; }}""")
            x, y = class_load.random_spot(rng, box)
            (x_low, x_high), (y_low, y_high) = layout
            pixel_x = plot["x"] + (x - x_low) / (x_high - x_low) * plot["width"]
            pixel_y = plot["y"] + (y_high - y) / (y_high - y_low) * plot["height"]
            await page.mouse.move(pixel_x, pixel_y)
            waiting = asyncio.ensure_future(page.evaluate(_BROWSER_CLICK))
            await page.mouse.click(pixel_x, pixel_y)
            elapsed = await waiting
            if elapsed is None:
                tally.errors.append("browser: no verdict for a click within 20 s")
            else:
                tally.browser_latencies_ms.append(elapsed)
            await asyncio.sleep(CLICK_EVERY_S * rng.uniform(0.8, 1.2))
    finally:
        await page.close()


class Sampler:
    """Reads the server's CPU time and resident memory, and this process's CPU, while a class runs."""

    def __init__(self, pid: int):
        import psutil

        self.server, self.me = psutil.Process(pid), psutil.Process()
        self.rss_mb: list[float] = []

    def cpu(self, process) -> float:
        times = process.cpu_times()
        return times.user + times.system + times.children_user + times.children_system

    def rss(self) -> float:
        value = self.server.memory_info().rss / 2**20
        self.rss_mb.append(value)
        return value

    async def watch(self, until: float) -> None:
        while time.perf_counter() < until:
            self.rss()
            await asyncio.sleep(0.5)


async def start_class(tally: Tally, expected: int, seconds: float, sampler: Sampler) -> tuple[float, float, float]:
    """Wait until every student has the page open (or given up), then start the clock and the clicking."""
    deadline = time.perf_counter() + 120
    while tally.opened + len(tally.errors) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    started = time.perf_counter()
    tally.until = started + seconds
    tally.go.set()
    return sampler.cpu(sampler.server), sampler.cpu(sampler.me), started


async def one_class(models_root: Path, data: str | None, students: int, seconds: float, browsers: int,
                    box) -> dict:
    """Start a fresh server, run one class of `students` (+ `browsers` Chromium pages), return its figures.

    The server's CPU is counted from the moment every page is open, so it is the cost of the clicks alone.
    """
    tally = Tally()
    with AppServer(models_root, data) as server:
        server.wait_healthy(timeout=90)
        teacher = Student(server.url)  # The teacher's own first visit and click load the models and images.
        await teacher.open_page(WALL_URL)
        await teacher.click(WALL_KEY, *class_load.random_spot(np.random.default_rng(), box))
        await teacher.close()
        sampler = Sampler(server.process.pid)
        rss_start = sampler.rss()
        tasks = [student_session(server.url, box, seed, tally) for seed in range(students)]
        starting = asyncio.ensure_future(start_class(tally, students + browsers, seconds, sampler))
        watcher = asyncio.ensure_future(sampler.watch(time.perf_counter() + seconds + 180))
        if browsers:
            from playwright.async_api import async_playwright

            async with async_playwright() as playwright:
                browser = await launch_browser_async(playwright)
                tasks += [browser_session(browser, server.url, box, 1000 + seed, tally) for seed in range(browsers)]
                await asyncio.gather(*tasks)
                await browser.close()
        else:
            await asyncio.gather(*tasks)
        cpu_server, cpu_me, started = await starting
        elapsed = time.perf_counter() - started
        server_cpu = sampler.cpu(sampler.server) - cpu_server
        my_cpu = sampler.cpu(sampler.me) - cpu_me
        watcher.cancel()
        rss_end = sampler.rss()
    everything = tally.latencies_ms + tally.browser_latencies_ms
    return {
        "students": students, "browsers": browsers, "clicks": tally.clicks, "errors": len(tally.errors),
        "first_errors": tally.errors[:3], "p50_ms": class_load.percentile(everything, 50),
        "p95_ms": class_load.percentile(everything, 95), "max_ms": max(everything, default=float("nan")),
        "browser_p50_ms": class_load.percentile(tally.browser_latencies_ms, 50),
        "server_cpu_ms_per_click": 1000 * server_cpu / max(tally.clicks, 1),
        "server_cpu_share": server_cpu / elapsed, "own_cpu_share": my_cpu / elapsed,
        "rss_start_mb": rss_start, "rss_peak_mb": max(sampler.rss_mb), "rss_end_mb": rss_end,
    }


def report_line(figures: dict) -> str:
    bar = BARS.get(figures["students"])
    verdict = "" if bar is None else f" (bar {bar:.0f} ms: {'met' if figures['p95_ms'] <= bar else 'MISSED'})"
    browsers = (f" ({figures['browsers']} in Chromium: p50 {figures['browser_p50_ms']:.0f} ms)"
                if figures["browsers"] else "")
    return (f"{figures['students']:>3} students{browsers}: {figures['clicks']} clicks, "
            f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms{verdict}, max {figures['max_ms']:.0f} ms, "
            f"errors {figures['errors']}; server CPU {figures['server_cpu_ms_per_click']:.1f} ms per click "
            f"({figures['server_cpu_share']:.0%} of a core); RSS start {figures['rss_start_mb']:.0f} MB, "
            f"peak {figures['rss_peak_mb']:.0f} MB, end {figures['rss_end_mb']:.0f} MB; "
            f"this process {figures['own_cpu_share']:.0%} of a core")


async def soak(models_root: Path, data: str | None, students: int, box, wave: int = 25) -> dict:
    """Students connect, click 5 times and leave, `wave` at a time; memory after 10 and after all, expired."""
    tally = Tally()
    expiry = ["--server.disconnectedSessionTTL", str(SOAK_SESSION_TTL_S)]
    with AppServer(models_root, data, extra_args=expiry) as server:
        server.wait_healthy(timeout=90)
        sampler = Sampler(server.process.pid)
        tally.until = time.perf_counter() + 3600
        tally.go.set()

        async def wave_of(first: int, count: int) -> None:
            await asyncio.gather(*(student_session(server.url, box, seed, tally, clicks=5)
                                   for seed in range(first, first + count)))

        async def settled() -> float:
            await asyncio.sleep(SOAK_SESSION_TTL_S + 3)
            probe = Student(server.url)  # A visit makes the server drop the sessions whose time is up.
            await probe.open_page("")
            await probe.close()
            await asyncio.sleep(2)
            return sampler.rss()

        await wave_of(0, 10)
        after_ten = await settled()
        peak_connected = 0.0
        for first in range(10, students, wave):
            count = min(wave, students - first)
            connected = [Student(server.url) for _ in range(count)]
            await asyncio.gather(*(student.open_page(WALL_URL) for student in connected))
            peak_connected = max(peak_connected, (sampler.rss() - after_ten) / count)
            await asyncio.gather(*(student.close() for student in connected))
            await wave_of(first, count)
        after_all = await settled()
    return {"students": students, "errors": len(tally.errors), "first_errors": tally.errors[:3],
            "rss_after_10_mb": after_ten, "rss_after_all_mb": after_all, "mb_per_open_session": peak_connected,
            "clicks": tally.clicks}


CLICK_LIKE_BAR_MS = 300.0  # p95 of every click-like action, through nginx.
FUZZ_SLOWDOWN_BAR = 0.20  # Students beside forgers: their click-like p95 at most this much above a clean run's.


def action_table(figures: dict, costs: dict[str, float]) -> str:
    """Each action's latency under load beside the bar and what it costs the servers alone, as a table."""
    rows = ["| action | count | p50 ms | p95 ms | max ms | bar | server CPU alone, ms |",
            "|---|---|---|---|---|---|---|"]
    for action in dict.fromkeys(class_load.LESSON):
        measured = figures["by_action"].get(action)
        if measured is None:
            continue
        bar = ("" if action not in class_load.CLICK_LIKE else
               f"p95 <= {CLICK_LIKE_BAR_MS:.0f}: {'met' if measured['p95_ms'] <= CLICK_LIKE_BAR_MS else 'MISSED'}")
        rows.append(f"| {action} | {measured['count']} | {measured['p50_ms']:.0f} | {measured['p95_ms']:.0f} | "
                    f"{measured['max_ms']:.0f} | {bar} | {costs.get(action, float('nan')):.1f} |")
    return "\n".join(rows)


def class_environment(models_root: Path, data: str | None) -> dict[str, str]:
    return {"LATENT_WALL_MODELS": str(models_root), **({config.DATA_ENV_VAR: data} if data else {})}


async def nginx_class(args, students: int) -> None:
    from deploy.launch import ClassServer

    course = class_load.course(args.models)
    with ClassServer(replicas=args.replicas, environment=class_environment(args.models, args.data)) as served:
        await class_load.warm_up(served, course)
        if args.fuzz:
            await nginx_fuzz(args, served, course, students)
            return
        load_before = os.getloadavg()[0]
        figures = await class_load.class_load(served, course, students, args.seconds)
        load_after = os.getloadavg()[0]
        costs = await class_load.action_costs(served, course, rounds=args.cost_rounds)
    tally = figures["tally"]
    print(f"\n{students} students through nginx, {args.replicas} replica(s), {figures['seconds']:.0f} s: "
          f"{tally.actions} actions, errors {len(tally.errors)}; servers (replicas + nginx) "
          f"{figures['server_cores']:.0%} of a core, {1000 * figures['server_cpu_s'] / max(tally.actions, 1):.1f} ms "
          f"per action on average; this process {figures['own_cores']:.0%} of a core; servers idle "
          f"{costs['idle per s']:.1f} ms/s; machine load average {load_before:.1f} before, {load_after:.1f} after "
          f"({os.cpu_count()} cores)", flush=True)
    print(action_table(figures, costs), flush=True)
    print(replica_lines(figures), flush=True)
    for error in tally.errors[:5]:
        print(f"    e.g. {error}")


def replica_lines(figures: dict) -> str:
    """Each replica's CPU and resident memory under the class, and nginx's CPU."""
    lines = [f"replica :{port}: {each['cores']:.0%} of a core; RSS {each['rss_start_mb']:.0f} MB at the start, "
             f"{each['rss_peak_mb']:.0f} MB peak, {each['rss_end_mb']:.0f} MB at the end"
             for port, each in figures["per_replica"].items()]
    return "\n".join([*lines, f"nginx: {figures['nginx_cores']:.1%} of a core"])


async def nginx_soak(args) -> None:
    from deploy.launch import ClassServer

    course = class_load.course(args.models)
    expiry = ["--server.disconnectedSessionTTL", str(SOAK_SESSION_TTL_S)]
    with ClassServer(replicas=1, environment=class_environment(args.models, args.data), replica_args=expiry) as served:
        figures = await class_load.soak(served, course, args.soak, args.concurrent, SOAK_SESSION_TTL_S,
                                        spread_s=60 * args.minutes)
    tally = figures["tally"]
    growth = figures["rss_after_mb"] - figures["rss_warm_mb"]
    print(f"{figures['sessions']} sessions through nginx, {figures['concurrent']} at a time, in "
          f"{figures['seconds']:.0f} s ({tally.actions} actions, errors {len(tally.errors)}): replica RSS "
          f"{figures['rss_fresh_mb']:.0f} MB fresh, {figures['rss_warm_mb']:.0f} MB after 10 sessions, peak "
          f"{figures['rss_peak_mb']:.0f} MB, {figures['rss_after_mb']:.0f} MB after all closed and expired "
          f"({growth:+.0f} MB; bar +50 MB: {'met' if growth <= 50 else 'MISSED'})", flush=True)
    for error in tally.errors[:5]:
        print(f"    e.g. {error}")


def click_like_p95(tally) -> float:
    return class_load.percentile([value for action in class_load.CLICK_LIKE
                                  for value in tally.latencies_ms.get(action, [])], 95)


async def nginx_fuzz(args, served, course: class_load.Course, students: int) -> None:
    # The same students first without any forger, on the same warm servers: what "unaffected" is measured against.
    clean = await class_load.fuzz(served, course, students, 0, 0, args.seconds)
    figures = await class_load.fuzz(served, course, students, args.forgers, args.fuzz, args.seconds)
    tally, found = figures["tally"], figures["forgeries"]
    p95, clean_p95 = click_like_p95(tally), click_like_p95(clean["tally"])
    change = p95 / max(clean_p95, 1e-9) - 1
    print(f"The same {students} students with no forger: click-like p95 {clean_p95:.0f} ms, "
          f"errors {len(clean['tally'].errors)}; with the forgers {p95:.0f} ms ({change:+.0%}; "
          f"bar +{FUZZ_SLOWDOWN_BAR:.0%}: {'met' if change <= FUZZ_SLOWDOWN_BAR else 'MISSED'})", flush=True)
    print(f"{found.sent} forged messages from {args.forgers} sessions beside {students} students, "
          f"{args.replicas} replica(s): servers up {figures['alive']}; students' actions {tally.actions}, "
          f"errors {len(tally.errors)}, click-like p95 {p95:.0f} ms; "
          f"tracebacks shown {len(found.tracebacks)}; Streamlit's own short error {found.redacted_errors}; "
          f"connections the server closed {found.connections_closed}; no answer {dict(found.no_answer)}; odd addresses "
          f"answered badly {len(figures['odd_addresses'])}; a visit afterwards: errors {len(figures['after'].errors)}",
          flush=True)
    print(f"    forged messages by kind: {dict(found.kinds)}; Streamlit's own short error by kind: "
          f"{dict(found.redacted)}")
    print(f"    widgets and components sent a forged value, by page: "
          f"{ {page: len(found.covered.get(page, ())) for page in class_load.PAGES} }; readable forged drawings "
          f"not answered in the page's own words {len(found.pad_problems)}")
    for problem in [*tally.errors[:3], *found.tracebacks[:3], *found.pad_problems[:3], *figures["odd_addresses"][:3]]:
        print(f"    e.g. {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.classroom",
                                     description=__doc__.split("\n\n")[0])
    add_app_arguments(parser, chromium=False)
    parser.add_argument("--students", default="1,10,30,60", help="class sizes to run, comma-separated")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long each class clicks")
    parser.add_argument("--browsers", type=int, default=0, help="real Chromium pages to add to classes of at most 5")
    parser.add_argument("--memory", type=int, help="run the session soak with this many students instead")
    parser.add_argument("--through-nginx", action="store_true",
                        help="serve as deploy.launch does and have students work through the whole app")
    parser.add_argument("--replicas", type=int, default=1, help="replicas behind nginx (with --through-nginx)")
    parser.add_argument("--cost-rounds", type=int, default=10,
                        help="rounds of the lesson one student does alone to price each action (with --through-nginx)")
    parser.add_argument("--soak", type=int, help="with --through-nginx: this many sessions come and go instead")
    parser.add_argument("--concurrent", type=int, default=50, help="sessions open at once in the soak (at most)")
    parser.add_argument("--minutes", type=float, default=20.0,
                        help="the soak's sessions arrive evenly over this many minutes (default 20)")
    parser.add_argument("--fuzz", type=int, help="with --through-nginx: this many forged messages beside the class")
    parser.add_argument("--forgers", type=int, default=20, help="hostile sessions that share the forged messages")
    args = parser.parse_args(argv)
    try:
        sizes = [int(size) for size in args.students.split(",")]
    except ValueError:
        parser.error(f"--students must be whole numbers separated by commas, got {args.students!r}")
    if any(size < 1 or size > 500 for size in sizes) or not 0 <= args.browsers <= 5:
        parser.error("class sizes must be 1 to 500, and --browsers 0 to 5")
    if args.browsers and not Path(CHROMIUM).is_file():
        parser.error(f"--browsers needs Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        wall = store.load_wall(store.wall_path(config.dataset_dir(args.models), registry.AE.name))
    except OSError as error:
        print(f"error: no wall codes in {args.models}: {error}", file=sys.stderr)
        return 2
    box = latent.wall_box(wall)
    data = args.data or None
    if args.through_nginx:
        args.data = data
        if args.soak:
            asyncio.run(nginx_soak(args))
        for size in [] if args.soak else sizes:
            asyncio.run(nginx_class(args, size))
        return 0
    if args.memory:
        figures = asyncio.run(soak(args.models, data, args.memory, box))
        print(f"{figures['students']} students connected, clicked 5 times and left ({figures['clicks']} clicks, "
              f"errors {figures['errors']}): resident memory {figures['rss_after_10_mb']:.0f} MB after the first 10, "
              f"{figures['rss_after_all_mb']:.0f} MB after all "
              f"({figures['rss_after_all_mb'] - figures['rss_after_10_mb']:+.0f} MB, bar +50 MB); "
              f"an open session holds about {figures['mb_per_open_session']:.2f} MB")
        return 0
    for size in sizes:
        browsers = min(args.browsers, size) if size <= 5 else 0
        figures = asyncio.run(one_class(args.models, data, size - browsers, args.seconds, browsers, box))
        figures["students"] = size
        print(report_line(figures), flush=True)
        for error in figures["first_errors"]:
            print(f"    e.g. {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
