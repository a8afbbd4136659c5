"""`python -m evals --suite realdocs`: a real, published document set added as a user would add it.

The set (evals/data/realdocs/, CC BY 4.0, see COPIED.md) is a policy platform of 8 Markdown files and
50 questions of ten kinds with its own scorer (score.py there): an answer passes when it holds one string
of every `must` group, cites a file of every `gold` group and at least half of its cited files are gold;
an unanswerable question passes only when the system declines. The folder is added with
`assistant index FOLDER` next to the bundled plans (one collection). Follow-up questions get their
earlier turns asked first, and both turns as history.
"""

from __future__ import annotations

import importlib.util
import json
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from statistics import median

from evals import generative as G
from evals import metrics as M

SUITE = "realdocs"
OURS = "ours"
DATA = Path(__file__).resolve().parent / "data" / "realdocs"
KINDS = ("lookup", "which", "list", "count", "overview", "explain", "compare", "followup", "paraphrase", "unanswerable")


def load_items(data: Path = DATA) -> list[dict]:
    with open(data / "qa.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _scorer(data: Path = DATA):
    spec = importlib.util.spec_from_file_location("realdocs_score", data / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.score


def folder(log=print) -> Path:
    """The bundled plans plus the set's docs/ folder, as `assistant index FOLDER` adds it; cached by content."""
    from evals.folders import CACHE, _embedder, _local_env, assistant_index, cached_folder, content_key, index_fingerprint, index_inputs

    docs = DATA / "docs"
    key = content_key([*index_inputs(), docs], ["realdocs", *index_fingerprint(_embedder())])
    return cached_folder(SUITE, key, lambda d: assistant_index(d, [docs], _local_env()), CACHE, log)


def ask_item(ask: Callable[[str, list], object], item: Mapping) -> object:
    history: list[dict] = []
    for turn in item["history"]:
        earlier = ask(turn, history)
        history += [{"role": "user", "content": turn}, {"role": "assistant", "content": M.get(earlier, "text", "") or ""}]
    return ask(item["question"], history)


def run(ask, items: Sequence[Mapping], file_of: Callable[[object], str]) -> list[dict]:
    score = _scorer()
    rows = []
    for item in items:
        t = time.perf_counter()
        try:
            answer, error = ask_item(ask, item), False
        except Exception:  # noqa: BLE001 - one broken answer must not stop the run
            answer, error = None, True
        ms = (time.perf_counter() - t) * 1000
        text = "" if answer is None else (M.get(answer, "text", "") or "")
        cited = sorted({file_of(c) for c in M.claim_citations(answer)} - {""}) if answer is not None else []
        answerable = None if answer is None else M.get(answer, "answerable")
        result = score(dict(item), text, cited, answerable)
        rows.append({"id": item["id"], "kind": item["kind"], "pass": bool(result["pass"]), "length": M.answer_length(text),
                     "declined": answerable is not True, "answerable": item["answerable"], "error": error,
                     "latency_ms": None if error else ms, "intent": "" if answer is None else str(M.get(answer, "intent", "") or "")})
    return rows


def _rate(rs: Sequence[Mapping]) -> float | None:
    return sum(r["pass"] for r in rs) / len(rs) if rs else None


def summarize_groups(rows: Sequence[Mapping]) -> dict:
    """Overall figures and fully correct per kind of question."""
    kinds = [k for k in KINDS if any(r["kind"] == k for r in rows)]
    return {"overall": summarize(rows),
            "categories": {k: {"n": sum(r["kind"] == k for r in rows), "fully_correct": _rate([r for r in rows if r["kind"] == k])}
                           for k in kinds}}


def summarize(rows: Sequence[Mapping]) -> dict:
    rate = _rate

    declined = [r for r in rows if r["declined"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    lat = [r["latency_ms"] for r in rows if r["latency_ms"] is not None]
    return {
        "n": len(rows),
        "fully_correct": rate(rows),
        "answer_len_median": median(r["length"] for r in rows if r["answerable"]) if rows else None,
        "abstention_precision": (sum(not r["answerable"] for r in declined) / len(declined)) if declined else None,
        "abstention_recall": (sum(r["declined"] for r in unanswerable) / len(unanswerable)) if unanswerable else None,
        "errors": sum(r["error"] for r in rows),
        "latency_p50_ms": M.percentile(lat, 50),
        "latency_p95_ms": M.percentile(lat, 95),
    }


def evaluate_realdocs(baseline: bool, log=print) -> dict:
    from corpus.loaders import load_paths
    from corpus.store import load_bundled_documents
    from evals.folders import local_settings

    started = time.perf_counter()
    data_dir = folder(log=log)
    items = load_items()
    docs = load_bundled_documents() + load_paths([DATA / "docs"]).documents
    files = {d.doc_id: d.file_name for d in docs}

    def file_of(c) -> str:
        return M.get(c, "file", "") or files.get(M.get(c, "doc_id", ""), "")

    def ours(generative: bool = False):
        from assistant import Assistant

        bot = Assistant.load(local_settings(data_dir))
        # ours indexed the folder itself: its doc ids are the files' names under the collection
        mine = {p.document.doc_id: p.document.file_name for p in bot.documents()}
        ask = G.generative_ask(bot) if generative else (lambda q, h: bot.ask(q, history=h))
        return ask, (lambda: None), (lambda c: M.get(c, "file", "") or mine.get(M.get(c, "doc_id", ""), ""))

    factories = [(OURS, ours)]
    if G.enabled():
        factories.append((G.OURS_GEN, lambda: ours(generative=True)))
    if baseline:
        from evals.baselines import ParagraphBM25Baseline, StarterBaseline

        factories += [
            (StarterBaseline.name, lambda: (lambda b: (b.ask, b.close, file_of))(StarterBaseline(documents=docs))),
            (ParagraphBM25Baseline.name, lambda: (lambda b: (b.ask, b.close, file_of))(ParagraphBM25Baseline(docs))),
        ]
    systems = {}
    for name, factory in factories:
        log(f"[{SUITE}] loading {name}")
        ask, close, cite_file = factory()
        try:
            rows = run(ask, items, cite_file)
        finally:
            close()
        systems[name] = G.record(summarize_groups(rows), ask)
        o = systems[name]["overall"]
        log(f"  {name}: {len(rows)} questions, fully correct {o['fully_correct']:.3f}, median length {o['answer_len_median']}")
    return {
        "systems": list(systems),
        "splits": {SUITE: {"n": len(items), "systems": systems}},
        "seconds": time.perf_counter() - started,
        "notes": [
            "realdocs: 「安野たかひろ：都知事選2024マニフェスト」 (安野たかひろ, CC BY 4.0), 8 Markdown files added with "
            "`assistant index FOLDER` next to the bundled plans; 50 questions of ten kinds scored by the set's own "
            "score.py (evals/data/realdocs/). A development set: its failures were read (issue 18).",
        ],
    }
