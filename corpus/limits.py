"""How much one document may hold, and the Japanese reason given when it holds more (issue 20 §7).

A hostile or broken file must cost bounded time and memory and must never stop the other documents of the
same run. Every way in (a folder given to `assistant index`, the library read at indexing, the UI's upload)
applies the same limits, each with its own message naming the file, the count and the limit. They sit far
above real documents: a 1,000-page report holds about 1.5 million characters, a few thousand headings and
about 3,000 chunks; `assistant bench` measures what the hostile cases cost (docs/reliability.md).
"""

from __future__ import annotations

from corpus.store import DocumentError

MAX_TEXT_CHARS = 2_000_000  # characters of text once read (a 30 MB file on one line is 10 million)
MAX_PDF_PAGES = 5_000  # pages, counted before any text is extracted
MAX_SECTIONS = 10_000  # headings of the tree
MAX_CHUNKS = 5_000  # passages to embed (about 5 minutes on 2 quiet cores)


class TooLarge(DocumentError):
    """A document past one of the limits (its message is for the user)."""


def check_text(name: str, text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise TooLarge(
            f"{name}: 本文が長すぎるため読み込みません（{len(text):,} 文字。上限は {MAX_TEXT_CHARS:,} 文字です）。"
            "文書を分けて追加してください"
        )


def check_pages(name: str, pages: int) -> None:
    if pages > MAX_PDF_PAGES:
        raise TooLarge(
            f"{name}: ページ数が多すぎるため読み込みません（{pages:,} ページ。上限は {MAX_PDF_PAGES:,} ページです）。"
            "文書を分けて追加してください"
        )


def check_sections(name: str, sections: int) -> None:
    if sections > MAX_SECTIONS:
        raise TooLarge(
            f"{name}: 見出しが多すぎるため読み込みません（{sections:,} 個。上限は {MAX_SECTIONS:,} 個です）"
        )


def check_chunks(name: str, chunks: int) -> None:
    if chunks > MAX_CHUNKS:
        raise TooLarge(
            f"{name}: 文書が大きすぎるため索引に入れません（{chunks:,} 区画。上限は {MAX_CHUNKS:,} 区画です）。"
            "文書を分けて追加してください"
        )
