"""The evaluation's own correctness: metric functions on hand-made answers, the gate, and the datasets."""

from __future__ import annotations

from collections import Counter

import pytest

from evals import metrics as M
from evals.dataset import CATEGORIES, item_problems, load_corpus, load_split
from evals.run import check, score_item, summarize_groups

CP, GS, KK = "cluster_plan", "growth_strategy", "kitakyushu_industry_plan"
AREAS = "第5章 地区別の取組"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def cite(corpus, n, doc_id, block, needle=None, section=None, reference=False, text=None):
    """A verbatim citation of `needle` (or the whole block) in a real document."""
    doc = corpus.documents[doc_id]
    start, end = corpus.blocks[(doc_id, block)]
    if needle:
        start = doc.text.index(needle, start)
        end = start + len(needle)
    return {"n": n, "chunk_id": f"{doc_id}-{start}-{end}", "doc_id": doc_id, "title": doc.title, "block": block,
            "section": section or block, "text": doc.text[start:end] if text is None else text, "start": start, "end": end,
            "score": 1.0, "page": None, "reference": reference}


def answer(text, citations=(), answerable=True, candidates=()):
    return {"text": text, "citations": list(citations), "answerable": answerable, "intent": "test",
            "trace": {"candidates": list(candidates)}}


SHIP = {"id": "t-ship", "question": "造船に取り組むブロックは？", "history": [], "category": "which_blocks", "phenomena": [],
        "answerable": True, "gold": [{"doc_id": CP, "block": b} for b in ("中国", "九州", "四国")],
        "facts": [["中国"], ["九州"], ["四国"]], "reference": "中国、九州、四国です。"}
UNANSWERABLE = {"id": "t-budget", "question": "予算は？", "history": [], "category": "unanswerable", "phenomena": [],
                "answerable": False, "gold": [], "facts": []}


def ship_citations(corpus):
    return [cite(corpus, 1, CP, "中国", "④造船"), cite(corpus, 2, CP, "九州", "③造船・防衛・航空宇宙"), cite(corpus, 3, CP, "四国", "①造船産業")]


# --- facts and normalisation -----------------------------------------------------------------------------


def test_facts_nfkc_whitespace_and_markers():
    assert M.fact_present(["GX"], "北海道は③ＧＸ・洋上風力 [1]")
    assert M.fact_present(["エネルギー・GX・資源循環"], "②エネルギー・\nGX・資源 循環")
    assert M.fact_present(["国土強靱化"], "国土強靭化")  # variant folding of corpus.text.normalize
    assert not M.fact_present(["1"], "九州 [1]")  # markers are not answer text
    assert M.fact_recall([["九州"], ["四国"]], "九州です") == 0.5
    assert M.fact_recall([], "何でも") is None
    assert M.missing_facts([["九州"], ["四国", "しこく"]], "九州") == [["四国", "しこく"]]


def test_count_facts_are_recognised():
    assert M.is_count_fact(["3ブロック", "3つ", "三つ"])
    assert M.is_count_fact(["１７"])
    assert M.is_count_fact(["10のブロック", "十"])
    assert M.is_count_fact(["5地区", "ひとつ", "7指標", "2ケ所", "2ヶ所"])
    assert not M.is_count_fact(["3つの安全保障"])
    assert not M.is_count_fact(["造船"])


def test_char_f1_and_length():
    assert M.char_f1("九州です", "九州です") == 1.0
    assert M.char_f1("abcd", "wxyz") == 0.0
    assert M.char_f1("九州 [1]", "九州") == 1.0
    assert 0 < M.char_f1("中国と九州", "中国、九州、四国") < 1
    assert M.answer_length("九州 です [1]\n") == 4


def test_polarity():
    assert M.polarity_ok(None, "何でも") is None
    assert M.polarity_ok("no", "沖縄では半導体は挙げられていません。")
    assert not M.polarity_ok("no", "沖縄では半導体を検討しています。")
    assert M.polarity_ok("yes", "はい、九州では③造船・防衛・航空宇宙が挙げられています。県単位の記載はありません。")
    assert not M.polarity_ok("yes", "九州では造船は挙げられていません。")


# --- correctness -----------------------------------------------------------------------------------------


def test_correct_answer(corpus):
    a = answer("造船は中国 [1]、九州 [2]、四国 [3] です。", ship_citations(corpus))
    ok, reasons = M.correctness(SHIP, a)
    assert ok and reasons == []
    assert M.citation_problems(a, corpus.documents) == []
    assert M.citation_precision(SHIP, a, corpus.section_spans) == 1.0
    assert M.citation_recall(SHIP, a) == 1.0  # a block name is supported by a passage of that block
    assert M.citation_recall(SHIP, answer(a["text"], ship_citations(corpus)[:2])) == pytest.approx(2 / 3)


def test_citation_recall_counts_facts_inside_cited_text(corpus):
    item = {**SHIP, "facts": [["造船"], ["防衛"], ["ヘルスケア"]]}
    a = answer("[1][2]", [cite(corpus, 1, CP, "中国", "④造船"), cite(corpus, 2, CP, "九州", "③造船・防衛・航空宇宙")])
    assert M.citation_recall(item, a) == pytest.approx(2 / 3)


def test_missing_fact(corpus):
    a = answer("造船は中国 [1] と九州 [2] です。", ship_citations(corpus)[:2])
    ok, reasons = M.correctness(SHIP, a)
    assert not ok
    assert "missing fact '四国'" in reasons and "gold block not cited: 四国" in reasons
    assert M.fact_recall(SHIP["facts"], a["text"]) == pytest.approx(2 / 3)


def test_extra_blocks(corpus):
    one_extra = ship_citations(corpus) + [cite(corpus, 4, CP, "近畿", "②宇宙")]
    a = answer("中国 [1]、九州 [2]、四国 [3]、近畿 [4]", one_extra)
    assert M.correctness(SHIP, a)[0]  # one extra block is tolerated
    assert M.citation_precision(SHIP, a, corpus.section_spans) == 0.75
    two_extra = one_extra + [cite(corpus, 5, CP, "沖縄", "③エネルギー")]
    ok, reasons = M.correctness(SHIP, answer("中国 [1]、九州 [2]、四国 [3]、近畿 [4]、沖縄 [5]", two_extra))
    assert not ok and any("2 extra blocks" in r for r in reasons)


def test_repeated_citations_of_one_block_are_one_block(corpus):
    cites = ship_citations(corpus) + [cite(corpus, 4, CP, "九州", "TSMC")]
    assert M.cited_blocks(answer("", cites)) == [(CP, "中国"), (CP, "九州"), (CP, "四国")]


def test_invalid_citation_span(corpus):
    bad = ship_citations(corpus)
    bad[1] = {**bad[1], "text": bad[1]["text"] + "。"}  # not the document's text[start:end]
    problems = M.citation_problems(answer("中国 [1]、九州 [2]、四国 [3]", bad), corpus.documents)
    assert problems == [f"[2] text differs from {CP}[{bad[1]['start']}:{bad[1]['end']}]"]
    outside = [{**bad[0], "end": 10**6}]
    assert "outside the document" in M.citation_problems(answer("[1]", outside), corpus.documents)[0]
    unknown = [{**bad[0], "doc_id": "nope"}]
    assert "unknown doc_id" in M.citation_problems(answer("[1]", unknown), corpus.documents)[0]


def test_marker_without_citation_and_citation_without_marker(corpus):
    cites = ship_citations(corpus)
    assert M.citation_problems(answer("中国 [1]、九州 [2]、四国 [3]、近畿 [4]", cites), corpus.documents) == ["marker [4] has no citation"]
    assert M.citation_problems(answer("中国 [1]、九州 [2]", cites), corpus.documents) == ["citation 3 has no marker in the text"]
    dup = cites + [{**cites[0]}]
    assert any("duplicate" in p for p in M.citation_problems(answer("[1][2][3]", dup), corpus.documents))


def test_unanswerable_right_and_wrong(corpus):
    ref = [cite(corpus, 1, CP, "九州", "TSMC", reference=True)]
    right = answer("資料には予算の記載がありません。参考 [1]", ref, answerable=False)
    assert M.correctness(UNANSWERABLE, right) == (True, [])
    assert M.cited_blocks(right) == []  # 参考 passages are not claims
    assert M.citation_precision(UNANSWERABLE, right) is None
    wrong = answer("予算は100億円です [1]", [cite(corpus, 1, CP, "九州", "TSMC")], answerable=True)
    ok, reasons = M.correctness(UNANSWERABLE, wrong)
    assert not ok and "answered although" in reasons[0]


def test_answerable_item_answered_as_unanswerable(corpus):
    a = answer("中国 [1]、九州 [2]、四国 [3]", ship_citations(corpus), answerable=False)
    ok, reasons = M.correctness(SHIP, a)
    assert not ok and reasons == ["said the documents do not answer (answerable=False)"]


def test_polarity_enters_correctness(corpus):
    item = {**SHIP, "gold": [{"doc_id": CP, "block": "沖縄"}], "facts": [], "polarity": "no"}
    c = [cite(corpus, 1, CP, "沖縄", "①医療・バイオ")]
    assert M.correctness(item, answer("沖縄では半導体は挙げられていません [1]。", c))[0]
    assert not M.correctness(item, answer("沖縄では①医療・バイオを検討しています [1]。", c))[0]


def area(corpus, n, section, needle=None, reference=False):
    """A verbatim citation inside one area (section) of the new plan's 地区別 chapter."""
    doc = corpus.documents[KK]
    start, end = corpus.section_spans[(KK, AREAS, section)]
    if needle:
        start = doc.text.index(needle, start)
        end = start + len(needle)
    return {"n": n, "chunk_id": f"{KK}-{start}-{end}", "doc_id": KK, "title": doc.title, "block": AREAS,
            "section": f"{AREAS} > {section}", "text": doc.text[start:end], "start": start, "end": end, "score": 1.0,
            "page": None, "reference": reference}


HYDROGEN = {"id": "t-h2", "question": "水素に関係する地区は？", "history": [], "category": "which_blocks", "phenomena": [],
            "answerable": True, "gold": [{"doc_id": KK, "block": AREAS, "section": s} for s in ("第1節 響灘・若松地区", "第2節 戸畑・八幡東地区")],
            "facts": [["響灘・若松"], ["戸畑・八幡東"]]}


def test_gold_sections_must_be_cited_and_other_sections_of_their_block_are_extra(corpus):
    hibiki, tobata = area(corpus, 1, "第1節 響灘・若松地区", "水素・アンモニア"), area(corpus, 2, "第2節 戸畑・八幡東地区", "水素利活用")
    text = "響灘・若松地区 [1] と戸畑・八幡東地区 [2] です。"
    assert M.correctness(HYDROGEN, answer(text, [hibiki, tobata]), corpus.section_spans) == (True, [])
    # the same chapter, but the wrong area: the block is cited, the gold section is not
    moji = area(corpus, 2, "第4節 門司港地区", "観光")
    ok, reasons = M.correctness(HYDROGEN, answer(text, [hibiki, moji]), corpus.section_spans)
    assert not ok and reasons == ["gold section not cited: 第5章 地区別の取組 > 第2節 戸畑・八幡東地区"]
    # two other areas of the gold chapter are two extra units, even though the block is a gold block
    extra = [hibiki, tobata, moji, area(corpus, 4, "第3節 小倉都心地区", "MICE")]
    ok, reasons = M.correctness(HYDROGEN, answer(text + "[3][4]", extra), corpus.section_spans)
    assert not ok and reasons == ["2 extra blocks cited: 第5章 地区別の取組 > 第4節 門司港地区, 第5章 地区別の取組 > 第3節 小倉都心地区"]
    assert M.correctness(HYDROGEN, answer(text + "[3]", extra[:3]), corpus.section_spans)[0]  # one extra is tolerated


def test_an_area_name_in_the_section_heading_supports_the_fact(corpus):
    tobata = area(corpus, 1, "第2節 戸畑・八幡東地区", "水素利活用")
    assert "戸畑" not in tobata["text"]
    assert M.fact_supported(["戸畑・八幡東"], tobata)
    assert not M.fact_supported(["響灘・若松"], tobata)
    assert M.citation_recall(HYDROGEN, answer("[1]", [tobata])) == 0.5


# --- retrieval -------------------------------------------------------------------------------------------


def test_retrieval_scores_dedupe_by_block():
    golds = [{"doc_id": CP, "block": "四国"}, {"doc_id": CP, "block": "九州"}]
    ranked = [{"doc_id": CP, "block": "近畿"}, {"doc_id": CP, "block": "近畿"}, {"doc_id": CP, "block": "四国"},
              {"doc_id": CP, "block": "四国"}, {"doc_id": CP, "block": "沖縄"}, {"doc_id": CP, "block": "九州"}]
    s = M.retrieval_scores(golds, ranked)
    # deduplicated: 近畿, 四国, 沖縄, 九州
    assert s["hit@1"] == 0.0 and s["hit@3"] == 1.0 and s["hit@5"] == 1.0
    assert s["mrr"] == 0.5
    import math

    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    assert s["ndcg@10"] == pytest.approx(dcg / (1 + 1 / math.log2(3)))
    assert s["recall@10"] == 1.0
    assert M.retrieval_scores([], ranked) is None
    assert M.retrieval_scores(golds, [])["mrr"] == 0.0


def test_retrieval_doc_id_must_match():
    golds = [{"doc_id": CP, "block": "九州"}]
    assert M.retrieval_scores(golds, [{"doc_id": GS, "block": "九州"}])["hit@5"] == 0.0


def test_section_gold_by_path_and_by_span(corpus):
    sec = "持続的な成長のための時間軸を意識した複線的投資"
    gold = {"doc_id": GS, "block": "17の戦略分野", "section": sec}
    assert M.matches(gold, {"doc_id": GS, "block": "17の戦略分野", "section": f"17の戦略分野 > {sec}"})
    assert not M.matches(gold, {"doc_id": GS, "block": "17の戦略分野", "section": "17の戦略分野 > イノベーションを通じた成長"})
    start, end = corpus.section_spans[(GS, "17の戦略分野", sec)]
    whole = {"doc_id": GS, "block": "17の戦略分野", "section": "17の戦略分野", "start": start - 300, "end": end}
    assert M.matches(gold, whole, corpus.section_spans)
    other = {**whole, "start": start - 300, "end": start - 100}
    assert not M.matches(gold, other, corpus.section_spans)


def test_ranked_entries_citations_first_then_candidates(corpus):
    chunk_id = next(k for k, v in corpus.chunk_spans.items() if k.startswith("growth_strategy") and v[0] > 200)
    a = answer("[1]", [cite(corpus, 1, CP, "九州", "TSMC")],
               candidates=[{"chunk_id": chunk_id, "doc_id": GS, "block": "17の戦略分野", "section": "17の戦略分野", "score": 0.1}])
    entries = M.ranked_entries(a, corpus.chunk_spans)
    assert [e["block"] for e in entries] == ["九州", "17の戦略分野"]
    assert entries[1]["start"] == corpus.chunk_spans[chunk_id][0]  # span looked up for section matching


def test_abstention_and_percentile():
    assert M.abstention([True, False, False], [True, False, True]) == {"abstention_precision": 1.0, "abstention_recall": 0.5}
    assert M.abstention([True, True], [True, True]) == {"abstention_precision": None, "abstention_recall": None}
    assert M.abstention([True, False], [False, True]) == {"abstention_precision": 0.0, "abstention_recall": 0.0}
    assert M.percentile([1, 2, 3, 4], 50) == 2.5
    assert M.percentile([10.0], 95) == 10.0
    assert M.percentile([], 50) is None


# --- scoring, summary and gate ---------------------------------------------------------------------------


def test_score_item_and_summary(corpus):
    good = score_item(SHIP, answer("中国 [1]、九州 [2]、四国 [3]", ship_citations(corpus)), 10.0, corpus)
    bad = score_item(UNANSWERABLE, answer("予算は不明ですが九州です [1]", [cite(corpus, 1, CP, "九州", "TSMC")]), 30.0, corpus)
    broken = score_item(SHIP, {"text": "", "citations": [], "answerable": None, "trace": {}}, None, corpus, error="RuntimeError: x")
    assert good["fully_correct"] and not bad["fully_correct"] and not broken["fully_correct"]
    assert good["retrieval"]["hit@1"] == 1.0 and bad["retrieval"] is None
    assert broken["reasons"][0] == "error: RuntimeError: x" and not broken["citation_valid"]
    s = summarize_groups([good, bad, broken])
    assert s["overall"]["fully_correct"] == pytest.approx(1 / 3)
    assert s["overall"]["abstention_recall"] == 0.0
    assert s["overall"]["latency_p50_ms"] == 20.0
    assert s["categories"]["which_blocks"]["n"] == 2


def test_gate(corpus):
    good = score_item(SHIP, answer("中国 [1]、九州 [2]、四国 [3]", ship_citations(corpus)), 10.0, corpus)
    missing = score_item(SHIP, answer("中国 [1]", ship_citations(corpus)[:1]), 500.0, corpus)
    report = {"suites": {"plans": {"splits": {"dev": {"systems": {"ours": summarize_groups([good, missing])}}}},
                         "documents": {"splits": {"documents": {"systems": {"ours": {"overall": {"cite@1": 0.4, "wrongly_declined": 0.2}}}}}}}}
    thresholds = {"dev": {"fully_correct": 0.85, "citation_validity": 1.0, "abstention_precision": 0.0,
                          "max": {"latency_p95_ms": 100.0}, "categories": {"which_blocks": 0.9, "count": 0.5}},
                  "holdout": {"fully_correct": 0.5},
                  "documents": {"cite@1": 0.5, "max": {"wrongly_declined": 0.1}}}
    failures, notes = check(report, thresholds)
    assert "[dev] fully_correct = 0.500 < 0.85" in failures
    assert any(f.startswith("[dev] latency_p95_ms") for f in failures)
    assert "[dev] which_blocks fully_correct = 0.500 < 0.9" in failures
    assert not any("citation_validity" in f for f in failures)  # both answers are verbatim
    assert not any("abstention_precision" in f for f in failures)  # undefined, minimum 0
    assert "[holdout] not run: not checked" in notes and any("count" in n for n in notes)
    assert "[documents] cite@1 = 0.400 < 0.5" in failures and "[documents] wrongly_declined = 0.200 > 0.1" in failures
    assert check(report, {"dev": {"fully_correct": 0.5}, "documents": {"cite@1": 0.4}}) == ([], [])
    assert check(report, {"documents": {"hit@9": 0.1}})[0] == ["[documents] hit@9: no such metric"]
    assert check(report, {"dev": {"abstention_recall": 0.5}})[0] == ["[dev] abstention_recall is undefined (needs ≥ 0.5)"]


def test_check_command_on_a_saved_report(corpus, tmp_path, capsys):
    import json

    from evals.run import main

    good = score_item(SHIP, answer("中国 [1]、九州 [2]、四国 [3]", ship_citations(corpus)), 10.0, corpus)
    bad = score_item(SHIP, answer("中国 [1]", ship_citations(corpus)[:1]), 10.0, corpus)
    saved = tmp_path / "latest.json"
    saved.write_text(json.dumps({"suites": {"plans": {"splits": {"dev": {"systems": {"ours": summarize_groups([good, bad])}}}}}}), encoding="utf-8")
    limits = tmp_path / "t.toml"
    limits.write_text("[dev]\nfully_correct = 0.9\n", encoding="utf-8")
    assert main(["--check", "--report", str(saved), "--thresholds", str(limits)]) == 1
    assert "[dev] fully_correct = 0.500 < 0.9" in capsys.readouterr().out
    limits.write_text("[dev]\nfully_correct = 0.5\n", encoding="utf-8")
    assert main(["--check", "--report", str(saved), "--thresholds", str(limits)]) == 0


def test_thresholds_cover_every_split_of_every_suite(splits):
    from evals.run import load_thresholds

    t = load_thresholds()
    assert set(t) == {"dev", "newplan", "holdout", "documents", "realdocs"}
    from evals.realdocs import KINDS

    assert "fully_correct" in t["realdocs"] and set(t["realdocs"]["categories"]) <= set(KINDS)
    for name in ("dev", "newplan", "holdout"):
        assert "fully_correct" in t[name] and set(t[name]["categories"]) == {i["category"] for i in splits[name]}, name
    assert {"cite@1", "hit@3", "contains_gold"} <= set(t["documents"]) and "wrongly_declined" in t["documents"]["max"]


# --- the datasets ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def splits():
    return {s: load_split(s) for s in ("dev", "newplan", "holdout")}


def test_every_item_is_valid(splits, corpus):
    problems = {i["id"]: item_problems(i, corpus) for items in splits.values() for i in items}
    assert {k: v for k, v in problems.items() if v} == {}


def test_ids_unique_and_sizes(splits):
    ids = [i["id"] for items in splits.values() for i in items]
    assert len(ids) == len(set(ids))
    assert len(splits["dev"]) >= 180 and len(splits["newplan"]) >= 40 and len(splits["holdout"]) >= 60
    for name, items in splits.items():  # dev predates `fact` (its dates and amounts are unanswerable)
        assert set(i["category"] for i in items) == set(CATEGORIES) - ({"fact"} if name == "dev" else set()), name
    assert all(g["doc_id"] == KK for i in splits["newplan"] for g in i["gold"])
    holdout_docs = {g["doc_id"] for i in splits["holdout"] for g in i["gold"]}
    assert holdout_docs == {CP, GS, KK}  # spread over both bundled plans and the new one
    assert sum(not i["answerable"] for i in splits["dev"]) >= 15
    questions = [i["question"] for items in splits.values() for i in items]
    assert len(questions) == len(set(questions)) or all(
        q in {i["question"] for i in splits["dev"] if i["history"]} for q, n in Counter(questions).items() if n > 1
    )


def test_coverage(splits, corpus):
    dev = splits["dev"]
    gold_blocks = {(g["doc_id"], g["block"]) for i in dev for g in i["gold"]}
    bundled = {k for k in corpus.blocks if k[0] in (CP, GS)}
    assert bundled <= gold_blocks, bundled - gold_blocks  # every block and overview block
    sections = {g["section"] for i in dev for g in i["gold"] if g.get("section")}
    growth_sections = {k[2] for k in corpus.section_spans if k[0] == GS and k[1] == "17の戦略分野" and k[2] != "17の戦略分野"}
    assert growth_sections <= sections
    tags = Counter(t for i in dev for t in i["phenomena"])
    for tag in ("place", "variant", "english", "negation", "compound"):
        assert tags[tag] >= 3, tag
    assert sum(1 for i in dev if i["history"]) >= 15


def test_newplan_coverage(splits, corpus):
    items = splits["newplan"]
    sections = {(g["block"], g["section"]) for i in items for g in i["gold"] if g.get("section")}
    for block in (AREAS, "第4章 重点施策"):  # every area and every named 重点施策
        wanted = {(b, s) for (d, b, s), depth in corpus.section_depth.items() if d == KK and b == block and depth == 1}
        assert len(wanted) == 5 and wanted <= sections, wanted - sections
    tags = Counter(t for i in items for t in i["phenomena"])
    for tag in ("scope", "variant", "english", "negation", "budget", "date"):
        assert tags[tag] >= 1, tag
    assert sum(not i["answerable"] for i in items) >= 5 and sum(1 for i in items if i["history"]) >= 5


def test_validator_catches_mistakes(corpus):
    typo = {**SHIP, "facts": [["中国"], ["九洲州"]]}
    assert any("occurs in no gold passage" in p for p in item_problems(typo, corpus))
    assert any("not in the parsed corpus" in p for p in item_problems({**SHIP, "gold": [{"doc_id": CP, "block": "東海"}]}, corpus))
    assert item_problems({**UNANSWERABLE, "facts": [["x"]]}, corpus) == ["unanswerable item with gold or facts"]
    assert any("unknown category" in p for p in item_problems({**SHIP, "category": "misc"}, corpus))
    assert item_problems({**SHIP, "facts": [["3ブロック", "3つ"]]}, corpus) == []  # counts are computed, not quoted


def test_judge_is_off_without_base_url(monkeypatch):
    from evals import judge

    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)

    def no_network(*a, **k):
        raise AssertionError("network call attempted")

    monkeypatch.setattr(judge.urllib.request, "urlopen", no_network)
    assert judge.judge_from_env() is None


def test_judge_parses_a_verdict(monkeypatch):
    import io
    import json

    from evals import judge

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    reply = {"choices": [{"message": {"content": '判定: {"supported": 3, "total": 4}'}}]}

    class Resp(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    seen = {}

    def fake_urlopen(req, timeout):
        seen["url"] = req.full_url
        return Resp(json.dumps(reply).encode("utf-8"))

    monkeypatch.setattr(judge.urllib.request, "urlopen", fake_urlopen)
    j = judge.judge_from_env()
    assert j.faithfulness("q", "a", ["p"]) == 0.75
    assert seen["url"] == "http://127.0.0.1:9/v1/chat/completions"
