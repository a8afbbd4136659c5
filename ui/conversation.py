"""The chat conversation as the browser keeps it (JSON in the page and in localStorage): pure data, no Gradio.

The server keeps no conversation: each request brings the current one and gets it back updated. What comes
from a browser is untrusted, so `parse` rebuilds it from known keys, with types checked and sizes bounded.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timezone
from typing import Any

from assistant import CONTEXT_TURNS, Citation, MAX_COMMENT_CHARS, MAX_QUESTION_CHARS

MAX_TURNS = 40  # per conversation; older turns are dropped (the browser keeps many conversations)
HISTORY_MESSAGES = 2 * CONTEXT_TURNS  # the turns the assistant re-reads (assistant.history caps them anyway)
MAX_JSON_CHARS = 2_000_000  # a conversation larger than this is not read (MAX_TURNS answers fit easily)
MAX_CANDIDATES = 10
TITLE_CHARS = 40
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
LINE_KEYS = ("kind", "text", "cites", "unit", "items", "strength", "strengths")
STRENGTHS = ("planned", "potential")  # assistant.types.Strength values
FEEDBACK_STATES = ("open", "sent")  # the answer's comment box: open under it, or its comment recorded
CITATION_KEYS = ("n", "chunk_id", "doc_id", "title", "block", "section", "text", "start", "end", "score", "page",
                 "reference", "file", "shown")
CANDIDATE_KEYS = ("chunk_id", "doc_id", "block", "section", "start", "end", "score", "dense", "bm25")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


MODES = ("extractive", "generative")  # assistant.MODES: how the conversation's questions are answered


def empty() -> dict:
    return {"id": new_id("c"), "title": "", "created": now(), "turns": [], "mode": MODES[0]}


def title_for(question: str) -> str:
    one_line = " ".join(str(question).split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[:TITLE_CHARS] + "…"


# --- reading what the browser sent -------------------------------------------------------------------------


def _str(v: Any, limit: int = 20_000) -> str:
    return v[:limit] if isinstance(v, str) else ""


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _ident(v: Any, prefix: str) -> str:
    return v if isinstance(v, str) and _ID.match(v) else new_id(prefix)


def _line(d: Any) -> dict | None:
    if not isinstance(d, dict) or not isinstance(d.get("kind"), str):
        return None
    out = {"kind": _str(d["kind"], 20), "text": _str(d.get("text")),
           "cites": [n for n in d.get("cites") or [] if _int(n) is not None][:50]}
    if d.get("unit"):
        out["unit"] = _str(d["unit"], 200)
    if isinstance(d.get("items"), list):
        out["items"] = [_str(i, 500) for i in d["items"][:100]]
    if d.get("strength") in STRENGTHS:
        out["strength"] = d["strength"]
    if isinstance(d.get("strengths"), list):
        out["strengths"] = [s if s in STRENGTHS else None for s in d["strengths"][:100]]
    return out


def citation(d: Any) -> dict | None:
    """A citation from the browser, checked (None when it is not one)."""
    if not isinstance(d, dict) or _int(d.get("n")) is None:
        return None
    out = {k: _str(d.get(k), 20_000) for k in ("chunk_id", "doc_id", "title", "block", "section", "text")}
    out.update(n=d["n"], start=_int(d.get("start")) or 0, end=_int(d.get("end")) or 0, score=_num(d.get("score")) or 0.0,
               page=_int(d.get("page")), reference=d.get("reference") is True)
    return out


def as_citation(d: dict) -> Citation:
    """A stored citation (see `citation`) as the application's Citation, for assistant.render."""
    return Citation(**{k: d[k] for k in CITATION_KEYS if k in d})


def _plain(v: Any, depth: int = 0) -> Any:
    """A JSON value with bounded depth and size (the trace's entity lists)."""
    if isinstance(v, (bool, int, float)) or v is None:
        return v
    if isinstance(v, str):
        return v[:500]
    if depth < 3 and isinstance(v, list):
        return [_plain(x, depth + 1) for x in v[:50]]
    if depth < 3 and isinstance(v, dict):
        return {str(k)[:50]: _plain(x, depth + 1) for k, x in list(v.items())[:50]}
    return None


def compact_trace(trace: Any) -> dict:
    """The `--explain` trace, kept small enough to store with every answer."""
    if not isinstance(trace, dict):
        return {}
    out = {k: _plain(v) for k, v in trace.items() if k not in ("candidates", "chosen")}
    out["candidates"] = [
        {k: _plain(c.get(k)) for k in CANDIDATE_KEYS if k in c}
        for c in (trace.get("candidates") or [])[:MAX_CANDIDATES] if isinstance(c, dict)
    ]
    out["chosen"] = [_plain(c) for c in (trace.get("chosen") or [])[:50] if isinstance(c, dict)]
    if isinstance(trace.get("carried"), list):
        out["carried"] = [_str(x, 200) for x in trace["carried"][:10] if isinstance(x, str)]
    return out


def _verdict(d: Any) -> dict | None:
    if not isinstance(d, dict):
        return None
    return {"text": _str(d.get("text"), 2000), "cites": [n for n in d.get("cites") or [] if _int(n) is not None][:20],
            "ok": d.get("ok") is True, "why": _str(d.get("why"), 300)}


def answer_record(answer: Any) -> dict:
    """An `Answer` (or its dict) as stored in a turn (the generative mode's mode, model, note and verdicts too)."""
    d = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer or {})
    return {
        "mode": d.get("mode") if d.get("mode") in MODES else MODES[0],
        "model": _str(d.get("model"), 200),
        "note": _str(d.get("note"), 500),
        "verdicts": [x for x in map(_verdict, (d.get("verdicts") or [])[:50]) if x],
        "text": _str(d.get("text")),
        "answerable": d.get("answerable") is True,
        "intent": _str(str(d.get("intent", "")), 40),
        "lines": [x for x in map(_line, d.get("lines") or []) if x],
        "citations": [x for x in map(citation, d.get("citations") or []) if x],
        "omitted": max(0, min(_int(d.get("omitted")) or 0, 1_000_000)),  # list entries left out (続きを表示)
    }


def _turn(d: Any) -> dict | None:
    if not isinstance(d, dict) or not isinstance(d.get("question"), str):
        return None
    return {
        "id": _ident(d.get("id"), "t"),
        "question": d["question"][:MAX_QUESTION_CHARS],
        "answer": answer_record(d.get("answer")),
        "extractive": answer_record(d["extractive"]) if isinstance(d.get("extractive"), dict) else None,
        "trace": compact_trace(d.get("trace")),
        "context": d.get("context") is not False,
        "doc_ids": [_str(x, 200) for x in (d.get("doc_ids") or [])[:50] if isinstance(x, str)],
        "verdict": d.get("verdict") if d.get("verdict") in ("up", "down") else None,
        "comment": _str(d.get("comment"), MAX_COMMENT_CHARS),
        "feedback": d.get("feedback") if d.get("feedback") in FEEDBACK_STATES else None,
        "error": _str(d.get("error"), 1000),
        "time": _str(d.get("time"), 40),
    }


def parse(raw: Any) -> dict:
    """A conversation from the browser (JSON text or dict); anything unreadable gives a new, empty one."""
    if isinstance(raw, str):
        if not raw.strip() or len(raw) > MAX_JSON_CHARS:
            return empty()
        try:
            raw = json.loads(raw)
        except ValueError:
            return empty()
    if not isinstance(raw, dict):
        return empty()
    turns = [t for t in map(_turn, (raw.get("turns") or [])[-MAX_TURNS:] if isinstance(raw.get("turns"), list) else [])
             if t]
    return {"id": _ident(raw.get("id"), "c"), "title": _str(raw.get("title"), 200), "created": _str(raw.get("created"), 40)
            or now(), "turns": turns, "mode": raw.get("mode") if raw.get("mode") in MODES else MODES[0]}


def dumps(conv: dict) -> str:
    return json.dumps(conv, ensure_ascii=False, separators=(",", ":"))


# --- changing it --------------------------------------------------------------------------------------------


def history(conv: dict, before: int | None = None) -> list[dict]:
    """The turns before index `before` (default: all) as the assistant's history, the last ones only.
    Failed turns are left out: they carry no answer to refer back to."""
    turns = conv["turns"][:before] if before is not None else conv["turns"]
    messages = []
    for t in turns:
        if t.get("error"):
            continue
        messages += [{"role": "user", "content": t["question"]}, {"role": "assistant", "content": t["answer"]["text"]}]
    return messages[-HISTORY_MESSAGES:]


def make_turn(question: str, answer: Any = None, *, error: str = "", context: bool = True,
              doc_ids: list[str] | None = None) -> dict:
    return {
        "id": new_id("t"),
        "question": question[:MAX_QUESTION_CHARS],
        "answer": answer_record(answer) if answer is not None else answer_record({}),
        "extractive": answer_record(answer.extractive) if getattr(answer, "extractive", None) is not None else None,
        "trace": compact_trace(getattr(answer, "trace", None)) if answer is not None else {},
        "context": context,
        "doc_ids": list(doc_ids or []),
        "verdict": None,
        "comment": "",
        "feedback": None,
        "error": error,
        "time": now(),
    }


def with_turn(conv: dict, turn: dict, index: int | None = None) -> dict:
    """A new conversation with `turn` appended (or replacing the turn at `index`), bounded to MAX_TURNS."""
    turns = list(conv["turns"])
    if index is None:
        turns.append(turn)
    else:
        turns[index] = turn
    title = conv.get("title") or title_for(turns[0]["question"] if turns else "")
    return {**conv, "title": title, "turns": turns[-MAX_TURNS:]}


def find(conv: dict, turn_id: Any) -> int | None:
    return next((i for i, t in enumerate(conv["turns"]) if t["id"] == turn_id), None)
