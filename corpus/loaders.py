"""Reading user documents of several formats into `Document`s with exact page offsets.

Supported: .txt .md (encoding detected), .pdf (pypdf), .docx (python-docx), .html/.htm (stdlib).
Every extractor produces plain text with "\\n" line endings; that text *is* the document text, so all
later offsets (blocks, items, chunks) index into it. What each extractor does to make the structure
parser (`corpus.parse`) see headings and items is documented on the extractor:

- PDF: text layer of each page in pypdf's default ("plain") reading order, pages joined by a blank line,
  `page_starts` recording where every page after the first begins. See `_read_pdf`.
- DOCX: body paragraphs and tables in document order; Word headings become ■/□/● lines, Word's automatic
  list numbering is written out. See `_read_docx`.
- HTML: visible text; h1/h2/h3+ become ■/□/● lines, list items ・ / "1." lines, table rows "a | b". See
  `_HTMLText`.

Failures raise `DocumentError` with a Japanese message that names the file. `load_paths` collects them per
file in a `LoadReport` so that one bad file never stops the others.
"""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import io
import os
import re
import stat
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from corpus.model import Document
from corpus.store import DocumentError, doc_id_for, read_metadata
from corpus.text import CIRCLED

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")
HTML_SUFFIXES = (".html", ".htm")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx", *HTML_SUFFIXES)
PAGE_SEPARATOR = "\n\n"
MAX_UPLOAD_NAME_BYTES = 200

_SUPPORTED_LIST = " ".join(SUPPORTED_SUFFIXES)


@dataclass(frozen=True)
class FileError:
    path: str
    reason: str  # Japanese, names the file


@dataclass
class LoadReport:
    documents: list[Document] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- entry points ---------------------------------------------------------------------------------


def load_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file into a `Document`; raises `DocumentError` (Japanese message naming the file).

    The size is checked with stat() before anything is read. Title: the sidecar `<stem>.json` title,
    else the format's own title (PDF metadata, DOCX core properties, HTML <title>), else the file stem.
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "拡張子なし"
        raise DocumentError(f"{name}: 対応していない形式です（{shown}）。対応形式: {_SUPPORTED_LIST}")
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise DocumentError(f"{name}: ファイルが見つかりません") from exc
    except OSError as exc:
        raise DocumentError(f"{name}: ファイルを開けません（{exc.strerror or exc}）") from exc
    if not stat.S_ISREG(st.st_mode):
        raise DocumentError(f"{name}: 通常のファイルではありません")
    if st.st_size > max_bytes:
        raise DocumentError(
            f"{name}: ファイルが大きすぎます（{_size(st.st_size)}）。上限は {_size(max_bytes)} です"
        )
    if st.st_size == 0:
        raise DocumentError(f"{name}: ファイルが空です")

    meta = read_metadata(path)
    if not isinstance(meta, dict):
        raise DocumentError(f"{path.with_suffix('.json').name}: メタデータ（JSON）の形式が正しくありません")
    try:
        data = _read_bytes(path)
    except OSError as exc:
        raise DocumentError(f"{name}: ファイルを読み込めません（{exc.strerror or exc}）") from exc
    if len(data) > max_bytes:  # grew after stat()
        raise DocumentError(f"{name}: ファイルが大きすぎます。上限は {_size(max_bytes)} です")

    page_starts: tuple[int, ...] = ()
    if suffix in TEXT_SUFFIXES:
        text, format_title = _read_text(data, name), None
    elif suffix == ".pdf":
        text, format_title, page_starts = _read_pdf(data, name)
    elif suffix == ".docx":
        text, format_title = _read_docx(data, name)
    else:
        text, format_title = _read_html(data, name)
    if not text.strip():
        raise DocumentError(f"{name}: 本文がありません（空の文書です）")

    return Document(
        doc_id=doc_id_for(path),
        title=str(meta.get("title") or format_title or path.stem),
        short_name=str(meta.get("short_name") or path.stem),
        kind=str(meta.get("kind") or "document"),
        text=text,
        source_path=str(path),
        page_starts=page_starts,
    )


def load_paths(paths: Iterable[Path], max_bytes: int = DEFAULT_MAX_BYTES) -> LoadReport:
    """Load files and folders (recursively, in sorted order); every failure becomes a `FileError`.

    In folders only supported suffixes are taken; hidden files and folders (".name"), Word lock files
    ("~$name.docx") and `.json` sidecars are not documents. A file named explicitly is always tried (an
    unsupported or hidden one is reported), except a `.json` that is the sidecar of a document next to it.
    The same file reached twice is loaded once. Two different files whose `doc_id_for` collide (same name
    in two folders) keep the first id; the later one gets a suffix from a hash of its path.
    """
    report = LoadReport()
    files: list[tuple[Path, str]] = []  # (path, key for disambiguating ids)
    seen: set[str] = set()

    def add(p: Path, key: str) -> None:
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            files.append((p, key))

    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in _walk(p):
                add(f, f.relative_to(p).as_posix())
        elif p.exists() or p.is_symlink():
            if p.suffix.lower() == ".json" and _has_document_sibling(p):
                continue
            if _is_hidden(p.name):
                report.errors.append(FileError(str(p), f"{p.name}: 隠しファイルは文書として読み込みません"))
                continue
            add(p, os.path.realpath(p))
        else:
            report.errors.append(FileError(str(p), f"{p.name or p}: ファイルまたはフォルダが見つかりません"))

    ids: set[str] = set()
    for f, key in files:
        try:
            doc = load_file(f, max_bytes)
        except DocumentError as exc:
            report.errors.append(FileError(str(f), str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must never stop the others
            report.errors.append(
                FileError(str(f), f"{f.name}: 読み込み中に予期しないエラーが発生しました（{type(exc).__name__}）")
            )
            continue
        if doc.doc_id in ids:
            digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
            doc = dataclasses.replace(doc, doc_id=f"{doc.doc_id}_{digest}")
        ids.add(doc.doc_id)
        report.documents.append(doc)
    return report


_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def sanitize_upload_name(name: str) -> str:
    """A safe base name for an uploaded file: no directories, no leading dot, no control characters.

    Keeps Japanese characters (NFC-normalised, as macOS sends decomposed kana) and the suffix; replaces
    characters Windows forbids; limits the name to `MAX_UPLOAD_NAME_BYTES` UTF-8 bytes by shortening the
    stem. Never returns an empty name, "." or "..": a name with nothing left becomes "upload".
    """
    text = unicodedata.normalize("NFC", str(name))
    # Cc (NUL, controls), Cf (bidi overrides that disguise a suffix), Cs (lone surrogates), Co, Cn.
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    base = re.split(r"[/\\]", text)[-1]
    base = re.sub(r"^[\s.]+|[\s.]+$", "", re.sub(r'[<>:"|?*]', "_", base))  # leading dots/spaces, trailing too
    stem, dot, ext = base.rpartition(".")
    suffix = "." + ext if dot and re.fullmatch(r"[A-Za-z0-9]{1,10}", ext) else ""
    if not suffix:
        stem = base
    stem = re.sub(r"[\s.]+$", "", stem)
    if not stem:
        stem = "upload"
    elif stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    budget = MAX_UPLOAD_NAME_BYTES - len(suffix.encode("utf-8"))
    while len(stem.encode("utf-8")) > budget:
        stem = stem[:-1]
    stem = re.sub(r"[\s.]+$", "", stem)
    return (stem or "upload") + suffix


# --- files and folders ----------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    """The only place a document's bytes are read (tests replace it to prove the size check comes first)."""
    return path.read_bytes()


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} バイト"


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _has_document_sibling(sidecar: Path) -> bool:
    return any(sidecar.with_suffix(s).exists() for s in SUPPORTED_SUFFIXES)


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):  # does not follow symlinked folders (no loops)
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        for n in names:
            if not _is_hidden(n) and Path(n).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root) / n)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


# --- text and encodings ---------------------------------------------------------------------------

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def normalize_newlines(text: str) -> str:
    """CRLF, CR and the other characters `str.splitlines` treats as line breaks become "\\n"."""
    return _LINE_BREAKS.sub("\n", text)


def _read_text(data: bytes, name: str) -> str:
    try:
        text, _encoding = decode_bytes(data)
    except ValueError as exc:
        raise DocumentError(f"{name}: {exc}") from exc
    return normalize_newlines(text)


_JP_CANDIDATES = ("cp932", "euc_jp", "euc_jis_2004")
_ISO2022_CANDIDATES = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2")
_TEXT_CONTROLS = set("\t\n\r\x0b\x0c\x1b")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a text file: returns (text, codec name). Raises ValueError (Japanese) for binary data.

    Order: a BOM; the `declared` encoding (HTML meta) if it decodes strictly; ISO-2022-JP when the bytes are
    7-bit with JIS escape sequences (they are valid ASCII, hence before UTF-8); strict UTF-8; then strict CP932, EUC-JP and EUC-JIS-2004 ranked by
    how Japanese the result looks (`_japanese_score`; CP932 wins ties). EUC-JP bytes often decode
    "successfully" as CP932 half-width katakana, which the score counts as noise. When no Japanese
    reading is plausible (or it is Latin-1 text misread as kanji, see `_misread_latin`): CP1252 if it
    reads as Western European prose, else charset-normalizer's guess (unreliable on short Japanese
    texts, which is why it is not asked first).
    """
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _checked(data.decode(codec)), codec
            except UnicodeDecodeError as exc:
                raise ValueError(f"{codec} として読み込めません（文字化けしたデータがあります）") from exc
    if b"\x00" in data:
        raise ValueError("テキストファイルではありません（バイナリデータです）")
    if declared:
        codec = _codec_for_label(declared)
        if codec:
            for c in (codec, *_fallbacks(codec)):
                try:
                    return _checked(data.decode(c)), c
                except UnicodeDecodeError:
                    continue
    if b"\x1b$" in data and max(data) < 0x80:  # 7-bit with JIS escapes: ASCII-clean, so before UTF-8
        for c in _ISO2022_CANDIDATES:
            try:
                return _checked(data.decode(c)), c
            except UnicodeDecodeError:
                continue
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    decoded: list[tuple[float, int, str, str]] = []
    for rank, c in enumerate(_JP_CANDIDATES):
        try:
            text = data.decode(c)
        except UnicodeDecodeError:
            continue
        decoded.append((_japanese_score(text), -rank, text, c))
    best = max(decoded) if decoded else None
    if best and best[0] >= 0.8 and not _misread_latin(best[2]):
        return _checked(best[2]), best[3]
    # Not Japanese: Western European text in CP1252 (mostly ASCII letters), else charset-normalizer.
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and _is_western(western):
        return _checked(western), "cp1252"
    guess = _charset_normalizer_guess(data)
    if guess and (best is None or _misread_latin(best[2]) or _japanese_score(guess[0], latin=True) > best[0]):
        return _checked(guess[0]), guess[1]
    if best:
        return _checked(best[2]), best[3]
    raise ValueError("文字コードを判別できません（テキストファイルではない可能性があります）")


_JAPANESE_MARKS = re.compile("[\u3000-\u30ff\uff01-\uff5e]")  # kana, 、。「」・ and full-width forms


def _misread_latin(text: str) -> bool:
    """A CP932 reading of Latin-1 text: no kana or Japanese punctuation at all, and the kanji sit inside
    Latin words ("Crème" -> "Cr鑪e": the accented letter and the next byte make one double-byte kanji)."""
    if _JAPANESE_MARKS.search(text):
        return False
    non_ascii = [i for i, ch in enumerate(text) if not ch.isascii()]
    if not non_ascii:
        return False

    def letter(i: int) -> bool:
        return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()

    glued = sum(1 for i in non_ascii if letter(i - 1) or letter(i + 1))
    return glued * 2 >= len(non_ascii)


def _is_western(text: str) -> bool:
    """CP1252 reading that looks like Western European prose: Latin-1 letters among mostly ASCII."""
    sample = text[:50_000]
    positions = [i for i, ch in enumerate(sample) if not ch.isascii()]
    if not positions:
        return False
    # CJK double-byte text read as CP1252 gives runs of non-ASCII characters; accented letters mostly
    # stand alone between ASCII letters.
    runs = sum(1 for i in positions if not sample[i - 1 : i].isascii() or not sample[i + 1 : i + 2].isascii())
    letters = sum(1 for i in positions if 0xC0 <= ord(sample[i]) <= 0xFF or sample[i] in "ŒœŠšŽžŸ€–—‘’“”…•«»°")
    return runs <= 0.5 * len(positions) and letters >= 0.9 * len(positions)


def _checked(text: str) -> str:
    """Reject decoded text that is mostly control characters (binary junk that happened to decode)."""
    sample = text[:100_000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS)
    if controls > max(2, len(sample) // 200):
        raise ValueError("テキストファイルではありません（制御文字が多く含まれています）")
    return text.removeprefix("\ufeff")


def _japanese_score(text: str, latin: bool = False) -> float:
    """Share of characters that belong in Japanese (or, with `latin`, Western) text; 1.0 is best."""
    sample = text[:50_000]
    if not sample:
        return 0.0
    good = 0
    for ch in sample:
        o = ord(ch)
        if 0x20 <= o < 0x7F or ch in "\t\n\r":
            good += 1
        elif (
            0x3000 <= o <= 0x30FF  # CJK punctuation, hiragana, katakana
            or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
            or 0xFF01 <= o <= 0xFF5E  # full-width ASCII
            or 0x2010 <= o <= 0x266F  # punctuation, arrows, ①, box drawing, ■□◆, ★
            or 0x0391 <= o <= 0x0451  # Greek, Cyrillic (JIS rows 6-7)
            or ch in "§¨°±´¶×÷￠￡￢￣￥"
        ):
            good += 1
        elif latin and 0xA0 <= o <= 0x24F:
            good += 1
        # half-width katakana (U+FF61-FF9F), controls, private use, Hangul, ... count as noise
    return good / len(sample)


def _charset_normalizer_guess(data: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it is a declared dependency
        return None
    match = from_bytes(data).best()
    if match is None:
        return None
    return str(match), match.encoding


_LABELS = {
    **dict.fromkeys(
        ["shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j", "cp932", "ms932"],
        "cp932",
    ),
    **dict.fromkeys(["euc-jp", "euc_jp", "x-euc-jp", "eucjp", "cseucpkdfmtjapanese"], "euc_jp"),
    **dict.fromkeys(["iso-2022-jp", "iso2022jp", "csiso2022jp"], "iso2022_jp"),
}


def _codec_for_label(label: str) -> str | None:
    """WHATWG-style: Shift_JIS labels decode as CP932 (it has ①② and the NEC/IBM kanji)."""
    label = label.strip().lower()
    if label in _LABELS:
        return _LABELS[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _fallbacks(codec: str) -> tuple[str, ...]:
    if codec == "euc_jp":
        return ("euc_jis_2004",)
    if codec == "iso2022_jp":
        return _ISO2022_CANDIDATES[1:]
    return ()


# --- PDF ------------------------------------------------------------------------------------------

_CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2460-\u24ff"
_CJK_PAIR = re.compile(f"[{_CJK}]( ?)(?=[{_CJK}])")
_CJK_SPACE = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")
_PDF_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# Kangxi Radicals and CJK Radicals Supplement: fonts embedded by Word map some kanji (⽇, ⾏) there.
_RADICALS = re.compile("[\u2e80-\u2ef3\u2f00-\u2fd5]")


def _read_pdf(data: bytes, name: str) -> tuple[str, str | None, tuple[int, ...]]:
    """Text of a PDF, page by page, and the start offset of every page after the first.

    Uses pypdf's default extraction mode ("plain"): on PDFs written with fpdf2 and the IPAex font it
    returns the Japanese lines in reading order without spurious spaces; "layout" mode pads columns with
    runs of spaces and doubles every line break, so it is not used. Each page's text is cleaned by
    `clean_pdf_text` (documented repairs only); pages are joined with a blank line ("\\n\\n"), so
    `Document.page_at(offset)` is exact for every character of a page.
    An encrypted PDF is opened if it has no user password (restrictions only: common for public
    documents); one that needs a password is refused. AES needs the `cryptography` package.
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
    title = None
    try:
        title = _clean_title(reader.metadata.title if reader.metadata else None)
    except Exception:  # noqa: BLE001 - a broken info dictionary only loses the title
        title = None
    return PAGE_SEPARATOR.join(texts), title, tuple(page_starts)


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


def _clean_title(title: object) -> str | None:
    if not isinstance(title, str):
        return None
    title = re.sub(r"\s+", " ", title).strip()
    title = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", title)
    title = re.sub(r"\.(?:docx?|pptx?|xlsx?|pdf)$", "", title, flags=re.I).strip()
    if not title or title.lower() in {"untitled", "無題", "タイトルなし", "title"}:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cs") or ch == "\ufffd" for ch in title):
        return None
    return title


# --- DOCX -----------------------------------------------------------------------------------------

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_HEADING_STYLE = re.compile(r"^(?:heading|見出し)\s*([1-9])$", re.I)
_HEADING_MARKS = {1: "■ ", 2: "□ "}
# deleted text, text boxes, the duplicate fallback of mc:AlternateContent, and ruby readings (furigana)
_SKIP_IN_PARAGRAPH = {
    f"{{{_W}}}del", f"{{{_W}}}moveFrom", f"{{{_W}}}txbxContent", f"{{{_MC}}}Fallback", f"{{{_W}}}rt",
}
_TYPED_LIST = re.compile(f"^(?:[・\\-－•◦{CIRCLED}]|[(（]?[0-9０-９]{{1,3}}[.．)）])")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _read_docx(data: bytes, name: str) -> tuple[str, str | None]:
    """Body text of a .docx in document order (paragraphs, tables, content controls).

    Rendering choices, made so `corpus.parse` sees the structure:
    - a paragraph whose style (or a style it is based on) is "Heading N" / "見出し N", or that has an
      outline level, becomes a heading line: level 1 "■ text", level 2 "□ text", deeper "● text".
      "Title" is a plain line (the parser takes a lone first line as the title anyway).
    - Word's automatic list numbering, which is not part of the text, is written out from the numbering
      definitions: "1. ", "(1) ", "①" as defined by the level's format; bullets of any glyph become "・ ".
      (Numbering restarts via lvlOverride/startOverride are not followed.)
    - a table becomes one line per row, cells joined with " | " (a merged cell once per row; nested
      tables inline).
    - paragraphs are separated by a blank line; consecutive list paragraphs and the rows of a table
      are on adjacent lines. Empty paragraphs are dropped.
    Paragraph text includes runs, hyperlinks, fields' results and tracked insertions; deleted text,
    text boxes, headers, footers, footnotes and comments are not read.
    """
    if data.startswith(_OLE_MAGIC):
        raise DocumentError(
            f"{name}: パスワードで保護された Word 文書か、旧形式（.doc）のファイルです。"
            "保護を解除し .docx 形式で保存し直してください"
        )
    corrupt = f"{name}: Word（.docx）ファイルが壊れているか、.docx 形式ではありません"
    if not data.startswith(b"PK"):
        raise DocumentError(corrupt)
    try:
        import docx

        document = docx.Document(io.BytesIO(data))
        text = _DocxWriter(document).render()
    except Exception as exc:  # noqa: BLE001 - zip, XML and package errors alike
        raise DocumentError(corrupt) from exc
    try:
        title = _clean_title(document.core_properties.title)
    except Exception:  # noqa: BLE001
        title = None
    return text, title


class _DocxWriter:
    def __init__(self, document) -> None:
        self.document = document
        self.numbering = _Numbering(document)
        self.blocks: list[tuple[str, list[str]]] = []  # (kind, lines)

    def render(self) -> str:
        self._container(self.document.element.body)
        out: list[str] = []
        prev = None
        for kind, lines in self.blocks:
            if out:
                out.append("\n" if kind == prev == "list" else "\n\n")
            out.append("\n".join(lines))
            prev = kind
        return "".join(out)

    def _container(self, element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == f"{{{_W}}}p":
                self._paragraph(child)
            elif tag == f"{{{_W}}}tbl":
                rows = self._table_rows(child)
                if rows:
                    self.blocks.append(("table", rows))
            elif tag == f"{{{_W}}}sdt":
                content = child.find(f"{{{_W}}}sdtContent")
                if content is not None:
                    self._container(content)
            elif tag == f"{{{_W}}}customXml":
                self._container(child)

    def _paragraph(self, p) -> None:
        from docx.text.paragraph import Paragraph

        text = _paragraph_text(p).strip()
        if not text:
            return
        para = Paragraph(p, self.document._body)
        level = _heading_level(para)
        marker = self.numbering.marker(para)
        if marker is not None:
            text = marker + text
        if level is not None:
            self.blocks.append(("heading", [_HEADING_MARKS.get(level, "● ") + text]))
        else:
            is_list = marker is not None or _TYPED_LIST.match(text) is not None
            self.blocks.append(("list" if is_list else "para", [text]))

    def _table_rows(self, tbl) -> list[str]:
        rows = []
        for tr in tbl.iterchildren(f"{{{_W}}}tr"):
            cells = [self._cell_text(tc) for tc in _row_cells(tr)]
            if any(cells):
                rows.append(" | ".join(cells))
        return rows

    def _cell_text(self, tc) -> str:
        parts = []
        for child in tc.iterchildren():
            if child.tag == f"{{{_W}}}p":
                parts.append(_paragraph_text(child))
            elif child.tag == f"{{{_W}}}tbl":
                parts.append(" / ".join(self._table_rows(child)))
            elif child.tag == f"{{{_W}}}sdt":
                parts.extend(_paragraph_text(p) for p in child.iter(f"{{{_W}}}p"))
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


def _paragraph_text(p) -> str:
    parts: list[str] = []

    def walk(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_IN_PARAGRAPH:
                continue
            if tag == f"{{{_W}}}t":
                parts.append(child.text or "")
            elif tag == f"{{{_W}}}tab":
                parts.append("\t")
            elif tag in (f"{{{_W}}}br", f"{{{_W}}}cr"):
                kind = child.get(f"{{{_W}}}type")
                parts.append("\n" if kind in (None, "textWrapping") else "")
            elif tag == f"{{{_W}}}noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(p)
    return "".join(parts)


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
        m = _HEADING_STYLE.match((style.name or "").strip())
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

    def marker(self, para) -> str | None:
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
            return "・ "
        if fmt == "none":
            return None

        def fill(m: re.Match) -> str:
            level = int(m.group(1)) - 1
            lfmt, _, lstart = self.levels.get((aid, level), ("decimal", "", 1))
            return _format_number(counters.get(level, lstart), lfmt)

        label = re.sub(r"%([1-9])", fill, template).strip()
        if not label:
            return None
        return label if label[-1] in CIRCLED else label + " "

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


# --- HTML -----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)


def _read_html(data: bytes, name: str) -> tuple[str, str | None]:
    head = data[:4096]
    m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    declared = m.group(1).decode("ascii") if m else None
    try:
        source, _ = decode_bytes(data, declared=declared)
    except ValueError as exc:
        raise DocumentError(f"{name}: {exc}") from exc
    parser = _HTMLText()
    try:
        parser.feed(normalize_newlines(source))
        parser.close()
    except Exception as exc:  # noqa: BLE001
        raise DocumentError(f"{name}: HTML を解析できません") from exc
    return parser.text(), _clean_title(parser.title)


_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "math", "iframe", "object", "canvas", "head"}
_PARA_TAGS = {
    "p", "div", "section", "article", "main", "aside", "header", "footer", "nav", "blockquote", "pre",
    "table", "ul", "ol", "dl", "figure", "figcaption", "form", "fieldset", "address", "details", "summary",
    "caption", "hr", "body",
}
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "base", "noscript", "template"}
_LINE_TAGS = {"br", "li", "tr", "dt", "dd", "option"}
_HEADING_TAGS = {"h1": "■ ", "h2": "□ ", "h3": "● ", "h4": "● ", "h5": "● ", "h6": "● "}
_SPACES = re.compile(r"[ \t\n\f\u00a0]+")
_CJK_NEWLINE = re.compile(f"(?<=[{_CJK}])[ \\t]*\\n\\s*(?=[{_CJK}])")


class _HTMLText(HTMLParser):
    """Visible text of an HTML page.

    script/style/noscript/template/svg/head contents are dropped (the <title> is kept as the title).
    Block elements break lines (paragraph-level ones with a blank line); h1 -> "■ ", h2 -> "□ ",
    h3-h6 -> "● " headings like DOCX; <li> -> "・ " in <ul> and "1. " in <ol> (honouring start=); table
    rows -> cells joined with " | ". White space is collapsed as a browser does, and a source line break
    between two Japanese characters is dropped (browsers render none there for Japanese).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str | int] = []  # text, or a break: 1 = line, 2 = paragraph
        self.skip: list[str] = []
        self.title: str | None = None
        self._in_title = False
        self._title_parts: list[str] = []
        self.lists: list[list] = []  # [tag, next number]
        self.cells: list[int] = []  # cells seen in the current row, per open table
        self.cell_depth = 0
        self.heading_depth = 0
        self.pending = ""  # a marker waiting for the element's first text
        self.pre = 0
        self.li_depth = 0

    # breaks inside table cells and headings are spaces: a row / heading stays on one line
    def _break(self, n: int) -> None:
        if self.cell_depth or self.heading_depth:
            self.out.append(" ")
        else:
            self.out.append(1 if self.li_depth else n)  # <p> inside <li> keeps the list tight

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip == ["head"] and (tag == "body" or tag not in _HEAD_TAGS):
            self.skip = []  # </head> is optional: the body's first element ends the head
        if tag == "title" and self.title is None and self.skip in ([], ["head"]):
            self._in_title = True
            return
        if self.skip or tag in _SKIP_TAGS:
            if tag in _SKIP_TAGS:
                self.skip.append(tag)
            return
        if tag in _HEADING_TAGS:
            self._break(2)
            self.pending = _HEADING_TAGS[tag] if not (self.cell_depth or self.heading_depth) else ""
            self.heading_depth += 1
        elif tag in ("ul", "ol"):
            start = dict(attrs).get("start") if tag == "ol" else None
            self.lists.append([tag, int(start) if start and start.strip().lstrip("-").isdigit() else 1])
            self._break(2)
        elif tag == "li":
            self._break(1)
            self.li_depth += 1
            if not self.cell_depth:
                if self.lists and self.lists[-1][0] == "ol":
                    self.pending = f"{self.lists[-1][1]}. "
                    self.lists[-1][1] += 1
                else:
                    self.pending = "・ "
        elif tag == "table":
            self._break(2)
            self.cells.append(0)
        elif tag == "tr":
            if self.cells:
                self.cells[-1] = 0
            self._break(1)
        elif tag in ("td", "th"):
            if self.cells:
                if self.cells[-1]:
                    self.out.append(" | ")
                self.cells[-1] += 1
            self.cell_depth += 1
        elif tag == "pre":
            self._break(2)
            self.pre += 1
        elif tag in _PARA_TAGS:
            self._break(2)
        elif tag in _LINE_TAGS:
            self._break(1)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "hr") and not self.skip:
            self._break(1 if tag == "br" else 2)
        # other self-closing tags carry no text

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._in_title:
            self._in_title = False
            self.title = " ".join("".join(self._title_parts).split()) or None
            return
        if self.skip:
            if tag == self.skip[-1]:
                self.skip.pop()
            return
        if tag in _HEADING_TAGS:
            self.heading_depth = max(0, self.heading_depth - 1)
            self.pending = ""
            self._break(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self.li_depth = min(self.li_depth, len(self.lists))  # items left open (</li> is optional)
            self._break(2)
        elif tag == "table":
            if self.cells:
                self.cells.pop()
            self._break(2)
        elif tag in ("td", "th"):
            self.cell_depth = max(0, self.cell_depth - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
            self._break(2)
        elif tag == "li":
            self.li_depth = max(0, self.li_depth - 1)
            self._break(1)
        elif tag in _PARA_TAGS:
            self._break(2)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title_parts.append(data)
            return
        if self.skip:
            return
        if self.pre:
            pieces = data.split("\n")
            for k, piece in enumerate(pieces):
                if k:
                    self._break(1)
                if piece:
                    self._emit(piece.replace("\u00a0", " "))
            return
        text = _SPACES.sub(" ", _CJK_NEWLINE.sub("", data))
        if text.strip():
            self._emit(text)
        elif text:
            self.out.append(" ")

    def _emit(self, text: str) -> None:
        if self.pending:
            self.out.append(self.pending)
            self.pending = ""
            text = text.lstrip()
        self.out.append(text)

    def text(self) -> str:
        pieces: list[str] = []
        pending_break = 0
        for part in self.out:
            if isinstance(part, int):
                pending_break = max(pending_break, part)
                continue
            if pending_break:
                pieces.append("\n" * pending_break)
                pending_break = 0
            pieces.append(part)
        lines = [re.sub(r" {2,}", " ", line).strip(" ") for line in "".join(pieces).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
