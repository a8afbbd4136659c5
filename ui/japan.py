"""A map of Japan with the prefectures of selected region blocks coloured (japanmap → PNG via PIL)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Iterable, Mapping

# One colour per block (colour-blind-friendly Tableau 10, in the block order of the plan).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
)


def block_colors(blocks: Iterable[str]) -> dict[str, str]:
    return {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(blocks)}


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@lru_cache(maxsize=128)
def _png(fills: tuple[tuple[str, str], ...]) -> bytes:
    import japanmap
    from PIL import Image

    colours = {pref: _rgb(color) for pref, color in fills}
    # japanmap reads its base image with OpenCV (BGR order) and fills with the tuple as given; the array
    # is then shown as RGB, so RGB tuples come out as intended (the base map is black, white and grey).
    picture = japanmap.picture(colours)
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def map_png(marked: Iterable[str], colors: Mapping[str, str], prefectures_of) -> bytes:
    """PNG of Japan: every prefecture of a marked block in its block's colour, the rest white (sea grey)."""
    fills: dict[str, str] = {}
    for block in marked:
        for pref in prefectures_of(block):
            fills[pref] = colors.get(block, PALETTE[0])
    return _png(tuple(sorted(fills.items())))


def map_png_base64(marked: Iterable[str], colors: Mapping[str, str], prefectures_of) -> str:
    return base64.b64encode(map_png(marked, colors, prefectures_of)).decode("ascii")
