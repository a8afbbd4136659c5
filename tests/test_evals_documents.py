"""The documents suite's own correctness: JSQuAD as documents, the sample, span scores, question types,
the paragraph BM25 baseline, the data-folder cache and the aggregate-only report (no model needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from evals import documents_suite as D
from evals.jsquad import DATA, SAMPLE_SIZE, SEED, Paragraph, Question, dev_ids, load_jsquad, sample_questions, write_documents

JSQUAD_SHA256 = "0078f3f2e1604a201700c24139e198344fa689e02282fc00adaa31687cce2aff"  # ../shared/data/jsquad/test-v1.3.json


@pytest.fixture(scope="module")
def js():
    return load_jsquad()


def test_the_copy_is_the_shared_file_with_its_attribution():
    assert hashlib.sha256(DATA.read_bytes()).hexdigest() == JSQUAD_SHA256
    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    for needle in ("CC BY-SA 4.0", "Kentaro Kurihara, Daisuke Kawahara, Tomohide Shibata", "yahoojapan/JGLUE",
                   "Keep this attribution with any copy or derived file."):
        assert needle in readme


def test_every_paragraph_is_kept_verbatim_at_its_span(js, tmp_path):
    from corpus.loaders import load_paths

    raw = json.loads(DATA.read_text(encoding="utf-8"))["data"]
    assert (len(js.articles), sum(len(a.paragraphs) for a in js.articles), len(js.questions)) == (59, 1159, 4420)
    for article, a in zip(js.articles, raw):
        assert article.text.startswith(f"# {a['title']}\n\n")
        for span, p in zip(article.paragraphs, a["paragraphs"], strict=True):
            assert article.text[span.start : span.end] == p["context"].split(" [SEP] ", 1)[1]
    write_documents(js.articles, tmp_path)
    loaded = load_paths([tmp_path])  # the assistant's own loader: same ids, same text, so spans hold
    assert not loaded.errors
    assert {d.doc_id: d.text for d in loaded.documents} == {a.doc_id: a.text for a in js.articles}


def test_the_sample_is_fixed_by_seed_and_size(js):
    a, b = sample_questions(js.questions), sample_questions(js.questions)
    assert len(a) == SAMPLE_SIZE >= 1000 and [q.qid for q in a] == [q.qid for q in b]
    assert [q.qid for q in sample_questions(js.questions, seed=SEED + 1)] != [q.qid for q in a]
    assert all(q.answers for q in a)


def test_questions_read_during_development_are_never_sampled(js):
    dev = dev_ids()
    assert len(dev) >= 300 and dev <= {q.qid for q in js.questions}
    everything = sample_questions(js.questions, 0)
    assert len(everything) == len(js.questions) - len(dev)
    assert not dev & {q.qid for q in everything}


# --- span scores ----------------------------------------------------------------------------------------

Q = Question("q1", "ジェイ・キャストの取材方法は？", ("電話取材",), "docA", Paragraph(100, 200))


def cite(n, start, end, doc_id="docA", reference=False):
    return {"n": n, "doc_id": doc_id, "start": start, "end": end, "text": "", "reference": reference}


def ans(text, citations, answerable=True, intent="detail"):
    return {"text": text, "citations": citations, "answerable": answerable, "intent": intent}


def test_cite_at_1_is_the_first_claim_citation_overlapping_the_paragraph():
    docs = {}
    assert D.score(Q, ans("電話取材 [1]", [cite(1, 150, 260)]), docs, 1.0).cite_at_1
    assert not D.score(Q, ans("[1]", [cite(1, 200, 260)]), docs, 1.0).cite_at_1  # touches the end: [start, end) does not overlap
    assert not D.score(Q, ans("[1]", [cite(1, 40, 100)]), docs, 1.0).cite_at_1
    assert not D.score(Q, ans("[1]", [cite(1, 120, 180, doc_id="docB")]), docs, 1.0).cite_at_1  # same offsets, other document
    # 参考 passages are not claims; the order is by marker number
    r = D.score(Q, ans("[1][2][3]", [cite(3, 0, 10), cite(1, 120, 130, reference=True), cite(2, 150, 160)]), docs, 1.0)
    assert r.cite_at_1 and r.hit_at_3 and r.doc_at_1
    third = D.score(Q, ans("[1][2][3]", [cite(1, 0, 10), cite(2, 300, 310), cite(3, 190, 220)]), docs, 1.0)
    assert not third.cite_at_1 and third.hit_at_3 and third.doc_at_1
    fourth = D.score(Q, ans("", [cite(n, 0, 10) for n in (1, 2, 3)] + [cite(4, 150, 160)]), docs, 1.0)
    assert not fourth.hit_at_3


def test_contains_gold_declined_and_length():
    docs = {}
    assert D.score(Q, ans("取材は主に　電話 取材 [1] です", []), docs, 1.0).contains_gold  # white space ignored
    assert D.score(Q, ans("ＴＥＬではなく電話取材", []), docs, 1.0).contains_gold
    declined = D.score(Q, ans("資料には記載がありません。", [], answerable=False), docs, 1.0)
    assert declined.declined and not declined.contains_gold and not declined.cite_at_1
    assert D.score(Q, ans("電話 取材 [1]", []), docs, 1.0).length == 4
    rows = [D.score(Q, ans("電話取材 [1]", [cite(1, 150, 160)]), docs, t) for t in (10.0, 20.0, 30.0)]
    rows.append(D.score(Q, ans("", [], answerable=False, intent="error"), docs, None, error=True))
    s = D.summarize(rows)
    assert s["n"] == 4 and s["cite@1"] == 0.75 and s["wrongly_declined"] == 0.25 and s["errors"] == 1
    assert s["latency_p50_ms"] == 20.0 and s["answer_len_median"] == 4
    assert s["intents"] == {"detail": 0.75, "error": 0.25}


def test_citation_validity_checks_the_document_text():
    class Doc:
        text = "x" * 100 + "電話取材を行う。" + "y" * 100

    docs = {"docA": Doc()}
    good = {**cite(1, 100, 108), "text": "電話取材を行う。"}
    assert D.score(Q, ans("[1]", [good]), docs, 1.0).valid
    assert not D.score(Q, ans("[1]", [{**good, "text": "電話取材"}]), docs, 1.0).valid
    assert not D.score(Q, ans("[2]", [good]), docs, 1.0).valid  # marker without its citation


@pytest.mark.parametrize("question, kind", [
    ("ジェイ・キャストはいつ設立された？", "いつ"), ("何年に開業した？", "いつ"), ("法華経を漢訳したのは誰？", "誰"),
    ("本社はどこにある？", "どこ"), ("選手は何人いる？", "いくつ"), ("この湖は何と呼ばれる？", "何"),
    ("どのような方法で取材する？", "何"), ("ジェイ・キャストの取材方法は？", "other"),
])
def test_question_types(question, kind):
    assert D.question_type(question) == kind


# --- the strong BM25 baseline ---------------------------------------------------------------------------


def test_paragraph_bm25_scores_paragraphs_with_their_title():
    from corpus.model import Document
    from evals import metrics as M
    from evals.baselines import ParagraphBM25Baseline, paragraph_spans

    a = Document("a", "大阪", "大阪", "document", "# 大阪\n\n大阪は近畿地方の都市である。\n\n  人口は多い。  \n")
    b = Document("b", "札幌", "札幌", "document", "# 札幌\n\n札幌は北海道の都市である。\n\n人口も多い。\n")
    assert [a.text[s:e] for s, e in paragraph_spans(a.text)] == ["# 大阪", "大阪は近畿地方の都市である。", "人口は多い。"]
    bm25 = ParagraphBM25Baseline([a, b])
    hit = bm25.ask("大阪の人口は？", [])
    first = hit.citations[0]
    assert (first.doc_id, first.text) == ("a", "人口は多い。")  # the title makes the right paragraph win
    assert M.citation_problems(hit, {"a": a, "b": b}) == [] and len(hit.citations) == 2
    nothing = bm25.ask("ｘｙｚｚｙ", [])
    assert not nothing.answerable and nothing.citations == []


# --- the cache of data folders --------------------------------------------------------------------------


def test_cached_folders_are_reused_by_key_and_never_stale(tmp_path):
    from evals.folders import COMPLETE, cached_folder, content_key

    built = []

    def build(folder: Path) -> None:
        built.append(folder)
        (folder / "index").mkdir()

    f = tmp_path / "doc.md"
    f.write_text("一", encoding="utf-8")
    key1 = content_key([f], ["schema=2"])
    first = cached_folder("docs", key1, build, tmp_path / "cache", log=lambda *_: None)
    again = cached_folder("docs", key1, build, tmp_path / "cache", log=lambda *_: None)
    assert first == again and len(built) == 1 and (first / COMPLETE).read_text(encoding="utf-8") == key1
    assert content_key([f], ["schema=3"]) != key1  # another index schema
    f.write_text("二", encoding="utf-8")
    key2 = content_key([f], ["schema=2"])
    assert key2 != key1
    second = cached_folder("docs", key2, build, tmp_path / "cache", log=lambda *_: None)
    assert second != first and len(built) == 2 and not first.exists()  # the stale folder is gone
    (second / COMPLETE).unlink()  # an interrupted build is never used
    third = cached_folder("docs", key2, build, tmp_path / "cache", log=lambda *_: None)
    assert third == second and len(built) == 3

    def broken(folder: Path) -> None:
        raise RuntimeError("embedder failed")

    with pytest.raises(RuntimeError):
        cached_folder("docs", content_key([f], ["x"]), broken, tmp_path / "cache", log=lambda *_: None)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [third.name]  # nothing half-built is left


def test_the_cache_key_covers_the_index_code_and_the_bundled_documents():
    from evals.folders import REPO, index_inputs

    inputs = {p.relative_to(REPO).as_posix() for p in index_inputs()}
    assert {"corpus/documents", "corpus", "index", "assistant/indexing.py"} <= inputs


# --- aggregate-only reporting ---------------------------------------------------------------------------


def test_the_report_lists_items_for_dev_and_newplan_only():
    from evals.run import markdown

    item = {"id": "SECRET-ID", "category": "count", "history": [], "question": "SECRET-QUESTION", "answer": "x",
            "reasons": ["r"], "fully_correct": False, "citation_problems": []}
    row = {"n": 1, "fully_correct": 0.0}
    group = {"overall": row, "categories": {"count": row}, "phenomena": {}}
    plans = {"systems": ["ours"], "splits": {
        "newplan": {"n": 1, "systems": {"ours": {**group, "items": [{**item, "id": "np-x", "question": "newplan-question"}]}}},
        # never stored for the holdout; even if it were, an aggregate-only split lists nothing
        "holdout": {"n": 1, "aggregate_only": True, "systems": {"ours": {**group, "items": [item]}}},
    }}
    docs_row = {"n": 1000, "cite@1": 0.5}
    documents = {"systems": ["ours"], "sample": {"seed": 9, "size": 1000, "of": 4420, "articles": 59, "paragraphs": 1159,
                                                 "documents_indexed": 61},
                 "splits": {"documents": {"n": 1000, "aggregate_only": True,
                                          "systems": {"ours": {"overall": docs_row, "categories": {"何": docs_row}}}}}}
    md = markdown({"generated": "now", "machine": "m", "suites": {"plans": plans, "documents": documents}})
    assert "np-x" in md and "newplan-question" in md and "SECRET" not in md
    assert md.count("Failing items") == 1 and "holdout (1 items) — aggregates only" in md
    assert "seed 9" in md and "1000 of 4420 questions" in md
