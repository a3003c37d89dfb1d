"""Your own digit: draw one or upload a photo, and see where it lands on both walls.

The record: the page's widget keys and hooks, which the page, the class-load benchmark and the tests share.
"""

PAD, UPLOAD, SOURCE, DRAWING = "digit-pad", "digit-upload", "digit-source", "digit-drawing"
# The component the pad is (assets/draw_pad.js): the protocol student finds the pad by it.
PAD_COMPONENT = "latent_wall.draw_pad"
WALL_PREFIX = "digit-wall-"
LANDING_HOOK, VERDICT_HOOK = "digit-landing", "digit-verdict"


def wall_key(kind: str) -> str:
    return f"{WALL_PREFIX}{kind}"
