"""Escaping, element ids and span highlighting shared by every render module."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence


def esc(text: Any) -> str:
    """HTML-escape any value (quotes too, so it is safe inside attributes)."""
    return html.escape("" if text is None else str(text), quote=True)


def esc_lines(text: Any) -> str:
    """Escaped text with line breaks as <br> (chat HTML must hold no raw line breaks: see `flat`)."""
    return "<br>".join(esc(line) for line in str(text or "").split("\n"))


def flat(markup: str) -> str:
    """HTML without line breaks: the chat passes a message through Markdown, which would end an HTML block
    at a blank line and start interpreting the rest."""
    return markup.replace("\r", "").replace("\n", "&#10;")


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


def with_noun(name: str, noun: str) -> str:
    """name + noun (「X」+「地区」→「X地区」); a name that already ends with the noun keeps it once."""
    return name if not noun or name.endswith(noun) else name + noun


def unit_tag(name: str, noun: str) -> str:
    """The unit of a passage with its kind: the document's own noun, or a neutral 「箇所」 for documents
    without units (so a heading is never called by another document's noun)."""
    return f'<span class="k">{esc(noun or "箇所")}</span> {esc(name)}'


# --- spans inside text ------------------------------------------------------------------------------

# Markdown bold markers (**) in plain-text documents: hidden when shown (display only; offsets unchanged).
_EMPHASIS = re.compile(r"\*\*")


@dataclass(frozen=True)
class Mark:
    """A span to highlight, in the same coordinates as the text's `base` offset (document offsets)."""

    start: int
    end: int
    label: str = ""  # e.g. "1" for citation [1]; shown as data-n and in the title
    css: str = ""  # extra class (e.g. "ref" for 参考 passages)
    anchor: str = ""  # optional element id for the first mark with this anchor


@dataclass(frozen=True)
class Swap:
    """A span shown as other text (a list line's 「- 」 as 「・」, or as nothing), in document offsets; the
    offsets of everything else stay the same."""

    start: int
    end: int
    shown: str = ""


# A list line's marker (「- 」「* 」「+ 」) at the start of a line, and what follows it.
_LIST_MARK = re.compile(r"^[ \t\u3000]*([-*+])[ \t\u3000]+(?=\S)", re.M)
# An item's own numbering right after such a marker (「- ①A」, 「- (1) …」, 「- 1. …」).
_NUMBERED = re.compile(r"[\u2460-\u2473]|[(（][0-9０-９]+[)）]|[0-9０-９]+[.．)）]\s")
# A Markdown heading's marks: the leading #s, and closing #s if any.
_HEADING_MARK = re.compile(r"^[ \t]{0,3}(#{1,6}[ \t]+)(?:.*?)([ \t]+#+[ \t]*)?$", re.M)


def list_marks(text: str, base: int = 0) -> list[Swap]:
    """How list markers are shown: a marker before an item that numbers itself is dropped (「- ①A ②B」 reads
    「①A ②B」), any other shows as 「・」. Offsets are the text's own plus `base`."""
    out = []
    for m in _LIST_MARK.finditer(text):
        s, e = m.start(1), m.end()
        out.append(Swap(base + s, base + e, "" if _NUMBERED.match(text, e) else "・"))
    return out


def display_swaps(text: str, base: int = 0, fmt: str = "text") -> list[Swap]:
    """What a passage shows instead of its list markers and, in Markdown, its heading marks (「## 第2章」
    reads 「第2章」), so no raw Markdown reaches the reader while the offsets stay the verbatim text's."""
    out = list_marks(text, base)
    if fmt == "markdown":
        for m in _HEADING_MARK.finditer(text):
            out.append(Swap(base + m.start(1), base + m.end(1), ""))
            if m.group(2):
                out.append(Swap(base + m.start(2), base + m.end(2), ""))
    return sorted(out, key=lambda w: w.start)


def shown(text: str, *, squeeze: bool = False, breaks: bool = False) -> str:
    """Escaped display form of document text: emphasis markers hidden; with `squeeze`, runs of blank lines
    show as one line break; with `breaks`, line breaks become <br>."""
    text = _EMPHASIS.sub("", text)
    if squeeze:
        text = re.sub(r"\n[ \t\u3000]*(?:\n[ \t\u3000]*)+", "\n", text)
    return esc_lines(text) if breaks else esc(text)


def mark_text(
    text: str,
    base: int = 0,
    marks: Sequence[Mark] = (),
    anchors: Sequence[tuple[int, str]] = (),
    *,
    labels: bool = False,
    squeeze: bool = False,
    breaks: bool = False,
    swaps: Sequence[Swap] = (),
) -> str:
    """Escape `text` (which starts at document offset `base`) and wrap each mark's span in <mark>.

    Overlapping marks are merged segment by segment (a segment covered by [1] and [2] gets both labels).
    Marks outside the text are clipped; empty ones are ignored. `anchors` are (offset, id) pairs that
    become empty <span id=…> elements, for in-page links to blocks and sections. With `labels`, each
    mark starts with a small [n]. `squeeze` and `breaks` as in `shown` (offsets are computed on the
    original text). Each of `swaps` shows its span as its own text instead.
    """
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
    swapped: list[tuple[int, int, str]] = []
    for w in swaps:
        s, e = max(w.start - base, 0), min(w.end - base, n)
        if s < e:
            swapped.append((s, e, w.shown))
            points.update((s, e))
    ordered = sorted(points)
    out: list[str] = []
    used_anchor: set[str] = set()
    for a, b in zip(ordered, ordered[1:] + [None]):
        for ident in anchor_at.get(a, ()):
            out.append(f'<span class="anchor" id="{esc(ident)}"></span>')
        if b is None:
            break
        inside = next((w for w in swapped if w[0] <= a and b <= w[1]), None)
        segment = shown(text[a:b], squeeze=squeeze, breaks=breaks) if inside is None else esc(inside[2]) if a == inside[0] else ""
        covering = [m for s, e, m in clipped if s <= a and b <= e]
        if not covering or (inside is not None and not segment and not any(s == a for s, _e, _m in clipped)):
            out.append(segment)
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
        out.append(f"<mark{attrs}>{tag}{segment}</mark>")
    return "".join(out)

