"""The PyTorch lesson's VAE with a 20-D code: digits drawn from its prior N(0, I), and what its prior costs in
reconstruction beside a plain autoencoder with the same code size."""

from __future__ import annotations

import numpy as np
import streamlit as st

import lessons.vae20 as keys
from latentwall import html, i18n, latent, pictures, registry
from webapp.context import PageContext, run
from webapp.guard import guarded
from webapp.widgets.notices import no_report

SAMPLES, COLUMNS, SCALE = 48, 8, 2
# The first draw's seed; each press of "draw again" moves to the next one, so a draw can be named and repeated.
FIRST_SEED = 2024
# Beyond this many presses the seed wraps around: a forged count cannot grow without bound.
MAX_DRAWS = 10**6


def draw_number(ctx: PageContext) -> int:
    """How many times this session pressed "draw again"; a forged value counts as none."""
    count = ctx.session.get(keys.DRAWS, 0)
    return count if type(count) is int and 0 <= count < MAX_DRAWS else 0


def draw_again(ctx: PageContext) -> None:
    ctx.session[keys.DRAWS] = (draw_number(ctx) + 1) % MAX_DRAWS


def sheet_html(images: np.ndarray, caption: str, hook: str) -> str:
    """A grid of decoded digits as one picture, with a hook for outside checks."""
    picture = pictures.upscale(pictures.montage(images, COLUMNS), SCALE)
    return f'<div data-lw="{hook}">{html.gallery_html([picture], [caption], picture.width)}</div>'


@st.fragment
@guarded
def samples_part(ctx: PageContext) -> None:
    """Codes drawn from N(0, I), decoded by the VAE and, for contrast, by the plain AE: a press reruns only this."""
    vae_recipe, plain_recipe = registry.vae_20()
    models = ctx.models.recipe(vae_recipe), ctx.models.recipe(plain_recipe)
    st.button(ctx.text("vae20.draw_again"), key=keys.DRAW, on_click=draw_again, args=(ctx,), icon=":material/casino:")
    seed = FIRST_SEED + draw_number(ctx)
    st.caption(ctx.text("vae20.draw_caption", count=SAMPLES, number=draw_number(ctx) + 1, seed=seed))
    for column, sheet in zip(st.columns(2), sheets(str(ctx.models.root), seed, ctx.language, models), strict=False):
        column.html(sheet)
    st.markdown(ctx.text("vae20.samples_note"))


# Every session's n-th draw has the same seed, so a class that presses "draw again" together sees the same sheets:
# each is decoded and encoded once per process and language.
@st.cache_resource(show_spinner=False, max_entries=32)
def sheets(folder: str, seed: int, words_language: str, _models: tuple) -> tuple[str, str]:
    """The VAE's and the plain AE's sheets of the seed's codes."""
    vae, plain = _models
    codes = latent.sample_prior(SAMPLES, np.random.default_rng(seed), vae.recipe.latent_dim)
    strings = i18n.load_strings(words_language)
    return (sheet_html(vae.decode(codes), strings("vae20.variational_samples"), keys.VAE_SHEET),
            sheet_html(plain.decode(codes), strings("vae20.plain_samples"), keys.PLAIN_SHEET))


def error_part(ctx: PageContext) -> None:
    """The two models' test MSE, as `training.evaluate` measured them over the whole test set."""
    st.subheader(ctx.text("vae20.mse_title"))
    figures = (ctx.models.evaluation() or {}).get("recipes", {})
    pair = registry.vae_20()
    found = [figures.get(recipe.name) for recipe in pair]
    if not all(isinstance(item, dict) and isinstance(item.get("test_mse"), float) for item in found):
        no_report(ctx.text("vae20.no_evaluation"))
        return
    for column, recipe, item, role in zip(st.columns(2), pair, found, ("variational", "plain"), strict=False):
        column.metric(ctx.text(f"vae20.mse_{role}", name=recipe.name, size=recipe.latent_dim),
                      f"{item['test_mse']:.4f}")
    ratio = found[0]["test_mse"] / max(found[1]["test_mse"], 1e-12)
    st.markdown(ctx.text("vae20.mse_note", ratio=ratio) if ratio > 1 else ctx.text("vae20.mse_note_lower", ratio=ratio))


def render(ctx: PageContext) -> None:
    st.title(ctx.text("vae20.title"))
    st.markdown(ctx.text("vae20.intro"))
    samples_part(ctx)
    error_part(ctx)


if __name__ == "__main__":  # Streamlit runs this file as the page's script.
    run(render)
