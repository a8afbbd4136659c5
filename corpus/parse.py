"""Structure of a plan document: blocks, sections, items and sentences, with exact offsets.

Generic rules, no names of particular blocks:
- heading markers ■◆【…】第N章 and Markdown # open blocks; □◇第N節 ## open sections; ● ### subsections.
  A lone top-level heading that opens the document is its title, and the next level becomes the blocks.
- enumerations ①②③, (1), 1., ・, - make items; ①… inside running prose are cut at the end of
  their noun phrase (Sudachi), so 「重要な①造船産業の再生」 gives the item 造船産業.
- documents without any marker (slide-style overviews) get their sections from short heading-like
  lines: see `_slide_blocks`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from corpus.model import Block, Document, Item, ParsedDocument, Section, Sentence
from corpus.text import CIRCLED, CIRCLED_NUMBER, Tokenizer, default_tokenizer, trim_span

_NUM = "0-9０-９一二三四五六七八九十百"
# (pattern, level); group "name" is the heading's name.
_HEADINGS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"^[ \t]*(?P<hashes>#{1,6})[ \t]+(?P<name>.+?)[ \t#]*$"), None),
    (re.compile(rf"^[ \t]*(?P<name>第[{_NUM}]+章.*?)[ \t]*$"), 1),
    (re.compile(rf"^[ \t]*(?P<name>第[{_NUM}]+節.*?)[ \t]*$"), 2),
    (re.compile(r"^[ \t]*[■◆][ \t　]*(?P<name>\S.*?)[ \t　]*$"), 1),
    (re.compile(r"^[ \t　]*【(?P<name>[^】]+)】[ \t　]*$"), 1),
    (re.compile(r"^[ \t]*[□◇][ \t　]*(?P<name>\S.*?)[ \t　]*$"), 2),
    (re.compile(r"^[ \t]*●[ \t　]*(?P<name>\S.*?)[ \t　]*$"), 3),
]
_BULLET = re.compile(
    r"^[ \t　]*(?:(?P<bullet>[-・•*＊‐])|[(（](?P<paren>[0-9０-９]{1,3})[)）]|(?P<dot>[0-9０-９]{1,3})[.．)）])[ \t　]*"
)
_CIRCLED_RE = re.compile(f"[{CIRCLED}]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_PHRASE_POS = {"名詞", "接尾辞", "接頭辞"}
_PHRASE_JOINERS = {"・", "／", "/", "＆", "&", "-", "－"}


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class _Heading:
    line: int
    level: int
    name: str


class _Lines(list):
    """A document's lines, with their end offsets for finding the lines of a span by bisection."""

    def __init__(self, lines: list[_Line]) -> None:
        super().__init__(lines)
        self.ends = [ln.end for ln in lines]

    def within(self, start: int, end: int) -> list[_Line]:
        """The lines that overlap [start, end)."""
        out, k = [], bisect.bisect_right(self.ends, start)
        while k < len(self) and self[k].start < end:
            out.append(self[k])
            k += 1
        return out


def _lines(text: str) -> _Lines:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(pos, pos + len(body), body))
        pos += len(raw)
    return _Lines(out)


def _heading_of(line: str) -> tuple[int, str] | None:
    for pattern, level in _HEADINGS:
        m = pattern.match(line)
        if m:
            lvl = len(m.group("hashes")) if level is None else level
            return lvl, m.group("name").strip()
    return None


def parse_document(document: Document, tokenizer: Tokenizer | None = None) -> ParsedDocument:
    tokenizer = tokenizer or default_tokenizer()
    lines = _lines(document.text)
    headings = [
        _Heading(i, *found) for i, ln in enumerate(lines) if (found := _heading_of(ln.text)) is not None
    ]
    if headings:
        headings = sorted(headings + _numbered_headings(lines, headings), key=lambda h: h.line)
        blocks = _marked_blocks(document, lines, headings, tokenizer)
    else:
        blocks = _slide_blocks(document, lines, tokenizer)
    return ParsedDocument(document=document, blocks=tuple(blocks))


# --- documents with heading markers -------------------------------------------------------------

# A numbered line at most this long, without a full stop, directly followed by prose, titles that prose.
_MAX_NUMBERED_HEADING = 40


def _numbered_headings(lines: list[_Line], headings: list[_Heading]) -> list[_Heading]:
    """「（１）人材の確保」 directly followed by a paragraph of prose is the heading of that paragraph, one
    level below the document's deepest heading; numbered lines next to more numbered lines stay a list."""
    marked = {h.line for h in headings}
    level = max(h.level for h in headings) + 1
    out = []
    for i, ln in enumerate(lines[:-1]):
        m = _BULLET.match(ln.text)
        if i in marked or not m or not (m.group("paren") or m.group("dot")):
            continue
        body = ln.text[m.end():].strip()
        nxt = lines[i + 1].text
        prose = nxt.strip() and not _BULLET.match(nxt) and not _heading_of(nxt) and not _CIRCLED_RE.match(nxt.strip())
        in_list = i > 0 and (prev := _BULLET.match(lines[i - 1].text)) is not None and bool(prev.group("paren") or prev.group("dot"))
        if body and len(body) <= _MAX_NUMBERED_HEADING and "。" not in body and prose and not in_list:
            out.append(_Heading(i, level, body))
    return out



def _marked_blocks(doc: Document, lines: _Lines, headings: list[_Heading], tok: Tokenizer) -> list[Block]:
    levels = sorted({h.level for h in headings})
    block_level = levels[0]
    tops = [h for h in headings if h.level == block_level]
    if len(tops) == 1 and len(levels) > 1 and headings[0] is tops[0]:
        block_level = levels[1]  # the single top heading is the document's title
    text = doc.text
    blocks: list[Block] = []
    block_heads = [h for h in headings if h.level == block_level]
    first_line = block_heads[0].line
    pre_start, pre_end = trim_span(text, 0, lines[first_line].start)
    preamble_lines = [ln for ln in lines[:first_line] if not ln.blank and _heading_of(ln.text) is None]
    if len(preamble_lines) > 1:  # more than a title line: keep it searchable
        blocks.append(_block(doc, "前文", pre_start, pre_end, lines, [], tok, heading_line=None))
    position = {id(h): i for i, h in enumerate(headings)}
    for head in block_heads:
        # The block runs to the next heading of its level or above; the headings between are its own.
        first = position[id(head)] + 1
        last = next((j for j in range(first, len(headings)) if headings[j].level <= block_level), len(headings))
        stop_line = headings[last].line if last < len(headings) else len(lines)
        start = lines[head.line].start
        end = lines[stop_line].start if stop_line < len(lines) else len(text)
        start, end = trim_span(text, start, end)
        subs = headings[first:last]
        blocks.append(_block(doc, head.name, start, end, lines, subs, tok, heading_line=head.line))
    return blocks


def _block(
    doc: Document,
    name: str,
    start: int,
    end: int,
    lines: _Lines,
    subheadings: list[_Heading],
    tok: Tokenizer,
    heading_line: int | None,
) -> Block:
    sections: list[Section] = []
    body_start = lines[heading_line].end if heading_line is not None else start
    bounds = [(body_start, (name,), name)]
    stack: list[tuple[int, str]] = []
    for h in subheadings:
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        stack.append((h.level, h.name))
        bounds.append((lines[h.line].end, (name, *[n for _, n in stack]), h.name))
    sub_starts = [lines[h.line].start for h in subheadings] + [end]
    for (s, path, heading), e in zip(bounds, sub_starts):
        s, e = trim_span(doc.text, s, min(e, end))
        items, sentences = _body(doc.text, s, e, lines, tok)
        sections.append(Section(doc.doc_id, name, path, heading, s, e, tuple(items), tuple(sentences)))
    return Block(doc.doc_id, name, start, end, tuple(sections))


# --- items and sentences --------------------------------------------------------------------------


def _body(text: str, start: int, end: int, lines: _Lines, tok: Tokenizer) -> tuple[list[Item], list[Sentence]]:
    items: list[Item] = []
    for ln in lines.within(start, end):
        if ln.blank or _heading_of(ln.text):
            continue
        items.extend(_line_items(text, max(ln.start, start), min(ln.end, end), tok))
    return items, _sentences(text, start, end)


def _line_items(text: str, start: int, end: int, tok: Tokenizer) -> list[Item]:
    line = text[start:end]
    bullet = _BULLET.match(line)
    content = start + (bullet.end() if bullet else len(line) - len(line.lstrip()))
    circled = [start + m.start() for m in _CIRCLED_RE.finditer(line)]
    if circled:
        items = []
        listed = True  # markers that open the line, and those chained after them, run to the next marker
        for k, pos in enumerate(circled):
            nxt = circled[k + 1] if k + 1 < len(circled) else end
            listed = listed and (pos == content if k == 0 else True)
            s = pos + 1
            e = nxt if listed else min(nxt, s + _phrase_length(text[s:nxt], tok))
            s, e = trim_span(text, s, e)
            if e > s:
                items.append(Item(s, e, text[s:e], marker=text[pos], number=CIRCLED_NUMBER[text[pos]]))
        return items
    if bullet:
        s, e = trim_span(text, content, end)
        if e > s:
            number = bullet.group("paren") or bullet.group("dot")
            marker = bullet.group(0).strip()
            return [Item(s, e, text[s:e], marker=marker, number=int(number) if number else None)]
    return []


def _phrase_length(text: str, tok: Tokenizer) -> int:
    """Length of the noun phrase that opens `text` (名詞, 接尾辞 and joiners such as ・)."""
    length = 0
    for t in tok.tokens(text):
        if t.pos in _PHRASE_POS or t.surface in _PHRASE_JOINERS or t.surface.isascii() and t.surface.isalnum():
            if t.begin != length:
                break
            length = t.end
        else:
            break
    return length


def _sentences(text: str, start: int, end: int) -> list[Sentence]:
    """Split on 。 and on blank lines; a paragraph without any 。 (a list of figures, one per line) is split
    at its line breaks. Leading bullets and white space are not part of a sentence."""
    out: list[Sentence] = []
    for para in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text[start:end]):
        p_start = start + para.start()
        pattern = r"[^。]+。?" if "。" in para.group(0) else r"[^\n]+"
        for m in re.finditer(pattern, para.group(0)):
            s, e = trim_span(text, p_start + m.start(), p_start + m.end())
            bullet = _BULLET.match(text[s:e])
            if bullet and bullet.group("bullet"):
                s, e = trim_span(text, s + bullet.end(), e)
            if e > s and any(ch.isalnum() for ch in text[s:e]):
                out.append(Sentence(s, e, text[s:e]))
    return out


# --- slide-style documents without markers --------------------------------------------------------

_MAX_HEADING = 40
_MAX_LABEL_LINE = 20


@dataclass(frozen=True)
class _Para:
    start: int
    end: int
    lines: tuple[_Line, ...]
    kind: str  # heading | label | bullet | prose


def _paragraphs(lines: list[_Line]) -> list[_Para]:
    paras, run = [], []
    for ln in [*lines, _Line(0, 0, "")]:
        if not ln.blank:
            run.append(ln)
            continue
        if run:
            paras.append(_Para(run[0].start, run[-1].end, tuple(run), _kind(run)))
            run = []
    return paras


def _kind(run: list[_Line]) -> str:
    first = run[0].text.strip()
    if _BULLET.match(run[0].text):
        return "bullet"
    if any(t.text.strip().endswith(("。", "、", "，")) for t in run):
        return "prose"
    if len(run) == 1 and len(first) <= _MAX_HEADING:
        return "heading"
    if all(len(t.text.strip()) <= _MAX_LABEL_LINE for t in run):
        return "label"
    return "prose"


def _slide_blocks(doc: Document, lines: list[_Line], tok: Tokenizer) -> list[Block]:
    """Infer sections of a slide-like page.

    A heading-like line followed by prose or bullets heads a section; one followed by such a section
    heading is the parent block of the sections after it; one followed by further short lines opens a
    list whose short lines are its items. Leading content without a heading forms a block named after
    its first **emphasised** phrase.
    """
    paras = _paragraphs(lines)
    kinds = [p.kind for p in paras] + ["end", "end"]
    # (block name, section path, paragraphs)
    groups: list[tuple[str, tuple[str, ...], list[_Para]]] = []
    block: str | None = None
    in_list = False
    for i, p in enumerate(paras):
        nxt, after = kinds[i + 1], kinds[i + 2]
        content_next = nxt in ("bullet", "prose")
        if p.kind == "heading" and not (in_list and not content_next):
            name = p.lines[0].text.strip()
            if nxt == "heading" and after in ("bullet", "prose"):
                block, in_list = name, False
                groups.append((name, (name,), [p]))
            elif content_next:
                groups.append((block or name, (block, name) if block else (name,), [p]))
                in_list = False
            else:
                block, in_list = name, True
                groups.append((name, (name,), [p]))
            continue
        if not groups:
            bold = _BOLD.search(doc.text[p.start : p.end])
            groups.append((bold.group(1) if bold else "冒頭", (), []))
        groups[-1][2].append(p)
        if p.kind in ("bullet", "prose"):
            in_list = False  # running text closes a list of short lines

    blocks: list[Block] = []
    for name in dict.fromkeys(g[0] for g in groups):
        sections = []
        for gname, path, ps in groups:
            if gname != name or not ps:
                continue
            path = path or (name,)
            headed = ps[0].kind == "heading" and ps[0].lines[0].text.strip() == path[-1]
            body = ps[1:] if headed else ps
            if not body:
                continue
            e = body[-1].end
            items: list[Item] = []
            for q in body:
                if q.kind in ("label", "heading"):
                    items.append(Item(q.start, q.end, doc.text[q.start : q.end], marker=""))
                else:
                    for ln in q.lines:
                        items.extend(_line_items(doc.text, ln.start, ln.end, tok))
            sentences = [x for q in body if q.kind in ("bullet", "prose") for x in _sentences(doc.text, q.start, q.end)]
            sections.append(Section(doc.doc_id, name, path, path[-1], ps[0].start, e, tuple(items), tuple(sentences)))
        start = min(ps[0].start for gname, _, ps in groups if gname == name and ps)
        if sections:
            blocks.append(Block(doc.doc_id, name, start, sections[-1].end, tuple(sections)))
    return blocks
