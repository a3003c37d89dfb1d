"""Interpolation: walk the straight line between two test digits' codes and watch what the decoder paints."""

from __future__ import annotations

from functools import partial

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from app_pages.recipe_models import cached_recipe, choice_select, recipe_label, recipe_or_stop
from app_pages.shared import (
    KINDS,
    PLOT_CONFIG,
    base_wall,
    choice_radio,
    guarded,
    language,
    listen_for_clicks,
    models_or_stop,
    play_button,
    session_strings,
    test_images,
    text,
    wall_chart,
    wall_words,
)
from latentwall import artifacts, config, explore, figures, inference, latent, registry
from latentwall import images as pictures

WAYS = ("class", "index", "click")
# Another recipe's picture is not clickable: its test digits are chosen by class or by index.
RECIPE_WAYS = WAYS[:2]
WALL_HEIGHT = 360
# The choice of model, and its value for the gallery wall's two 2-D models shown side by side.
RECIPE_KEY = "interp-recipe"
PAIR = "wall-pair"


def digit_pickers(wall: artifacts.Wall, ways: tuple[str, ...] = WAYS) -> tuple[str, int, int]:
    """How the two digits are chosen, and the indices of the start and end digits."""
    count = len(wall.codes)
    way_column, left, middle, right = st.columns([4, 3, 3, 3], vertical_alignment="bottom")
    way = choice_radio(way_column, text("interpolation.way_label"), ways, "interp-way",
                       format_func=lambda way, strings=session_strings(): strings(f"interpolation.way_{way}"))
    if way == "class":
        digit_start = left.selectbox(text("interpolation.class_start"), range(10), index=3, key="interp-class-a")
        digit_end = middle.selectbox(text("interpolation.class_end"), range(10), index=8, key="interp-class-b")
        if right.button(text("interpolation.reroll"), key="interp-reroll", width="stretch"):
            st.session_state["interp-seed"] = int(np.random.SeedSequence().entropy % 2**32)
        seed = explore.safe_index(st.session_state.get("interp-seed", 0), 2**32)
        return way, random_of(wall, digit_start, seed, 0), random_of(wall, digit_end, seed + 1, 1)
    if way == "index":
        # Float inputs shown as whole numbers: Streamlit converts an integer input's value with int() before
        # the page runs, so a forged NaN would break every later run; a float NaN reaches safe_index instead.
        start = left.number_input(text("interpolation.index_start"), 0.0, float(count - 1), step=1.0, format="%.0f",
                                  key="interp-index-a", **preset("interp-index-a", 0.0))
        end = right.number_input(text("interpolation.index_end"), 0.0, float(count - 1), step=1.0, format="%.0f",
                                 key="interp-index-b", **preset("interp-index-b", float(min(1, count - 1))))
        return way, explore.safe_index(start, count), explore.safe_index(end, count)
    left.caption(text("interpolation.click_hint"))
    return (way, explore.safe_index(st.session_state.get("interp-click-a", 0), count),
            explore.safe_index(st.session_state.get("interp-click-b", 1), count, fallback=min(1, count - 1)))


def preset(key: str, default) -> dict:
    """A widget's default value, unless a shared link already set it (Streamlit warns when both are given)."""
    return {} if key in st.session_state else {"value": default}


def random_of(wall: artifacts.Wall, digit, seed: int, fallback: int) -> int:
    """A random test digit of a class, or fallback if the wall has none of that class."""
    try:
        return explore.random_index_of(wall.labels, digit, seed)
    except ValueError:
        return explore.safe_index(fallback, len(wall.codes))


def assign_click(wall: artifacts.Wall, pick: explore.Pick) -> None:
    """A click picks the digit it hit (or the nearest one); clicks fill start and end in turn."""
    index = pick.index if pick.index is not None else int(latent.nearest(pick.code, wall.codes, 1)[0][0])
    slot = "b" if st.session_state.get("interp-next") == "b" else "a"
    st.session_state[f"interp-click-{slot}"] = index
    st.session_state["interp-next"] = "a" if slot == "b" else "b"
    st.rerun()


@st.cache_resource(show_spinner=False, max_entries=16)  # One per model and language, shared and never changed.
def plain_wall(folder: str, kind: str, height: int, language: str) -> go.Figure:
    """A wall without its legend, to give the path room."""
    figure = figures.copy_of(base_wall(folder, kind, height, False, language))
    figure.update_layout(showlegend=False)
    return figures.shared(figure)


def path_wall(kind: str) -> None:
    """One model's wall. Its listener (in weight_views) draws the path and the weight's point over it, so new
    digits or a new weight never send the wall again."""
    st.markdown(f"**{text(f'models.{kind}')}**")
    wall_chart(f"interp-wall-{kind}", plain_wall(str(config.MODELS_ROOT), kind, WALL_HEIGHT, language()))


@st.fragment
@guarded
def weight_views(start: int, end: int, clickable: bool) -> None:
    """The weight slider with its play button and both models' decodes at that weight.

    The walls' listeners live here too: they ring the weight's point on each path (drawn by the browser, so a
    slider step never re-sends a wall), and they hear clicks when digits are picked by clicking.
    """
    models = models_or_stop()
    weight = explore.safe_weight(st.slider(text("interpolation.weight"), 0.0, 1.0, step=0.01, key="interp-weight",
                                           help=text("interpolation.weight_help"), **preset("interp-weight", 0.5)))
    st.query_params["w"] = f"{weight:.2f}"  # Part of this view's address, with the two digits.
    play_button("interp")
    for kind, column in zip(KINDS, st.columns(2, gap="small")):
        model = models[kind]
        codes = model.wall.codes
        pick, fresh = listen_for_clicks(f"interp-wall-{kind}", model, show_marker=False, active=clickable,
                                        link="interp", path=(codes[start], codes[end], weight))
        if clickable and fresh:
            assign_click(model.wall, pick)
        picture, digit, confidence = weight_picture(str(config.MODELS_ROOT), kind, start, end, f"{weight:.2f}", models)
        column.image(picture, width=112, output_format="PNG", caption=text(
            "interpolation.decoded_caption", model=text(f"models.{kind}_short"), weight=weight, digit=digit,
            confidence=confidence, start=start, end=end))


# Everyone opens on the same two digits at w = 0.5, and a slider has 101 steps: each is decoded once per process.
@st.cache_resource(show_spinner=False, max_entries=512)
def weight_picture(folder: str, kind: str, start: int, end: int, weight: str, _models) -> tuple[bytes, int, float]:
    """What one model paints at this weight on the path (the weight as text to two places, as the slider steps),
    encoded as PNG, and the digit the reader sees in it with its confidence."""
    model = _models[kind]
    # The slider's w runs from the start (0, left) to the end (1, right), like the filmstrip.
    image = model.decoder.decode(explore.along_path(model.wall.codes[start], model.wall.codes[end], [float(weight)]))
    digit, confidence = _models.reader.read(image)
    return pictures.png(explore.upscale(image[0], 4)), int(digit[0]), float(confidence[0])


@st.cache_resource(show_spinner=False, max_entries=64)  # A class opens on the same two digits and re-picks a few.
def strip_pictures(folder: str, kind: str, start: int, end: int, _models) -> tuple[np.ndarray, bytes]:
    """One model's ten steps from start to end, decoded and encoded as PNG once per process."""
    model = _models[kind]
    images = model.decoder.decode(explore.along_path(model.wall.codes[start], model.wall.codes[end],
                                                     1.0 - explore.filmstrip_weights()))
    return images, pictures.png(explore.upscale(explore.montage(images, len(images)), 2))


@st.cache_resource(show_spinner=False, max_entries=64)
def fade_picture(folder: str, start: int, end: int, _pixels: np.ndarray) -> bytes:
    """The same weights applied to the two test digits' pixels, encoded as PNG once per process."""
    weights = explore.filmstrip_weights()
    return pictures.png(explore.upscale(explore.montage(explore.cross_fade(_pixels[start], _pixels[end], weights),
                                                        len(weights)), 2))


def filmstrips(models, start: int, end: int) -> None:
    """Ten steps from start to end for each model, and the same weights applied to the pixels instead."""
    folder = str(config.MODELS_ROOT)
    for kind, column in zip(KINDS, st.columns(2, gap="medium")):
        images, picture = strip_pictures(folder, kind, start, end, models)
        caption = text("interpolation.filmstrip_caption", model=text(f"models.{kind}"))
        column.image(picture, width="stretch", caption=caption, output_format="PNG")
        column.download_button(text("download.filmstrip"), data=partial(pictures.filmstrip_png, images, [caption]),
                               file_name=f"latent-wall-{kind}-{start}-{end}.png", mime="image/png", on_click="ignore",
                               key=f"interp-film-{kind}", icon=":material/download:")
    pixels = test_images()
    if pixels is not None:
        st.markdown(text("interpolation.crossfade_title"))
        st.image(fade_picture(folder, start, end, pixels), width="stretch", output_format="PNG",
                 caption=text("interpolation.crossfade_caption"))


def recipe_choice() -> str:
    """Which model the page walks: the gallery wall's pair (both 2-D walls side by side), or any other recipe
    with an encoder and a decoder. A shared link's ?recipe= opens on that recipe."""
    options = (PAIR, *(recipe.name for recipe in registry.interpolable() if recipe not in registry.WALL_PAIR))
    asked = st.query_params.get("recipe")
    if RECIPE_KEY not in st.session_state and asked in options:
        st.session_state[RECIPE_KEY] = asked
    strings = session_strings()
    title, choice = st.columns([3, 2], vertical_alignment="bottom")
    title.title(text("interpolation.title"))
    chosen = choice_select(choice, text("interpolation_any.recipe_label"), options, RECIPE_KEY,
                           format_func=lambda name: strings("interpolation_any.pair") if name == PAIR
                           else recipe_label(name, strings), help=text("interpolation_any.recipe_help"))
    if chosen == PAIR:
        st.query_params.pop("recipe", None)
    else:
        st.query_params["recipe"] = chosen
    return chosen


def pair_view() -> None:
    """Both 2-D models of the gallery wall at once: their walls with the path, decoded in the browser."""
    st.markdown(text("interpolation.intro"))
    # Placeholders, not containers: a fragment's rerun replaces what it drew into a placeholder made outside it,
    # where it would add to a container (a second slider, Play and decodes under the first, showing the old pair).
    pickers, chosen = st.empty(), st.empty()
    # Walls and the weight's results side by side, so a projector shows the paths and what they decode at once.
    *wall_columns, results = st.columns([5, 5, 3], gap="small")
    for kind, column in zip(KINDS, wall_columns):
        with column:
            path_wall(kind)
    pair_digits(pickers, chosen, results.empty(), st.empty())


@st.fragment
@guarded
def pair_digits(pickers, chosen, results, strips) -> None:
    """The two digits and all that follows from them: the paths, the weight's views and the filmstrips.

    A fragment that writes into the page's containers around the walls: picking new digits reruns only this,
    and the walls (10,000 points each) are not sent again. The paths are drawn over them by their listeners.
    """
    models = models_or_stop()
    with pickers.container():
        way, start, end = digit_pickers(models.ae.wall)
    st.query_params.update(a=str(start), b=str(end))
    labels = models.ae.wall.labels
    chosen.markdown(text("interpolation.chosen", start=start, start_digit=int(labels[start]), end=end,
                         end_digit=int(labels[end])))
    with results.container():
        weight_views(start, end, way == "click")
    with strips.container():
        filmstrips(models, start, end)


@st.cache_resource(show_spinner=False, max_entries=16)  # Built once and never changed: the page copies it.
def base_picture(folder: str, name: str, height: int, language: str) -> go.Figure:
    picture = cached_recipe(folder, name).picture
    return figures.shared(figures.wall_figure(picture.codes, picture.labels, explore.wall_box(picture),
                                              view=explore.opening_view(picture), words=wall_words(language),
                                              height=height))


def frame_positions(lesson_weights: bool) -> np.ndarray:
    """Where the frames sit on the path, from the start (0) to the end (1): even steps, or the lesson's."""
    return explore.LESSON_POSITIONS if lesson_weights else 1.0 - explore.filmstrip_weights()


def projected_path(model: inference.RecipeModel, frames: np.ndarray) -> None:
    """The recipe's picture of the test codes with the frames' path drawn on it; for a wider code, the picture
    is a projection, and the page says so."""
    projected = model.projection is not None
    points = model.projection.apply(frames) if projected else frames
    titles = (text("interpolation_any.axis", number=1), text("interpolation_any.axis", number=2)) if projected \
        else None
    figure = figures.with_path_through(base_picture(str(config.MODELS_ROOT), model.recipe.name, WALL_HEIGHT,
                                                    language()), points, words=wall_words(), axis_titles=titles)
    figure.update_layout(showlegend=False)
    with st.container(key="interp-picture"):
        st.plotly_chart(figure, key="interp-picture-chart", config=PLOT_CONFIG, width="stretch")
        if projected:
            st.caption(text("interpolation_any.projection_note", size=model.recipe.latent_dim))


@st.fragment
@guarded
def recipe_weight_view(name: str, ends: np.ndarray, start: int, end: int) -> None:
    """The weight slider and what the recipe's decoder paints there: one code decoded on the server per step."""
    models, model = models_or_stop(), recipe_or_stop(name)
    weight = explore.safe_weight(st.slider(text("interpolation.weight"), 0.0, 1.0, step=0.01, key="interp-weight",
                                           help=text("interpolation_any.weight_help"),
                                           **preset("interp-weight", 0.5)))
    st.query_params["w"] = f"{weight:.2f}"
    image = model.decode(explore.along_path(ends[0], ends[1], [weight]))
    digit, confidence = models.reader.read(image)
    st.image(explore.upscale(image[0], 4), width=112, output_format="PNG", caption=text(
        "interpolation.decoded_caption", model=name, weight=weight, digit=int(digit[0]),
        confidence=float(confidence[0]), start=start, end=end))


def recipe_filmstrip(model: inference.RecipeModel, frames: np.ndarray, positions: np.ndarray, start: int, end: int,
                     pixels: np.ndarray) -> None:
    """The frames decoded in one batch, and the same weights applied to the pixels."""
    name = model.recipe.name
    images = model.decode(frames)
    weights_shown = ", ".join(f"{position:.2f}" for position in positions)
    caption = text("interpolation_any.filmstrip_caption", model=name, count=len(positions), weights=weights_shown)
    with st.container(key="interp-filmstrip"):
        st.image(explore.upscale(explore.montage(images, len(positions)), 2), width="stretch", caption=caption,
                 output_format="PNG")
        st.download_button(text("download.filmstrip"), data=partial(pictures.filmstrip_png, images, [caption]),
                           file_name=f"latent-wall-{name}-{start}-{end}.png", mime="image/png", on_click="ignore",
                           key="interp-film-recipe", icon=":material/download:")
    st.markdown(text("interpolation.crossfade_title"))
    fades = explore.cross_fade(pixels[start], pixels[end], 1.0 - positions)
    st.image(explore.upscale(explore.montage(fades, len(positions)), 2), width="stretch", output_format="PNG",
             caption=text("interpolation.crossfade_caption"))


def recipe_view(name: str) -> None:
    """Any other recipe: the two digits encoded by it, the path walked in its full code space and decoded on the
    server, drawn on its picture of the test codes (a projection when the code is wider than 2-D)."""
    model = recipe_or_stop(name)
    st.markdown(text("interpolation_any.intro", recipe=name, size=model.recipe.latent_dim))
    pixels = test_images()
    if pixels is None:
        st.stop()
    _, start, end = digit_pickers(model.picture, ways=RECIPE_WAYS)
    st.query_params.update(a=str(start), b=str(end))
    labels = model.picture.labels
    st.markdown(text("interpolation.chosen", start=start, start_digit=int(labels[start]), end=end,
                     end_digit=int(labels[end])))
    ends = model.encode(pixels[[start, end]])
    lesson_weights = st.toggle(text("interpolation_any.lesson_weights"), key="interp-lesson-weights",
                               help=text("interpolation_any.lesson_weights_help"))
    positions = frame_positions(lesson_weights)
    frames = explore.along_path(ends[0], ends[1], positions)
    picture, results = st.columns([8, 3], gap="small")
    with picture:
        projected_path(model, frames)
    with results:
        recipe_weight_view(name, ends, start, end)
    recipe_filmstrip(model, frames, positions, start, end, pixels)


def interpolation_page() -> None:
    models_or_stop()
    chosen = recipe_choice()
    if chosen == PAIR:
        pair_view()
    else:
        recipe_view(chosen)


interpolation_page()
