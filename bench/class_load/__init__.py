"""A whole lesson through nginx (deploy/): students who use every page, sessions that come and go, and
forged messages from many sessions at once.

`python -m bench.classroom --through-nginx` runs these; tests/test_deploy_load.py runs a small
version. A student here is a protocol-level client (bench/student.py) that first fetches its page through
nginx, as a browser does, and keeps the route cookie nginx hands out: its websocket and the pictures it
fetches then stay on the replica that holds its session.

The package, a module a concern: course (the pages, the lesson, what the checks know of the models), pad (a
digit's strokes on the drawing pad), web (HTTP through nginx), reading (what a run shows), tab (one tab's
session and how an action is recorded), actions (the learner's actions, page by page), lessons (a student's
lesson and the warm-up), measure (what the servers spend, the soak), odd_values and forgers (forged messages,
odd addresses, the fuzz run). The names the benchmarks and the tests use are all here.
"""

from bench.class_load.actions import Learner
from bench.class_load.course import (
    CLICK_LIKE,
    CODE_SIZE,
    DRAW_PAD,
    LESSON,
    NOISE_LEVEL,
    PAGES,
    THRESHOLD_PREFIX,
    VAE20_DRAW,
    VISIT,
    Course,
    course,
    random_spot,
)
from bench.class_load.forgers import PAD_SWEEP, Forgeries, forger, fuzz
from bench.class_load.lessons import lesson, warm_up
from bench.class_load.measure import action_costs, class_load, percentile, soak
from bench.class_load.pad import pad_strokes, pad_value
from bench.class_load.reading import hooked
from bench.class_load.tab import Tally

# What bench.classroom, bench.pages and the tests use, and the learner, the forger and what they tally.
__all__ = [
    "CLICK_LIKE", "CODE_SIZE", "DRAW_PAD", "LESSON", "NOISE_LEVEL", "PAD_SWEEP", "PAGES", "THRESHOLD_PREFIX",
    "VAE20_DRAW", "VISIT", "Course", "Forgeries", "Learner", "Tally", "action_costs", "class_load", "course",
    "forger", "fuzz", "hooked", "lesson", "pad_strokes", "pad_value", "percentile", "random_spot", "soak",
    "warm_up",
]
