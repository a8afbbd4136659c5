"""The 分野マップ tab: the matrix of the chosen documents (a plan's units × fields grouped by its legend's
categories, or any documents' parts × the headings and items that recur across them), the map's legend and
caption, and the passages behind a selection. Takes an `assistant.types.Matrix` (also called FieldMap)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from assistant import strength_label
from ui.content import content
from ui.render.html import esc, get, with_noun
from ui.render.sources import DocMeta, citation_card

PLANNED, POTENTIAL = "planned", "potential"  # assistant.types.Strength values
SYMBOL = {s: strength_label(s).mark for s in (PLANNED, POTENTIAL)}  # the answers' marks too
PRESENT = "■"  # a cell of a matrix of recurring headings: the part has it (no strength to tell)
OTHER_CATEGORY = "その他"
SEL, ON = ' class="sel"', ' class="on"'
UNITS, PARTS = "units", "parts"  # assistant.types.MatrixKind values
MEANING = "meaning"  # assistant.legend.How: a field placed in its category by meaning


def legend_html(fm: Any = None) -> str:
    """What the marks mean: ● planned and ○ potential for a plan's fields; ■ for recurring headings."""
    if kind_of(fm) == PARTS:
        return ('<p class="matrix-legend" data-testid="matrix-legend">'
                f'<span class="lg"><b>{PRESENT}</b> その{esc(row_noun(fm))}がある</span>'
                "<span class=\"lg\">セルを選ぶと根拠の記載を表示します</span></p>")
    words = content().strength
    meaning = ""
    if any(how == MEANING for how in (get(fm, "placed_by", {}) or {}).values()):
        meaning = '<span class="lg"><b>≈</b> 凡例の語と意味が近いため、その分類に入れた分野</span>'
    return (
        f'<p class="matrix-legend" data-testid="matrix-legend"><span class="lg"><b>{SYMBOL[PLANNED]}</b> '
        f'{esc(words.planned)}</span><span class="lg"><b>{SYMBOL[POTENTIAL]}</b> {esc(words.potential)}</span>{meaning}'
        "<span class=\"lg\">分類を選ぶとその分野が開き、セルを選ぶと根拠の記載を表示します</span></p>"
    )


def noun_of(fm: Any) -> str:
    """What the columns are called: the documents' unit noun, else a neutral word."""
    return get(fm, "unit_noun", "") or ("部分" if kind_of(fm) == PARTS else "単位")


def named(fm: Any, unit: str) -> str:
    """A column by name with the documents' own unit noun (A + 地区 → A地区); none is added when they have none."""
    return with_noun(unit, get(fm, "unit_noun", "") or "")


def row_noun(fm: Any) -> str:
    """What the rows are called: the documents' item noun (分野 …), or headings and items."""
    if kind_of(fm) == PARTS:
        return "見出し・項目"
    return get(fm, "item_noun", "") or "分野"


def kind_of(fm: Any) -> str:
    kind = get(fm, "kind", UNITS) if fm is not None else UNITS
    return str(get(kind, "value", kind))


def strength_of(fm: Any, unit: str, field: str) -> str | None:
    """planned / potential for a plan's cell; "" for a cell without strength; None for no cell."""
    cell = get(fm, "cells", {}).get((unit, field))
    if cell is None:
        return None
    strength = get(cell, "strength")
    return "" if strength is None else str(get(strength, "value", strength))


def mark_of(strength: str | None) -> str:
    return SYMBOL.get(strength or "", PRESENT) if strength is not None else ""


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
    word = words.planned_short if strength == PLANNED else words.potential_short if strength == POTENTIAL else "あり"
    return (f'<td class="{" ".join(c for c in classes if c)}" {data} data-hit="true" data-strength="{esc(strength)}"'
            f' role="button" tabindex="0" title="{esc(f"{unit}：{tip}")}" aria-label="{esc(f"{unit}・{field}：{word}")}">'
            f"{mark_of(strength)}</td>")


# --- counts: how many units name a field (or a category), and how many of them only as a potential (○) ----


@dataclass(frozen=True)
class Count:
    units: int  # units with a cell
    potential: int  # of them, units whose cells are all ○


def count_of(fm: Any, fields: Sequence[str]) -> Count:
    """Units that name any of `fields`, and those among them that name them only as a potential."""
    units = potential = 0
    for u in get(fm, "units", ()):
        strengths = {strength_of(fm, u, f) for f in fields} - {None}
        if strengths:
            units += 1
            potential += strengths == {POTENTIAL}
    return Count(units, potential)


def count_html(fm: Any, fields: Sequence[str]) -> str:
    """The 数 cell: units (○ included), with how many of them are ○ only."""
    n = count_of(fm, fields)
    noun = noun_of(fm)
    note = f'<span class="num-p">（うち○{n.potential}）</span>' if n.potential else ""
    title = (f"{n.units}{noun}（うち{n.potential}{noun}は○ポテンシャルとしての言及のみ）" if n.potential
             else f"{n.units}{noun}")
    return (f'<td class="num" data-count="{n.units}" data-potential="{n.potential}" title="{esc(title)}">'
            f"{n.units}{note}</td>")


def count_head(fm: Any) -> str:
    noun = noun_of(fm)
    if kind_of(fm) == PARTS:
        return f'<th scope="col" class="num">{esc(noun)}数</th>'
    return f'<th scope="col" class="num" title="○（ポテンシャルとしての言及のみ）の{esc(noun)}も数えます">{esc(noun)}数（○を含む）</th>'


# --- the matrix ------------------------------------------------------------------------------------------------


def _row_head(fm: Any, field: str) -> str:
    """A field's row header; a field placed in its category by meaning says so (≈)."""
    if (get(fm, "placed_by", {}) or {}).get(field) == MEANING:
        return (f'<th scope="row" data-placed="{MEANING}" title="凡例の語と意味が近いため、この分類に入れました">'
                f'{esc(field)}<span class="placed" aria-label="意味から分類">≈</span></th>')
    return f'<th scope="row">{esc(field)}</th>'


def matrix_html(fm: Any, field: str | None = None, unit: str | None = None) -> str:
    """The matrix: rows grouped under the legend's categories (a category row summarises its fields with
    their count and opens to show them; the selected field's group is open), columns in the matrix's order
    (units north → south), ● planned, ○ potential only, ■ a recurring heading. An empty matrix says why."""
    units = list(get(fm, "units", ()))
    if not units or not get(fm, "fields", ()):
        return gap_html(fm)
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
                      f' title="この分類の{esc(row_noun(fm))}を表示／非表示">{esc(category)}'
                      f'<span class="cat-n">（{len(fields)}{esc(row_noun(fm))}）</span></button>')
            rows.append(f'<tr class="cat" data-category="{esc(category)}"><th scope="rowgroup">{toggle}</th>'
                        f'{"".join(summary)}{count_html(fm, fields)}</tr>')
        for f in fields:
            cells = "".join(_cell(fm, u, f, unit, field) for u in units)
            sel = ' class="frag sel" data-selected="true"' if f == field else ' class="frag"'
            rows.append(f'<tr{sel} data-field="{esc(f)}" data-category="{esc(category)}">'
                        f'{_row_head(fm, f)}{cells}{count_html(fm, [f])}</tr>')
        bodies.append(f'<tbody class="grp{" open" if opened else ""}" data-category="{esc(category)}">{"".join(rows)}</tbody>')
    return (
        f'{parts_note_html(fm)}{legend_html(fm)}<div class="matrix-wrap"><table class="matrix" data-kind="{esc(kind_of(fm))}">'
        f'<thead><tr><th scope="col">{esc(row_noun(fm))}＼{esc(noun)}</th>{head}{count_head(fm)}</tr></thead>'
        f'{"".join(bodies)}</table></div>'
    )


# --- when the documents are not a plan of units, or give no matrix at all ----------------------------------------

GAP_TEXT = {
    "no_documents": "選んだ資料が見つかりません。資料を選び直してください。",
    "no_parts": ("選んだ資料には、地域や地区ごとに分野を挙げる構成（単位×項目）がなく、並べて比べられる章や節もありません。"
                 "そのため表と地図は表示できません。"),
    "nothing_recurs": ("選んだ資料には、地域や地区ごとに分野を挙げる構成（単位×項目）がなく、章や節をまたいで繰り返し現れる"
                       "見出しや項目もありません。そのため表と地図は表示できません。"),
}


def gap_text(fm: Any) -> str:
    gap = get(fm, "gap", "")
    return GAP_TEXT.get(str(get(gap, "value", gap)) or "nothing_recurs", GAP_TEXT["nothing_recurs"])


def gap_html(fm: Any) -> str:
    """Why there is no matrix, in place of an empty table."""
    gap = get(fm, "gap", "")
    return (f'<div class="matrix-gap" data-gap="{esc(str(get(gap, "value", gap)) or "nothing_recurs")}" role="status">'
            f'<p class="no-answer">{esc(gap_text(fm))}</p></div>')


def parts_note_html(fm: Any) -> str:
    """Above a matrix of recurring headings: what it is, since the documents are not a plan of units."""
    if kind_of(fm) != PARTS:
        return ""
    return ('<p class="matrix-note" role="note">選んだ資料には、地域や地区ごとに分野を挙げる構成（単位×項目）が'
            "ないため、章や節をまたいで繰り返し現れる見出しと項目を表にしました。</p>")


# --- the map's caption and legend ---------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    """What the map shows: the units marked, which of them the map can colour, those it hatches as ○ (a
    potential only mentioned), and the caption that says exactly that (so caption and colours never disagree)."""

    marked: tuple[str, ...]
    coloured: tuple[str, ...]
    caption: str
    potential: tuple[str, ...] = ()
    noun: str = ""  # what the units are called
    drawable: bool = True  # some unit of the matrix is a place on the map


def map_view(fm: Any, field: str | None, unit: str | None, areas: Mapping[str, Sequence[str]]) -> MapView:
    """`areas` maps a unit to the prefectures it covers (none: it cannot be drawn)."""
    noun = noun_of(fm)
    potential: list[str] = []
    if field:
        marked = units_with(fm, field)
        coloured = [u for u in marked if areas.get(u)]
        potential = [u for u in marked if strength_of(fm, u, field) == POTENTIAL]
        if marked:
            caption = f"「{field}」を挙げている{noun}：{'、'.join(marked)}（{len(marked)}{noun}"
            caption += f"、うち{'、'.join(potential)}は○ポテンシャルとしての言及のみ）" if potential else "）"
        else:
            caption = f"「{field}」を挙げている{noun}はありません"
        if unit:
            says = "挙げています" if unit in marked else "挙げていません"
            caption += f"　／　{named(fm, unit)}は「{field}」を{says}"
    elif unit:
        marked = [unit]
        coloured = [unit] if areas.get(unit) else []
        prefs = "・".join(_short_pref(p) for p in areas.get(unit, ()))
        rows = row_noun(fm)
        caption = f"{named(fm, unit)}（{prefs}）の{rows}：" if prefs else f"{named(fm, unit)}の{rows}："
        caption += "、".join(fields_of(fm, unit)) or "なし"
    else:
        marked = list(get(fm, "units", ()))
        coloured = [u for u in marked if areas.get(u)]
        rows = row_noun(fm)
        caption = f"{noun}の区分（{rows}を選ぶと、その{rows}を挙げる{noun}だけを着色します）"
    drawable = any(areas.get(u) for u in get(fm, "units", ()))
    missing = [u for u in marked if u not in coloured]
    if missing and drawable:
        caption += f"。地図に示せない{noun}：{'、'.join(missing)}"
    elif missing:
        caption += f"。地図に示せない{noun}です（地図上の場所ではないため、地図は表示しません）"
    return MapView(tuple(marked), tuple(coloured), caption, tuple(u for u in potential if u in coloured), noun, drawable)


def _short_pref(name: str) -> str:
    """A prefecture without its 都/府/県 suffix (a two-character name and 道 stay as they are)."""
    return name[:-1] if len(name) > 2 and name[-1] in "都府県" else name


def map_legend_html(units: Sequence[str], view: MapView, colors: Mapping[str, str]) -> str:
    """Which units the map colours: the text form of the map (and what the tests read). A ○ unit's swatch
    is hatched like its area on the map."""
    items = []
    for u in units:
        on = u in view.coloured
        faint = u in view.potential
        color = colors.get(u, "#888")
        swatch = (f'<span class="swatch{" hatch" if faint else ""}" style="--sw:{esc(color)}"></span>' if on
                  else '<span class="swatch off"></span>')
        strength = f' data-strength="{POTENTIAL}"' if faint else ""
        mark = f'<span class="sw-note">（{SYMBOL[POTENTIAL]}）</span>' if faint else ""
        items.append(f'<li data-unit="{esc(u)}" data-marked="{str(u in view.marked).lower()}"'
                     f' data-coloured="{str(on).lower()}" data-color="{esc(color)}"{strength}{ON if on else ""}>'
                     f"{swatch}{esc(u)}{mark}</li>")
    note = (f'<p class="map-note">{SYMBOL[POTENTIAL]}（ポテンシャルとしての言及のみ）の{esc(view.noun)}は'
            "斜線で示します</p>" if view.potential else "")
    listing = f'<ul>{"".join(items)}</ul>' if view.drawable else ""  # no swatches for what the map cannot show
    return (f'<div class="map-legend" data-marked="{esc(",".join(view.marked))}"'
            f' data-coloured="{esc(",".join(view.coloured))}" data-potential="{esc(",".join(view.potential))}">'
            f'<p class="map-caption">{esc(view.caption)}</p>{listing}{note}</div>')


def no_map_html() -> str:
    """The map's place when there is no matrix (the matrix says why)."""
    return ('<figure class="japan-map" data-marked="" data-drawn="false"><figcaption><p class="map-caption">'
            "地図に示せるものはありません。</p></figcaption></figure>")


def map_html(pngs: Mapping[str, str], units: Sequence[str], view: MapView, colors: Mapping[str, str]) -> str:
    """The map in the page's theme (one image per theme, the other hidden by the style sheet), or, when no
    column of the matrix is a place on the map, no image at all."""
    alt = "日本地図：" + ("、".join(view.coloured) + "を着色" if view.coloured else "着色なし")
    images = "".join(f'<img class="map-img map-{esc(theme)}" data-theme="{esc(theme)}" alt="{esc(alt)}"'
                     f' src="data:image/png;base64,{b64}">' for theme, b64 in pngs.items())
    images = f'<div class="map-stack">{images}</div>' if images else ""
    return (
        f'<figure class="japan-map" data-marked="{esc(",".join(view.marked))}" data-drawn="{str(bool(pngs)).lower()}">'
        f"{images}<figcaption>{map_legend_html(units, view, colors)}</figcaption></figure>"
    )


# --- passages behind a selection -----------------------------------------------------------------------


def cell_passages_html(fm: Any, passages: Mapping[str, Any], metas: Mapping[str, DocMeta], field: str | None,
                       unit: str | None) -> str:
    """The cited passages behind a selection: a field (every unit that names it), a unit, or one cell."""
    noun = noun_of(fm)
    cells = get(fm, "cells", {})
    if not field and not unit:
        if not get(fm, "fields", ()):
            return '<div class="map-passages"></div>'
        return (f'<div class="map-passages"><p class="hint">{esc(row_noun(fm))}か{esc(noun)}を選ぶ（表のセルを選ぶ）と、'
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
        what = f"「{field}」" if field else row_noun(fm)
        msg = (f"{named(fm, unit)}の資料には{what}の記載がありません。" if unit
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
        out.append(f'<section class="map-group" data-unit="{esc(u)}"><h4>{esc(named(fm, u))}</h4>'
                   f'{"".join(cards)}</section>')
    return '<div class="map-passages">' + "".join(out) + "</div>"


def _renumbered(c: Any, n: int) -> dict[str, Any]:
    keys = ("chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "page", "reference")
    d = {k: get(c, k) for k in keys}
    d["n"] = n
    return d
