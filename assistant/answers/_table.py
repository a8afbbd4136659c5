"""A table row read with its column names. Private to `assistant.answers` (lookup and the general path).

Cells are citable spans (`Chunk.cells`); a row is a passage, its header row (row 0 of its table) names what
its figures are: 「現状（2024年度）」 and 「目標（2030年度）」 of one row are told apart by it.
"""

from __future__ import annotations

from corpus.model import Cell
from assistant.answers.context import Context
from assistant.plan import Located


def row(loc: Located) -> tuple[list[Cell], list[Cell]]:
    """(its header's cells, its own cells) when the passage is a row of a table with a header row."""
    own = [c for c in loc.chunk.cells if loc.span.start <= c.start < loc.span.end]
    if not own or len({(c.table, c.row) for c in own}) != 1:
        return [], []
    header = [c for c in loc.chunk.cells if c.table == own[0].table and c.row == 0]
    return header, own


def header_row(loc: Located) -> bool:
    """The header row of a table with rows below it: it names columns and answers nothing itself."""
    header, own = row(loc)
    return bool(own) and own[0].row == 0 and any(c.table == own[0].table and c.row > 0 for c in loc.chunk.cells)


def column_terms(ctx: Context, loc: Located) -> frozenset[str]:
    """The content words of a data row's column names."""
    header, own = row(loc)
    return ctx.evidence.content_terms(" ".join(c.text for c in header)) if own and own[0].row > 0 else frozenset()


def row_cells(loc: Located) -> list[tuple[str, str]]:
    """(column name, cell) of a data row, when its header has as many cells."""
    header, own = row(loc)
    if not own or own[0].row == 0 or len(header) != len(own) or len(own) < 2:
        return []
    return [(h.text, v.text) for h, v in zip(header, own)]


def labelled_row(loc: Located) -> str:
    """「農産物輸出額（現状（2024年度）：152億円、目標（2030年度）：250億円）」."""
    cells = row_cells(loc)
    return cells[0][1] + "（" + "、".join(f"{h}：{v}" for h, v in cells[1:]) + "）"


def asked_cell(ctx: Context, loc: Located) -> str:
    """The cell of the column the question names (「2030年度の目標」: 目標（2030年度）), "" when it names none or
    several alike."""
    cells = row_cells(loc)[1:]
    question = ctx.u.question.squashed
    scores = [(sum(len(w) for w in ctx.evidence.content_terms(h) if w in question), v) for h, v in cells]
    best = max((s for s, _ in scores), default=0)
    chosen = [v for s, v in scores if s == best]
    return chosen[0] if best and len(chosen) == 1 else ""
