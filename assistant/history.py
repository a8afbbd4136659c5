"""Follow-ups: read a question in the light of the conversation so far.

- ellipsis: 「では四国は？」 after a question about 東北 → the same question about 四国
  (a new block replaces the blocks, a new field replaces the fields);
- reference: 「そこでは」「その地域の」 → the blocks of the previous question, or of its answer;
- continuation: 「他には？」「もっと詳しく」 → more detail on the previous subject;
- a bare 「なぜ？」「いくつ？」 keeps the previous subject with the new intent.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Sequence

from assistant.fields import FieldVocabulary
from assistant.understand import Understanding, classify

MAX_TURNS = 8  # earlier turns rarely matter, and each costs a re-reading
_ELLIPSIS_CHARS = 25


def answer_blocks(u: Understanding, vocab: FieldVocabulary) -> tuple[str, ...]:
    """The blocks a resolved question was about, including the blocks its answer named."""
    if u.blocks:
        return u.blocks
    if u.intent in ("which_blocks", "count") and u.fields:
        return tuple(dict.fromkeys(m.block for f in u.fields for m in vocab.matches(f)))
    return ()


# 「その2つ」「両者」: a reference to the last two blocks talked about, across turns.
_PAIR = re.compile(r"その2つ|その二つ|両者|両ブロック|両地域|2つの|二つの|the two|both")


def resolve(
    current: Understanding, previous: Understanding | None, vocab: FieldVocabulary, recent: tuple[str, ...] = ()
) -> Understanding:
    """`recent`: the blocks of earlier turns, most recent first."""
    if previous is None:
        return current
    cues = set(current.cues)
    if "reference" in cues and not current.blocks and _PAIR.search(current.normalized) and len(recent) >= 2:
        u = replace(current, blocks=tuple(reversed(recent[:2])), followup="reference")
        intent = classify(u, vocab.plan)
        return replace(u, intent=intent if intent not in ("general", "block_items") else "compare")
    own_intent = cues & {"count", "compare", "explain", "which"}
    if "compare" in cues and len(current.blocks) == 1 and answer_blocks(previous, vocab):
        # 「東北とくらべると？」 after a question about 北海道
        blocks = tuple(dict.fromkeys((*answer_blocks(previous, vocab), *current.blocks)))
        return replace(current, blocks=blocks, intent="compare", followup="ellipsis")
    if "continue" in cues and not current.has_entities:
        return replace(
            current,
            intent="detail",
            blocks=answer_blocks(previous, vocab),
            fields=previous.fields,
            sections=previous.sections,
            followup="continuation",
        )
    if "reference" in cues and not current.blocks:
        u = replace(current, blocks=answer_blocks(previous, vocab), followup="reference")
        intent = classify(u, vocab.plan)
        return replace(u, intent=intent if intent != "general" else "block_items")
    short = len(current.normalized) <= _ELLIPSIS_CHARS
    if current.has_entities and short and not own_intent:
        if current.blocks and not current.fields:
            fields = previous.fields if previous.intent in ("block_field", "which_blocks", "explain") else ()
            u = replace(current, fields=fields, followup="ellipsis")
            if previous.intent in ("block_items", "explain", "count", "block_field"):
                return replace(u, intent=previous.intent if fields or previous.intent != "block_field" else "block_items")
            return replace(u, intent=classify(u, vocab.plan))
        if current.fields and not current.blocks:
            blocks = previous.blocks if previous.intent in ("block_items", "block_field", "count", "explain") else ()
            u = replace(current, blocks=blocks, followup="ellipsis")
            if previous.intent in ("which_blocks", "count"):
                return replace(u, intent=previous.intent)
            return replace(u, intent=classify(u, vocab.plan))
    if not current.has_entities and previous.has_entities and own_intent | (cues & {"list"}):
        u = replace(
            current,
            blocks=answer_blocks(previous, vocab) if "explain" in cues or not previous.fields else previous.blocks,
            fields=previous.fields,
            sections=previous.sections,
            followup="ellipsis",
        )
        return replace(u, intent=classify(u, vocab.plan))
    return current


def resolve_history(
    history: Sequence[dict], read: Callable[[str], Understanding], vocab: FieldVocabulary
) -> tuple[Understanding | None, tuple[str, ...]]:
    """The last user turn of `history`, resolved against the turns before it, and the blocks talked
    about so far (most recent first)."""
    users = [m.get("content") for m in history if isinstance(m, dict) and m.get("role") == "user"]
    users = [u for u in users if isinstance(u, str) and u.strip()][-MAX_TURNS:]
    resolved: Understanding | None = None
    recent: tuple[str, ...] = ()
    for text in users:
        resolved = resolve(read(text), resolved, vocab, recent)
        recent = tuple(dict.fromkeys((*answer_blocks(resolved, vocab), *recent)))
    return resolved, recent
