"""What a format module returns, and the cleaning of the metadata it finds (title, publisher, date)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from corpus.layout import Layout


@dataclass(frozen=True)
class Extracted:
    text: str  # "\n" line endings; every later offset indexes into it
    title: str | None = None
    publisher: str | None = None
    date: str | None = None  # ISO "YYYY-MM-DD" when it could be read as a date
    page_starts: tuple[int, ...] = ()
    layout: Layout | None = None  # what the format knows of the text's structure (see `corpus.layout`)


def _printable(value: object, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value).strip()
    if not text or any(unicodedata.category(ch) in ("Cc", "Co", "Cs") or ch == "\ufffd" for ch in text):
        return None
    return text[:limit]


def clean_title(title: object) -> str | None:
    """A format's own title, or None when it is a placeholder ("Microsoft Word - x.docx", "無題")."""
    text = _printable(title, 300)
    if text is None:
        return None
    text = re.sub(r"^Microsoft (?:Word|PowerPoint|Excel) - ", "", text)
    text = re.sub(r"\.(?:docx?|pptx?|xlsx?|pdf)$", "", text, flags=re.I).strip()
    if not text or text.lower() in {"untitled", "無題", "タイトルなし", "title"}:
        return None
    return text


def clean_name(name: object) -> str | None:
    """A publisher or author as the file records it (the name of a tool is not a publisher)."""
    text = _printable(name, 200)
    if text is None or text.lower() in {"python-docx", "unknown", "author", "user", "作成者"}:
        return None
    return text


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def clean_date(value: object) -> str | None:
    """A date as "YYYY-MM-DD" (datetime, ISO text, 2025/6/13, 2025年6月13日); other text as it is, short."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    text = _printable(value, 40)
    if text is None:
        return None
    m = _DATE.search(text)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    return text
