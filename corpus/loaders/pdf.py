"""PDF (pypdf): the text layer page by page, with the offset where every page starts."""

from __future__ import annotations

import io
import re
import unicodedata

from corpus.loaders.extracted import Extracted, clean_date, clean_name, clean_title
from corpus.loaders.text import CJK, normalize_newlines
from corpus.store import DocumentError

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
        pages = list(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise DocumentError(corrupt) from exc
    texts: list[str] = []
    for number, page in enumerate(pages, start=1):
        try:
            raw = page.extract_text() or ""
        except Exception as exc:  # noqa: BLE001
            raise DocumentError(f"{name}: {number} ページ目の文字を取り出せません（PDF が壊れている可能性があります）") from exc
        texts.append(clean_pdf_text(raw))
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
    return Extracted(PAGE_SEPARATOR.join(texts), title, publisher, date, tuple(page_starts))


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
