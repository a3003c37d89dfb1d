"""Interpolation: walk the straight line between two test digits' codes and watch what the decoder paints."""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import lessons.interpolation as keys
from latentwall import figures, inference, inputs, latent, pictures, registry, store
from webapp.cache import base_wall, cached_recipe
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.session import KINDS, wall_words
from webapp.widgets.choices import choice_radio, choice_select, recipe_label
from webapp.widgets.wall import PLOT_CONFIG, listen_for_clicks, play_button, wall_chart

WAYS = ("class", "index", "click")
# Another recipe's picture is not clickable: its test digits are chosen by class or by index.
RECIPE_WAYS = WAYS[:2]
WALL_HEIGHT = 360
# The choice of model, and its value for the gallery wall's two 2-D models shown side by side.
PAIR = "wall-pair"


def digit_pickers(ctx: PageContext, wall: store.Wall, ways: tuple[str, ...] = WAYS) -> tuple[str, int, int]:
    """How the two digits are chosen, and the indices of the start and end digits."""
    count = len(wall.codes)
    way_column, left, middle, right = st.columns([4, 3, 3, 3], vertical_alignment="bottom")
    way = choice_radio(way_column, ctx.text("interpolation.way_label"), ways, keys.WAY,
                       format_func=lambda way, strings=ctx.words: strings(f"interpolation.way_{way}"))
    if way == "class":
        digit_start = left.selectbox(ctx.text("interpolation.class_start"), range(10), index=3, key=keys.CLASS_START)
        digit_end = middle.selectbox(ctx.text("interpolation.class_end"), range(10), index=8, key=keys.CLASS_END)
        if right.button(ctx.text("interpolation.reroll"), key=keys.REROLL, width="stretch"):
            ctx.session[keys.SEED] = int(np.random.SeedSequence().entropy % 2**32)
        seed = inputs.safe_index(ctx.session.get(keys.SEED, 0), 2**32)
        return way, random_of(wall, digit_start, seed, 0), random_of(wall, digit_end, seed + 1, 1)
    if way == "index":
        # Float inputs shown as whole numbers: Streamlit converts an integer input's value with int() before
        # the page runs, so a forged NaN would break every later run; a float NaN reaches safe_index instead.
        start = left.number_input(ctx.text("interpolation.index_start"), 0.0, float(count - 1), step=1.0, format="%.0f",
                                  key=keys.INDEX_START, **preset(ctx, keys.INDEX_START, 0.0))
        end = right.number_input(ctx.text("interpolation.index_end"), 0.0, float(count - 1), step=1.0, format="%.0f",
                                 key=keys.INDEX_END, **preset(ctx, keys.INDEX_END, float(min(1, count - 1))))
        return way, inputs.safe_index(start, count), inputs.safe_index(end, count)
    left.caption(ctx.text("interpolation.click_hint"))
    return (way, inputs.safe_index(ctx.session.get(keys.CLICK_START, 0), count),
            inputs.safe_index(ctx.session.get(keys.CLICK_END, 1), count, fallback=min(1, count - 1)))


def preset(ctx: PageContext, key: str, default) -> dict:
    """A widget's default value, unless a shared link already set it (Streamlit warns when both are given)."""
    return {} if key in ctx.session else {"value": default}


def weight_preset(ctx: PageContext) -> dict:
    """The weight slider's value: w = 0.5 at first; a stored value that no slider could hold (a forged NaN, text,
    None) is cleaned before the slider reads it, since Streamlit raises on it inside the slider."""
    if keys.WEIGHT in ctx.session:
        ctx.session[keys.WEIGHT] = inputs.safe_weight(ctx.session[keys.WEIGHT])
    return preset(ctx, keys.WEIGHT, 0.5)


def random_of(wall: store.Wall, digit, seed: int, fallback: int) -> int:
    """A random test digit of a class, or fallback if the wall has none of that class."""
    try:
        return latent.random_index_of(wall.labels, digit, seed)
    except ValueError:
        return inputs.safe_index(fallback, len(wall.codes))


def assign_click(ctx: PageContext, wall: store.Wall, pick: inputs.Pick) -> None:
    """A click picks the digit it hit (or the nearest one); clicks fill start and end in turn."""
    index = pick.index if pick.index is not None else int(latent.nearest(pick.code, wall.codes, 1)[0][0])
    slot = "b" if ctx.session.get(keys.NEXT_CLICK) == "b" else "a"
    ctx.session[keys.CLICK_START if slot == "a" else keys.CLICK_END] = index
    ctx.session[keys.NEXT_CLICK] = "a" if slot == "b" else "b"
    st.rerun()


@st.cache_resource(show_spinner=False, max_entries=16)  # One per model and language, shared and never changed.
def plain_wall(folder: str, kind: str, height: int, language: str) -> go.Figure:
    """A wall without its legend, to give the path room."""
    figure = figures.copy_of(base_wall(folder, kind, height, False, language))
    figure.update_layout(showlegend=False)
    return figures.shared(figure)


def path_wall(ctx: PageContext, kind: str) -> None:
    """One model's wall. Its listener (in weight_views) draws the path and the weight's point over it, so new
    digits or a new weight never send the wall again."""
    st.markdown(f"**{ctx.text(f'models.{kind}')}**")
    wall_chart(keys.wall_key(kind), plain_wall(str(ctx.models.root), kind, WALL_HEIGHT, ctx.language))


@st.fragment
@guarded
def weight_views(ctx: PageContext, start: int, end: int, clickable: bool) -> None:
    """The weight slider with its play button and both models' decodes at that weight.

    The walls' listeners live here too: they ring the weight's point on each path (drawn by the browser, so a
    slider step never re-sends a wall), and they hear clicks when digits are picked by clicking.
    """
    models = ctx.models.pair()
    weight = inputs.safe_weight(st.slider(ctx.text("interpolation.weight"), 0.0, 1.0, step=0.01, key=keys.WEIGHT,
                                           help=ctx.text("interpolation.weight_help"),
                                           **weight_preset(ctx)))
    ctx.query["w"] = f"{weight:.2f}"  # Part of this view's address, with the two digits.
    play_button(keys.LINK)
    for kind, column in zip(KINDS, st.columns(2, gap="small"), strict=False):
        model = models[kind]
        codes = model.wall.codes
        pick, fresh = listen_for_clicks(keys.wall_key(kind), model, show_marker=False, active=clickable,
                                        link=keys.LINK, path=(codes[start], codes[end], weight))
        if clickable and fresh:
            assign_click(ctx, model.wall, pick)
        picture, digit, confidence = weight_picture(str(ctx.models.root), kind, start, end, f"{weight:.2f}", models)
        column.image(picture, width=112, output_format="PNG", caption=ctx.text(
            "interpolation.decoded_caption", model=ctx.text(f"models.{kind}_short"), weight=weight, digit=digit,
            confidence=confidence, start=start, end=end))


# Everyone opens on the same two digits at w = 0.5, and a slider has 101 steps: each is decoded once per process.
@st.cache_resource(show_spinner=False, max_entries=512)
def weight_picture(folder: str, kind: str, start: int, end: int, weight: str, _models) -> tuple[bytes, int, float]:
    """What one model paints at this weight on the path (the weight as text to two places, as the slider steps),
    encoded as PNG, and the digit the reader sees in it with its confidence."""
    model = _models[kind]
    # The slider's w runs from the start (0, left) to the end (1, right), like the filmstrip.
    image = model.decoder.decode(latent.along_path(model.wall.codes[start], model.wall.codes[end], [float(weight)]))
    digit, confidence = _models.reader.read(image)
    return pictures.png(pictures.upscale(image[0], 4)), int(digit[0]), float(confidence[0])


@st.cache_resource(show_spinner=False, max_entries=64)  # A class opens on the same two digits and re-picks a few.
def strip_pictures(folder: str, kind: str, start: int, end: int, _models) -> tuple[np.ndarray, bytes]:
    """One model's ten steps from start to end, decoded and encoded as PNG once per process."""
    model = _models[kind]
    images = model.decoder.decode(latent.along_path(model.wall.codes[start], model.wall.codes[end],
                                                     1.0 - latent.filmstrip_weights()))
    return images, pictures.png(pictures.upscale(pictures.montage(images, len(images)), 2))


@st.cache_resource(show_spinner=False, max_entries=64)
def fade_picture(folder: str, start: int, end: int, _pixels: np.ndarray) -> bytes:
    """The same weights applied to the two test digits' pixels, encoded as PNG once per process."""
    weights = latent.filmstrip_weights()
    return pictures.png(pictures.upscale(pictures.montage(latent.cross_fade(_pixels[start], _pixels[end], weights),
                                                        len(weights)), 2))


def filmstrips(ctx: PageContext, models, start: int, end: int) -> None:
    """Ten steps from start to end for each model, and the same weights applied to the pixels instead."""
    folder = str(ctx.models.root)
    for kind, column in zip(KINDS, st.columns(2, gap="medium"), strict=False):
        images, picture = strip_pictures(folder, kind, start, end, models)
        caption = ctx.text("interpolation.filmstrip_caption", model=ctx.text(f"models.{kind}"))
        column.image(picture, width="stretch", caption=caption, output_format="PNG")
        column.download_button(ctx.text("download.filmstrip"), data=partial(pictures.filmstrip_png, images, [caption]),
                               file_name=f"latent-wall-{kind}-{start}-{end}.png", mime="image/png", on_click="ignore",
                               key=f"interp-film-{kind}", icon=":material/download:")
    pixels = ctx.models.test_images()
    if pixels is not None:
        st.markdown(ctx.text("interpolation.crossfade_title"))
        st.image(fade_picture(folder, start, end, pixels), width="stretch", output_format="PNG",
                 caption=ctx.text("interpolation.crossfade_caption"))


def recipe_choice(ctx: PageContext) -> str:
    """Which model the page walks: the gallery wall's pair (both 2-D walls side by side), or any other recipe
    with an encoder and a decoder. A shared link's ?recipe= opens on that recipe."""
    options = (PAIR, *(recipe.name for recipe in registry.interpolable() if recipe not in registry.WALL_PAIR))
    asked = ctx.query.get("recipe")
    if keys.RECIPE not in ctx.session and asked in options:
        ctx.session[keys.RECIPE] = asked
    strings = ctx.words
    title, choice = st.columns([3, 2], vertical_alignment="bottom")
    title.title(ctx.text("interpolation.title"))
    chosen = choice_select(choice, ctx.text("interpolation_any.recipe_label"), options, keys.RECIPE,
                           format_func=lambda name: strings("interpolation_any.pair") if name == PAIR
                           else recipe_label(name, strings), help=ctx.text("interpolation_any.recipe_help"))
    if chosen == PAIR:
        ctx.query.pop("recipe", None)
    else:
        ctx.query["recipe"] = chosen
    return chosen


def pair_view(ctx: PageContext) -> None:
    """Both 2-D models of the gallery wall at once: their walls with the path, decoded in the browser."""
    st.markdown(ctx.text("interpolation.intro"))
    # Placeholders, not containers: a fragment's rerun replaces what it drew into a placeholder made outside it,
    # where it would add to a container (a second slider, Play and decodes under the first, showing the old pair).
    pickers, chosen = st.empty(), st.empty()
    # Walls and the weight's results side by side, so a projector shows the paths and what they decode at once.
    *wall_columns, results = st.columns([5, 5, 3], gap="small")
    for kind, column in zip(KINDS, wall_columns, strict=False):
        with column:
            path_wall(ctx, kind)
    pair_digits(ctx, pickers, chosen, results.empty(), st.empty())


@st.fragment
@guarded
def pair_digits(ctx: PageContext, pickers, chosen, results, strips) -> None:
    """The two digits and all that follows from them: the paths, the weight's views and the filmstrips.

    A fragment that writes into the page's containers around the walls: picking new digits reruns only this,
    and the walls (10,000 points each) are not sent again. The paths are drawn over them by their listeners.
    """
    models = ctx.models.pair()
    with pickers.container():
        way, start, end = digit_pickers(ctx, models[KINDS[0]].wall)
    ctx.query.update(a=str(start), b=str(end))
    labels = models[KINDS[0]].wall.labels
    chosen.markdown(ctx.text("interpolation.chosen", start=start, start_digit=int(labels[start]), end=end,
                         end_digit=int(labels[end])))
    with results.container():
        weight_views(ctx, start, end, way == "click")
    with strips.container():
        filmstrips(ctx, models, start, end)


@st.cache_resource(show_spinner=False, max_entries=16)  # Built once and never changed: the page copies it.
def base_picture(folder: str, name: str, height: int, language: str) -> go.Figure:
    picture = cached_recipe(folder, name).picture
    return figures.shared(figures.wall_figure(picture.codes, picture.labels, latent.wall_box(picture),
                                              view=latent.opening_view(picture), words=wall_words(language),
                                              height=height))


def frame_positions(lesson_weights: bool) -> np.ndarray:
    """Where the frames sit on the path, from the start (0) to the end (1): even steps, or the lesson's."""
    return latent.LESSON_POSITIONS if lesson_weights else 1.0 - latent.filmstrip_weights()


def projected_path(ctx: PageContext, model: inference.RecipeModel, frames: np.ndarray) -> None:
    """The recipe's picture of the test codes with the frames' path drawn on it; for a wider code, the picture
    is a projection, and the page says so."""
    projected = model.projection is not None
    points = model.projection.apply(frames) if projected else frames
    titles = (ctx.text("interpolation_any.axis", number=1), ctx.text("interpolation_any.axis", number=2)) if projected \
        else None
    figure = figures.with_path_through(base_picture(str(ctx.models.root), model.recipe.name, WALL_HEIGHT,
                                                    ctx.language), points, words=wall_words(), axis_titles=titles)
    figure.update_layout(showlegend=False)
    with st.container(key=keys.PICTURE):
        st.plotly_chart(figure, key=f"{keys.PICTURE}-chart", config=PLOT_CONFIG, width="stretch")
        if projected:
            st.caption(ctx.text("interpolation_any.projection_note", size=model.recipe.latent_dim))


@st.fragment
@guarded
def recipe_weight_view(ctx: PageContext, name: str, ends: np.ndarray, start: int, end: int) -> None:
    """The weight slider and what the recipe's decoder paints there: one code decoded on the server per step."""
    models, model = ctx.models.pair(), ctx.models.recipe(name)
    weight = inputs.safe_weight(st.slider(ctx.text("interpolation.weight"), 0.0, 1.0, step=0.01, key=keys.WEIGHT,
                                           help=ctx.text("interpolation_any.weight_help"),
                                           **weight_preset(ctx)))
    ctx.query["w"] = f"{weight:.2f}"
    image = model.decode(latent.along_path(ends[0], ends[1], [weight]))
    digit, confidence = models.reader.read(image)
    st.image(pictures.upscale(image[0], 4), width=112, output_format="PNG", caption=ctx.text(
        "interpolation.decoded_caption", model=name, weight=weight, digit=int(digit[0]),
        confidence=float(confidence[0]), start=start, end=end))


def recipe_filmstrip(ctx: PageContext, model: inference.RecipeModel, frames: np.ndarray, positions: np.ndarray,
                     start: int, end: int, pixels: np.ndarray) -> None:
    """The frames decoded in one batch, and the same weights applied to the pixels."""
    name = model.recipe.name
    images = model.decode(frames)
    weights_shown = ", ".join(f"{position:.2f}" for position in positions)
    caption = ctx.text("interpolation_any.filmstrip_caption", model=name, count=len(positions), weights=weights_shown)
    with st.container(key=keys.FILMSTRIP):
        st.image(pictures.upscale(pictures.montage(images, len(positions)), 2), width="stretch", caption=caption,
                 output_format="PNG")
        st.download_button(ctx.text("download.filmstrip"), data=partial(pictures.filmstrip_png, images, [caption]),
                           file_name=f"latent-wall-{name}-{start}-{end}.png", mime="image/png", on_click="ignore",
                           key="interp-film-recipe", icon=":material/download:")
    st.markdown(ctx.text("interpolation.crossfade_title"))
    fades = latent.cross_fade(pixels[start], pixels[end], 1.0 - positions)
    st.image(pictures.upscale(pictures.montage(fades, len(positions)), 2), width="stretch", output_format="PNG",
             caption=ctx.text("interpolation.crossfade_caption"))


def recipe_view(ctx: PageContext, name: str) -> None:
    """Any other recipe: the two digits encoded by it, the path walked in its full code space and decoded on the
    server, drawn on its picture of the test codes (a projection when the code is wider than 2-D)."""
    model = ctx.models.recipe(name)
    st.markdown(ctx.text("interpolation_any.intro", recipe=name, size=model.recipe.latent_dim))
    pixels = ctx.models.test_images()
    if pixels is None:
        st.stop()
    _, start, end = digit_pickers(ctx, model.picture, ways=RECIPE_WAYS)
    ctx.query.update(a=str(start), b=str(end))
    labels = model.picture.labels
    st.markdown(ctx.text("interpolation.chosen", start=start, start_digit=int(labels[start]), end=end,
                     end_digit=int(labels[end])))
    ends = model.encode(pixels[[start, end]])
    lesson_weights = st.toggle(ctx.text("interpolation_any.lesson_weights"), key=keys.LESSON_WEIGHTS,
                               help=ctx.text("interpolation_any.lesson_weights_help"))
    positions = frame_positions(lesson_weights)
    frames = latent.along_path(ends[0], ends[1], positions)
    picture, results = st.columns([8, 3], gap="small")
    with picture:
        projected_path(ctx, model, frames)
    with results:
        recipe_weight_view(ctx, name, ends, start, end)
    recipe_filmstrip(ctx, model, frames, positions, start, end, pixels)


def render(ctx: PageContext) -> None:
    ctx.models.pair()
    chosen = recipe_choice(ctx)
    if chosen == PAIR:
        pair_view(ctx)
    else:
        recipe_view(ctx, chosen)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
