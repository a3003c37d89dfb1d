"""The decoded panel: what the decoder paints at the wall's last click, what the reader sees in it, and the
nearest real digits."""

from __future__ import annotations

import html
from functools import partial

import streamlit as st

from latentwall import clicks, inference, pictures
from latentwall.html import gallery_html
from webapp.session import text
from webapp.widgets.notices import test_images
from webapp.widgets.wall import listen_for_clicks


def decoded_panel(key: str, model: inference.LatentModel, reader: inference.Reader, scale: int = 8,
                  link: str | None = None, in_address: bool = False) -> None:
    """Listen for clicks on the wall chart under key and show what is decoded at the last one.

    Walls given the same link are twins: pointing at a test digit on one rings it on the others.
    """
    pick, _ = listen_for_clicks(key, model, link=link, in_address=in_address)
    with st.container(key=f"{key}-decoded"):
        if pick is None:
            st.info(text("decoded.hint"))
            return
        answer = clicks.answer_click(model, reader, pick, test_images())
        st.html(verdict_html(model.kind, answer, scale))
        x, y = float(answer.code[0]), float(answer.code[1])
        lines = [text(f"models.{model.kind}"), text("decoded.coordinate", x=x, y=y),
                 text("decoded.reader", digit=answer.digit, confidence=answer.confidence)]
        st.download_button(text("download.decoded"), data=partial(pictures.decoded_png, answer.image, lines),
                           file_name=f"latent-wall-{model.kind}-{x:.3f}_{y:.3f}.png", mime="image/png",
                           on_click="ignore", key=f"{key}-download", icon=":material/download:")


def verdict_html(kind: str, answer: clicks.ClickAnswer, scale: int = 8) -> str:
    """The decoded panel as one block, so the picture, the coordinate and the verdict arrive in one moment.

    Its outer element carries the stable hooks outside checks read: data-lw="verdict" and the decoded
    coordinate, digit and confidence.
    """
    x, y = float(answer.code[0]), float(answer.code[1])
    lines = [gallery_html([pictures.upscale(answer.image, scale)], [text("decoded.caption")],
                          answer.image.shape[-1] * scale),
             paragraph(text("decoded.coordinate", x=x, y=y)),
             paragraph(text("decoded.reader", digit=answer.digit, confidence=answer.confidence)),
             paragraph(text("decoded.nearest_title", count=len(answer.neighbours)))]
    captions = [text("decoded.nearest_caption", digit=item.digit, index=item.index, distance=item.distance)
                for item in answer.neighbours]
    if answer.neighbour_images:
        lines.append(gallery_html([pictures.upscale(image, 2) for image in answer.neighbour_images], captions, 56))
    else:
        lines += [paragraph(caption) for caption in captions]
    if answer.index is not None:
        lines.append(paragraph(text("decoded.pair_title", digit=answer.label, index=answer.index)))
        pair, names = [pictures.upscale(answer.reconstruction, 4)], [text("decoded.reconstruction")]
        if answer.original is not None:
            pair, names = [pictures.upscale(answer.original, 4), *pair], [text("decoded.original"), *names]
        lines.append(gallery_html(pair, names, 112))
    hooks = (f'data-lw="verdict" data-lw-model="{html.escape(kind)}" data-lw-x="{x:.6g}" data-lw-y="{y:.6g}" '
             f'data-lw-digit="{answer.digit}" data-lw-confidence="{answer.confidence:.4f}"')
    return f'<div {hooks} style="display:flex;flex-direction:column;gap:0.5rem">{"".join(lines)}</div>'


def paragraph(words: str) -> str:
    return f'<p style="margin:0">{html.escape(words)}</p>'
