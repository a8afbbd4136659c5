"""The 分野マップ tab: the unit × field matrix grouped by the legend's categories, the map's legend and
caption, and the passages behind a selection. Takes an `assistant.types.FieldMap`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from assistant import strength_label
from ui.content import content
from ui.render.html import esc, get, with_noun
from ui.render.sources import DocMeta, citation_card

PLANNED, POTENTIAL = "planned", "potential"  # assistant.types.Strength values
SYMBOL = {s: strength_label(s).mark for s in (PLANNED, POTENTIAL)}  # the answers' marks too
OTHER_CATEGORY = "その他"
SEL, ON = ' class="sel"', ' class="on"'


def legend_html() -> str:
    words = content().strength
    return (
        f'<p class="matrix-legend" data-testid="matrix-legend"><span class="lg"><b>{SYMBOL[PLANNED]}</b> '
        f'{esc(words.planned)}</span><span class="lg"><b>{SYMBOL[POTENTIAL]}</b> {esc(words.potential)}</span>'
        "<span class=\"lg\">分類を選ぶとその分野が開き、セルを選ぶと根拠の記載を表示します</span></p>"
    )


def noun_of(fm: Any) -> str:
    return get(fm, "unit_noun", "") or "単位"


def strength_of(fm: Any, unit: str, field: str) -> str | None:
    cell = get(fm, "cells", {}).get((unit, field))
    return None if cell is None else str(get(get(cell, "strength"), "value", get(cell, "strength")))


def groups(fm: Any) -> list[tuple[str, list[str]]]:
    """(category, its fields) in the legend's order; fields in no category come last under その他."""
    fields = list(get(fm, "fields", ()))
    out, placed = [], set()
    for category, members in get(fm, "categories", ()) or ():
        mine = [f for f in members if f in fields]
        if mine:
            out.append((category, mine))
            placed.update(mine)
    rest = [f for f in fields if f not in placed]
    if rest:
        out.append((OTHER_CATEGORY if out else "", rest))
    return out


def units_with(fm: Any, field: str) -> list[str]:
    cells = get(fm, "cells", {})
    return [u for u in get(fm, "units", ()) if (u, field) in cells]


def fields_of(fm: Any, unit: str) -> list[str]:
    cells = get(fm, "cells", {})
    return [f for _, fs in groups(fm) for f in fs if (unit, f) in cells]


def _cell(fm: Any, unit: str, field: str, sel_unit: str | None, sel_field: str | None) -> str:
    cell = get(fm, "cells", {}).get((unit, field))
    classes = ["selcol"] if unit == sel_unit else []
    data = f'data-unit="{esc(unit)}" data-field="{esc(field)}"'
    if cell is None:
        return f'<td class="{" ".join(classes)}" {data} data-hit="false"></td>'
    strength = strength_of(fm, unit, field)
    classes += ["hit", strength or ""]
    if field == sel_field and (sel_unit in (None, unit)) or (unit == sel_unit and not sel_field):
        classes.append("on")
    tip = " / ".join(dict.fromkeys(str(get(c, "text", "")) for c in get(cell, "citations", ())))
    words = content().strength
    word = words.planned_short if strength == PLANNED else words.potential_short
    return (f'<td class="{" ".join(c for c in classes if c)}" {data} data-hit="true" data-strength="{esc(strength)}"'
            f' role="button" tabindex="0" title="{esc(f"{unit}：{tip}")}" aria-label="{esc(f"{unit}・{field}：{word}")}">'
            f"{SYMBOL.get(strength or '', '●')}</td>")


def matrix_html(fm: Any, field: str | None = None, unit: str | None = None) -> str:
    """Field × unit table: rows grouped under the legend's categories (a category row summarises its
    fields and opens to show them; the selected field's group is open), units in the field map's order
    (north → south), ● planned, ○ potential only."""
    units = list(get(fm, "units", ()))
    noun = noun_of(fm)
    head = "".join(f'<th scope="col" data-unit="{esc(u)}"{SEL if u == unit else ""}>{esc(u)}</th>' for u in units)
    bodies = []
    for category, fields in groups(fm):
        summary = []
        for u in units:
            strengths = {strength_of(fm, u, f) for f in fields} - {None}
            mark = SYMBOL[PLANNED] if PLANNED in strengths else SYMBOL[POTENTIAL] if strengths else ""
            summary.append(f'<td class="cat-cell" data-unit="{esc(u)}">{mark}</td>')
        rows = []
        opened = not category or field in fields
        if category:
            toggle = (f'<button type="button" class="cat-toggle" aria-expanded="{str(opened).lower()}"'
                      f' title="この分類の分野を表示／非表示">{esc(category)}<span class="cat-n">（{len(fields)}）</span></button>')
            rows.append(f'<tr class="cat" data-category="{esc(category)}"><th scope="rowgroup">{toggle}</th>'
                        f'{"".join(summary)}<td class="num"></td></tr>')
        for f in fields:
            cells = "".join(_cell(fm, u, f, unit, field) for u in units)
            hits = len(units_with(fm, f))
            sel = ' class="frag sel" data-selected="true"' if f == field else ' class="frag"'
            rows.append(f'<tr{sel} data-field="{esc(f)}" data-category="{esc(category)}">'
                        f'<th scope="row">{esc(f)}</th>{cells}<td class="num">{hits}</td></tr>')
        bodies.append(f'<tbody class="grp{" open" if opened else ""}" data-category="{esc(category)}">{"".join(rows)}</tbody>')
    return (
        f'{legend_html()}<div class="matrix-wrap"><table class="matrix">'
        f'<thead><tr><th scope="col">分野＼{esc(noun)}</th>{head}<th scope="col">数</th></tr></thead>'
        f'{"".join(bodies)}</table></div>'
    )


# --- the map's caption and legend ---------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    """What the map shows: the units marked, which of them the map can colour, and the caption that says
    exactly that (so caption and colours never disagree)."""

    marked: tuple[str, ...]
    coloured: tuple[str, ...]
    caption: str


def map_view(fm: Any, field: str | None, unit: str | None, areas: Mapping[str, Sequence[str]]) -> MapView:
    """`areas` maps a unit to the prefectures it covers (none: it cannot be drawn)."""
    noun = noun_of(fm)
    if field:
        marked = units_with(fm, field)
        coloured = [u for u in marked if areas.get(u)]
        if marked:
            caption = f"「{field}」を挙げている{noun}：{'、'.join(marked)}（{len(marked)}{noun}）"
        else:
            caption = f"「{field}」を挙げている{noun}はありません"
        if unit:
            says = "挙げています" if unit in marked else "挙げていません"
            caption += f"　／　{with_noun(unit, noun)}は「{field}」を{says}"
    elif unit:
        marked = [unit]
        coloured = [unit] if areas.get(unit) else []
        prefs = "・".join(_short_pref(p) for p in areas.get(unit, ()))
        caption = f"{with_noun(unit, noun)}（{prefs}）の分野：" if prefs else f"{with_noun(unit, noun)}の分野："
        caption += "、".join(fields_of(fm, unit)) or "なし"
    else:
        marked = list(get(fm, "units", ()))
        coloured = [u for u in marked if areas.get(u)]
        caption = f"{noun}の区分（分野を選ぶと、その分野を挙げる{noun}だけを着色します）"
    missing = [u for u in marked if u not in coloured]
    if missing:
        caption += f"。地図に示せない{noun}：{'、'.join(missing)}"
    return MapView(tuple(marked), tuple(coloured), caption)


def _short_pref(name: str) -> str:
    """A prefecture without its 都/府/県 suffix (a two-character name and 道 stay as they are)."""
    return name[:-1] if len(name) > 2 and name[-1] in "都府県" else name


def map_legend_html(units: Sequence[str], view: MapView, colors: Mapping[str, str]) -> str:
    """Which units the map colours: the text form of the map (and what the tests read)."""
    items = []
    for u in units:
        on = u in view.coloured
        swatch = (f'<span class="swatch" style="background:{esc(colors.get(u, "#888"))}"></span>' if on
                  else '<span class="swatch off"></span>')
        items.append(f'<li data-unit="{esc(u)}" data-marked="{str(u in view.marked).lower()}"'
                     f' data-coloured="{str(on).lower()}"{ON if on else ""}>{swatch}{esc(u)}</li>')
    return (f'<div class="map-legend" data-marked="{esc(",".join(view.marked))}"'
            f' data-coloured="{esc(",".join(view.coloured))}"><p class="map-caption">{esc(view.caption)}</p>'
            f'<ul>{"".join(items)}</ul></div>')


def map_html(png_b64: str, units: Sequence[str], view: MapView, colors: Mapping[str, str]) -> str:
    alt = "日本地図：" + ("、".join(view.coloured) + "を着色" if view.coloured else "着色なし")
    return (
        f'<figure class="japan-map" data-marked="{esc(",".join(view.marked))}">'
        f'<img alt="{esc(alt)}" src="data:image/png;base64,{png_b64}">'
        f"<figcaption>{map_legend_html(units, view, colors)}</figcaption></figure>"
    )


# --- passages behind a selection -----------------------------------------------------------------------


def cell_passages_html(fm: Any, passages: Mapping[str, Any], metas: Mapping[str, DocMeta], field: str | None,
                       unit: str | None) -> str:
    """The cited passages behind a selection: a field (every unit that names it), a unit, or one cell."""
    noun = noun_of(fm)
    cells = get(fm, "cells", {})
    if not field and not unit:
        return (f'<div class="map-passages"><p class="hint">分野か{esc(noun)}を選ぶ（表のセルを選ぶ）と、'
                "その根拠となる資料の記載がここに表示されます。</p></div>")
    if field and unit:
        pairs = [(unit, field)]
    elif field:
        pairs = [(u, field) for u in units_with(fm, field)]
    else:
        pairs = [(unit, f) for f in fields_of(fm, unit)]
    by_unit: dict[str, list[tuple[str, Any, str]]] = {}
    for u, f in pairs:
        cell = cells.get((u, f))
        for c in get(cell, "citations", ()) if cell is not None else ():
            by_unit.setdefault(u, []).append((f, c, strength_of(fm, u, f) or ""))
    if not by_unit:
        what = f"「{field}」" if field else "分野"
        msg = (f"{with_noun(unit, noun)}の資料には{what}の記載がありません。" if unit
               else f"{what}を挙げている{noun}はありません。")
        return f'<div class="map-passages"><p class="no-answer">{esc(msg)}</p></div>'
    out = []
    i = 0
    for u, entries in by_unit.items():
        seen: dict[tuple, list[str]] = {}
        for f, c, s in entries:
            seen.setdefault((get(c, "chunk_id", ""), get(c, "start", 0), get(c, "end", 0)), []).append(
                f"{f}（{content().strength.potential_badge}）" if s == POTENTIAL else f)
        cards = []
        for f, c, _ in entries:
            key = (get(c, "chunk_id", ""), get(c, "start", 0), get(c, "end", 0))
            if key not in seen:
                continue
            i += 1
            cards.append(citation_card(_renumbered(c, i), passages.get(key[0]), metas.get(get(c, "doc_id", "")),
                                       label="・".join(seen.pop(key))))
        out.append(f'<section class="map-group" data-unit="{esc(u)}"><h4>{esc(with_noun(u, noun))}</h4>'
                   f'{"".join(cards)}</section>')
    return '<div class="map-passages">' + "".join(out) + "</div>"


def _renumbered(c: Any, n: int) -> dict[str, Any]:
    keys = ("chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "page", "reference")
    d = {k: get(c, k) for k in keys}
    d["n"] = n
    return d
