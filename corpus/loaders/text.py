"""Text files and encodings: Japanese files come as UTF-8, Shift_JIS (CP932), EUC-JP or ISO-2022-JP,
usually without saying which. `decode_bytes` decides (see its docstring); HTML passes its declared charset."""

from __future__ import annotations

import codecs
import re
import unicodedata

from corpus.loaders.extracted import Extracted
from corpus.store import DocumentError

# Japanese characters, for rules about the spaces and line breaks between them (PDF and HTML).
CJK = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u2460-\u24ff"

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def normalize_newlines(text: str) -> str:
    """CRLF, CR and the other characters `str.splitlines` treats as line breaks become "\\n"."""
    return _LINE_BREAKS.sub("\n", text)


def read(data: bytes, name: str) -> Extracted:
    try:
        text, _encoding = decode_bytes(data)
    except ValueError as exc:
        raise DocumentError(f"{name}: {exc}") from exc
    return Extracted(normalize_newlines(text))


_JP_CANDIDATES = ("cp932", "euc_jp", "euc_jis_2004")
_ISO2022_CANDIDATES = ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2004", "iso2022_jp_2")
_TEXT_CONTROLS = set("\t\n\r\x0b\x0c\x1b")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode a text file: returns (text, codec name). Raises ValueError (Japanese) for binary data.

    Order: a BOM; the `declared` encoding (HTML meta) if it decodes strictly; ISO-2022-JP when the bytes are
    7-bit with JIS escape sequences (they are valid ASCII, hence before UTF-8); strict UTF-8; then strict CP932, EUC-JP and EUC-JIS-2004 ranked by
    how Japanese the result looks (`_japanese_score`; CP932 wins ties); when none decodes strictly, the same
    with each broken byte replaced by U+FFFD, if at most 2 % of the text is broken (`_damaged_japanese`). EUC-JP bytes often decode
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
    if best is None and (damaged := _damaged_japanese(data)) is not None:
        return damaged
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


# A Japanese file with a few broken bytes (a truncated copy, a lone lead byte) is read with each broken
# byte shown as U+FFFD when at most this share of its characters are broken and the rest reads as Japanese.
MAX_BROKEN_SHARE = 0.02


def _damaged_japanese(data: bytes) -> tuple[str, str] | None:
    """(text, codec) of the best Japanese reading that replaces its few undecodable bytes, or None."""
    readings = []
    for rank, c in enumerate(_JP_CANDIDATES):
        text = data.decode(c, errors="replace")
        broken = text.count("\ufffd")
        if broken <= max(1, MAX_BROKEN_SHARE * len(text)):
            score = _japanese_score(text.replace("\ufffd", ""))
            readings.append((score, -broken, -rank, text, c))
    best = max(readings) if readings else None
    if best is None or best[0] < 0.8 or _misread_latin(best[3]):
        return None
    return _checked(best[3]), best[4]


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
