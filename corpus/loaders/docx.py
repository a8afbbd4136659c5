"""Word (.docx, python-docx): body paragraphs and tables in document order, headings and Word's automatic
numbering written out, and what the file says of its structure passed on as a `corpus.layout.Layout`
(headings with their level, list entries with their depth, table cells, hyperlinks), so the heading tree is
the document's own and not a guess from the text.

A .docx is a zip archive; its central directory is checked before python-docx inflates anything, so a
small file that expands to gigabytes (a "zip bomb") is refused without using the memory.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from corpus.layout import Entry, Heading, Layout, Table, Writer
from corpus.loaders.checks import size_text
from corpus.loaders.extracted import Extracted, clean_date, clean_name, clean_title
from corpus.store import DocumentError
from corpus.text import CIRCLED
from corpus.tree import Link

# Limits on the archive's members as the central directory declares them (zipfile never inflates a
# member past its declared size). Real documents stay far below: the XML of a 1,000-page report is tens
# of MB, and its images are already compressed (ratio ~1).
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all members, inflated
MAX_MEMBER_BYTES = 128 * 1024 * 1024  # one member, inflated
MAX_RATIO = 100  # inflated / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 4 * 1024 * 1024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Heading styles by name, as Word stores them ("heading 1") and as localised copies or other tools name them.
_HEADING_STYLE = re.compile(
    r"^(?:heading|見出し|überschrift|titre|titolo|título|kop|rubrik|overskrift|nagłówek|заголовок|标题|標題|제목)"
    r"\s*([1-9])$", re.I,
)
_TITLE_STYLE = re.compile(r"^(?:title|表題|タイトル)$", re.I)
# Word's list styles of a deeper level ("List Bullet 2", 「箇条書き 2」): a list of its own, nested by its name.
_LIST_LEVEL_STYLE = re.compile(r"^(?:list(?: bullet| number| continue)?|箇条書き|段落番号)\s*([2-9])$", re.I)
_HEADING_MARKS = {1: "■ ", 2: "□ "}
# deleted text, text boxes, the duplicate fallback of mc:AlternateContent, and ruby readings (furigana)
_SKIP_IN_PARAGRAPH = {
    f"{{{_W}}}del", f"{{{_W}}}moveFrom", f"{{{_W}}}txbxContent", f"{{{_MC}}}Fallback", f"{{{_W}}}rt",
}
_TYPED_LIST = re.compile(f"^(?:[・\\-－•◦{CIRCLED}]|[(（]?[0-9０-９]{{1,3}}[.．)）])")
_FIELD_LINK = re.compile(r'HYPERLINK\s+(?:\\l\s+"(?P<anchor>[^"]*)"|"(?P<target>[^"]*)")(?:\s+\\l\s+"(?P<sub>[^"]*)")?')
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read(data: bytes, name: str) -> Extracted:
    """Body text of a .docx in document order (paragraphs, tables, content controls), and its `Layout`.

    Rendering choices (the layout carries the structure; the text stays readable on its own):
    - a paragraph whose style (or a style it is based on) is a heading style ("Heading N", "見出し N" and
      localised names) or that has an outline level is a heading of that level, written "■ text" (1),
      "□ text" (2) or "● text" (deeper); "Title" / 「表題」 is a plain line and the layout's title.
    - Word's automatic list numbering, which is not part of the text, is written out from the numbering
      definitions: "1. ", "(1) ", "①" as defined by the level's format; bullets of any glyph become "・ ".
      An entry of level N (its numbering level, deeper in a "List Bullet N" style) is indented by N-1 pairs
      of spaces and is an entry of depth N in the layout.
      (Numbering restarts via lvlOverride/startOverride are not followed.)
    - a table becomes one line per row, cells joined with " | " (a merged cell once per row; nested tables
      inline); the layout holds each cell's span, so a cell may itself contain "|".
    - paragraphs are separated by a blank line; consecutive list paragraphs and the rows of a table are
      on adjacent lines. Empty paragraphs are dropped.
    - hyperlinks (w:hyperlink to an address or a bookmark, and HYPERLINK fields given as w:fldSimple) are
      links in the layout, pointing where the file says.
    Paragraph text includes runs, hyperlinks, fields' results and tracked insertions; deleted text,
    text boxes, headers, footers, footnotes and comments are not read. Title, publisher (author) and
    date (created) come from the core properties.
    """
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(
            f"{name}: パスワードで保護された Word 文書か、旧形式（.doc）のファイルです。"
            "保護を解除し .docx 形式で保存し直してください"
        )
    corrupt = f"{name}: Word（.docx）ファイルが壊れているか、.docx 形式ではありません"
    if not data.startswith(b"PK"):
        raise DocumentError(corrupt)
    check_archive(data, name)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        writer = _DocxWriter(document)
        text, layout = writer.render()
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
        raise DocumentError(corrupt) from exc
    title = publisher = date = None
    try:  # broken core properties only lose the metadata
        props = document.core_properties
        title, publisher, date = clean_title(props.title), clean_name(props.author), clean_date(props.created)
    except Exception:  # noqa: BLE001
        pass
    return Extracted(text, title, publisher, date, layout=layout)


def check_archive(data: bytes, name: str) -> None:
    """Refuse an archive whose members would inflate beyond the limits, from its central directory."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise DocumentError(f"{name}: Word（.docx）ファイルが壊れているか、.docx 形式ではありません") from exc
    bomb = f"{name}: 展開すると極端に大きくなる Word ファイルのため読み込みません"
    if len(members) > MAX_MEMBERS:
        raise DocumentError(f"{bomb}（部品が {len(members):,} 個、上限は {MAX_MEMBERS:,} 個）")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise DocumentError(f"{bomb}（展開後 {size_text(total)}、上限は {size_text(MAX_TOTAL_BYTES)}）")
    for m in members:
        if m.file_size > MAX_MEMBER_BYTES:
            raise DocumentError(f"{bomb}（{m.filename} が展開後 {size_text(m.file_size)}、上限は {size_text(MAX_MEMBER_BYTES)}）")
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise DocumentError(f"{bomb}（{m.filename} の圧縮率が {m.file_size // max(m.compress_size, 1):,} 倍）")


@dataclass
class _Block:
    kind: str  # heading | entry (Word's numbering) | list (typed by hand) | para | table
    text: str = ""
    links: list[tuple[int, int, str]] = field(default_factory=list)  # in `text`
    level: int = 0  # heading level, or entry depth
    marker: str = ""
    number: int | None = None
    rows: list[list[str]] = field(default_factory=list)


class _DocxWriter:
    def __init__(self, document) -> None:
        self.document = document
        self.numbering = _Numbering(document)
        self.blocks: list[_Block] = []
        self.title = ""

    def render(self) -> tuple[str, Layout]:
        self._container(self.document.element.body)
        out = Writer()
        out.title = self.title
        prev = None
        for b in self.blocks:
            if out.pos:
                out.write("\n" if b.kind in ("entry", "list") and prev in ("entry", "list") else "\n\n")
            prev = b.kind
            if b.kind == "table":
                rows = []
                for r, cells in enumerate(b.rows):
                    if r:
                        out.write("\n")
                    spans = []
                    for c, cell in enumerate(cells):
                        if c:
                            out.write(" | ")
                        spans.append(out.write(cell))
                    rows.append(tuple(spans))
                out.tables.append(Table(tuple(rows)))
                continue
            if b.kind == "heading":
                out.write(_HEADING_MARKS.get(b.level, "● "))
            elif b.kind == "entry":
                out.write("  " * (b.level - 1) + b.marker)
            start, end = out.write(b.text)
            out.links += [Link(start + s, start + e, target) for s, e, target in b.links]
            if b.kind == "heading":
                out.headings.append(Heading(start, end, b.level))
            elif b.kind == "entry":
                out.entries.append(Entry(start, end, b.level, b.marker.strip(), b.number))
        return out.text(), out.layout()

    def _container(self, element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == f"{{{_W}}}p":
                self._paragraph(child)
            elif tag == f"{{{_W}}}tbl":
                rows = self._table_rows(child)
                if rows:
                    self.blocks.append(_Block("table", rows=rows))
            elif tag == f"{{{_W}}}sdt":
                content = child.find(f"{{{_W}}}sdtContent")
                if content is not None:
                    self._container(content)
            elif tag == f"{{{_W}}}customXml":
                self._container(child)

    def _paragraph(self, p) -> None:
        from docx.text.paragraph import Paragraph

        raw, links = _paragraph_text(p, self.document.part)
        text = raw.strip()
        if not text:
            return
        cut = len(raw) - len(raw.lstrip())
        links = [(max(s - cut, 0), min(e - cut, len(text)), t) for s, e, t in links if min(e - cut, len(text)) > max(s - cut, 0)]
        para = Paragraph(p, self.document._body)
        if not self.title and any(_TITLE_STYLE.match((st.name or "").strip()) for st in _style_chain(para)[:1]):
            self.title = " ".join(text.split())
        level = _heading_level(para)
        numbered = self.numbering.marker(para)
        if level is not None:  # a heading is one line (a break inside it is a space: same length, same offsets)
            label = numbered[0] if numbered else ""
            shift = len(label)
            self.blocks.append(_Block("heading", label + text.replace("\n", " "),
                                      [(s + shift, e + shift, t) for s, e, t in links], level))
        elif numbered is not None:
            label, number, depth = numbered
            style = _LIST_LEVEL_STYLE.match((para.style.name or "").strip()) if para.style is not None else None
            depth += int(style.group(1)) - 1 if style else 0
            self.blocks.append(_Block("entry", text, links, depth, label, number))
        else:
            kind = "list" if _TYPED_LIST.match(text) is not None else "para"
            self.blocks.append(_Block(kind, text, links))

    def _table_rows(self, tbl) -> list[list[str]]:
        rows = []
        for tr in tbl.iterchildren(f"{{{_W}}}tr"):
            cells = [self._cell_text(tc) for tc in _row_cells(tr)]
            if any(cells):
                rows.append(cells)
        return rows

    def _cell_text(self, tc) -> str:
        parts = []
        for child in tc.iterchildren():
            if child.tag == f"{{{_W}}}p":
                parts.append(_paragraph_text(child)[0])
            elif child.tag == f"{{{_W}}}tbl":
                parts.append(" / ".join(" | ".join(cells) for cells in self._table_rows(child)))
            elif child.tag == f"{{{_W}}}sdt":
                parts.extend(_paragraph_text(p)[0] for p in child.iter(f"{{{_W}}}p"))
        return " ".join(" ".join(part.split()) for part in parts if part.strip())


def _row_cells(tr) -> list:
    """Cells of a row, each once: the raw <w:tc> (and those wrapped in content controls)."""
    out = []
    for child in tr.iterchildren():
        if child.tag == f"{{{_W}}}tc":
            out.append(child)
        elif child.tag in (f"{{{_W}}}sdt", f"{{{_W}}}customXml"):
            out.extend(child.iter(f"{{{_W}}}tc"))
    return out


def _paragraph_text(p, part=None) -> tuple[str, list[tuple[int, int, str]]]:
    """A paragraph's text, and its hyperlinks as (start, end, target) in that text (when `part`, the
    document part holding the relationships, is given)."""
    parts: list[str] = []
    links: list[tuple[int, int, str]] = []
    size = [0]

    def add(piece: str) -> None:
        parts.append(piece)
        size[0] += len(piece)

    def walk(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_PARAGRAPH:
                continue
            if tag == f"{{{_W}}}t":
                add(child.text or "")
            elif tag == f"{{{_W}}}tab":
                add("\t")
            elif tag in (f"{{{_W}}}br", f"{{{_W}}}cr"):
                kind = child.get(f"{{{_W}}}type")
                add("\n" if kind in (None, "textWrapping") else "")
            elif tag == f"{{{_W}}}noBreakHyphen":
                add("-")
            elif tag in (f"{{{_W}}}hyperlink", f"{{{_W}}}fldSimple") and part is not None:
                start = size[0]
                walk(child)
                target = _link_target(child, part)
                if target and size[0] > start:
                    links.append((start, size[0], target))
            else:
                walk(child)

    walk(p)
    return "".join(parts), links


def _link_target(element, part) -> str:
    """Where a w:hyperlink (relationship id or bookmark) or a HYPERLINK field points, or ""."""
    if element.tag == f"{{{_W}}}fldSimple":
        m = _FIELD_LINK.search(element.get(f"{{{_W}}}instr") or "")
        if not m:
            return ""
        if m.group("anchor") is not None:
            return "#" + m.group("anchor")
        return m.group("target") + (f"#{m.group('sub')}" if m.group("sub") else "")
    rid = element.get(f"{{{_R}}}id")
    anchor = element.get(f"{{{_W}}}anchor")
    if rid:
        try:
            target = part.rels[rid].target_ref
        except (KeyError, AttributeError):
            return ""
        return target + (f"#{anchor}" if anchor else "")
    return f"#{anchor}" if anchor else ""


def _style_chain(para) -> list:
    """The paragraph's style and the styles it is based on (cycles in broken files cut off)."""
    chain, style = [], para.style
    while style is not None and len(chain) < 16 and all(style.element is not s.element for s in chain):
        chain.append(style)
        style = style.base_style
    return chain


def _heading_level(para) -> int | None:
    chain = _style_chain(para)
    for style in chain:
        m = _HEADING_STYLE.match((style.name or "").strip()) or _HEADING_STYLE.match((style.style_id or "").strip())
        if m:
            return int(m.group(1))
    # An outline level on the paragraph or its style chain (custom heading styles).
    for el in [para._p, *(style.element for style in chain)]:
        lvl = el.find(f"{{{_W}}}pPr/{{{_W}}}outlineLvl")
        if lvl is not None:
            try:
                value = int(lvl.get(f"{{{_W}}}val"))
            except (TypeError, ValueError):
                return None
            return value + 1 if 0 <= value <= 8 else None
    return None


class _Numbering:
    """Word's automatic numbering written out: counters per list (numId) and level."""

    def __init__(self, document) -> None:
        self.num_to_abstract: dict[str, str] = {}
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (abstractId, ilvl) -> fmt, text, start
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part
            return
        for num in root.iterchildren(f"{{{_W}}}num"):
            abstract = num.find(f"{{{_W}}}abstractNumId")
            if abstract is not None:
                self.num_to_abstract[num.get(f"{{{_W}}}numId")] = abstract.get(f"{{{_W}}}val")
        for absn in root.iterchildren(f"{{{_W}}}abstractNum"):
            aid = absn.get(f"{{{_W}}}abstractNumId")
            for lvl in absn.iterchildren(f"{{{_W}}}lvl"):
                ilvl = int(lvl.get(f"{{{_W}}}ilvl", "0"))
                fmt = _child_val(lvl, "numFmt") or "decimal"
                text = _child_val(lvl, "lvlText")
                start = _child_val(lvl, "start")
                self.levels[(aid, ilvl)] = (fmt, "%1." if text is None else text, int(start) if start else 1)

    def marker(self, para) -> tuple[str, int | None, int] | None:
        """(the label as written, e.g. "1. " or "①", its number when it counts, the entry's depth from 1),
        or None for a paragraph without numbering."""
        num_id, ilvl = self._num_pr(para)
        if num_id is None or num_id == "0":
            return None
        aid = self.num_to_abstract.get(num_id)
        if aid is None or (aid, ilvl) not in self.levels:
            return None
        fmt, template, _ = self.levels[(aid, ilvl)]
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, self.levels[(aid, ilvl)][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "・ ", None, ilvl + 1
        if fmt == "none":
            return None

        def fill(m: re.Match) -> str:
            level = int(m.group(1)) - 1
            lfmt, _, lstart = self.levels.get((aid, level), ("decimal", "", 1))
            return _format_number(counters.get(level, lstart), lfmt)

        label = re.sub(r"%([1-9])", fill, template).strip()
        if not label:
            return None
        number = counters[ilvl] if fmt not in ("bullet", "none") else None
        return (label if label[-1] in CIRCLED else label + " "), number, ilvl + 1

    def _num_pr(self, para) -> tuple[str | None, int]:
        num_id, ilvl = None, None
        for el in [para._p, *(style.element for style in _style_chain(para))]:
            num_pr = el.find(f"{{{_W}}}pPr/{{{_W}}}numPr")
            if num_pr is None:
                continue
            if num_id is None:
                num_id = _child_val(num_pr, "numId")
            if ilvl is None:
                value = _child_val(num_pr, "ilvl")
                ilvl = int(value) if value and value.isdigit() else None
            if num_id is not None and ilvl is not None:
                break
        return num_id, ilvl or 0


def _child_val(element, name: str) -> str | None:
    child = element.find(f"{{{_W}}}{name}")
    return None if child is None else child.get(f"{{{_W}}}val")


_KANJI_DIGITS = "〇一二三四五六七八九"
_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(CIRCLED):
        return CIRCLED[n - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt in ("aiueo", "aiueoFullWidth") and 1 <= n <= len(_AIUEO):
        return _AIUEO[n - 1]
    if fmt in ("iroha", "irohaFullWidth") and 1 <= n <= len(_IROHA):
        return _IROHA[n - 1]
    if fmt in ("ideographDigital", "japaneseCounting", "chineseCounting", "chineseCountingThousand", "japaneseLegal"):
        return _kanji_number(n)
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out


def _kanji_number(n: int) -> str:
    if not 0 < n < 100:
        return "".join(_KANJI_DIGITS[int(d)] for d in str(n))
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else _KANJI_DIGITS[tens] + "十")) + (
        _KANJI_DIGITS[ones] if ones else ""
    )

