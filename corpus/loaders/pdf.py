"""PDF (pypdf): the text layer page by page, with the offset where every page starts, and its headings
from the text layer's fonts: lines set larger than the body text, or in bold, are headings, the largest
size the top level (`corpus.layout`). Lines with a heading mark or number (■, 第N章, (1) …) that look like
the body are left to the plain-text rules."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from corpus.layout import Heading, Layout
from corpus.limits import check_pages
from corpus.loaders.extracted import Extracted, clean_date, clean_name, clean_title
from corpus.loaders.text import CJK, normalize_newlines
from corpus.store import DocumentError
from corpus.structure.markers import heading_of

PAGE_SEPARATOR = "\n\n"
_CJK_PAIR = re.compile(f"[{CJK}]( ?)(?=[{CJK}])")
_CJK_SPACE = re.compile(f"(?<=[{CJK}]) (?=[{CJK}])")
_PDF_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# Kangxi Radicals and CJK Radicals Supplement: fonts embedded by Word map some kanji (⽇, ⾏) there.
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")


def read(data: bytes, name: str) -> Extracted:
    """Text of a PDF, page by page, and the start offset of every page after the first.

    Uses pypdf's default extraction mode ("plain"): on PDFs written with fpdf2 and the IPAex font it
    returns the Japanese lines in reading order without spurious spaces; "layout" mode pads columns with
    runs of spaces and doubles every line break, so it is not used. Each page's text is cleaned by
    `clean_pdf_text` (documented repairs only); pages are joined with a blank line ("\\n\\n"), so
    `Document.page_at(offset)` is exact for every character of a page.
    An encrypted PDF is opened if it has no user password (restrictions only: common for public
    documents); one that needs a password is refused. AES needs the `cryptography` package.
    Title, publisher (Author) and date (CreationDate) come from the document information dictionary.
    """
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    corrupt = f"{name}: PDF ファイルが壊れているか、PDF 形式ではありません"
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise DocumentError(corrupt) from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except DependencyError as exc:
            raise DocumentError(
                f"{name}: 暗号化された PDF を開くのに必要なライブラリ（cryptography）がありません"
            ) from exc
        except Exception:  # noqa: BLE001
            opened = 0
        if not opened:
            raise DocumentError(f"{name}: パスワードで保護された PDF です。保護を解除してから追加してください")
    try:
        count = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise DocumentError(corrupt) from exc
    check_pages(name, count)  # from the page tree, before any page is read
    try:
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise DocumentError(corrupt) from exc
    texts: list[str] = []
    styles: list[list[_Style | None]] = []
    for number, page in enumerate(pages, start=1):
        try:
            raw, runs = _page_text(page)
        except Exception as exc:  # noqa: BLE001
            raise DocumentError(f"{name}: {number} ページ目の文字を取り出せません（PDF が壊れている可能性があります）") from exc
        texts.append(clean_pdf_text(raw))
        styles.append(_line_styles(texts[-1], runs))
    if not any(t.strip() for t in texts):
        raise DocumentError(
            f"{name}: PDF に文字情報（テキスト層）がありません。画像だけの PDF は OCR で文字を付けてから追加してください"
        )
    page_starts, pos = [], 0
    for k, t in enumerate(texts):
        if k:
            pos += len(PAGE_SEPARATOR)
            page_starts.append(pos)
        pos += len(t)
    title = publisher = date = None
    try:  # a broken information dictionary only loses the metadata
        info = reader.metadata
        if info is not None:
            title, publisher = clean_title(info.title), clean_name(info.author)
            date = clean_date(info.creation_date)
    except Exception:  # noqa: BLE001
        pass
    return Extracted(PAGE_SEPARATOR.join(texts), title, publisher, date, tuple(page_starts),
                     layout=_layout(texts, styles))


def clean_pdf_text(text: str) -> str:
    """The repairs applied to pypdf's text of one page, and nothing else:

    - line endings normalised to "\\n", trailing spaces of lines and blank lines at both ends dropped;
    - control characters (NUL and the like, emitted for unmapped glyphs) removed;
    - Kangxi radical code points folded to the ordinary kanji (NFKC of just those characters: ⽇ -> 日);
    - a line whose CJK characters are almost all separated by single spaces ("九 州 の 産 業", written by
      tools that place every glyph separately) has those spaces removed; ordinary lines are left as is.
    """
    text = _PDF_CONTROLS.sub("", normalize_newlines(text))
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), text)
    lines = [_unspace_cjk(line.rstrip()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _unspace_cjk(line: str) -> str:
    gaps = [m.group(1) for m in _CJK_PAIR.finditer(line)]
    if len(gaps) >= 3 and sum(1 for g in gaps if g) >= 0.8 * len(gaps):
        return _CJK_SPACE.sub("", line)
    return line


# --- headings from the text layer's fonts -----------------------------------------------------------

# A heading is a short line at least this much larger than the body text, or bold where the body is not.
LARGER = 1.15
MAX_HEADING_CHARS = 60
_BOLD_NAME = re.compile(r"bold|heavy|black|semibold|demi|[-,]b$|w[6-9]$", re.I)
_FILL_STROKE = 2  # text rendering mode "fill, then stroke": how tools embolden a font that has no bold


@dataclass(frozen=True)
class _Style:
    size: float  # effective font size (the text matrix and the transformation applied), rounded to 0.5 pt
    bold: bool


def _page_text(page) -> tuple[str, list[tuple[str, _Style]]]:
    """pypdf's text of the page, and every piece of text it drew with its style, in drawing order."""
    runs: list[tuple[str, _Style]] = []
    mode = {"tr": 0, "saved": []}

    def before(op, args, cm, tm) -> None:
        # A rendering mode set inside a text object is taken to end with it (fpdf2 and others set it there
        # and never reset it); one set outside lasts, saved and restored with the graphics state.
        if op == b"Tr" and args:
            mode["tr"] = int(args[0])
        elif op in (b"q", b"BT"):
            mode["saved"].append(mode["tr"])

    def after(op, args, cm, tm) -> None:  # after ET: pypdf hands over a text object's pieces at its end
        if op in (b"Q", b"ET") and mode["saved"]:
            mode["tr"] = mode["saved"].pop()

    def visit(text, cm, tm, font, size) -> None:
        if text and text.strip():
            runs.append((text, _Style(_effective(size, cm, tm), _is_bold(font) or mode["tr"] == _FILL_STROKE)))

    raw = page.extract_text(visitor_text=visit, visitor_operand_before=before, visitor_operand_after=after) or ""
    return raw, runs


def _effective(size, cm, tm) -> float:
    try:
        a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                      tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
        scale = math.sqrt(abs(a * d - b * c)) or 1.0
        return round(float(size) * scale * 2) / 2
    except (TypeError, ValueError, IndexError):
        return 0.0


def _is_bold(font) -> bool:
    if not font:
        return False
    try:
        if _BOLD_NAME.search(str(font.get("/BaseFont", "")).split("+")[-1]):
            return True
        fonts = [font, *(f.get_object() for f in font.get("/DescendantFonts", []))]
        for f in fonts:
            descriptor = f.get("/FontDescriptor")
            if descriptor is None:
                continue
            descriptor = descriptor.get_object()
            if float(descriptor.get("/FontWeight", 0)) >= 600 or int(descriptor.get("/Flags", 0)) & (1 << 18):
                return True
    except Exception:  # noqa: BLE001 - a broken font dictionary only loses the boldness
        return False
    return False


def _chars(text: str) -> str:
    """The characters of `text` as `clean_pdf_text` keeps them, without white space (to align the two)."""
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), _PDF_CONTROLS.sub("", text))
    return "".join(ch for ch in text if not ch.isspace())


def _line_styles(page_text: str, runs: list[tuple[str, _Style]]) -> list[_Style | None]:
    """The style of each line of the page's text: the style most of its characters were drawn in, found by
    walking the drawn pieces in order alongside the text (both come from the content stream in order);
    None for a line that could not be matched."""
    drawn = [(ch, style) for text, style in runs for ch in _chars(text)]
    out: list[_Style | None] = []
    i = 0
    for line in page_text.split("\n"):
        wanted = _chars(line)
        got: list[_Style] = []
        for ch in wanted:
            j = i
            while j < len(drawn) and j < i + 64 and drawn[j][0] != ch:
                j += 1
            if j < len(drawn) and drawn[j][0] == ch:
                got.append(drawn[j][1])
                i = j + 1
        out.append(Counter(got).most_common(1)[0][0] if wanted and len(got) * 2 >= len(wanted) else None)
    return out


def _layout(texts: list[str], styles: list[list[_Style | None]]) -> Layout | None:
    """Headings from the styles: short lines larger than the body size (the most used one) rank by size, the
    largest level 1; bold short lines at body size come one level below them. A line that repeats on many
    pages (a running header) is not a heading."""
    sizes: Counter[float] = Counter()
    bold = 0
    lines = []  # (offset of the line, its text, its style)
    pos = 0
    for k, (text, page) in enumerate(zip(texts, styles)):
        if k:
            pos += len(PAGE_SEPARATOR)
        for line, style in zip(text.split("\n"), page):
            if style is not None:
                n = len(line.strip())
                sizes[style.size] += n
                bold += n if style.bold else 0
                lines.append((pos, line, style))
            pos += len(line) + 1
        pos -= 1
    if not sizes:
        return None
    body = sizes.most_common(1)[0][0]
    bold_means = bold < 0.5 * sum(sizes.values())  # where everything is bold, bold says nothing
    candidates = []
    for offset, line, style in lines:
        name = line.strip()
        if not name or len(name) > MAX_HEADING_CHARS or name.endswith(("。", "、", "，", ",")):
            continue
        larger = style.size >= body * LARGER
        if larger or (bold_means and style.bold and style.size >= body * 0.95):
            candidates.append((offset, line, style, larger))
    repeats = Counter(line.strip() for _, line, _, _ in candidates)
    pages = len(texts)
    candidates = [c for c in candidates if repeats[c[1].strip()] <= max(2, pages // 2)]
    ranks = sorted({style.size for _, _, style, larger in candidates if larger}, reverse=True)
    headings = []
    for offset, line, style, larger in candidates:
        level = ranks.index(style.size) + 1 if larger else len(ranks) + 1
        found = heading_of(line)
        skip = found[2] if found else len(line) - len(line.lstrip())
        start, end = offset + skip, offset + len(line.rstrip())
        if end > start:
            headings.append(Heading(start, end, level))
    return Layout(headings=tuple(headings)) if headings else None
