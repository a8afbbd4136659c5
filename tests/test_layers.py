"""The layout's one-way dependencies (DEVELOPERS.md, issue 18): nothing in assistant/ imports ui, evals or cli,
and ui/ imports the assistant only through its public API (`from assistant import …`)."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def imports(folder: str) -> list[tuple[Path, str]]:
    """(file, module) of every import in the package's files, including imports inside functions."""
    out = []
    for path in sorted((REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                out.append((path, node.module))
            elif isinstance(node, ast.Import):
                out += [(path, alias.name) for alias in node.names]
    return out


def test_the_assistant_imports_no_front_end_and_no_evals():
    bad = [(p.relative_to(REPO), m) for p, m in imports("assistant") if m.split(".")[0] in ("ui", "evals", "cli")]
    assert not bad, bad


def test_the_ui_uses_only_the_assistants_public_api():
    bad = [(p.relative_to(REPO), m) for p, m in imports("ui") if m.startswith("assistant.")]
    assert not bad, bad


def test_the_lower_layers_import_nothing_above_them():
    for folder, above in (("corpus", ("index", "assistant", "ui", "evals", "cli")), ("index", ("assistant", "ui", "evals", "cli"))):
        bad = [(p.relative_to(REPO), m) for p, m in imports(folder) if m.split(".")[0] in above]
        assert not bad, (folder, bad)
