"""The conversation the browser keeps: read defensively, bounded, and turned into the assistant's history."""

from __future__ import annotations

import json

from assistant.limits import MAX_QUESTION_CHARS
from assistant.types import Answer, Citation, Line, LineKind
from ui import conversation as C


def _answer(text="九州は造船 [1]") -> Answer:
    c = Citation(n=1, chunk_id="c", doc_id="d", title="t", block="九州", section="九州", text="造船", start=3, end=5, score=0.5)
    a = Answer(text=text, citations=[c], answerable=True, intent="unit_items", lines=[Line(LineKind.LEAD, "九州は造船", (1,))])
    a.trace = {"intent": "unit_items", "carried": ["九州"], "candidates": [{"chunk_id": "c", "score": 1.0, "dense": 0.5,
                                                                          "bm25": 2.0, "extra": "x" * 10_000}] * 30}
    return a


def test_a_turn_keeps_the_answer_its_lines_citations_and_a_compact_trace():
    turn = C.make_turn("九州は？", _answer(), doc_ids=["d"])
    assert turn["answer"]["lines"] == [{"kind": "lead", "text": "九州は造船", "cites": [1]}]
    assert turn["answer"]["citations"][0]["text"] == "造船" and turn["doc_ids"] == ["d"]
    assert turn["trace"]["carried"] == ["九州"] and len(turn["trace"]["candidates"]) == C.MAX_CANDIDATES
    assert "extra" not in turn["trace"]["candidates"][0]


def test_what_the_browser_sends_is_rebuilt_from_known_keys_with_bounds():
    conv = C.with_turn(C.empty(), C.make_turn("九州は？", _answer()))
    raw = json.loads(C.dumps(conv))
    raw["turns"][0]["answer"]["lines"].append({"kind": 3})  # junk line
    raw["turns"][0]["answer"]["citations"].append({"n": "1"})  # junk citation
    raw["turns"][0]["question"] = "あ" * (MAX_QUESTION_CHARS + 50)
    raw["turns"][0]["id"] = "<script>"
    raw["turns"] += [{"question": f"q{i}", "answer": {"text": "a"}} for i in range(C.MAX_TURNS + 5)]
    raw["evil"] = "x"
    raw["mode"] = "<script>"  # the conversation's 抽出/生成 switch: only a known mode is kept
    back = C.parse(json.dumps(raw))
    assert set(back) == {"id", "title", "created", "turns", "mode"} and back["mode"] == "extractive"
    assert C.parse(json.dumps({**raw, "mode": "generative"}))["mode"] == "generative"
    assert len(back["turns"]) == C.MAX_TURNS and back["turns"][-1]["question"] == f"q{C.MAX_TURNS + 4}"
    for bad in ("", "{", "[]", "null", json.dumps({"turns": "x"}), "x" * (C.MAX_JSON_CHARS + 1), None, 42):
        assert C.parse(bad)["turns"] == []
    first = C.parse(C.dumps(conv))["turns"][0]
    assert first == conv["turns"][0]  # a well-formed conversation comes back unchanged
    one = C.parse(json.dumps({"turns": [{**raw["turns"][0]}]}))["turns"][0]
    assert len(one["question"]) == MAX_QUESTION_CHARS and one["id"].startswith("t-") and "<" not in one["id"]
    assert len(one["answer"]["lines"]) == 1 and len(one["answer"]["citations"]) == 1


def test_history_is_the_last_turns_without_failed_ones():
    conv = C.empty()
    for i in range(15):
        conv = C.with_turn(conv, C.make_turn(f"q{i}", _answer(f"a{i}")))
    conv = C.with_turn(conv, C.make_turn("壊れた", error="エラー"))
    history = C.history(conv)
    assert len(history) == C.HISTORY_MESSAGES and history[-1] == {"role": "assistant", "content": "a14"}
    assert C.history(conv, before=2) == [{"role": "user", "content": "q0"}, {"role": "assistant", "content": "a0"},
                                         {"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    assert conv["title"] == "q0"


def test_a_turn_can_be_replaced_in_place():
    conv = C.with_turn(C.with_turn(C.empty(), C.make_turn("q0", _answer())), C.make_turn("q1", _answer()))
    new = C.make_turn("q1", _answer("別の答え"), context=False)
    replaced = C.with_turn(conv, new, index=1)
    assert [t["question"] for t in replaced["turns"]] == ["q0", "q1"] and replaced["turns"][1]["context"] is False
    assert C.find(replaced, new["id"]) == 1 and C.find(replaced, "t-nope") is None
