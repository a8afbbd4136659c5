"""`python -m evals --llm URL`: every suite also asked in the generative mode, side by side with the extractive one.

The generative system ("ours-generative") is the same index and the same Assistant, asked with
`mode="generative"`; its answers are scored by each suite's own scorer exactly as the extractive ones. On top
of that each suite reports, for the generative system, how many answers were shown as generated (the rest fell
back to the extractive answer, with the reason), the share of generated sentences the verifier accepted, and
how often it declined.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Callable, Mapping, Sequence

OURS_GEN = "ours-generative"
WARMUPS = {"九州の分野は？"}  # the suites' warm-up question (evals.run.WARMUP_QUESTION) is not a result


def configure(url: str | None, model: str | None = None, timeout: float | None = None) -> bool:
    """The LLM for this run (the entry point sets the assistant's own variables). True when one is set."""
    if url:
        os.environ["ASSISTANT_LLM_URL"] = url
    if model:
        os.environ["ASSISTANT_LLM_MODEL"] = model
    if timeout:
        os.environ["ASSISTANT_LLM_TIMEOUT"] = str(timeout)
    return enabled()


def enabled() -> bool:
    return bool(os.environ.get("ASSISTANT_LLM_URL"))


class Recorder:
    """What the generative mode did for each question (kept apart from the suites' own scoring)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, question: str, answer) -> None:
        if question in WARMUPS:
            return
        verdicts = list(getattr(answer, "verdicts", None) or [])
        trace = getattr(answer, "trace", None) or {}
        self.rows.append({"mode": getattr(answer, "mode", ""), "sentences": len(verdicts),
                          "verified": sum(bool(v.get("ok")) for v in verdicts),
                          "status": trace.get("generation_status", ""), "note": getattr(answer, "note", ""),
                          "declined": getattr(answer, "answerable", None) is not True})

    def take(self) -> dict:
        rows, self.rows = self.rows, []
        return summary(rows)


def summary(rows: Sequence[Mapping]) -> dict:
    sentences = sum(r["sentences"] for r in rows)
    reasons = Counter(r["note"] for r in rows if r["mode"] != "generative" and r["note"])
    return {
        "n": len(rows),
        "generated_share": sum(r["mode"] == "generative" for r in rows) / len(rows) if rows else None,
        "sentences": sentences,
        "verified_share": sum(r["verified"] for r in rows) / sentences if sentences else None,
        "declined_share": sum(r["declined"] for r in rows) / len(rows) if rows else None,
        "fallbacks": dict(reasons.most_common()),
    }


def generative_ask(bot) -> Callable:
    """`ask(question, history)` in the generative mode, recording what it did (`ask.recorder`)."""
    recorder = Recorder()

    def ask(question, history):
        answer = bot.ask(question, history=history, mode="generative")
        recorder.add(question, answer)
        return answer

    ask.recorder = recorder
    return ask


def record(group: dict, ask) -> dict:
    """Add the generation summary to a system's results when `ask` recorded one."""
    recorder = getattr(ask, "recorder", None)
    if recorder is not None:
        group["generation"] = recorder.take()
    return group


def markdown(report: Mapping) -> list[str]:
    """The side-by-side table of every suite that ran the generative system."""
    rows = []
    for suite_name, suite in report.get("suites", {}).items():
        for split, data in suite.get("splits", {}).items():
            systems = data.get("systems", {})
            gen = systems.get(OURS_GEN)
            if not gen or "generation" not in gen:
                continue
            ext = systems.get("ours", {}).get("overall", {})
            g, o = gen["generation"], gen["overall"]
            main = "cite@1" if "cite@1" in o else "fully_correct"

            def pct(v):
                return "–" if v is None else f"{v:.2f}"

            rows.append([f"{suite_name} / {split} ({data.get('n')})", f"{main}", pct(ext.get(main)), pct(o.get(main)),
                         pct(g["generated_share"]), f"{pct(g['verified_share'])} of {g['sentences']}", pct(g["declined_share"]),
                         "; ".join(f"{k} ×{v}" for k, v in list(g["fallbacks"].items())[:4]) or "–"])
    if not rows:
        return []
    head = ["suite / split", "metric", "extractive", "generative", "shown generated", "sentences verified", "declined",
            "why the extractive answer was shown instead"]
    lines = ["## Generative mode (--llm), side by side with the extractive mode", "",
             f"LLM: {os.environ.get('ASSISTANT_LLM_URL', '')} model {os.environ.get('ASSISTANT_LLM_MODEL') or '(the server’s first)'}, "
             f"timeout {os.environ.get('ASSISTANT_LLM_TIMEOUT') or 60} s. 'shown generated' = answers shown as generated "
             "(the rest are the extractive answer with a note); 'sentences verified' = generated sentences the verifier "
             "accepted, of all generated sentences; 'declined' = answers that say the documents do not answer.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
    return lines + [""]
