"""The marks that make structure in Japanese documents, shared by the plain-text and Markdown builders.

Headings: # (Markdown ATX, also in plain text), 第N章 / 第N節, ■◆ and 【…】 (level 1), □◇ (level 2), ● (level 3).
Items: ①②③ (also several in one line, or inside running prose), (1) （１）, 1. 1) 1）, and the bullets - ・ • * ＊ ‐.
"""

from __future__ import annotations

import re

from corpus.text import CIRCLED, CIRCLED_NUMBER, Tokenizer, trim_span

_NUM = "0-9０-９一二三四五六七八九十百"
# (pattern, level); group "name" is the heading's name; a level of None is the number of #.
HEADINGS: list[tuple[re.Pattern[str], int | None]] = [
    (re.compile(r"^[ \t]*(?P<hashes>#{1,6})[ \t]+(?P<name>.+?)[ \t#]*$"), None),
    (re.compile(rf"^[ \t]*(?P<name>第[{_NUM}]+章.*?)[ \t]*$"), 1),
    (re.compile(rf"^[ \t]*(?P<name>第[{_NUM}]+節.*?)[ \t]*$"), 2),
    (re.compile(r"^[ \t]*[■◆][ \t　]*(?P<name>\S.*?)[ \t　]*$"), 1),
    (re.compile(r"^[ \t　]*【(?P<name>[^】]+)】[ \t　]*$"), 1),
    (re.compile(r"^[ \t]*[□◇][ \t　]*(?P<name>\S.*?)[ \t　]*$"), 2),
    (re.compile(r"^[ \t]*●[ \t　]*(?P<name>\S.*?)[ \t　]*$"), 3),
]
# 「1.」「1）」 number an item; 「3.1」 (a section number) and 「1.5倍」 (a figure) do not.
BULLET = re.compile(
    r"^[ \t　]*(?:(?P<bullet>[-・•*＊‐])|[(（](?P<paren>[0-9０-９]{1,3})[)）]|(?P<dot>[0-9０-９]{1,3})[.．)）](?![0-9０-９]))[ \t　]*"
)
CIRCLED_RE = re.compile(f"[{CIRCLED}]")
# A numbered line at most this long, without a full stop, directly followed by prose, titles that prose.
MAX_NUMBERED_HEADING = 40
_PHRASE_POS = {"名詞", "接尾辞", "接頭辞"}
_PHRASE_JOINERS = {"・", "／", "/", "＆", "&", "-", "－"}


def heading_of(line: str) -> tuple[int, str, int] | None:
    """(level, name, offset of the name in the line) when the line is a heading."""
    for pattern, level in HEADINGS:
        m = pattern.match(line)
        if m:
            lvl = len(m.group("hashes")) if level is None else level
            name = m.group("name").strip()
            return lvl, name, m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip()))
    return None


def indent_of(line: str) -> int:
    """Leading white space as a width (a full-width space counts two, a tab four)."""
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += 4
        elif ch == "　":
            width += 2
        else:
            break
    return width


def is_list_line(line: str) -> bool:
    """A line that opens with an item marker: a bullet, (1), 1., or a single ①."""
    if BULLET.match(line):
        return True
    stripped = line.lstrip(" \t　")
    return bool(stripped) and stripped[0] in CIRCLED and len(CIRCLED_RE.findall(stripped)) == 1


def line_items(text: str, start: int, end: int, tok: Tokenizer) -> list[tuple[int, int, str, int | None]]:
    """The items of one line [start, end): (start, end, marker, number), each span trimmed.

    ①② that open the line, and those chained after them, run to the next marker; one inside running
    prose ends with its noun phrase (「重要な①造船産業の再生」 gives 造船産業). A bulleted or numbered
    line is one item without its marker."""
    line = text[start:end]
    bullet = BULLET.match(line)
    content = start + (bullet.end() if bullet else len(line) - len(line.lstrip()))
    circled = [start + m.start() for m in CIRCLED_RE.finditer(line)]
    if circled:
        items = []
        listed = True
        for k, pos in enumerate(circled):
            nxt = circled[k + 1] if k + 1 < len(circled) else end
            listed = listed and (pos == content if k == 0 else True)
            s = pos + 1
            e = nxt if listed else min(nxt, s + phrase_length(text[s:nxt], tok))
            s, e = trim_span(text, s, e)
            if e > s:
                items.append((s, e, text[pos], CIRCLED_NUMBER[text[pos]]))
        return items
    if bullet:
        s, e = trim_span(text, content, end)
        if e > s:
            number = bullet.group("paren") or bullet.group("dot")
            return [(s, e, bullet.group(0).strip(), int(number) if number else None)]
    return []


# A noun phrase opening running text is read within this many characters (a hostile line runs for megabytes).
MAX_PHRASE = 64


def phrase_length(text: str, tok: Tokenizer) -> int:
    """Length of the noun phrase that opens `text` (名詞, 接尾辞 and joiners such as ・)."""
    length = 0
    for t in tok.tokens(text[:MAX_PHRASE]):
        if t.pos in _PHRASE_POS or t.surface in _PHRASE_JOINERS or t.surface.isascii() and t.surface.isalnum():
            if t.begin != length:
                break
            length = t.end
        else:
            break
    return length


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of [start, end): split on 。 and on blank lines; a paragraph without any 。 (a list of
    figures, one per line) is split at its line breaks. Leading bullets and white space are not part of a
    sentence."""
    out: list[tuple[int, int]] = []
    for para in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", text[start:end]):
        p_start = start + para.start()
        pattern = r"[^。]+。?" if "。" in para.group(0) else r"[^\n]+"
        for m in re.finditer(pattern, para.group(0)):
            s, e = trim_span(text, p_start + m.start(), p_start + m.end())
            bullet = BULLET.match(text[s:e])
            if bullet and bullet.group("bullet"):
                s, e = trim_span(text, s + bullet.end(), e)
            if e > s and any(ch.isalnum() for ch in text[s:e]):
                out.append((s, e))
    return out
