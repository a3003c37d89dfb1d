"""The gallery wall: every test digit at its 2-D code; click anywhere and see what the decoder paints there.

The record: the page's widget keys and hooks, which the page, the class-load benchmark and the tests share.
"""

from latentwall import inputs, registry

# Each model's wall and its clicks live under this prefix and the model's name (the address's x and y belong to it).
PICK_PREFIX = "wall-pick-"
PAINT_COUNT, PAINT_BUTTON = "paint-count", "paint-button"
# The random codes painted on a model's wall, kept as count and seed under this prefix and the model's name.
PAINTED_PREFIX = "painted-"


def pick_key(kind: str) -> str:
    """The wall of one model (its chart, listener, click and decoded panel are keyed from this)."""
    return f"{PICK_PREFIX}{kind}"


def from_link(view: inputs.LinkedView) -> dict:
    """What a shared address's clicked spot (x, y, on its model's wall) sets up in a new session."""
    if not view.click:
        return {}
    kind = view.model or registry.WALL_PAIR[0].name
    return {pick_key(kind): {"x": view.click[0], "y": view.click[1], "index": None, "at": None}}
