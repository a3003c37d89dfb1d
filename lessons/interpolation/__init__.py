"""Interpolation: walk the straight line between two test digits' codes and watch what the decoder paints.

The record: the page's widget keys, which the page, the shared link, the class-load benchmark and the tests share.
"""

from latentwall import inputs

RECIPE = "interp-recipe"
WAY, CLASS_START, CLASS_END = "interp-way", "interp-class-a", "interp-class-b"
REROLL, SEED = "interp-reroll", "interp-seed"
INDEX_START, INDEX_END = "interp-index-a", "interp-index-b"
CLICK_START, CLICK_END, NEXT_CLICK = "interp-click-a", "interp-click-b", "interp-next"
WEIGHT, LESSON_WEIGHTS = "interp-weight", "interp-lesson-weights"
# The two walls' keys start with this and end with the model's name; their listeners are linked by LINK.
WALL_PREFIX, LINK = "interp-wall-", "interp"
PICTURE, FILMSTRIP = "interp-picture", "interp-filmstrip"


def wall_key(kind: str) -> str:
    return f"{WALL_PREFIX}{kind}"


def from_link(view: inputs.LinkedView) -> dict:
    """What a shared address's two digits (a, b) and weight (w) set up in a new session."""
    found = {}
    if view.start is not None:
        found.update({WAY: "index", INDEX_START: float(view.start), INDEX_END: float(view.end)})
    if view.weight is not None:
        found[WEIGHT] = view.weight
    return found
