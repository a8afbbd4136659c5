"""Documents → the heading tree (`corpus.tree`): one builder per kind of source text.

Markdown files go through markdown-it-py (`markdown`); everything else, including the text the Word, HTML
and PDF loaders write, through the plain-text rules (`plain`), which take what those loaders know of their
structure (`corpus.layout`) as given. `display` shows a verbatim span without
its markup.
"""

from __future__ import annotations

from corpus.layout import Layout
from corpus.structure import markdown, plain
from corpus.text import Tokenizer
from corpus.tree import Tree

MARKDOWN = "markdown"
TEXT = "text"


def build_tree(text: str, fmt: str, tokenizer: Tokenizer, layout: Layout | None = None) -> Tree:
    """`layout`: what a loader knows of the text's structure (plain text only, see `corpus.layout`)."""
    return markdown.build(text, tokenizer) if fmt == MARKDOWN else plain.build(text, tokenizer, layout)
