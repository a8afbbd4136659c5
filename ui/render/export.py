"""A conversation as a Markdown file (会話履歴 → 書き出し): every question, its answer and its sources."""

from __future__ import annotations

import re
from typing import Any, Mapping

from assistant import reference_line
from ui.conversation import as_citation

VERDICT_WORDS = {"up": "👍 役に立った", "down": "👎 役に立たなかった"}  # the answer's vote, as its buttons say it
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def _md_text(text: str) -> str:
    """Answer or question text as Markdown paragraphs: line breaks kept, leading '#' or '>' not taken as syntax."""
    lines = [re.sub(r"^([#>])", r"\\\1", line) for line in str(text).split("\n")]
    return "  \n".join(lines)


def conversation_markdown(conv: Mapping[str, Any], title: str, app_title: str, when: str) -> str:
    out = [f"# {_md_text(title)}", "", f"{app_title}（{when} に書き出し）", ""]
    for i, turn in enumerate(conv.get("turns", []), 1):
        answer = turn.get("answer") or {}
        out += [f"## {i}. {_md_text(turn.get('question', ''))}", ""]
        carried = (turn.get("trace") or {}).get("carried") or []
        if turn.get("context") is False:
            out += ["*前の会話を引き継がずに回答*", ""]
        elif carried:
            out += [f"*引き継ぎ：{'・'.join(map(str, carried))}*", ""]
        out += [_md_text(turn.get("error") or answer.get("text", "")), ""]
        citations = answer.get("citations") or []
        if citations:
            out += ["出典：", ""] + [f"- {reference_line(as_citation(c))}" for c in citations] + [""]
        verdict = VERDICT_WORDS.get(turn.get("verdict") or "")
        if verdict:
            out += [f"評価：{verdict}", ""]
        if turn.get("comment"):
            out += [f"コメント：{_md_text(turn['comment'])}", ""]
    return "\n".join(out).rstrip() + "\n"


def file_name(title: str) -> str:
    """A safe download name for the conversation."""
    name = _UNSAFE_NAME.sub("_", str(title)).strip(" ._") or "会話"
    return f"{name[:60]}.md"
