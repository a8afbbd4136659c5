"""Domain words are data: the lexicon files hold them, the docs are generated from them, and no unit
name, field word or heading of the bundled documents is written into `assistant/` code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from assistant.lexicon import Lexicon
from assistant.lexicon.__main__ import fields_md, places_md

REPO = Path(__file__).resolve().parents[1]


def test_the_docs_are_generated_from_the_lexicon():
    lex = Lexicon.load()
    assert (REPO / "docs" / "fields.md").read_text(encoding="utf-8") == fields_md(lex), "run python -m assistant.lexicon"
    assert (REPO / "docs" / "places.md").read_text(encoding="utf-8") == places_md(lex), "run python -m assistant.lexicon"


def _domain_words(bot) -> set[str]:
    plan = bot.plan
    words = {u.name for u in plan.units()} | {p.name for d in plan.documents() for p in plan.parts_of(d)}
    words |= set(bot._state.kb.vocab.fields)
    return {w for w in words if len(w) >= 2}


def _literals(path: Path):
    """String constants of a module that are not docstrings (help text in docstrings may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_domain_word_is_a_literal_in_assistant_code(bot):
    words = _domain_words(bot)
    assert {"九州", "造船", "分野横断的課題"} <= words  # the check knows what to look for
    found = []
    for path in sorted((REPO / "assistant").rglob("*.py")):
        for line, text in _literals(path):
            hits = sorted(w for w in words if (re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text) if w.isascii() else w in text))
            if hits:
                found.append(f"{path.relative_to(REPO)}:{line}: {hits} in {text[:60]!r}")
    assert not found, "\n".join(found)
