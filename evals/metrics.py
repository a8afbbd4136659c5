"""Answer-quality metrics: deterministic, offline, pure functions (no model, no network).

An *item* is one dataset line (see evals/datasets/README.md). An *answer* is anything with the
attributes (or dict keys) of `assistant.types.Answer`: text, citations, answerable, intent, trace;
a citation has n, doc_id, block, section, text, start, end, reference.

Matching rules
- Facts: each fact is a list of acceptable surface forms; it is present when one form is a substring
  of the answer text after `corpus.text.normalize` (NFKC, lower case, variant folding) on both sides
  and with all white space removed. Citation markers [n] are removed from the answer first.
- Gold passages match on doc_id + block, and on the section too when the gold names one: the
  candidate's section path (" > "-joined) contains it, or the candidate's character span overlaps the
  section's span in the parsed corpus. Chunk boundaries therefore do not matter.
- Ranked list for retrieval metrics: cited passages in marker order, then trace candidates;
  entries of one block collapse into the first (a block is one retrieval unit), except that entries
  matching different gold sections of the same block stay separate. Each gold counts once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corpus.text import normalize

MARKER = re.compile(r"\[(\d+)\]")
_WS = re.compile(r"\s+")

# A fact whose every form is a bare number with a counter is computed from the documents (how
# many blocks / fields), so it is not expected verbatim in a passage (dataset test, citation recall).
COUNT_FORM = re.compile(
    r"^(?:[0-9０-９一二三四五六七八九十]+の?(つ|個|分野|ブロック|地域|地区|件|か所|カ所|ケ所|ヶ所|箇所|項目|本|指標)?"
    r"|ひとつ|ふたつ|みっつ|よっつ|いつつ|むっつ|ななつ|やっつ)$"
)

# Negation cues for yes/no items (`polarity`): "no" needs one somewhere in the answer, "yes" needs
# none in the first sentence. Crude on purpose; documented in evals/datasets/README.md.
NEGATION_CUES = ("ません", "ない", "なし", "無い", "見当たら", "not ", "no ")


# --- small helpers -------------------------------------------------------------------------------------


def get(obj: Any, name: str, default: Any = None) -> Any:
    """Attribute or mapping key: answers and citations may be dataclasses or dicts."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def squash(text: str) -> str:
    return _WS.sub("", normalize(text or ""))


def strip_markers(text: str) -> str:
    return MARKER.sub("", text or "")


def marker_numbers(text: str) -> set[int]:
    return {int(m) for m in MARKER.findall(text or "")}


def is_count_fact(forms: Sequence[str]) -> bool:
    return bool(forms) and all(COUNT_FORM.match(squash(f)) for f in forms)


def fact_present(forms: Sequence[str], text: str) -> bool:
    hay = squash(strip_markers(text))
    return any(squash(f) and squash(f) in hay for f in forms)


def missing_facts(facts: Sequence[Sequence[str]], text: str) -> list[list[str]]:
    return [list(f) for f in facts if not fact_present(f, text)]


def fact_recall(facts: Sequence[Sequence[str]], text: str) -> float | None:
    """Share of required facts present in the answer text; None when the item has no facts."""
    if not facts:
        return None
    return sum(fact_present(f, text) for f in facts) / len(facts)


def answer_length(text: str) -> int:
    """Characters of the answer without markers and white space."""
    return len(_WS.sub("", strip_markers(text)))


def char_f1(prediction: str, reference: str) -> float:
    """Bag-of-characters F1 after normalisation (markers and white space removed)."""
    p, r = squash(strip_markers(prediction)), squash(strip_markers(reference))
    if not p or not r:
        return float(p == r)
    counts: dict[str, int] = {}
    for ch in r:
        counts[ch] = counts.get(ch, 0) + 1
    common = 0
    for ch in p:
        if counts.get(ch, 0) > 0:
            counts[ch] -= 1
            common += 1
    if common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(r)
    return 2 * precision * recall / (precision + recall)


def polarity_ok(polarity: str | None, text: str) -> bool | None:
    """None when the item has no polarity; see NEGATION_CUES."""
    if not polarity:
        return None
    body = normalize(strip_markers(text))
    first = re.split(r"[。\n!?！？]", body.strip(), maxsplit=1)[0]
    if polarity == "no":
        return any(cue in body for cue in NEGATION_CUES)
    if polarity == "yes":
        return not any(cue in first for cue in NEGATION_CUES)
    raise ValueError(f"unknown polarity {polarity!r}")


# --- gold matching -------------------------------------------------------------------------------------

SectionSpans = Mapping[tuple[str, str, str], tuple[int, int]]  # (doc_id, block, heading) -> (start, end)


def section_parts(section: str | None) -> list[str]:
    return [p.strip() for p in (section or "").split(">") if p.strip()]


def matches(gold: Mapping, entry: Mapping, section_spans: SectionSpans | None = None) -> bool:
    """Does a cited passage / candidate (doc_id, block, section[, start, end]) match one gold entry?"""
    if entry.get("doc_id") != gold.get("doc_id") or entry.get("block") != gold.get("block"):
        return False
    want = gold.get("section")
    if not want:
        return True
    if squash(want) in {squash(p) for p in section_parts(entry.get("section"))}:
        return True
    span = (section_spans or {}).get((gold["doc_id"], gold["block"], want))
    start, end = entry.get("start"), entry.get("end")
    if span and start is not None and end is not None:
        return start < span[1] and span[0] < end
    return False


def first_match(golds: Sequence[Mapping], entry: Mapping, section_spans: SectionSpans | None = None) -> int | None:
    return next((i for i, g in enumerate(golds) if matches(g, entry, section_spans)), None)


def ranked_entries(answer: Any, chunk_spans: Mapping[str, tuple[int, int]] | None = None) -> list[dict]:
    """Cited passages in marker order, then trace candidates (not yet deduplicated)."""
    out = []
    for c in sorted(get(answer, "citations", None) or [], key=lambda c: get(c, "n", 0)):
        out.append({k: get(c, k) for k in ("doc_id", "block", "section", "start", "end", "chunk_id")})
    trace = get(answer, "trace", None) or {}
    for c in trace.get("candidates", []) or []:
        entry = {k: get(c, k) for k in ("doc_id", "block", "section", "start", "end", "chunk_id")}
        if entry.get("start") is None and chunk_spans and entry.get("chunk_id") in chunk_spans:
            entry["start"], entry["end"] = chunk_spans[entry["chunk_id"]]
        out.append(entry)
    return out


def dedupe(entries: Iterable[Mapping], golds: Sequence[Mapping], section_spans: SectionSpans | None = None) -> list[dict]:
    """Keep the first entry per (doc_id, block, matched gold): one rank per block unless it holds
    several gold sections. Each returned entry carries `gold` = the index of the gold it matches."""
    seen, out = set(), []
    for e in entries:
        g = first_match(golds, e, section_spans)
        key = (e.get("doc_id"), e.get("block"), g)
        if key in seen:
            continue
        seen.add(key)
        out.append({**e, "gold": g})
    return out


def retrieval_scores(
    golds: Sequence[Mapping], ranked: Sequence[Mapping], section_spans: SectionSpans | None = None, ks: Sequence[int] = (1, 3, 5), ndcg_k: int = 10
) -> dict[str, float] | None:
    """hit@k, MRR, nDCG@ndcg_k and recall@ndcg_k of a deduplicated ranked list; None without gold."""
    if not golds:
        return None
    gains, claimed = [], set()
    for e in dedupe(ranked, golds, section_spans):
        hit = [i for i, g in enumerate(golds) if i not in claimed and matches(g, e, section_spans)]
        if hit:
            claimed.add(hit[0])
        gains.append(1.0 if hit else 0.0)
    out = {f"hit@{k}": float(any(gains[:k])) for k in ks}
    first = next((i for i, x in enumerate(gains) if x), None)
    out["mrr"] = 0.0 if first is None else 1.0 / (first + 1)
    dcg = sum(x / math.log2(i + 2) for i, x in enumerate(gains[:ndcg_k]))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(golds), ndcg_k)))
    out[f"ndcg@{ndcg_k}"] = dcg / ideal if ideal else 0.0
    out[f"recall@{ndcg_k}"] = sum(gains[:ndcg_k]) / len(golds)
    return out


# --- citations -----------------------------------------------------------------------------------------


def claim_citations(answer: Any) -> list[Any]:
    """Citations that support the answer (参考 passages, reference=True, are not claims)."""
    return [c for c in (get(answer, "citations", None) or []) if not get(c, "reference", False)]


def cited_blocks(answer: Any) -> list[tuple[str, str]]:
    out = []
    for c in claim_citations(answer):
        key = (get(c, "doc_id"), get(c, "block"))
        if key not in out:
            out.append(key)
    return out


def _as_entry(c: Any) -> dict:
    return {k: get(c, k) for k in ("doc_id", "block", "section", "start", "end")}


def citation_precision(item: Mapping, answer: Any, section_spans: SectionSpans | None = None) -> float | None:
    """Share of claim citations that are a gold passage or contain a required fact; None if none cited."""
    cites = claim_citations(answer)
    if not cites:
        return None
    facts = item.get("facts") or []
    good = 0
    for c in cites:
        gold = first_match(item.get("gold") or [], _as_entry(c), section_spans) is not None
        has_fact = any(fact_supported(f, c) for f in facts if not is_count_fact(f))
        good += gold or has_fact
    return good / len(cites)


def fact_supported(forms: Sequence[str], citation: Any) -> bool:
    """A cited passage supports a fact when the fact is inside its text, when the fact is the name of
    the block the passage comes from (「造船は四国」 is supported by a passage of block 四国), or when it
    is part of the passage's own section heading (「戸畑・八幡東」 by a passage of 第2節 戸畑・八幡東地区)."""
    block = squash(get(citation, "block", "") or "")
    parts = section_parts(get(citation, "section", ""))
    heading = squash(parts[-1]) if len(parts) > 1 else ""
    return fact_present(forms, get(citation, "text", "") or "") or any(
        squash(f) == block or (heading and squash(f) and squash(f) in heading) for f in forms
    )


def citation_recall(item: Mapping, answer: Any) -> float | None:
    """Share of required (non-count) facts supported by some claim citation (see fact_supported);
    None if the item has no such facts."""
    facts = [f for f in item.get("facts") or [] if not is_count_fact(f)]
    if not facts:
        return None
    cites = claim_citations(answer)
    return sum(any(fact_supported(f, c) for c in cites) for f in facts) / len(facts)


def citation_problems(answer: Any, documents: Mapping[str, Any]) -> list[str]:
    """Empty when every citation is verbatim (text == document.text[start:end]) and markers and
    citations correspond one to one; otherwise one line per problem."""
    problems = []
    cites = get(answer, "citations", None) or []
    numbers = [get(c, "n") for c in cites]
    if len(numbers) != len(set(numbers)):
        problems.append(f"duplicate citation numbers {sorted(numbers)}")
    for c in cites:
        n, doc = get(c, "n"), documents.get(get(c, "doc_id"))
        start, end, text = get(c, "start"), get(c, "end"), get(c, "text")
        if doc is None:
            problems.append(f"[{n}] unknown doc_id {get(c, 'doc_id')!r}")
            continue
        full = get(doc, "text", doc if isinstance(doc, str) else "")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(full)):
            problems.append(f"[{n}] span {start}-{end} outside the document")
        elif full[start:end] != text:
            problems.append(f"[{n}] text differs from {get(c, 'doc_id')}[{start}:{end}]")
    markers = marker_numbers(get(answer, "text", ""))
    for n in sorted(markers - set(numbers)):
        problems.append(f"marker [{n}] has no citation")
    for n in sorted(set(numbers) - markers):
        problems.append(f"citation {n} has no marker in the text")
    return problems


# --- correctness ---------------------------------------------------------------------------------------


def correctness(item: Mapping, answer: Any, section_spans: SectionSpans | None = None) -> tuple[bool, list[str]]:
    """(fully correct?, reasons it is not).

    Answerable items: answerable is True, every required fact present, every gold block cited and every
    gold section too (see `matches`), at most one extra unit cited, and the polarity cue right when the
    item sets one. A unit is a block, or a section inside a block that holds a gold section (a chapter
    of five areas is five units). Unanswerable items: answerable is False.
    """
    reasons = []
    said = get(answer, "answerable", None)
    if not item.get("answerable", True):
        if said is not False:
            reasons.append("answered although the documents do not say (answerable should be False)")
        return not reasons, reasons
    if said is not True:
        reasons.append("said the documents do not answer (answerable=False)")
    text = get(answer, "text", "") or ""
    for f in missing_facts(item.get("facts") or [], text):
        reasons.append(f"missing fact {f[0]!r}")
    golds = item.get("gold") or []
    cited = cited_blocks(answer)
    gold_blocks = []
    for g in golds:
        key = (g["doc_id"], g["block"])
        if key not in gold_blocks:
            gold_blocks.append(key)
    for key in gold_blocks:
        if key not in cited:
            reasons.append(f"gold block not cited: {key[1]}")
    entries = [_as_entry(c) for c in claim_citations(answer)]
    for g in golds:
        if g.get("section") and (g["doc_id"], g["block"]) in cited and not any(matches(g, e, section_spans) for e in entries):
            reasons.append(f"gold section not cited: {g['block']} > {g['section']}")
    sectioned = {(g["doc_id"], g["block"]) for g in golds if g.get("section")}
    extra: list[str] = []
    for e in entries:
        if first_match(golds, e, section_spans) is not None:
            continue
        parts = section_parts(e.get("section"))
        unit = f"{e['block']} > {parts[-1]}" if (e["doc_id"], e["block"]) in sectioned and parts else e["block"]
        if unit not in extra:
            extra.append(unit)
    if len(extra) > 1:
        reasons.append(f"{len(extra)} extra blocks cited: {', '.join(extra)}")
    pol = polarity_ok(item.get("polarity"), text)
    if pol is False:
        reasons.append(f"polarity: expected a '{item['polarity']}' answer")
    return not reasons, reasons


# --- aggregation ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default), q in 0..100; None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def mean(values: Iterable[float | None]) -> float | None:
    xs = [v for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


def abstention(gold_answerable: Sequence[bool], predicted_answerable: Sequence[bool | None]) -> dict[str, float | None]:
    """Precision and recall of abstaining (answerable=False) against the items the documents do not answer."""
    tp = sum(1 for g, p in zip(gold_answerable, predicted_answerable) if not g and p is False)
    predicted = sum(1 for p in predicted_answerable if p is False)
    actual = sum(1 for g in gold_answerable if not g)
    return {
        "abstention_precision": tp / predicted if predicted else None,
        "abstention_recall": tp / actual if actual else None,
    }


METRICS = (
    "n", "fully_correct", "fact_recall", "citation_precision", "citation_recall", "citation_validity",
    "hit@1", "hit@3", "hit@5", "mrr", "ndcg@10", "recall@10", "abstention_precision", "abstention_recall",
    "latency_p50_ms", "latency_p95_ms", "answer_len", "char_f1",
)


def summarize(results: Sequence[Mapping]) -> dict[str, float | None]:
    """Aggregate per-item results (as produced by evals.run.score_item) into one row of METRICS."""
    rows = list(results)
    answerable = [r for r in rows if r["answerable_gold"]]
    retrieval = [r["retrieval"] for r in rows if r.get("retrieval")]
    out: dict[str, float | None] = {"n": len(rows)}
    out["fully_correct"] = mean(float(r["fully_correct"]) for r in rows)
    out["fact_recall"] = mean(r["fact_recall"] for r in answerable)
    out["citation_precision"] = mean(r["citation_precision"] for r in answerable)
    out["citation_recall"] = mean(r["citation_recall"] for r in answerable)
    out["citation_validity"] = mean(float(r["citation_valid"]) for r in rows)
    for k in ("hit@1", "hit@3", "hit@5", "mrr", "ndcg@10", "recall@10"):
        out[k] = mean(x[k] for x in retrieval)
    out.update(abstention([r["answerable_gold"] for r in rows], [r["answerable_pred"] for r in rows]))
    lat = [r["latency_ms"] for r in rows if r.get("latency_ms") is not None]
    out["latency_p50_ms"] = percentile(lat, 50)
    out["latency_p95_ms"] = percentile(lat, 95)
    out["answer_len"] = mean(r["answer_len"] for r in rows)
    out["char_f1"] = mean(r.get("char_f1") for r in rows)
    return out
