"""A map of Japan with the prefectures of selected units coloured (japanmap → PNG via PIL)."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Iterable, Mapping

# One colour per unit (colour-blind-friendly Tableau 10, in the field map's unit order).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
)


def unit_colors(units: Iterable[str]) -> dict[str, str]:
    return {u: PALETTE[i % len(PALETTE)] for i, u in enumerate(units)}


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


def map_png(marked: Iterable[str], colors: Mapping[str, str], areas: Mapping[str, Iterable[str]]) -> bytes:
    """PNG of Japan: every prefecture of a marked unit in its unit's colour, the rest white (sea grey)."""
    fills: dict[str, str] = {}
    for unit in marked:
        for pref in areas.get(unit, ()):
            fills[pref] = colors.get(unit, PALETTE[0])
    return _png(tuple(sorted(fills.items())))


def map_png_base64(marked: Iterable[str], colors: Mapping[str, str], areas: Mapping[str, Iterable[str]]) -> str:
    return base64.b64encode(map_png(marked, colors, areas)).decode("ascii")
