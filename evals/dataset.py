"""The question sets (evals/datasets/*.jsonl) and the parsed corpus they are checked against.

The corpus is what the plans suite indexes: the two bundled plans plus the evaluation's own plan
documents in evals/documents/ (added as a user would add them; see `evals.folders`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from evals.metrics import is_count_fact, squash

HERE = Path(__file__).resolve().parent
DATASETS = HERE / "datasets"
PLAN_DOCUMENTS = HERE / "documents"  # plans written for the evaluation, indexed as user documents
SPLITS = ("dev", "newplan", "holdout")
# `fact`: a date, amount, number or name the document states (added with the newplan split).
CATEGORIES = ("block_items", "which_blocks", "count", "compare", "explain", "overview", "fact", "followup", "unanswerable")
REQUIRED_KEYS = {"id", "question", "history", "category", "phenomena", "answerable", "gold", "facts"}
OPTIONAL_KEYS = {"reference", "polarity", "comment"}


@dataclass
class Corpus:
    """The bundled documents as the evaluation sees them: texts, block and section spans, chunk spans."""

    documents: dict = field(default_factory=dict)  # doc_id -> corpus.model.Document
    blocks: dict = field(default_factory=dict)  # (doc_id, block) -> (start, end)
    section_spans: dict = field(default_factory=dict)  # (doc_id, block, heading) -> (start, end)
    section_depth: dict = field(default_factory=dict)  # (doc_id, block, heading) -> 1 for a block's own sections
    chunk_spans: dict = field(default_factory=dict)  # chunk_id -> (start, end), from corpus.chunk

    def gold_text(self, gold: dict) -> str | None:
        doc = self.documents.get(gold.get("doc_id"))
        span = self.blocks.get((gold.get("doc_id"), gold.get("block")))
        if doc is None or span is None:
            return None
        if gold.get("section"):
            span = self.section_spans.get((gold["doc_id"], gold["block"], gold["section"]))
            if span is None:
                return None
        return doc.text[span[0] : span[1]]


def plan_document_paths() -> list[Path]:
    from corpus.store import document_paths

    return document_paths(PLAN_DOCUMENTS)


@lru_cache(maxsize=1)
def load_corpus() -> Corpus:
    from corpus.chunk import chunk_document
    from corpus.parse import parse_document
    from corpus.store import load_bundled_documents, load_text_document

    c = Corpus()
    for doc in load_bundled_documents() + [load_text_document(p) for p in plan_document_paths()]:
        c.documents[doc.doc_id] = doc
        parsed = parse_document(doc)
        for block in parsed.blocks:
            c.blocks[(doc.doc_id, block.name)] = (block.start, block.end)
            for s in block.sections:
                # a section spans its sub-sections too (「（１）DX伴走支援」 lies in 第3節), so every level
                # of its path is widened to cover it
                for name in {s.heading, *s.path}:
                    key = (doc.doc_id, block.name, name)
                    start, end = c.section_spans.get(key, (s.start, s.end))
                    c.section_spans[key] = (min(start, s.start), max(end, s.end))
                c.section_depth[(doc.doc_id, block.name, s.path[-1])] = len(s.path) - 1
        for chunk in chunk_document(parsed):
            c.chunk_spans[chunk.chunk_id] = (chunk.start, chunk.end)
    return c


def load_split(split: str, folder: Path = DATASETS) -> list[dict]:
    path = folder / f"{split}.jsonl"
    items = []
    with path.open(encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path.name}:{line_no}: {exc}") from exc
    return items


def item_problems(item: dict, corpus: Corpus) -> list[str]:
    """Schema and consistency problems of one item (empty when valid)."""
    p = []
    keys = set(item)
    if REQUIRED_KEYS - keys:
        p.append(f"missing keys {sorted(REQUIRED_KEYS - keys)}")
    if keys - REQUIRED_KEYS - OPTIONAL_KEYS:
        p.append(f"unknown keys {sorted(keys - REQUIRED_KEYS - OPTIONAL_KEYS)}")
    if p:
        return p
    if not isinstance(item["question"], str) or not item["question"].strip():
        p.append("empty question")
    if item["category"] not in CATEGORIES:
        p.append(f"unknown category {item['category']!r}")
    if not isinstance(item["answerable"], bool):
        p.append("answerable must be a bool")
    if not isinstance(item["phenomena"], list) or not all(isinstance(x, str) for x in item["phenomena"]):
        p.append("phenomena must be a list of strings")
    hist = item["history"]
    if not isinstance(hist, list) or any(
        not isinstance(m, dict) or m.get("role") not in ("user", "assistant") or not isinstance(m.get("content"), str) for m in hist
    ):
        p.append("history must be a list of {role: user|assistant, content: str}")
    if item["category"] == "followup" and not hist:
        p.append("followup item without history")
    if item.get("polarity") not in (None, "yes", "no"):
        p.append("polarity must be yes or no")
    if not isinstance(item["facts"], list) or any(
        not isinstance(f, list) or not f or not all(isinstance(s, str) and s.strip() for s in f) for f in item["facts"]
    ):
        p.append("facts must be a list of non-empty lists of strings")
        return p
    if not item["answerable"]:
        if item["gold"] or item["facts"]:
            p.append("unanswerable item with gold or facts")
        return p
    if not item["gold"]:
        p.append("answerable item without gold")
    gold_texts = []
    for g in item["gold"]:
        if set(g) - {"doc_id", "block", "section"} or not {"doc_id", "block"} <= set(g):
            p.append(f"bad gold entry {g}")
            continue
        text = corpus.gold_text(g)
        if text is None:
            p.append(f"gold not in the parsed corpus: {g}")
        else:  # a section's heading is part of it (an area's name heads its section)
            gold_texts.append(squash(g.get("section", "") + "\n" + text))
    for f in item["facts"]:
        if is_count_fact(f):
            continue  # computed (a count), not expected verbatim
        if gold_texts and not any(squash(form) in t for form in f for t in gold_texts):
            p.append(f"fact {f} occurs in no gold passage")
    return p
