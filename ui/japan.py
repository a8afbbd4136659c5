"""A map of Japan with the prefectures of selected units coloured (japanmap → PNG via PIL), in the page's
light or dark theme. A unit that only mentions the selected field as a potential (○) is hatched (stripes of
its colour and the land's), one that plans it (●) filled."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from typing import Iterable, Mapping

import numpy as np

# One colour per unit (colour-blind-friendly Tableau 10, in the field map's unit order).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6",
)
THEMES = ("light", "dark")
# Land not coloured, and the prefecture borders, per theme; the sea is transparent (the page shows through).
_LAND = {"light": (255, 255, 255), "dark": (55, 60, 68)}
_BORDER = {"light": (94, 94, 94), "dark": (175, 181, 189)}
_SEA = 238  # japanmap's base image: sea 238, land 255, borders darker greys
STRIPE = 3  # pixels per stripe of a hatched (○) unit


def unit_colors(units: Iterable[str]) -> dict[str, str]:
    return {u: PALETTE[i % len(PALETTE)] for i, u in enumerate(units)}


def _rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


@lru_cache(maxsize=256)
def _png(fills: tuple[tuple[str, str], ...], hatched: tuple[str, ...], theme: str) -> bytes:
    import japanmap
    from PIL import Image

    colours = {pref: _rgb(color) for pref, color in fills}
    # japanmap reads its base image with OpenCV (BGR order) and fills with the tuple as given; the array
    # is then shown as RGB, so RGB tuples come out as intended (the base map is black, white and grey).
    picture = np.asarray(japanmap.picture(colours), dtype=np.uint8)
    rgb = picture[..., :3]
    grey = (rgb[..., 0] == rgb[..., 1]) & (rgb[..., 1] == rgb[..., 2])  # filled prefectures are never grey
    level = rgb[..., 0].astype(np.float32)
    out = np.zeros((*rgb.shape[:2], 4), dtype=np.uint8)
    out[..., :3] = rgb
    out[..., 3] = 255
    sea = grey & (rgb[..., 0] == _SEA)
    land = grey & (rgb[..., 0] == 255)
    border = grey & ~sea & ~land
    out[sea, 3] = 0
    out[land, :3] = _LAND[theme]
    # borders: from the theme's border colour (darkest grey) to its land colour (the lightest)
    share = np.clip(level / 255.0, 0, 1)[border][:, None]
    out[border, :3] = (np.asarray(_BORDER[theme]) * (1 - share) + np.asarray(_LAND[theme]) * share).astype(np.uint8)
    if hatched:
        ys, xs = np.indices(rgb.shape[:2])
        gap = ((xs + ys) // STRIPE) % 2 == 1
        for color in hatched:
            out[np.all(rgb == _rgb(color), axis=-1) & gap, :3] = _LAND[theme]
    buf = io.BytesIO()
    Image.fromarray(out, "RGBA").save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def fills(marked: Iterable[str], colors: Mapping[str, str], areas: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Prefecture → colour: every prefecture of a marked unit in its unit's colour."""
    out: dict[str, str] = {}
    for unit in marked:
        for pref in areas.get(unit, ()):
            out[pref] = colors.get(unit, PALETTE[0])
    return out


def map_png(marked: Iterable[str], colors: Mapping[str, str], areas: Mapping[str, Iterable[str]],
            potential: Iterable[str] = (), theme: str = "light") -> bytes:
    """PNG of Japan (transparent sea): the prefectures of marked units coloured (hatched for the `potential`
    ones), the rest the theme's land."""
    marked = list(marked)
    hatched = tuple(sorted({colors.get(u, PALETTE[0]) for u in potential if u in marked}))
    return _png(tuple(sorted(fills(marked, colors, areas).items())), hatched, theme)


def map_png_base64(marked: Iterable[str], colors: Mapping[str, str], areas: Mapping[str, Iterable[str]],
                   potential: Iterable[str] = (), theme: str = "light") -> str:
    return base64.b64encode(map_png(marked, colors, areas, tuple(potential), theme)).decode("ascii")
