"""Every cleaner of a value that comes from a browser, a shared address or an upload.

Each takes whatever arrived (a forged value included) and either clamps it, answers a fallback, or answers
None; none raises on a forged value, so a page never fails on what a student's browser sent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from latentwall import latent, registry


@dataclass(frozen=True)
class Pick:
    """A validated click on a wall: the code to decode and, if a test digit was hit, its index."""

    code: np.ndarray
    index: int | None = None


def parse_pick(raw: object, box: tuple[float, float, float, float], count: int) -> Pick | None:
    """Turn whatever the browser sent for a click into a Pick inside box, or None when it is unusable.

    Coordinates are clamped into box (so 1e308 and infinities land on the edge); NaN or non-numbers give
    None; an index outside 0..count-1 is dropped while the coordinate is kept.
    """
    if not isinstance(raw, dict):
        return None
    try:
        code = latent.clamp_code(raw.get("x"), raw.get("y"), box)[0]
    except ValueError:
        return None
    index = raw.get("index")
    if index is not None:
        try:
            index = latent.check_index(index, count)
        except ValueError:
            index = None
    return Pick(code=code, index=index)


def safe_index(value: object, count: int, fallback: int = 0) -> int:
    """An index from a widget or the session, or fallback when it is out of range or not a number."""
    try:
        return latent.check_index(value, count)
    except ValueError:
        return fallback


@dataclass(frozen=True)
class LinkedView:
    """What a shared address asks for; each part None where the address leaves it out or it is unusable."""

    model: str | None = None
    click: tuple[float, float] | None = None
    start: int | None = None
    end: int | None = None
    weight: float | None = None
    unusable: bool = False


# Longest query value the app reads; anything longer is garbage, not a view.
MAX_LINK_VALUE = 32


def parse_link(params: dict) -> LinkedView:
    """Read a view from an address's query values (strings), keeping only the parts that make sense.

    model is one of the wall pair's recipe names; x and y a finite coordinate (clamped to the wall when drawn);
    a and b test-digit indices (range-checked against the wall when drawn); w a weight in [0, 1]. Anything else
    present makes `unusable` true, so the page can say it fell back to its default there.
    """
    unusable = False

    def number(name: str, kind=float):
        nonlocal unusable
        raw = params.get(name)
        if raw is None:
            return None
        try:
            if not isinstance(raw, str) or len(raw) > MAX_LINK_VALUE:
                raise ValueError(raw)
            value = kind(raw)
            if not math.isfinite(value):
                raise ValueError(raw)
            return value
        except (TypeError, ValueError, OverflowError):
            unusable = True
            return None

    model = params.get("model")
    if model is not None and model not in registry.WALL_KINDS:
        model, unusable = None, True
    x, y = number("x"), number("y")
    start, end, weight = number("a", int), number("b", int), number("w")
    if start is not None and start < 0 or end is not None and end < 0:
        start, end, unusable = None, None, True
    if weight is not None and not 0.0 <= weight <= 1.0:
        weight, unusable = None, True
    if (x is None) != (y is None):
        unusable = True
    return LinkedView(model=model, click=(x, y) if x is not None and y is not None else None,
                      start=start if end is not None else None, end=end if start is not None else None,
                      weight=weight, unusable=unusable or (start is None) != (end is None))


def safe_stamp(value: object) -> int | None:
    """A browser's millisecond time stamp as a whole number, or None when it is not a plausible one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if 0 <= value < 2**53 else None  # NaN and the infinities fail the comparison.


def safe_count(value: object, maximum: int, fallback: int = 1) -> int:
    """A count from a widget, capped at maximum, or fallback when it is not a positive number."""
    try:
        return latent.check_count(value, maximum)
    except ValueError:
        return fallback


def safe_weight(value: object, fallback: float = 0.5) -> float:
    """An interpolation weight clamped to [0, 1]; NaN or a non-number gives fallback."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return fallback
    if np.isnan(number):
        return fallback
    return min(max(number, 0.0), 1.0)
