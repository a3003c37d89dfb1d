"""What the servers spend under a class: CPU of every replica and nginx, resident memory, each action's cost
for one student alone, and sessions that come and go (the soak)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import psutil

from bench.class_load.actions import Learner
from bench.class_load.course import LESSON, VISIT, Course
from bench.class_load.lessons import lesson
from bench.class_load.tab import Tally
from bench.class_load.web import http_get

if TYPE_CHECKING:
    from deploy.launch import ClassServer


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


async def action_costs(served: ClassServer, course: Course, rounds: int = 10, idle_s: float = 3.0) -> dict[str, float]:
    """Server CPU (replicas and nginx) of each action, in ms: one student alone, actions back to back, the
    servers' idle CPU over the same time taken off."""
    watch = ServerWatch(server_pids(served))
    before = watch.cpu()
    await asyncio.sleep(idle_s)
    idle_rate = (watch.cpu() - before) / idle_s
    learner, tally = Learner(served.url, course, np.random.default_rng(7)), Tally()
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


async def class_load(served: ClassServer, course: Course, students: int, seconds: float) -> dict:
    """`students` students work through the lesson for `seconds`; latencies by action, and what the servers
    spent: all of them together, each replica's CPU and resident memory, and nginx's CPU."""
    watch, me = ServerWatch(server_pids(served)), psutil.Process()
    replicas = {port: ServerWatch([process.pid]) for port, process in served.replicas.items()}
    nginx = ServerWatch(server_pids(served)[len(served.replicas):])
    tally = Tally()
    for replica in replicas.values():
        replica.rss()
    cpu, own, started = watch.cpu(), me.cpu_times(), time.perf_counter()
    each_cpu, nginx_cpu = {port: replica.cpu() for port, replica in replicas.items()}, nginx.cpu()
    samplers = [asyncio.ensure_future(replica.watch_rss(0.5)) for replica in replicas.values()]
    try:
        await asyncio.gather(*(lesson(served.url, course, seed, tally, started + seconds)
                               for seed in range(students)))
    finally:
        for sampler in samplers:
            sampler.cancel()
    elapsed = time.perf_counter() - started
    server_cpu, mine = watch.cpu() - cpu, me.cpu_times()
    per_replica = {port: {"cores": (replica.cpu() - each_cpu[port]) / elapsed, "rss_start_mb": replica.rss_mb[0],
                          "rss_peak_mb": max(replica.rss_mb), "rss_end_mb": replica.rss()}
                   for port, replica in replicas.items()}
    return {"students": students, "replicas": len(served.replicas), "seconds": elapsed, "tally": tally,
            "server_cpu_s": server_cpu, "server_cores": server_cpu / elapsed, "per_replica": per_replica,
            "nginx_cores": (nginx.cpu() - nginx_cpu) / elapsed,
            "own_cores": (mine.user + mine.system - own.user - own.system) / elapsed,
            "by_action": {action: {"count": len(values), "p50_ms": percentile(values, 50),
                                   "p95_ms": percentile(values, 95), "max_ms": max(values)}
                          for action, values in tally.latencies_ms.items()}}


# --- Sessions coming and going ----------------------------------------------------------------------------------

async def soak(served: ClassServer, course: Course, sessions: int, concurrent: int, session_ttl_s: float,
               spread_s: float = 0.0) -> dict:
    """`sessions` short visits, arriving evenly over spread_s seconds and at most `concurrent` at a time, against
    the first replica; its memory before, at the peak and after every session has closed and expired."""
    watch = ServerWatch(server_pids(served)[:1])
    fresh = watch.rss()

    async def settled() -> float:
        await asyncio.sleep(session_ttl_s + 3)
        await http_get(served.url, "/_stcore/health")
        probe = Learner(served.url, course, np.random.default_rng(1))
        await probe.enter()
        await probe.student.open_page("")  # A new session makes the server drop the ones whose time is up.
        await probe.leave()
        await asyncio.sleep(2)
        return watch.rss()

    tally = Tally()
    await asyncio.gather(*(lesson(served.url, course, seed, tally, time.perf_counter() + 600, VISIT, 0.2, rounds=1)
                           for seed in range(10)))
    warm = await settled()
    gate = asyncio.Semaphore(concurrent)

    async def visit(seed: int) -> None:
        await asyncio.sleep(max(0.0, started + (seed - 10) * spread_s / sessions - time.perf_counter()))
        async with gate:
            await lesson(served.url, course, seed, tally, time.perf_counter() + 600, VISIT, 0.3, rounds=1)

    started = time.perf_counter()
    sampler = asyncio.ensure_future(watch.watch_rss())
    await asyncio.gather(*(visit(seed) for seed in range(10, 10 + sessions)))
    elapsed = time.perf_counter() - started
    sampler.cancel()
    peak = max(watch.rss_mb)
    after = await settled()
    return {"sessions": sessions, "concurrent": concurrent, "seconds": elapsed, "tally": tally,
            "rss_fresh_mb": fresh, "rss_warm_mb": warm, "rss_peak_mb": peak, "rss_after_mb": after}
