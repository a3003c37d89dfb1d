"""HTML the pages send as one piece (pictures inline), so a row of images arrives with the page update."""

from __future__ import annotations

import html

from PIL import Image

from latentwall.pictures import data_uri


def gallery_html(pictures: list[Image.Image], captions: list[str], width: int) -> str:
    """Pictures in a wrapping row, each shown width pixels wide, pixels kept square, with a caption beneath."""
    cells = "".join(
        f'<figure style="margin:0;text-align:center;width:{int(width)}px">'
        f'<img src="{data_uri(picture)}" width="{int(width)}" alt="{html.escape(caption)}" '
        f'style="image-rendering:pixelated;display:block;border:1px solid #ddd"/>'
        f'<figcaption style="font-size:0.8rem;color:#555;line-height:1.2;margin-top:0.2rem">'
        f"{html.escape(caption)}</figcaption></figure>"
        for picture, caption in zip(pictures, captions, strict=False))
    return f'<div style="display:flex;flex-wrap:wrap;gap:0.6rem;align-items:flex-start">{cells}</div>'
