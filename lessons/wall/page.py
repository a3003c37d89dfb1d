"""The gallery wall: every test digit at its code; click anywhere to see what the decoder paints there."""

from __future__ import annotations

import numpy as np
import streamlit as st

import lessons.wall as keys
from latentwall import figures, inference, inputs, latent, measures, pictures, store
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.session import wall_words
from webapp.widgets.choices import model_choice
from webapp.widgets.decoded import decoded_panel
from webapp.widgets.wall import wall_chart, wall_download, wall_for

WALL_HEIGHT = 500


def paint_controls(ctx: PageContext, kind: str) -> tuple[int, bool]:
    """How many random codes to paint, and whether the button was pressed this run."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    count = left.slider(ctx.text("wall.paint_count"), 4, latent.MAX_PAINTED, 16, step=4, key=keys.PAINT_COUNT,
                        help=ctx.text(f"wall.paint_help_{kind}"))
    pressed = right.button(ctx.text("wall.paint_button"), key=keys.PAINT_BUTTON, width="stretch")
    return inputs.safe_count(count, latent.MAX_PAINTED, 16), pressed


def painted_grid(ctx: PageContext, model: inference.LatentModel, reader: inference.Reader, codes: np.ndarray) -> None:
    """The painted codes decoded in one batch, each with the reader's verdict."""
    images = model.decoder.decode(codes)
    digits, confidences = reader.read(images)
    readable = int(sum(measures.verdict_is_readable(confidence) for confidence in confidences))
    st.markdown(ctx.text("wall.painted_title", readable=readable, total=len(codes)))
    captions = [ctx.text("wall.verdict_yes" if measures.verdict_is_readable(confidence) else "wall.verdict_no",
                     digit=int(digit), confidence=float(confidence))
                for digit, confidence in zip(digits, confidences, strict=True)]
    st.image([pictures.upscale(image, 3) for image in images], caption=captions, width=84, output_format="PNG")


def painted_codes(ctx: PageContext, kind: str, wall: store.Wall, count: int, pressed: bool) -> np.ndarray | None:
    """The random codes painted on this model's wall, kept (as count and seed) until painted again."""
    if pressed:
        seed = int(np.random.SeedSequence().entropy % 2**32)
        ctx.session[f"{keys.PAINTED_PREFIX}{kind}"] = {"count": count, "seed": seed}
    painting = ctx.session.get(f"{keys.PAINTED_PREFIX}{kind}")
    if not isinstance(painting, dict):
        return None
    seed = inputs.safe_index(painting.get("seed"), 2**32)
    return latent.random_codes(kind, wall.codes, painting.get("count"), seed)


@st.fragment
@guarded
def decoded_part(ctx: PageContext, kind: str) -> None:
    """What a click on the wall decodes to: a click re-runs only this part, not the wall."""
    models = ctx.models.pair()
    decoded_panel(keys.pick_key(kind), models[kind], models.reader, in_address=True)


def render(ctx: PageContext) -> None:
    kind = model_choice()  # Only this page shows one model at a time, so only it has the switch.
    models = ctx.models.pair()
    model = models[kind]
    st.title(ctx.text("wall.title"))
    st.markdown(ctx.text("wall.intro", model=ctx.text(f"models.{kind}")))
    # The wall and what a click decodes side by side, fitting a projector's screen; the painting below.
    left, right = st.columns([2, 1], gap="medium")
    with right:
        decoded_part(ctx, kind)
    with left:
        wall_place = st.container()
        count, pressed = paint_controls(ctx, kind)
        wall_download(keys.pick_key(kind), model)
    painted = painted_codes(ctx, kind, model.wall, count, pressed)
    figure = wall_for(kind, WALL_HEIGHT) if painted is None else figures.with_marks(
        wall_for(kind, WALL_HEIGHT), painted=painted, words=wall_words())
    with wall_place:
        wall_chart(keys.pick_key(kind), figure)
    if painted is not None:
        painted_grid(ctx, model, models.reader, painted)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
