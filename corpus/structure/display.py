"""A verbatim span as the user reads it: without Markdown syntax (headings' #, list markers, table pipes,
emphasis, link targets, images, HTML tags), lines joined. Offsets stay on the verbatim text; only what is
shown changes. Plain-text documents only lose emphasis marks and line breaks.
"""

from __future__ import annotations

import re

from corpus.loaders.text import CJK

_BLOCK_MARK = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+|\d{1,9}[.)]\s+)?")
_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BREAK_TAG = re.compile(r"<br\s*/?>", re.I)
_JOIN = re.compile(f"(?<=[{CJK}])\\s*\\n\\s*(?=[{CJK}])")


def render_inline(children) -> str:
    """Text of markdown-it inline tokens: text, code and link text kept; images, tags and marks dropped."""
    out = []
    for t in children:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type == "softbreak":
            out.append("\n")
        elif t.type == "hardbreak" or (t.type == "html_inline" and _BREAK_TAG.fullmatch(t.content.strip())):
            out.append(" ")
    return "".join(out)


def plain_markdown(text: str) -> str:
    """One line of plain text from a span of Markdown source."""
    from corpus.structure.markdown import parser

    md = parser()
    lines = []
    for line in text.split("\n"):
        if _SEPARATOR_ROW.match(line) and "-" in line:
            continue
        body = _BLOCK_MARK.sub("", line, count=1)
        if body.lstrip().startswith("|") or body.count("|") >= 2:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", body.strip().strip("|"))]
            body = " ／ ".join(c for c in cells if c)
        tokens = md.parseInline(body)
        rendered = render_inline(tokens[0].children or []) if tokens else body
        if rendered.strip():
            lines.append(rendered.strip())
    return _one_line("\n".join(lines))


def plain_text(text: str) -> str:
    """One line of a plain-text span, without **emphasis** marks (its line breaks are layout: dropped)."""
    return re.sub(r"\s*\n\s*", "", text.replace("**", "")).strip()


def _one_line(text: str) -> str:
    text = _JOIN.sub("", text)
    return re.sub(r"\s*\n\s*", " ", text).strip()


def shown(text: str, fmt: str) -> str:
    """How a verbatim span of a document of format `fmt` is shown."""
    return plain_markdown(text) if fmt == "markdown" else plain_text(text)
