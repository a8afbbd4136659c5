"""Source cards: one per cited passage, with the cited spans highlighted inside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from ui.render.html import Mark, display_swaps, esc, get, mark_text, unit_tag


@dataclass(frozen=True)
class DocMeta:
    """What a card says about its document (from the document and its profile)."""

    title: str = ""
    noun: str = ""  # what the document calls its units (its profile's unit_noun); "" when it has none
    publisher: str = ""
    date: str = ""
    deleted: bool = False  # the document was deleted after the answer cited it


def group_by_passage(citations: Sequence[Any]) -> list[list[Any]]:
    """Citations grouped by chunk, in order of first citation number."""
    groups: dict[str, list[Any]] = {}
    for c in citations:
        groups.setdefault(get(c, "chunk_id", "") or f"#{get(c, 'n', '')}", []).append(c)
    return list(groups.values())


def _distinct(group: Sequence[Any], name: str) -> str:
    return "、".join(dict.fromkeys(str(v) for x in group if (v := get(x, name)) not in (None, "")))


def meta_line(group: Sequence[Any], meta: DocMeta) -> str:
    """Unit (with the document's own noun), section, page, publisher and date of the cited passage."""
    parts = [unit_tag(_distinct(group, "block"), meta.noun)]
    section = _distinct(group, "section")
    if section and section != _distinct(group, "block"):
        parts.append(f'<span class="k">節</span> {esc(section)}')
    page = _distinct(group, "page")
    if page:
        parts.append(f'<span class="k">ページ</span> {esc(page)}')
    if meta.publisher:
        parts.append(f'<span class="k">発行</span> {esc(meta.publisher)}')
    if meta.date:
        parts.append(f'<span class="k">日付</span> {esc(meta.date)}')
    return '<div class="src-meta">' + "　".join(parts) + "</div>"


def citation_card(
    c: Any | Sequence[Any],
    passage: Any | None,
    meta: DocMeta | None = None,
    *,
    label: str | None = None,
    card_id: str = "",
    turn: str = "",
) -> str:
    """Citations of one passage: number(s), document title, unit, section, page, publisher, date, and each
    cited span highlighted (<mark>) inside the surrounding passage. `c` is one citation or several of one
    chunk; `passage` has `text` and `start` (without it the cited text alone is shown)."""
    group = list(c) if isinstance(c, (list, tuple)) else [c]
    first = group[0]
    meta = meta or DocMeta(title=get(first, "title", ""))
    numbers = [str(get(x, "n", "")) for x in group]
    ref = any(bool(get(x, "reference", False)) for x in group)
    label = "".join(f"[{n}]" for n in numbers) if label is None else label
    badge = '<span class="badge ref">参考</span>' if ref else ""
    if meta.deleted:
        badge += '<span class="badge gone">削除済み</span>'
    gone = ('<p class="src-gone">この資料は削除されました。引用は回答した時点の記載です（「資料」タブでは読めません）。</p>'
            if meta.deleted else "")
    marks = [Mark(get(x, "start", 0), get(x, "end", 0), str(get(x, "n", "")), "ref" if get(x, "reference") else "")
             for x in group]
    if passage is not None:
        text, start = get(passage, "text", ""), get(passage, "start", 0)
        body = mark_text(text, start, marks, labels=len(group) > 1, squeeze=True, breaks=True,
                         swaps=display_swaps(text, start, get(passage, "format", "text")))
    else:  # the passage is gone (its document was removed): the cited text itself, highlighted
        body = "<br>".join(
            mark_text(get(x, "text", ""), get(x, "start", 0), [m], breaks=True) for x, m in zip(group, marks)
        )
    ident = f' id="{esc(card_id)}"' if card_id else ""
    return (
        f'<article class="src{" src-ref" if ref else ""}"{ident} data-n="{esc(",".join(numbers))}"'
        f' data-turn="{esc(turn)}" data-block="{esc(get(first, "block", ""))}" data-doc="{esc(get(first, "doc_id", ""))}"'
        f' data-reference="{str(ref).lower()}" data-deleted="{str(meta.deleted).lower()}" tabindex="-1">'
        f'<header><span class="src-n">{esc(label)}</span>{badge}'
        f'<span class="src-title">{esc(meta.title or get(first, "title", ""))}</span></header>'
        f"{meta_line(group, meta)}{gone}"
        f'<blockquote class="src-passage">{body}</blockquote>'
        "</article>"
    )


def cards_html(citations: Sequence[Any], passages: Mapping[str, Any], metas: Mapping[str, DocMeta],
               *, id_prefix: str = "src", turn: str = "") -> str:
    """One card per cited passage; each card's id names the turn and its first citation number."""
    out = []
    for g in group_by_passage(citations):
        first = g[0]
        out.append(citation_card(
            g, passages.get(get(first, "chunk_id", "")), metas.get(get(first, "doc_id", "")),
            card_id=f"{id_prefix}-{turn}-{get(first, 'n', '')}" if turn else "", turn=turn,
        ))
    return "".join(out)
