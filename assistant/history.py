"""Follow-ups: read a question in the light of the conversation so far.

- ellipsis: 「では四国は？」 after a question about 東北 → the same question about 四国
  (a new block replaces the blocks, a new field replaces the fields);
- reference: 「そこでは」「その地域の」 → the blocks of the previous question, or of its answer;
- continuation: 「他には？」「もっと詳しく」 → more detail on the previous subject;
- a bare 「なぜ？」「いくつ？」 keeps the previous subject with the new intent.
"""

from __future__ import annotations

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


def resolve(current: Understanding, previous: Understanding | None, vocab: FieldVocabulary) -> Understanding:
    if previous is None:
        return current
    cues = set(current.cues)
    own_intent = cues & {"count", "compare", "explain", "which"}
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
        intent = classify(u)
        return replace(u, intent=intent if intent != "general" else "block_items")
    short = len(current.normalized) <= _ELLIPSIS_CHARS
    if current.has_entities and short and not own_intent:
        if current.blocks and not current.fields:
            fields = previous.fields if previous.intent in ("block_field", "which_blocks", "explain") else ()
            u = replace(current, fields=fields, followup="ellipsis")
            if previous.intent in ("block_items", "explain", "count", "block_field"):
                return replace(u, intent=previous.intent if fields or previous.intent != "block_field" else "block_items")
            return replace(u, intent=classify(u))
        if current.fields and not current.blocks:
            blocks = previous.blocks if previous.intent in ("block_items", "block_field", "count", "explain") else ()
            u = replace(current, blocks=blocks, followup="ellipsis")
            if previous.intent in ("which_blocks", "count"):
                return replace(u, intent=previous.intent)
            return replace(u, intent=classify(u))
    if not current.has_entities and previous.has_entities and own_intent | (cues & {"list"}):
        u = replace(
            current,
            blocks=answer_blocks(previous, vocab) if "explain" in cues or not previous.fields else previous.blocks,
            fields=previous.fields,
            sections=previous.sections,
            followup="ellipsis",
        )
        return replace(u, intent=classify(u))
    return current


def resolve_history(
    history: Sequence[dict], read: Callable[[str], Understanding], vocab: FieldVocabulary
) -> Understanding | None:
    """The last user turn of `history`, resolved against the turns before it."""
    users = [m.get("content") for m in history if isinstance(m, dict) and m.get("role") == "user"]
    users = [u for u in users if isinstance(u, str) and u.strip()][-MAX_TURNS:]
    resolved: Understanding | None = None
    for text in users:
        resolved = resolve(read(text), resolved, vocab)
    return resolved
