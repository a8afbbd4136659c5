"""`python -m evals`: run the question sets through the assistant (and the baselines), score, report, gate.

    python -m evals [--split dev|holdout|all] [--baseline] [--out evals/reports] [--check] [--report FILE]

Writes <out>/latest.md, latest.json and latest.png. `--check` compares ours with evals/thresholds.toml
and exits 1 naming every metric below its minimum (or above its [split.max] ceiling); `--report FILE`
checks a saved latest.json instead of running.
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

from evals import metrics as M
from evals.dataset import CATEGORIES, SPLITS, Corpus, load_corpus, load_split

HERE = Path(__file__).resolve().parent
REPORTS = HERE / "reports"
THRESHOLDS = HERE / "thresholds.toml"
OURS = "ours"
WARMUP_QUESTION = "九州の分野は？"
REPORTED_PHENOMENA = ("place", "variant", "english", "negation", "compound", "yes_no", "prose", "ellipsis", "reference", "continuation")

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
    ok, reasons = M.correctness(item, answer)
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
    try:
        ask(WARMUP_QUESTION, [])  # lazy loading is not a question's latency
    except Exception:  # noqa: BLE001 - the real items will record the error
        pass
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


def load_ours(data_dir: Path | None = None):
    from assistant import Assistant
    from assistant.config import Settings

    settings = Settings.from_env(data_dir=data_dir) if data_dir else Settings.from_env()
    t = time.perf_counter()
    bot = Assistant.load(settings)
    return bot, time.perf_counter() - t, settings


def evaluate(splits: Sequence[str], baseline: bool, data_dir: Path | None = None, log=print, with_judge: bool = True) -> dict:
    from evals.judge import judge_from_env

    corpus = load_corpus()
    judge = judge_from_env() if with_judge else None
    data = {s: load_split(s) for s in splits}
    report = {
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores {platform.machine()}, Python {platform.python_version()}",
        "load_average_before": list(os.getloadavg()),
        "systems": [],
        "load_s": {},
        "notes": [],
        "splits": {},
    }
    # One system at a time (build, run every split, close): a baseline's background work cannot slow ours.
    factories: list[tuple[str, Callable[[], tuple[Ask, Callable[[], None]]]]] = []

    def make_ours():
        bot, _, settings = load_ours(data_dir)
        report["settings"] = {"embedder": settings.embedder, "top_k": settings.top_k, "fusion": settings.fusion, "index": str(settings.where)}
        return (lambda q, h: bot.ask(q, history=h)), (lambda: None)

    factories.append((OURS, make_ours))
    if baseline:
        from evals.baselines import BM25Baseline, StarterBaseline

        for cls in (StarterBaseline, BM25Baseline):
            factories.append((cls.name, lambda cls=cls: (lambda b: (b.ask, b.close))(cls())))
    report["systems"] = [name for name, _ in factories]
    for split, items in data.items():
        report["splits"][split] = {"n": len(items), "systems": {}}
    for name, factory in factories:
        log(f"loading {name}")
        t = time.perf_counter()
        ask, close = factory()
        report["load_s"][name] = time.perf_counter() - t
        try:
            for split, items in data.items():
                log(f"[{split}] {len(items)} items")
                results = run_system(name, ask, items, corpus, judge if name == OURS else None, log)
                report["splits"][split]["systems"][name] = {**summarize_groups(results), "items": results}
        finally:
            close()
    report["load_average_after"] = list(os.getloadavg())
    if judge is None:
        report["notes"].append(
            "LLM-judge faithfulness: skipped — OPENAI_BASE_URL is not set, so no network call was attempted."
            if with_judge else "LLM-judge faithfulness: skipped (--no-judge)."
        )
    else:
        report["notes"].append(f"LLM-judge faithfulness (ours only, not deterministic, not gated): {judge.describe()}.")
    report["notes"] += [
        "Latency is wall time of one ask() per item on this machine after one warm-up question; loading is listed separately. "
        f"Load average (1/5/15 min) before {_load(report['load_average_before'])}, after {_load(report['load_average_after'])}: "
        "other processes on the machine inflate the tail.",
        "Fully correct does not penalise verbosity: an answer that pastes whole blocks contains their facts. Read it with "
        "answer length and citation precision (the BM25 baseline pastes whole blocks, the starter ~800-character nodes).",
        "Baselines ignore the conversation history (they search the last question alone) and never abstain unless they retrieve nothing.",
        "fully correct (answerable item) = answerable=True, every required fact in the text, every gold block cited, "
        "at most one extra block cited, and the yes/no cue right when the item has a polarity; (unanswerable item) = answerable=False.",
    ]
    return report


def _load(values) -> str:
    return "/".join(f"{v:.1f}" for v in values)


# --- output ----------------------------------------------------------------------------------------------

COLUMNS = [  # (metric, header)
    ("n", "n"), ("fully_correct", "正答"), ("fact_recall", "facts"), ("citation_precision", "cite P"),
    ("citation_recall", "cite R"), ("citation_validity", "valid"), ("hit@1", "hit@1"), ("hit@3", "hit@3"),
    ("hit@5", "hit@5"), ("mrr", "MRR"), ("ndcg@10", "nDCG"), ("abstention_precision", "abst P"),
    ("abstention_recall", "abst R"), ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"), ("answer_len", "len"),
]


def fmt(metric: str, v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if metric == "n":
        return str(int(v))
    if metric.startswith("latency") or metric == "answer_len":
        return f"{v:.1f}" if v < 100 else f"{v:.0f}"
    return f"{v:.2f}"


def table_rows(group: Mapping) -> list[tuple[str, dict]]:
    return [("overall", group["overall"])] + list(group["categories"].items())


def print_summary(report: Mapping, console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 200)
    for split, data in report["splits"].items():
        compare = Table(title=f"[{split}] overall ({data['n']} items)", show_lines=False)
        compare.add_column("system")
        for _, h in COLUMNS[1:]:
            compare.add_column(h, justify="right")
        for name, group in data["systems"].items():
            compare.add_row(name, *[fmt(m, group["overall"].get(m)) for m, _ in COLUMNS[1:]])
        console.print(compare)
        for name, group in data["systems"].items():
            t = Table(title=f"[{split}] {name} per category")
            t.add_column("category")
            for _, h in COLUMNS:
                t.add_column(h, justify="right")
            for label, row in table_rows(group):
                t.add_row(label, *[fmt(m, row.get(m)) for m, _ in COLUMNS])
            console.print(t)
    for note in report.get("notes", []):
        console.print(f"[dim]{note}[/dim]")


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def markdown(report: Mapping) -> str:
    lines = ["# Answer-quality evaluation", "",
             f"Generated {report['generated']} on {report['machine']}. Systems: {', '.join(report['systems'])}. "
             f"Settings of ours: {report.get('settings', {})}.",
             "Load time: " + ", ".join(f"{k} {v:.1f} s" for k, v in report.get("load_s", {}).items()) + ".", "",
             "Columns: 正答 = fully correct; facts = required-fact recall; cite P/R = citation precision/recall; "
             "valid = share of answers whose citations are verbatim spans and whose markers match; hit@k, MRR, nDCG@10 "
             "over answerable items (cited passages first, then candidates, one rank per block); abst P/R = abstention "
             "precision/recall; len = answer characters.", ""]
    for split, data in report["splits"].items():
        lines += [f"## {split} ({data['n']} items)", "", "### Overall", ""]
        lines += _md_table(["system"] + [h for _, h in COLUMNS[1:]],
                           [[name] + [fmt(m, g["overall"].get(m)) for m, _ in COLUMNS[1:]] for name, g in data["systems"].items()])
        if any("faithfulness" in g["overall"] for g in data["systems"].values()):
            lines += ["", "LLM-judge faithfulness: " + ", ".join(
                f"{n} {g['overall']['faithfulness']:.2f}" for n, g in data["systems"].items() if "faithfulness" in g["overall"])]
        for name, g in data["systems"].items():
            lines += ["", f"### {name}: per category", ""]
            lines += _md_table(["category"] + [h for _, h in COLUMNS], [[lab] + [fmt(m, row.get(m)) for m, _ in COLUMNS] for lab, row in table_rows(g)])
        lines += ["", "### Fully correct per category", ""]
        names = list(data["systems"])
        cats = [c for c in CATEGORIES if c in data["systems"][OURS]["categories"]]
        lines += _md_table(["category"] + names, [[c] + [fmt("x", data["systems"][n]["categories"].get(c, {}).get("fully_correct")) for n in names] for c in cats])
        lines += ["", "### Fully correct per phenomenon", ""]
        tags = [t for t in REPORTED_PHENOMENA if t in data["systems"][OURS]["phenomena"]]
        lines += _md_table(["phenomenon", "n"] + names, [
            [t, str(data["systems"][OURS]["phenomena"][t]["n"])] + [fmt("x", data["systems"][n]["phenomena"].get(t, {}).get("fully_correct")) for n in names]
            for t in tags])
        failing = [r for r in data["systems"][OURS]["items"] if not r["fully_correct"]]
        lines += ["", f"### Failing items of ours ({len(failing)} of {data['n']})", ""]
        if failing:
            lines += _md_table(["id", "category", "question", "answer (start)", "why"], [
                [r["id"], r["category"], _cell(("… " if r["history"] else "") + r["question"]),
                 _cell(r["answer"][:140] + ("…" if len(r["answer"]) > 140 else "")), _cell("; ".join(r["reasons"]))]
                for r in failing])
        invalid = [r for r in data["systems"][OURS]["items"] if r["citation_problems"]]
        if invalid:
            lines += ["", "Citation problems of ours:", ""] + [f"- {r['id']}: {'; '.join(r['citation_problems'])}" for r in invalid]
        lines.append("")
    lines += ["## Notes", ""] + [f"- {n}" for n in report.get("notes", [])] + ["", "![fully correct per category](latest.png)", ""]
    return "\n".join(lines)


def chart(report: Mapping, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401 - Japanese glyphs

    splits = list(report["splits"])
    fig, axes = plt.subplots(len(splits), 1, figsize=(12, 4.2 * len(splits)), squeeze=False)
    for ax, split in zip(axes[:, 0], splits):
        systems = report["splits"][split]["systems"]
        cats = ["overall"] + [c for c in CATEGORIES if c in systems[OURS]["categories"]]
        width = 0.8 / max(1, len(systems))
        for k, (name, g) in enumerate(systems.items()):
            vals = [(g["overall"] if c == "overall" else g["categories"].get(c, {})).get("fully_correct") or 0.0 for c in cats]
            xs = [i + (k - (len(systems) - 1) / 2) * width for i in range(len(cats))]
            ax.bar(xs, vals, width, label=name)
        ax.set_xticks(range(len(cats)), cats, rotation=20)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("完全正答率")
        ax.set_title(f"{split}: カテゴリ別の完全正答率（{report['splits'][split]['n']}問）")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
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
    """(failures, notes) for ours. Top-level numbers are minima of overall metrics; [split.max] holds
    ceilings; [split.categories] / [split.phenomena] hold minimum fully_correct per group."""
    failures, notes = [], []
    for split, spec in thresholds.items():
        if not isinstance(spec, Mapping):
            continue
        data = report.get("splits", {}).get(split)
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
            value = ours["overall"].get(metric)
            if value is not None and value > ceiling:
                failures.append(f"[{split}] {metric} = {value:.1f} > {ceiling}")
        for kind in ("categories", "phenomena"):
            for group, minimum in (spec.get(kind) or {}).items():
                row = ours[kind].get(group)
                if row is None:
                    notes.append(f"[{split}] {kind[:-1] if kind == 'phenomena' else 'category'} {group}: no items")
                elif (row.get("fully_correct") or 0.0) < minimum:
                    failures.append(f"[{split}] {group} fully_correct = {row['fully_correct']:.3f} < {minimum}")
    return failures, notes


# --- command line ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals", description="日本語の質問集で回答品質を評価します（evals/reports/latest.* に出力）")
    p.add_argument("--split", choices=[*SPLITS, "all"], default=None, help="dev, holdout or all (default dev; with --check: all)")
    p.add_argument("--baseline", action="store_true", help="also run the llama-index starter and BM25 baselines")
    p.add_argument("--out", type=Path, default=REPORTS, help="report folder (default evals/reports)")
    p.add_argument("--check", action="store_true", help="exit 1 when ours falls below evals/thresholds.toml")
    p.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    p.add_argument("--report", type=Path, default=None, help="with --check: check this saved latest.json instead of running")
    p.add_argument("--data-dir", type=Path, default=None, help="the assistant's data folder (default: ASSISTANT_DATA_DIR or ./data)")
    p.add_argument("--no-judge", action="store_true", help="never call an LLM judge, even when OPENAI_BASE_URL is set")
    args = p.parse_args(argv)

    if args.report:
        report = json.loads(args.report.read_text(encoding="utf-8"))
    else:
        split = args.split or ("all" if args.check else "dev")
        splits = list(SPLITS) if split == "all" else [split]
        report = evaluate(splits, args.baseline, args.data_dir, with_judge=not args.no_judge)
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
