"""The gallery wall: every test digit at its code; click anywhere to see what the decoder paints there."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_pages.shared import (
    decoded_panel,
    guarded,
    model_choice,
    models_or_stop,
    text,
    wall_chart,
    wall_download,
    wall_for,
    wall_words,
)
from latentwall import artifacts, explore, figures, inference

WALL_HEIGHT = 500


def paint_controls(kind: str) -> tuple[int, bool]:
    """How many random codes to paint, and whether the button was pressed this run."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    count = left.slider(text("wall.paint_count"), 4, explore.MAX_PAINTED, 16, step=4, key="paint-count",
                        help=text(f"wall.paint_help_{kind}"))
    pressed = right.button(text("wall.paint_button"), key="paint-button", width="stretch")
    return explore.safe_count(count, explore.MAX_PAINTED, 16), pressed


def painted_grid(model: inference.LatentModel, reader: inference.Reader, codes: np.ndarray) -> None:
    """The painted codes decoded in one batch, each with the reader's verdict."""
    images = model.decoder.decode(codes)
    digits, confidences = reader.read(images)
    readable = int(sum(explore.verdict_is_readable(confidence) for confidence in confidences))
    st.markdown(text("wall.painted_title", readable=readable, total=len(codes)))
    captions = [text("wall.verdict_yes" if explore.verdict_is_readable(confidence) else "wall.verdict_no",
                     digit=int(digit), confidence=float(confidence)) for digit, confidence in zip(digits, confidences)]
    st.image([explore.upscale(image, 3) for image in images], caption=captions, width=84, output_format="PNG")


def painted_codes(kind: str, wall: artifacts.Wall, count: int, pressed: bool) -> np.ndarray | None:
    """The random codes painted on this model's wall, kept (as count and seed) until painted again."""
    if pressed:
        st.session_state[f"painted-{kind}"] = {"count": count, "seed": int(np.random.SeedSequence().entropy % 2**32)}
    painting = st.session_state.get(f"painted-{kind}")
    if not isinstance(painting, dict):
        return None
    seed = explore.safe_index(painting.get("seed"), 2**32)
    return explore.random_codes(kind, wall.codes, painting.get("count"), seed)


@st.fragment
@guarded
def decoded_part(kind: str) -> None:
    """What a click on the wall decodes to: a click re-runs only this part, not the wall."""
    models = models_or_stop()
    decoded_panel(f"wall-pick-{kind}", models[kind], models.reader)


def gallery_wall_page() -> None:
    kind = model_choice()  # Only this page shows one model at a time, so only it has the switch.
    models = models_or_stop()
    model = models[kind]
    st.title(text("wall.title"))
    st.markdown(text("wall.intro", model=text(f"models.{kind}")))
    # The wall and what a click decodes side by side, fitting a projector's screen; the painting below.
    left, right = st.columns([2, 1], gap="medium")
    with right:
        decoded_part(kind)
    with left:
        wall_place = st.container()
        count, pressed = paint_controls(kind)
        wall_download(f"wall-pick-{kind}", model)
    painted = painted_codes(kind, model.wall, count, pressed)
    figure = wall_for(kind, WALL_HEIGHT) if painted is None else figures.with_marks(
        wall_for(kind, WALL_HEIGHT), painted=painted, words=wall_words())
    with wall_place:
        wall_chart(f"wall-pick-{kind}", figure)
    if painted is not None:
        painted_grid(model, models.reader, painted)


gallery_wall_page()
