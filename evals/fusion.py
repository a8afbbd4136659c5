"""Which fusion of dense and BM25 retrieval to use, measured: `python -m evals.fusion`.

Scores the hybrid retriever alone (no understanding, no answer) on the answerable questions of the
dev split: for each fusion, the ranked chunks of `Evidence.search` against the gold passages.
Writes evals/reports/fusion.md. The holdout split is not used: it stays unseen.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals.dataset import load_corpus, load_split
from evals.metrics import mean, retrieval_scores

REPORT = Path(__file__).resolve().parent / "reports" / "fusion.md"
CANDIDATES = [("rrf", None), ("weighted", 0.3), ("weighted", 0.5), ("weighted", 0.7), ("dense only", 1.0), ("bm25 only", 0.0)]


def main() -> int:
    from assistant import Assistant
    from assistant.config import Settings

    bot = Assistant.load(Settings.from_env())
    corpus = load_corpus()
    items = [i for i in load_split("dev") if i["answerable"] and i["gold"] and not i.get("history")]
    searcher = bot.evidence.searcher
    rows = []
    for name, alpha in CANDIDATES:
        searcher.fusion = "rrf" if name == "rrf" else "weighted"
        searcher.alpha = 0.5 if alpha is None else alpha
        scores = []
        for item in items:
            q = item["question"]
            hits = searcher.search(q, bot.embedder.embed_query(q), 10)
            ranked = [
                {"doc_id": c.doc_id, "block": c.block, "section": " > ".join(c.section_path), "start": c.start, "end": c.end}
                for c in (bot.plan.chunks[h.chunk_id] for h in hits)
            ]
            scores.append(retrieval_scores(item["gold"], ranked, corpus.section_spans))
        label = name if alpha is None or name.endswith("only") else f"weighted α={alpha}"
        rows.append((label, {k: mean(s[k] for s in scores) for k in ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10")}))
    lines = [
        "# Fusion of dense and BM25 retrieval",
        "",
        f"Retriever alone on the {len(items)} answerable single-turn dev questions (gold = block and section).",
        "α weighs the cosine score against the BM25 score scaled to the best hit.",
        "",
        "| fusion | hit@1 | hit@3 | hit@5 | MRR | nDCG@10 |",
        "|---|---|---|---|---|---|",
    ]
    lines += [f"| {label} | " + " | ".join(f"{v[k]:.3f}" for k in ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10")) + " |" for label, v in rows]
    best = max(rows, key=lambda r: sum(r[1].values()))
    lines += ["", f"Best over all five measures together (their sum): **{best[0]}**; `ASSISTANT_FUSION` defaults to rrf.", ""]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
