"""`python -m evals`: the answer-quality suites, their report, and the gate.

    python -m evals [--suite plans|documents|all] [--split dev|newplan|holdout|all] [--baseline]
                    [--sample N] [--check] [--report FILE] [--out evals/reports] [--data-dir DIR] [--llm URL]

With `--llm URL` (or ASSISTANT_LLM_URL) every suite also asks ours in the generative mode ("ours-generative",
evals/generative.py), side by side with the extractive mode.

- plans: the hand-written question sets (evals/datasets) on the bundled plans plus the evaluation's own
  plan (evals/documents), indexed together as a user would index them.
- documents: JSQuAD articles as user documents (evals/documents_suite.py).

Writes <out>/latest.md, latest.json and latest.png. `--check` compares ours with evals/thresholds.toml
and exits 1 naming every metric below its minimum (or above its [split.max] ceiling); `--report FILE`
checks a saved latest.json instead of running. The holdout split and the documents suite are kept as
aggregates only: no per-item rows in memory after scoring, in the report or on the screen.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from evals import documents_suite as D
from evals import generative as G
from evals import realdocs as R
from evals.asking import warm_up
from evals import metrics as M
from evals.dataset import CATEGORIES, SPLITS, Corpus, load_corpus, load_split, plan_document_paths

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
THRESHOLDS = HERE / "thresholds.toml"
OURS = "ours"
SUITES = ("plans", "documents", "realdocs")
AGGREGATE_ONLY = {"holdout"}  # frozen: read its aggregate score only (the documents suite is aggregate-only too)
WARMUP_QUESTION = "九州の分野は？"
REPORTED_PHENOMENA = ("place", "scope", "variant", "english", "negation", "compound", "yes_no", "prose", "ellipsis",
                      "reference", "continuation", "budget", "date", "number")

Ask = Callable[[str, list], object]


# --- scoring ---------------------------------------------------------------------------------------------


def _citation_view(c) -> dict:
    text = M.get(c, "text", "") or ""
    return {
        "n": M.get(c, "n"), "doc_id": M.get(c, "doc_id"), "block": M.get(c, "block"), "section": M.get(c, "section"),
        "start": M.get(c, "start"), "end": M.get(c, "end"), "reference": bool(M.get(c, "reference", False)),
        "text": text if len(text) <= 120 else text[:120] + "…",
    }


def score_item(item: Mapping, answer, latency_ms: float | None, corpus: Corpus, error: str | None = None) -> dict:
    """One item's scores and what a developer needs to see why it failed."""
    text = M.get(answer, "text", "") or ""
    ok, reasons = M.correctness(item, answer, corpus.section_spans)
    if error:
        ok, reasons = False, [f"error: {error}"] + reasons
    problems = M.citation_problems(answer, corpus.documents)
    answerable = item["answerable"]
    ranked = M.ranked_entries(answer, corpus.chunk_spans)
    trace = M.get(answer, "trace", None) or {}
    return {
        "id": item["id"],
        "category": item["category"],
        "phenomena": list(item.get("phenomena", [])),
        "question": item["question"],
        "history": item.get("history", []),
        "answer": text,
        "intent": M.get(answer, "intent"),
        "answerable_gold": answerable,
        "answerable_pred": M.get(answer, "answerable"),
        "fully_correct": ok,
        "reasons": reasons,
        "fact_recall": M.fact_recall(item["facts"], text) if answerable else None,
        "missing_facts": M.missing_facts(item["facts"], text) if answerable else [],
        "citation_precision": M.citation_precision(item, answer, corpus.section_spans) if answerable else None,
        "citation_recall": M.citation_recall(item, answer) if answerable else None,
        "citation_valid": not problems and not error,
        "citation_problems": problems,
        "retrieval": M.retrieval_scores(item["gold"], ranked, corpus.section_spans) if answerable else None,
        "gold_blocks": [g["block"] for g in item["gold"]],
        "cited_blocks": [b for _, b in M.cited_blocks(answer)],
        "citations": [_citation_view(c) for c in (M.get(answer, "citations", None) or [])],
        "candidates": [M.get(c, "block") for c in (trace.get("candidates") or [])][:10],
        "latency_ms": latency_ms,
        "answer_len": M.answer_length(text),
        "char_f1": M.char_f1(text, item["reference"]) if item.get("reference") and answerable else None,
        "error": error,
    }


class _Failed:
    """Stands in for an answer when `ask` raised."""

    text, citations, answerable, intent, trace = "", [], None, "error", {}


def run_system(name: str, ask: Ask, items: Sequence[Mapping], corpus: Corpus, judge=None, log=print) -> list[dict]:
    warm_up(ask, WARMUP_QUESTION)
    results = []
    for item in items:
        error = None
        t = time.perf_counter()
        try:
            answer = ask(item["question"], list(item.get("history", [])))
        except Exception as exc:  # noqa: BLE001 - one broken answer must not stop the run
            answer, error = _Failed(), f"{type(exc).__name__}: {exc}"
        ms = (time.perf_counter() - t) * 1000
        r = score_item(item, answer, None if error else ms, corpus, error)
        if judge is not None and M.get(answer, "answerable") and M.claim_citations(answer):
            r["faithfulness"] = judge.faithfulness(item["question"], r["answer"], [M.get(c, "text", "") for c in M.claim_citations(answer)])
        results.append(r)
    log(f"  {name}: {len(results)} items, fully correct {sum(r['fully_correct'] for r in results)}")
    return results


def summarize_groups(results: Sequence[Mapping]) -> dict:
    out = {"overall": M.summarize(results), "categories": {}, "phenomena": {}}
    for cat in CATEGORIES:
        rows = [r for r in results if r["category"] == cat]
        if rows:
            out["categories"][cat] = M.summarize(rows)
    tags = sorted({t for r in results for t in r["phenomena"]})
    for tag in tags:
        out["phenomena"][tag] = M.summarize([r for r in results if tag in r["phenomena"]])
    faith = [r["faithfulness"] for r in results if r.get("faithfulness") is not None]
    if faith:
        out["overall"]["faithfulness"] = sum(faith) / len(faith)
    return out


# --- systems ---------------------------------------------------------------------------------------------


def plans_settings(data_dir: Path | None = None, log=print):
    """Settings for the plans suite: the cached folder, or `data_dir` with the evaluation's plan added to it
    (as `assistant index PATH` adds a document; CHROMA_URL and the other variables are honoured there)."""
    from assistant.config import Settings
    from evals.folders import add_plan_documents, local_settings, plans_folder

    if data_dir is None:
        return local_settings(plans_folder(log=log))
    add_plan_documents(data_dir, plan_document_paths(), dict(os.environ))
    return Settings.from_env(data_dir=data_dir)


def evaluate_plans(splits: Sequence[str], baseline: bool, data_dir: Path | None = None, log=print, with_judge: bool = True) -> dict:
    from evals.judge import judge_from_env

    started = time.perf_counter()
    corpus = load_corpus()
    judge = judge_from_env() if with_judge else None
    data = {s: load_split(s) for s in splits}
    section: dict = {"systems": [], "load_s": {}, "notes": [], "splits": {}}
    # One system at a time (build, run every split, close): a baseline's background work cannot slow ours.
    factories: list[tuple[str, Callable[[], tuple[Ask, Callable[[], None]]]]] = []

    def make_ours(generative: bool = False):
        from assistant import Assistant

        settings = plans_settings(data_dir, log)
        bot = Assistant.load(settings)
        section["settings"] = {"embedder": settings.embedder, "top_k": settings.top_k, "fusion": settings.fusion,
                               "documents": [d.document.title for d in bot.documents()]}
        return (G.generative_ask(bot) if generative else (lambda q, h: bot.ask(q, history=h))), (lambda: None)

    factories.append((OURS, make_ours))
    if G.enabled():
        factories.append((G.OURS_GEN, lambda: make_ours(generative=True)))
    if baseline:
        from evals.baselines import BM25Baseline, StarterBaseline

        docs = list(corpus.documents.values())
        for cls in (StarterBaseline, BM25Baseline):
            factories.append((cls.name, lambda cls=cls: (lambda b: (b.ask, b.close))(cls(documents=docs))))
    section["systems"] = [name for name, _ in factories]
    for split, items in data.items():
        section["splits"][split] = {"n": len(items), "aggregate_only": split in AGGREGATE_ONLY, "systems": {}}
    for name, factory in factories:
        log(f"[plans] loading {name}")
        t = time.perf_counter()
        ask, close = factory()
        section["load_s"][name] = time.perf_counter() - t
        try:
            for split, items in data.items():
                log(f"[{split}] {len(items)} items")
                results = run_system(name, ask, items, corpus, judge if name == OURS else None, log)
                group = G.record(summarize_groups(results), ask)
                if split not in AGGREGATE_ONLY:
                    group["items"] = results
                section["splits"][split]["systems"][name] = group
        finally:
            close()
    if judge is None:
        section["notes"].append(
            "LLM-judge faithfulness: skipped — OPENAI_BASE_URL is not set, so no network call was attempted."
            if with_judge else "LLM-judge faithfulness: skipped (--no-judge)."
        )
    else:
        section["notes"].append(f"LLM-judge faithfulness (ours only, not deterministic, not gated): {judge.describe()}.")
    section["notes"] += [
        "Index: the bundled plans plus " + ", ".join(p.name for p in plan_document_paths()) + " (evals/documents), added "
        "as a user document; every split is asked of that one index.",
        "Latency is wall time of one ask() per item on this machine after one warm-up question; loading is listed separately.",
        "Fully correct does not penalise verbosity: an answer that pastes whole blocks contains their facts. Read it with "
        "answer length and citation precision (the BM25 baseline pastes whole blocks, the starter ~800-character nodes).",
        "Baselines ignore the conversation history (they search the last question alone) and never abstain unless they retrieve nothing.",
        "fully correct (answerable item) = answerable=True, every required fact in the text, every gold block and gold section cited, "
        "at most one extra unit cited, and the yes/no cue right when the item has a polarity; (unanswerable item) = answerable=False.",
        "The holdout split is frozen (SHA-256 pinned in tests/test_evals_holdout.py) and reported as aggregates only.",
    ]
    section["seconds"] = time.perf_counter() - started
    return section


def evaluate(suites: Sequence[str], splits: Sequence[str], baseline: bool, sample: int = D.SAMPLE_SIZE,
             data_dir: Path | None = None, log=print, with_judge: bool = True) -> dict:
    report = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores {platform.machine()}, Python {platform.python_version()}",
        "load_average_before": list(os.getloadavg()),
        "suites": {},
    }
    if "plans" in suites:
        report["suites"]["plans"] = evaluate_plans(splits, baseline, data_dir, log, with_judge)
    if "documents" in suites:
        report["suites"]["documents"] = D.evaluate_documents(baseline, sample, D.SEED, log)
    if "realdocs" in suites:
        report["suites"]["realdocs"] = R.evaluate_realdocs(baseline, log)
    report["load_average_after"] = list(os.getloadavg())
    report["notes"] = [
        f"Load average (1/5/15 min) before {_load(report['load_average_before'])}, after {_load(report['load_average_after'])}: "
        "other processes on the machine inflate the latency tail.",
    ]
    return report


def all_splits(report: Mapping) -> dict:
    """Every split of every suite by name (dev, newplan, holdout, documents)."""
    return {name: data for suite in report.get("suites", {}).values() for name, data in suite.get("splits", {}).items()}


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


# --- output ----------------------------------------------------------------------------------------------

COLUMNS = [  # (metric, header) of the plans suite
    ("n", "n"), ("fully_correct", "正答"), ("fact_recall", "facts"), ("citation_precision", "cite P"),
    ("citation_recall", "cite R"), ("citation_validity", "valid"), ("hit@1", "hit@1"), ("hit@3", "hit@3"),
    ("hit@5", "hit@5"), ("mrr", "MRR"), ("ndcg@10", "nDCG"), ("abstention_precision", "abst P"),
    ("abstention_recall", "abst R"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("answer_len", "len"),
]
DOC_COLUMNS = [  # (metric, header) of the documents suite
    ("n", "n"), ("cite@1", "cite@1"), ("hit@3", "hit@3"), ("doc@1", "doc@1"), ("contains_gold", "contains gold"),
    ("wrongly_declined", "declined"), ("citation_validity", "valid"), ("answer_len_median", "len (median)"),
    ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("embed_p50_ms", "embed p50 ms"), ("embed_p95_ms", "embed p95 ms"),
]


RD_COLUMNS = [  # (metric, header) of the realdocs suite
    ("n", "n"), ("fully_correct", "正答"), ("answer_len_median", "len (median)"), ("abstention_precision", "abst P"),
    ("abstention_recall", "abst R"), ("errors", "errors"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
]


def fmt(metric: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if metric in ("n", "errors"):
        return str(int(v))
    if "latency" in metric or "embed" in metric or metric.startswith("answer_len"):
        return f"{v:.1f}" if v < 100 else f"{v:.0f}"
    return f"{v:.2f}"


def table_rows(group: Mapping) -> list[tuple[str, dict]]:
    return [("overall", group["overall"])] + list(group["categories"].items())


def _columns(split: str) -> list[tuple[str, str]]:
    return DOC_COLUMNS if split == D.SUITE else RD_COLUMNS if split == R.SUITE else COLUMNS


def print_summary(report: Mapping, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 200)
    for split, data in all_splits(report).items():
        cols = _columns(split)
        compare = Table(title=f"[{split}] overall ({data['n']} {'questions' if split == D.SUITE else 'items'})")
        compare.add_column("system")
        for _, h in cols[1:]:
            compare.add_column(h, justify="right")
        for name, group in data["systems"].items():
            compare.add_row(name, *[fmt(m, group["overall"].get(m)) for m, _ in cols[1:]])
        console.print(compare)
        ours = data["systems"].get(OURS)
        if ours:
            t = Table(title=f"[{split}] ours per {'question type' if split == D.SUITE else 'category'}")
            t.add_column("group")
            for _, h in cols:
                t.add_column(h, justify="right")
            for label, row in table_rows(ours):
                t.add_row(label, *[fmt(m, row.get(m)) for m, _ in cols])
            console.print(t)
    for suite in report.get("suites", {}).values():
        for note in suite.get("notes", []):
            console.print(f"[dim]{note}[/dim]")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


HEADLINE = [("fully_correct", "fully correct"), ("fact_recall", "facts"), ("citation_precision", "cite P"),
            ("citation_recall", "cite R"), ("hit@1", "hit@1"), ("abstention_precision", "abst P"),
            ("abstention_recall", "abst R"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("answer_len", "len")]
DOC_HEADLINE = [("cite@1", "cite@1"), ("hit@3", "hit@3"), ("contains_gold", "contains gold"), ("wrongly_declined", "wrongly declined"),
                ("answer_len_median", "median len"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
                ("embed_p50_ms", "embed p50 ms")]


def headline(report: Mapping) -> list[str]:
    """The tables the README copies: every suite, ours and the baselines."""
    lines = []
    plans = {s: d for s, d in report.get("suites", {}).get("plans", {}).get("splits", {}).items()}
    if plans:
        lines += _md_table(["split", "system"] + [h for _, h in HEADLINE], [
            [f"{s} ({d['n']})", name] + [fmt(m, g["overall"].get(m)) for m, _ in HEADLINE]
            for s, d in plans.items() for name, g in d["systems"].items()])
        lines.append("")
    docs = report.get("suites", {}).get("documents")
    if docs:
        data = docs["splits"][D.SUITE]
        lines += _md_table([f"documents ({data['n']} JSQuAD questions)"] + [h for _, h in DOC_HEADLINE], [
            [name] + [fmt(m, g["overall"].get(m)) for m, _ in DOC_HEADLINE] for name, g in data["systems"].items()])
        lines.append("")
    real = report.get("suites", {}).get("realdocs")
    if real:
        data = real["splits"][R.SUITE]
        kinds = [k for k in R.KINDS if k in data["systems"][OURS]["categories"]]
        lines += _md_table([f"realdocs ({data['n']} questions)", "fully correct", "median len"] + kinds, [
            [name, fmt("fully_correct", g["overall"]["fully_correct"]), fmt("answer_len_median", g["overall"]["answer_len_median"])]
            + [fmt("fully_correct", g["categories"].get(k, {}).get("fully_correct")) for k in kinds]
            for name, g in data["systems"].items()])
        lines.append("")
    return lines


def _plans_markdown(section: Mapping) -> list[str]:
    lines = ["## Suite: plans", "",
             f"{section.get('seconds', 0):.0f} s. Systems: {', '.join(section['systems'])}. Settings of ours: {section.get('settings', {})}. "
             "Load time: " + ", ".join(f"{k} {v:.1f} s" for k, v in section.get("load_s", {}).items()) + ".", "",
             "Columns: 正答 = fully correct; facts = required-fact recall; cite P/R = citation precision/recall; "
             "valid = share of answers whose citations are verbatim spans and whose markers match; hit@k, MRR, nDCG@10 "
             "over answerable items (cited passages first, then candidates, one rank per block or gold section); abst P/R = "
             "abstention precision/recall; len = answer characters.", ""]
    for split, data in section["splits"].items():
        lines += [f"### {split} ({data['n']} items)" + (" — aggregates only" if data.get("aggregate_only") else ""), "",
                  "#### Overall", ""]
        lines += _md_table(["system"] + [h for _, h in COLUMNS[1:]],
                           [[name] + [fmt(m, g["overall"].get(m)) for m, _ in COLUMNS[1:]] for name, g in data["systems"].items()])
        if any("faithfulness" in g["overall"] for g in data["systems"].values()):
            lines += ["", "LLM-judge faithfulness: " + ", ".join(
                f"{n} {g['overall']['faithfulness']:.2f}" for n, g in data["systems"].items() if "faithfulness" in g["overall"])]
        lines += ["", "#### ours: per category", ""]
        ours = data["systems"][OURS]
        lines += _md_table(["category"] + [h for _, h in COLUMNS], [[lab] + [fmt(m, row.get(m)) for m, _ in COLUMNS] for lab, row in table_rows(ours)])
        names = list(data["systems"])
        lines += ["", "#### Fully correct per category, all systems", ""]
        cats = [c for c in CATEGORIES if c in ours["categories"]]
        lines += _md_table(["category", "n"] + names, [[c, str(ours["categories"][c]["n"])] + [
            fmt("x", data["systems"][n]["categories"].get(c, {}).get("fully_correct")) for n in names] for c in cats])
        lines += ["", "#### Fully correct per phenomenon, all systems", ""]
        tags = [t for t in REPORTED_PHENOMENA if t in ours["phenomena"]]
        lines += _md_table(["phenomenon", "n"] + names, [
            [t, str(ours["phenomena"][t]["n"])] + [fmt("x", data["systems"][n]["phenomena"].get(t, {}).get("fully_correct")) for n in names]
            for t in tags])
        if "items" in ours and not data.get("aggregate_only"):
            failing = [r for r in ours["items"] if not r["fully_correct"]]
            lines += ["", f"#### Failing items of ours ({len(failing)} of {data['n']})", ""]
            if failing:
                lines += _md_table(["id", "category", "question", "answer (start)", "why"], [
                    [r["id"], r["category"], _cell(("… " if r["history"] else "") + r["question"]),
                     _cell(r["answer"][:140] + ("…" if len(r["answer"]) > 140 else "")), _cell("; ".join(r["reasons"]))]
                    for r in failing])
            invalid = [r for r in ours["items"] if r["citation_problems"]]
            if invalid:
                lines += ["", "Citation problems of ours:", ""] + [f"- {r['id']}: {'; '.join(r['citation_problems'])}" for r in invalid]
        lines.append("")
    lines += ["### Notes (plans)", ""] + [f"- {n}" for n in section.get("notes", [])] + [""]
    return lines


def _documents_markdown(section: Mapping) -> list[str]:
    data = section["splits"][D.SUITE]
    s = section["sample"]
    names = list(data["systems"])
    lines = ["## Suite: documents (JSQuAD) — aggregates only", "",
             f"{section.get('seconds', 0):.0f} s (data folder ready in {section.get('folder_s', 0):.0f} s). "
             f"{s['articles']} articles ({s['paragraphs']} paragraphs) indexed as user documents with the bundled plans "
             f"({s['documents_indexed']} documents); {s['size']} of {s['of']} questions, seed {s['seed']}. "
             f"Settings of ours: {section.get('settings', {})}. "
             "Load time: " + ", ".join(f"{k} {v:.1f} s" for k, v in section.get("load_s", {}).items()) + ".", "",
             "#### Overall", ""]
    lines += _md_table(["system"] + [h for _, h in DOC_COLUMNS[1:]],
                       [[n] + [fmt(m, g["overall"].get(m)) for m, _ in DOC_COLUMNS[1:]] for n, g in data["systems"].items()])
    lines += ["", "Answers per intent (what each system took the questions for): " + "; ".join(
        f"{n}: " + ", ".join(f"{k} {v:.0%}" for k, v in list(g["overall"].get("intents", {}).items())[:6])
        for n, g in data["systems"].items()) + "."]
    types = [t for t in D.TYPE_ORDER if t in data["systems"][OURS]["categories"]]
    for metric, label in (("cite@1", "cite@1"), ("contains_gold", "contains gold"), ("wrongly_declined", "wrongly declined")):
        lines += ["", f"#### {label} per question type", ""]
        lines += _md_table(["question type", "n"] + names, [
            [t, str(data["systems"][OURS]["categories"][t]["n"])] + [fmt(metric, data["systems"][n]["categories"].get(t, {}).get(metric)) for n in names]
            for t in types])
    lines += ["", "### Notes (documents)", ""] + [f"- {n}" for n in section.get("notes", [])] + [""]
    return lines


def markdown(report: Mapping) -> str:
    suites = report.get("suites", {})
    lines = ["# Answer-quality evaluation", "",
             f"Generated {report['generated']} on {report['machine']}. Suites: "
             + ", ".join(f"{name} ({s.get('seconds', 0):.0f} s)" for name, s in suites.items()) + ".", "",
             "## Headline", ""] + headline(report) + G.markdown(report)
    if "plans" in suites:
        lines += _plans_markdown(suites["plans"])
    if "documents" in suites:
        lines += _documents_markdown(suites["documents"])
    if "realdocs" in suites:
        lines += ["## Suite: realdocs (a real policy platform, 8 Markdown files)", "",
                  f"{suites['realdocs'].get('seconds', 0):.0f} s.", ""] + [f"- {n}" for n in suites["realdocs"].get("notes", [])] + [""]
    lines += ["## Notes", ""] + [f"- {n}" for n in report.get("notes", [])] + ["", "![per category and question type](latest.png)", ""]
    return "\n".join(lines)


def chart(report: Mapping, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401 - Japanese glyphs

    panels = [(s, d) for s, d in all_splits(report).items()]
    docs = any(s == D.SUITE for s, _ in panels)
    fig, axes = plt.subplots(len(panels) + docs, 1, figsize=(12, 4.2 * (len(panels) + docs)), squeeze=False)
    axes = list(axes[:, 0])

    def bars(ax, systems, groups, values, title, ylabel):
        width = 0.8 / max(1, len(systems))
        for k, name in enumerate(systems):
            xs = [i + (k - (len(systems) - 1) / 2) * width for i in range(len(groups))]
            ax.bar(xs, [values(name, g) or 0.0 for g in groups], width, label=name)
        ax.set_xticks(range(len(groups)), groups, rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)

    for split, data in panels:
        systems = data["systems"]
        if split == D.SUITE:
            metrics = ["cite@1", "hit@3", "doc@1", "contains_gold", "wrongly_declined"]
            bars(axes.pop(0), list(systems), metrics, lambda n, m: systems[n]["overall"].get(m),
                 f"documents (JSQuAD): 全体（{data['n']}問）", "割合")
            types = [t for t in D.TYPE_ORDER if t in systems[OURS]["categories"]]
            bars(axes.pop(0), list(systems), types, lambda n, t: systems[n]["categories"].get(t, {}).get("cite@1"),
                 "documents (JSQuAD): 疑問詞別の cite@1", "cite@1")
            continue
        kinds = R.KINDS if split == R.SUITE else CATEGORIES
        cats = ["overall"] + [c for c in kinds if c in systems[OURS]["categories"]]
        bars(axes.pop(0), list(systems), cats,
             lambda n, c: (systems[n]["overall"] if c == "overall" else systems[n]["categories"].get(c, {})).get("fully_correct"),
             f"{split}: カテゴリ別の完全正答率（{data['n']}問）", "完全正答率")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_outputs(report: Mapping, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (out / "latest.md").write_text(markdown(report), encoding="utf-8")
    chart(report, out / "latest.png")


# --- gate ------------------------------------------------------------------------------------------------


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


def check(report: Mapping, thresholds: Mapping) -> tuple[list[str], list[str]]:
    """(failures, notes) for ours. A table is named after a split of any suite (dev, newplan, holdout,
    documents). Top-level numbers are minima of overall metrics; [split.max] holds ceilings;
    [split.categories] / [split.phenomena] hold minimum fully_correct per group."""
    failures, notes = [], []
    splits = all_splits(report)
    for split, spec in thresholds.items():
        if not isinstance(spec, Mapping):
            continue
        data = splits.get(split)
        if data is None:
            notes.append(f"[{split}] not run: not checked")
            continue
        ours = data["systems"][OURS]
        for metric, minimum in spec.items():
            if isinstance(minimum, Mapping):
                continue
            value = ours["overall"].get(metric, "absent")
            if value == "absent":
                failures.append(f"[{split}] {metric}: no such metric")
            elif value is None:
                if minimum > 0:
                    failures.append(f"[{split}] {metric} is undefined (needs ≥ {minimum})")
            elif value < minimum:
                failures.append(f"[{split}] {metric} = {value:.3f} < {minimum}")
        for metric, ceiling in (spec.get("max") or {}).items():
            value = ours["overall"].get(metric, "absent")
            if value == "absent":
                failures.append(f"[{split}] {metric}: no such metric")
            elif value is not None and value > ceiling:
                failures.append(f"[{split}] {metric} = {value:.3f} > {ceiling}")
        for kind in ("categories", "phenomena"):
            for group, minimum in (spec.get(kind) or {}).items():
                row = ours.get(kind, {}).get(group)
                if row is None:
                    notes.append(f"[{split}] {kind[:-1] if kind == 'phenomena' else 'category'} {group}: no items")
                elif (row.get("fully_correct") or 0.0) < minimum:
                    failures.append(f"[{split}] {group} fully_correct = {row['fully_correct']:.3f} < {minimum}")
    return failures, notes


# --- command line ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals", description="回答品質を評価します（evals/reports/latest.* に出力）")
    p.add_argument("--suite", choices=[*SUITES, "all"], default=None, help="plans, documents, realdocs or all (default plans; with --check: all)")
    p.add_argument("--split", choices=[*SPLITS, "all"], default="all", help="plans suite: dev, newplan, holdout or all (default all)")
    p.add_argument("--baseline", action="store_true", help="also run the baselines (llama-index starter and BM25)")
    p.add_argument("--sample", type=int, default=D.SAMPLE_SIZE,
                   help=f"documents suite: questions sampled with seed {D.SEED} (default {D.SAMPLE_SIZE}; 0 = all)")
    p.add_argument("--out", type=Path, default=REPORTS, help="report folder (default evals/reports)")
    p.add_argument("--check", action="store_true", help="exit 1 when ours falls below evals/thresholds.toml")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    p.add_argument("--report", type=Path, default=None, help="with --check: check this saved latest.json instead of running")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="plans suite: use this data folder (the evaluation's plan is added to it) instead of the cached one")
    p.add_argument("--no-judge", action="store_true", help="never call an LLM judge, even when OPENAI_BASE_URL is set")
    p.add_argument("--llm", metavar="URL", help="also ask ours in the generative mode with this OpenAI-compatible /v1 server")
    p.add_argument("--llm-model", metavar="NAME", help="the LLM's model name (default: the server's first)")
    p.add_argument("--llm-timeout", type=float, metavar="SECONDS", help="seconds for one whole generation (default 60)")
    args = p.parse_args(argv)
    G.configure(args.llm, args.llm_model, args.llm_timeout)

    if args.report:
        report = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        suite = args.suite or ("all" if args.check else "plans")
        suites = list(SUITES) if suite == "all" else [suite]
        splits = list(SPLITS) if args.split == "all" else [args.split]
        report = evaluate(suites, splits, args.baseline, args.sample, args.data_dir, with_judge=not args.no_judge)
        write_outputs(report, args.out)
        print_summary(report)
        print(f"wrote {args.out / 'latest.md'}, latest.json, latest.png")
    if not args.check:
        return 0
    failures, notes = check(report, load_thresholds(args.thresholds))
    for n in notes:
        print(f"gate: {n}")
    if failures:
        print("gate FAILED:")
        for f in failures:
            print(f"  {f}")
        return 1
    print("gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
