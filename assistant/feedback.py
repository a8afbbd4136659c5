"""Users' votes on answers: one JSON line per vote in `<data_dir>/feedback.jsonl`, and draft eval items
made from the down-voted ones (`assistant eval --from-feedback`).

A vote carries what is needed to reproduce the answer: the question, the earlier turns, the answer text and
its citations. An answer has one record: a later vote on the same answer (same `id`: a comment added after
👎, or 👍 changed to 👎) replaces its line in place (the file is rewritten atomically); votes without an id
are appended.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from assistant.limits import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)

FILE_NAME = "feedback.jsonl"
VERDICTS = ("up", "down")
MAX_COMMENT_CHARS = 1000
MAX_ANSWER_CHARS = 20_000
MAX_HISTORY_MESSAGES = 20
MAX_CITATIONS = 50
CITATION_KEYS = ("n", "chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "page", "reference")

_lock = threading.Lock()  # one writer at a time within the process; each line is one write() in append mode


@dataclass(frozen=True)
class Vote:
    question: str
    answer: str
    verdict: str  # "up" or "down"
    history: list[dict] = field(default_factory=list)  # earlier turns, {"role", "content"}
    citations: list[dict] = field(default_factory=list)  # Citation.to_dict() of the answer
    comment: str = ""
    time: str = ""  # ISO 8601, UTC; set when recorded
    id: str = ""  # the answer voted on (the UI's turn id)


def path_for(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def clean(vote: Vote) -> Vote:
    """A vote with every field of the expected type and bounded size (the values come from a browser)."""
    if vote.verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, not {vote.verdict!r}")
    history = [
        {"role": m["role"], "content": _text(m.get("content"), MAX_ANSWER_CHARS)}
        for m in (vote.history or [])[-MAX_HISTORY_MESSAGES:]
        if isinstance(m, dict) and m.get("role") in ("user", "assistant")
    ]
    citations = [
        {k: c.get(k) for k in CITATION_KEYS if k in c}
        for c in (vote.citations or [])[:MAX_CITATIONS]
        if isinstance(c, dict)
    ]
    return Vote(
        question=_text(vote.question, MAX_QUESTION_CHARS),
        answer=_text(vote.answer, MAX_ANSWER_CHARS),
        verdict=vote.verdict,
        history=history,
        citations=citations,
        comment=_text(vote.comment, MAX_COMMENT_CHARS).strip(),
        time=vote.time or datetime.now(timezone.utc).isoformat(timespec="seconds"),
        id=_text(vote.id, 100),
    )


def _id_of(line: str) -> str | None:
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    return raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None


def record(data_dir: Path, vote: Vote) -> Vote:
    """Write one vote (cleaned, timed) as a JSON line: in place of the answer's earlier vote when there is
    one (same id), else appended. Returns what was written."""
    vote = clean(vote)
    path = path_for(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(asdict(vote), ensure_ascii=False) + "\n"
    with _lock:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if vote.id and path.exists() else []
        same = [i for i, old in enumerate(lines) if _id_of(old) == vote.id]
        if not same:
            with open(path, "a", encoding="utf-8") as f:
                f.write(line)
            return vote
        lines[same[0]] = line
        kept = [old if old.endswith("\n") else old + "\n" for i, old in enumerate(lines) if i not in same[1:]]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        os.replace(tmp, path)  # readers see the old file or the new one, never half of it
    return vote


def read(data_dir: Path) -> list[Vote]:
    """Every vote in the file, in order; lines that do not parse are skipped (and logged)."""
    path = path_for(data_dir)
    if not path.exists():
        return []
    votes = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                votes.append(clean(Vote(**{k: v for k, v in raw.items() if k in Vote.__dataclass_fields__})))
            except (ValueError, TypeError) as exc:
                log.warning("%s:%d skipped: %s", path.name, number, exc)
    return votes


def latest(votes: Iterable[Vote]) -> list[Vote]:
    """The last vote per answer (votes without an id each count on their own), in order of first vote."""
    out: dict[str, Vote] = {}
    for i, v in enumerate(votes):
        out[v.id or f"#{i}"] = v
    return list(out.values())


def eval_drafts(votes: Iterable[Vote]) -> list[dict]:
    """Down-voted answers as draft items in the evals dataset format (evals/README.md).

    Category, answerability, gold passages and facts need a person: they are left as TODO / null / empty,
    and the extra `draft` key (the answer that was voted down) makes the dataset validator reject the item
    until someone completes it and removes that key."""
    drafts = []
    for n, v in enumerate((v for v in latest(votes) if v.verdict == "down"), 1):
        note = "要記入：category・answerable・gold・facts を埋め、draft を削除してください。"
        if v.comment:
            note += f" 利用者のコメント：{v.comment}"
        drafts.append({
            "id": f"fb-{n:04d}",
            "question": v.question,
            "history": v.history,
            "category": "TODO",
            "phenomena": [],
            "answerable": None,
            "gold": [],
            "facts": [],
            "comment": note,
            "draft": {"answer": v.answer, "citations": v.citations, "voted_at": v.time, "answer_id": v.id},
        })
    return drafts
