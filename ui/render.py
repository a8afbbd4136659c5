"""Pure HTML rendering for the UI: no Gradio, no I/O, no state.

Every piece of user or document text goes through `esc()` before it reaches HTML, so a question or a
document containing `<script>` or `<img onerror=…>` is shown as text. Spans are highlighted by their
character offsets (the same offsets the citations carry), never by searching for the text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

# --- basics ---------------------------------------------------------------------------------------


def esc(text: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_lines(text: Any) -> str:
    """Escaped text with line breaks as <br>."""
    return "<br>".join(esc(line) for line in str(text or "").split("\n"))


_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def dom_id(*parts: Any) -> str:
    """An ASCII element id from arbitrary parts (document ids may hold any character)."""
    raw = "-".join(str(p) for p in parts)
    safe = _ID_SAFE.sub("_", raw)
    if safe != raw:  # keep ids distinct when characters were replaced
        safe += "-" + format(_stable_hash(raw), "x")
    return safe


def _stable_hash(text: str) -> int:
    h = 2166136261
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or mapping access, so render functions take dataclasses and JSON dicts alike."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


# --- spans inside text ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """A span to highlight, in the same coordinates as the text's `base` offset (document offsets)."""

    start: int
    end: int
    label: str = ""  # e.g. "1" for citation [1]; shown as data-n and in the title
    css: str = ""  # extra class (e.g. "ref" for 参考 passages)
    anchor: str = ""  # optional element id for the first mark with this anchor


def mark_text(
    text: str,
    base: int = 0,
    marks: Sequence[Mark] = (),
    anchors: Sequence[tuple[int, str]] = (),
    *,
    labels: bool = False,
    squeeze: bool = False,
) -> str:
    """Escape `text` (which starts at document offset `base`) and wrap each mark's span in <mark>.

    Overlapping marks are merged segment by segment (a segment covered by [1] and [2] gets both labels).
    Marks outside the text are clipped; empty ones are ignored. `anchors` are (offset, id) pairs that
    become empty <span id=…> elements, for in-page links to blocks and sections. With `labels`, each
    mark starts with a small [n]; with `squeeze`, runs of blank lines show as one line break (display
    only: offsets are computed on the original text).
    """
    show = _squeeze if squeeze else esc
    n = len(text)
    clipped = []
    for m in marks:
        s, e = max(m.start - base, 0), min(m.end - base, n)
        if s < e:
            clipped.append((s, e, m))
    points = {0, n}
    for s, e, _ in clipped:
        points.update((s, e))
    anchor_at: dict[int, list[str]] = {}
    for offset, ident in anchors:
        pos = min(max(offset - base, 0), n)
        points.add(pos)
        anchor_at.setdefault(pos, []).append(ident)
    ordered = sorted(points)
    out: list[str] = []
    used_anchor: set[str] = set()
    for a, b in zip(ordered, ordered[1:] + [None]):
        for ident in anchor_at.get(a, ()):
            out.append(f'<span class="anchor" id="{esc(ident)}"></span>')
        if b is None:
            break
        segment = text[a:b]
        covering = [m for s, e, m in clipped if s <= a and b <= e]
        if not covering:
            out.append(show(segment))
            continue
        names = list(dict.fromkeys(m.label for m in covering if m.label))
        classes = " ".join(sorted({"hl", *(m.css for m in covering if m.css)}))
        attrs = f' class="{esc(classes)}"'
        if names:
            attrs += f' data-n="{esc(",".join(names))}" title="{esc("引用 [" + "][".join(names) + "]")}"'
        for s, _e, m in clipped:
            if s == a and m.anchor and m.anchor not in used_anchor:
                attrs += f' id="{esc(m.anchor)}"'
                used_anchor.add(m.anchor)
                break
        starting = [m.label for s, _e, m in clipped if s == a and m.label] if labels else []
        tag = "".join(f'<sup class="mk">[{esc(label)}]</sup>' for label in dict.fromkeys(starting))
        out.append(f"<mark{attrs}>{tag}{show(segment)}</mark>")
    return "".join(out)


def _squeeze(text: str) -> str:
    return esc(re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n", text))


def highlight(passage_text: str, passage_start: int, start: int, end: int, label: str = "", css: str = "") -> str:
    """The passage (document offsets from `passage_start`) with [start, end) in <mark>, all escaped."""
    return mark_text(passage_text, passage_start, [Mark(start, end, label, css)])


# --- chat messages ----------------------------------------------------------------------------------

_MARKER = re.compile(r"\[(\d+)\]")


def _inline(text: str) -> str:
    """Escape one line and turn the citation markers [n] into superscripts."""
    parts = []
    last = 0
    for m in _MARKER.finditer(text):
        parts.append(esc(text[last : m.start()]))
        parts.append(f'<sup class="cite" data-n="{m.group(1)}">[{m.group(1)}]</sup>')
        last = m.end()
    parts.append(esc(text[last:]))
    return "".join(parts)


def answer_html(text: str, answerable: bool | None = None) -> str:
    """An answer for the chat: escaped, '- ' lines as a list, [n] as superscripts, no blank lines.

    The result is one HTML block without blank lines so the chat's Markdown renderer passes it through
    untouched (Markdown syntax inside document text is not interpreted).
    """
    out: list[str] = []
    in_list = False
    for raw in str(text or "").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.lstrip().startswith(("- ", "・")) and len(line.strip()) > 1:
            if not in_list:
                out.append("<ul>")
                in_list = True
            item = line.lstrip()[2:] if line.lstrip().startswith("- ") else line.lstrip()[1:]
            out.append(f"<li>{_inline(item)}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        out.append(f"<p>{_inline(line)}</p>")
    if in_list:
        out.append("</ul>")
    state = "" if answerable is None else f' data-answerable="{str(bool(answerable)).lower()}"'
    return f'<div class="answer"{state}>' + "".join(out) + "</div>"


def user_html(text: str) -> str:
    """The user's message for the chat, escaped, as one HTML block."""
    return '<div class="question">' + esc_lines(text) + "</div>"


def notice_html(text: str, kind: str = "info") -> str:
    """A short system message (errors, refusals) for the chat."""
    return f'<div class="notice notice-{esc(kind)}">{esc_lines(text)}</div>'


def stream_pieces(text: str, size: int = 12) -> list[str]:
    """Growing prefixes of `text` for streaming; never cuts a citation marker or a line in odd places."""
    tokens = re.findall(r"\[\d+\]|\n|[^\[\n]{1,%d}|\[" % size, text)
    prefixes = []
    acc = ""
    for tok in tokens:
        acc += tok
        if tok != "\n":
            prefixes.append(acc)
    if not prefixes or prefixes[-1] != text:
        prefixes.append(text)
    return prefixes


# --- sources panel ----------------------------------------------------------------------------------

NO_ANSWER = "資料にはこの質問に答える記載がありません。"
SOURCES_EMPTY = "質問すると、回答の根拠となった資料の箇所がここに表示されます。"


def meta_line(c: Any | Sequence[Any]) -> str:
    """Block, section and page of one citation, or of several (distinct values joined by 、)."""
    group = list(c) if isinstance(c, (list, tuple)) else [c]

    def distinct(name: str) -> str:
        return "、".join(dict.fromkeys(str(v) for x in group if (v := get(x, name)) not in (None, "")))

    block, section, page = distinct("block"), distinct("section"), distinct("page")
    parts = [f'<span class="k">ブロック</span> {esc(block)}']
    if section:
        parts.append(f'<span class="k">節</span> {esc(section)}')
    if page:
        parts.append(f'<span class="k">ページ</span> {esc(page)}')
    return '<div class="src-meta">' + "　".join(parts) + "</div>"


def citation_card(c: Any | Sequence[Any], passage: Any | None, *, label: str | None = None) -> str:
    """Citations of one passage: number(s), document title, block, section, page, and each cited span
    highlighted (<mark>) inside the surrounding passage. `c` is one citation or several of one chunk."""
    group = list(c) if isinstance(c, (list, tuple)) else [c]
    first = group[0]
    numbers = [str(get(x, "n", "")) for x in group]
    ref = any(bool(get(x, "reference", False)) for x in group)
    label = "".join(f"[{n}]" for n in numbers) if label is None else label
    badge = '<span class="badge ref">参考</span>' if ref else ""
    marks = [Mark(get(x, "start", 0), get(x, "end", 0), str(get(x, "n", "")), "ref" if get(x, "reference") else "")
             for x in group]
    if passage is not None:
        body = mark_text(get(passage, "text", ""), get(passage, "start", 0), marks, labels=len(group) > 1,
                         squeeze=True)
    else:  # no passage (should not happen): show the cited text itself, highlighted
        body = "<br>".join(
            f'<mark class="hl{" ref" if get(x, "reference") else ""}" data-n="{esc(get(x, "n", ""))}">'
            f'{esc(get(x, "text", ""))}</mark>' for x in group
        )
    return (
        f'<article class="src{" src-ref" if ref else ""}" id="{esc(dom_id("src", numbers[0]))}"'
        f' data-n="{esc(",".join(numbers))}" data-block="{esc(get(first, "block", ""))}"'
        f' data-reference="{str(ref).lower()}">'
        f'<header><span class="src-n">{esc(label)}</span>{badge}'
        f'<span class="src-title">{esc(get(first, "title", ""))}</span></header>'
        f"{meta_line(group)}"
        f'<blockquote class="src-passage">{body}</blockquote>'
        "</article>"
    )


def group_by_passage(citations: Sequence[Any]) -> list[list[Any]]:
    """Citations grouped by chunk, in order of first citation number."""
    groups: dict[str, list[Any]] = {}
    for c in citations:
        groups.setdefault(get(c, "chunk_id", "") or f"#{get(c, 'n', '')}", []).append(c)
    return list(groups.values())


def sources_html(answer: Any | None, passages: Mapping[str, Any] | None = None, *, question: str = "") -> str:
    """The sources panel for the latest answer (`answer` has text, citations, answerable).

    `passages` maps chunk_id → the surrounding passage (text, start); a citation without one shows
    its own text. When the answer is not answerable the panel says so plainly and shows the 参考
    passages, each marked 参考.
    """
    if answer is None:
        return f'<div class="sources" data-state="empty"><p class="hint">{esc(SOURCES_EMPTY)}</p></div>'
    passages = passages or {}
    citations = list(get(answer, "citations", []) or [])
    answerable = bool(get(answer, "answerable", False))
    head = ""
    if question:
        head = f'<div class="src-q"><span class="k">質問</span> {esc(question)}</div>'
    cards = "".join(citation_card(g, passages.get(get(g[0], "chunk_id", ""))) for g in group_by_passage(citations))
    if answerable:
        title = f"出典（{len(citations)}件）" if citations else "出典はありません"
        body = f'<h3 class="src-h">{esc(title)}</h3>{cards}'
        tip = '<p class="hint">前後の文脈は「資料」タブで読めます（引用箇所が強調表示されます）。</p>' if citations else ""
        return f'<div class="sources" data-state="answered" data-answerable="true">{head}{body}{tip}</div>'
    body = f'<p class="no-answer" role="status">{esc(NO_ANSWER)}</p>'
    if citations:
        body += f'<h3 class="src-h">参考：関連する記載（{len(citations)}件）</h3>'
        body += '<p class="hint">質問への答えではなく、近い内容の記載です。</p>' + cards
    return f'<div class="sources" data-state="answered" data-answerable="false">{head}{body}</div>'


# --- 資料 tab --------------------------------------------------------------------------------------


def document_tree_html(parsed: Any) -> str:
    """Block → section outline of a parsed document, linking into its text."""
    doc = get(parsed, "document")
    doc_id = get(doc, "doc_id", "")
    rows = []
    for bi, block in enumerate(get(parsed, "blocks", ()) or ()):
        sections = list(get(block, "sections", ()) or ())
        sub = []
        for si, section in enumerate(sections):
            path = tuple(get(section, "path", ()) or ())
            name = " > ".join(path[1:]) if len(path) > 1 else ""
            if not name:
                continue
            n_items = len(get(section, "items", ()) or ())
            count = f'<span class="cnt">項目 {n_items}</span>' if n_items else ""
            sub.append(f'<li><a href="#{esc(dom_id("doc", doc_id, bi, si))}">{esc(name)}</a>{count}</li>')
        n_items = sum(len(get(s, "items", ()) or ()) for s in sections)
        count = f'<span class="cnt">項目 {n_items}</span>' if n_items else ""
        inner = f"<ol>{''.join(sub)}</ol>" if sub else ""
        rows.append(
            f'<li data-block="{esc(get(block, "name", ""))}"><a href="#{esc(dom_id("doc", doc_id, bi))}">'
            f'{esc(get(block, "name", ""))}</a>{count}{inner}</li>'
        )
    return f'<nav class="doc-tree" aria-label="構成"><h4>構成</h4><ol>{"".join(rows)}</ol></nav>'


def document_html(parsed: Any, citations: Iterable[Any] = ()) -> str:
    """A whole document: title, outline and full text (escaped), cited spans of the latest answer marked."""
    doc = get(parsed, "document")
    doc_id = get(doc, "doc_id", "")
    text = get(doc, "text", "") or ""
    anchors: list[tuple[int, str]] = []
    for bi, block in enumerate(get(parsed, "blocks", ()) or ()):
        anchors.append((get(block, "start", 0), dom_id("doc", doc_id, bi)))
        for si, section in enumerate(get(block, "sections", ()) or ()):
            anchors.append((get(section, "start", 0), dom_id("doc", doc_id, bi, si)))
    mine = [c for c in citations if get(c, "doc_id") == doc_id]
    marks = [
        Mark(get(c, "start", 0), get(c, "end", 0), str(get(c, "n", "")), "ref" if get(c, "reference") else "",
             anchor=dom_id("cite", doc_id, get(c, "n", "")))
        for c in mine
    ]
    jump = ""
    if mine:
        links = "".join(
            f'<a href="#{esc(dom_id("cite", doc_id, get(c, "n", "")))}">[{esc(get(c, "n", ""))}]</a>'
            for c in sorted(mine, key=lambda c: get(c, "n", 0))
        )
        jump = f'<p class="jump">最新の回答で引用された箇所：{links}</p>'
    lead = len(text) - len(text.lstrip())  # leading blank lines are not shown (offsets stay the same)
    meta = f'<p class="doc-meta">文書ID {esc(doc_id)}　{len(text):,}文字</p>'
    return (
        f'<div class="document" data-doc="{esc(doc_id)}"><h3>{esc(get(doc, "title", ""))}</h3>{meta}{jump}'
        f'<div class="doc-layout">{document_tree_html(parsed)}'
        f'<div class="doc-text">{mark_text(text[lead:], lead, marks, anchors, labels=True)}</div></div></div>'
    )


@dataclass(frozen=True)
class UploadRow:
    """One line of the upload report: a file and what happened to it."""

    name: str
    text: str
    ok: bool  # False: refused or unreadable
    status: str = ""  # added / changed / unchanged / error (a data attribute for tests and styling)


def upload_report_html(summary: str, rows: Sequence[UploadRow] = (), *, kind: str = "ok",
                       counts: Mapping[str, int] | None = None, notes: Sequence[str] = ()) -> str:
    """The outcome of 「索引に追加」: a summary line, one line per file (✓ / ✗), then notes. All escaped."""
    attrs = "".join(f' data-{esc(k)}="{int(v)}"' for k, v in (counts or {}).items())
    items = "".join(
        f'<li class="{"ok" if r.ok else "err"}" data-file="{esc(r.name)}" data-status="{esc(r.status)}">'
        f'<span class="mark" aria-hidden="true">{"✓" if r.ok else "✗"}</span>{esc_lines(r.text)}</li>'
        for r in rows
    )
    files = f'<ul class="upload-files">{items}</ul>' if items else ""
    extra = "".join(f'<p class="upload-note">{esc_lines(n)}</p>' for n in notes)
    return (
        f'<div class="upload-report upload-{esc(kind)}"{attrs}>'
        f'<p class="upload-summary">{esc_lines(summary)}</p>{files}{extra}</div>'
    )


# --- 分野マップ tab ------------------------------------------------------------------------------------


def _cites(cell: Any) -> tuple:
    """The citations of one field-map cell (empty when the unit does not name the field)."""
    return tuple(cell.citations) if cell else ()


def field_order(fm: Any) -> list[str]:
    """Fields, most widely planned first (ties keep the field map's order)."""
    fields = list(get(fm, "fields", []))
    blocks = list(get(fm, "units", []))
    cells = get(fm, "cells", {})
    count = {f: sum(1 for b in blocks if cells.get((b, f))) for f in fields}
    return sorted(fields, key=lambda f: (-count[f], fields.index(f)))


def blocks_with(fm: Any, field: str) -> list[str]:
    cells = get(fm, "cells", {})
    return [b for b in get(fm, "units", []) if cells.get((b, field))]


def fields_of(fm: Any, block: str) -> list[str]:
    cells = get(fm, "cells", {})
    return [f for f in field_order(fm) if cells.get((block, f))]


SEL = ' class="sel"'
ON = ' class="on"'
SEL_ROW = ' class="sel" data-selected="true"'


def matrix_html(fm: Any, field: str | None = None, block: str | None = None) -> str:
    """Field × block table: ● where the block's plan mentions the field, with the cited text as title."""
    blocks = list(get(fm, "units", []))
    cells = get(fm, "cells", {})
    head = "".join(
        f'<th scope="col" data-block="{esc(b)}"{SEL if b == block else ""}>{esc(b)}</th>' for b in blocks
    )
    rows = []
    for f in field_order(fm):
        tds = []
        hits = 0
        for b in blocks:
            cites = _cites(cells.get((b, f)))
            cls = []
            if b == block:
                cls.append("selcol")
            if cites:
                hits += 1
                tip = " / ".join(dict.fromkeys(get(c, "text", "") for c in cites))
                marked = field == f or (block == b and not field)
                cls.append("hit")
                if marked:
                    cls.append("on")
                tds.append(
                    f'<td class="{" ".join(cls)}" data-block="{esc(b)}" data-field="{esc(f)}" data-hit="true"'
                    f' title="{esc(b + "：" + tip)}">●</td>'
                )
            else:
                c = f' class="{" ".join(cls)}"' if cls else ""
                tds.append(f'<td{c} data-block="{esc(b)}" data-field="{esc(f)}" data-hit="false"></td>')
        sel = field == f
        rows.append(
            f'<tr data-field="{esc(f)}"{SEL_ROW if sel else ""}>'
            f'<th scope="row">{esc(f)}</th>{"".join(tds)}<td class="num">{hits}</td></tr>'
        )
    return (
        '<div class="matrix-wrap"><table class="matrix">'
        f'<thead><tr><th scope="col">分野＼ブロック</th>{head}<th scope="col">数</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def map_legend_html(blocks: Sequence[str], marked: Sequence[str], colors: Mapping[str, str], caption: str) -> str:
    """Which blocks the map colours: the text form of the map (and what the tests read)."""
    items = []
    for b in blocks:
        on = b in marked
        swatch = f'<span class="swatch" style="background:{esc(colors.get(b, "#ccc"))}"></span>' if on else (
            '<span class="swatch off"></span>'
        )
        items.append(f'<li data-block="{esc(b)}" data-marked="{str(on).lower()}"{ON if on else ""}>'
                     f"{swatch}{esc(b)}</li>")
    return (
        f'<div class="map-legend" data-marked="{esc(",".join(marked))}">'
        f'<p class="map-caption">{esc(caption)}</p><ul>{"".join(items)}</ul></div>'
    )


def map_html(png_b64: str, blocks: Sequence[str], marked: Sequence[str], colors: Mapping[str, str], caption: str) -> str:
    alt = "日本地図：" + ("、".join(marked) + "を着色" if marked else "着色なし")
    return (
        f'<figure class="japan-map" data-marked="{esc(",".join(marked))}">'
        f'<img alt="{esc(alt)}" src="data:image/png;base64,{png_b64}">'
        f"<figcaption>{map_legend_html(blocks, marked, colors, caption)}</figcaption></figure>"
    )


def cell_passages_html(fm: Any, passages: Mapping[str, Any], field: str | None, block: str | None) -> str:
    """The cited passages behind a selection: a field (every block that plans it), a block, or both."""
    cells = get(fm, "cells", {})
    if not field and not block:
        return '<div class="map-passages"><p class="hint">分野かブロックを選ぶと、その根拠となる資料の記載がここに表示されます。</p></div>'
    if field and block:
        pairs = [(block, field)]
    elif field:
        pairs = [(b, field) for b in blocks_with(fm, field)]
    else:
        pairs = [(block, f) for f in fields_of(fm, block)]
    groups: dict[str, list[tuple[str, Any]]] = {}
    for b, f in pairs:
        for c in _cites(cells.get((b, f))):
            groups.setdefault(b, []).append((f, c))
    if not groups:
        what = f"「{field}」" if field else "分野"
        msg = f"{block}ブロックの資料には{what}の記載がありません。" if block else f"{what}を挙げているブロックはありません。"
        return f'<div class="map-passages"><p class="no-answer">{esc(msg)}</p></div>'
    out = []
    i = 0
    for b, entries in groups.items():
        seen: dict[tuple[str, int, int], list[str]] = {}
        for f, c in entries:
            seen.setdefault((get(c, "chunk_id", ""), get(c, "start", 0), get(c, "end", 0)), []).append(f)
        cards = []
        for f, c in entries:
            key = (get(c, "chunk_id", ""), get(c, "start", 0), get(c, "end", 0))
            if key not in seen:
                continue
            fields_here = seen.pop(key)
            i += 1
            label = "・".join(fields_here)
            cards.append(citation_card(_renumbered(c, i), passages.get(key[0]), label=label))
        out.append(f'<section class="map-group" data-block="{esc(b)}"><h4>{esc(b)}</h4>{"".join(cards)}</section>')
    return '<div class="map-passages">' + "".join(out) + "</div>"


def _renumbered(c: Any, n: int) -> dict[str, Any]:
    keys = ("chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "page", "reference")
    d = {k: get(c, k) for k in keys}
    d["n"] = n
    return d
