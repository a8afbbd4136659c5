"""Votes on answers: one JSON line each in feedback.jsonl, read back, and turned into draft eval items."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant import feedback
from tests.conftest import REPO


def _vote(verdict="down", comment="", id="t-1", question="九州の予算は？") -> feedback.Vote:
    return feedback.Vote(question=question, answer="記載がありません。", verdict=verdict, comment=comment, id=id,
                         history=[{"role": "user", "content": "前の質問"}, {"role": "assistant", "content": "前の答え"},
                                  {"role": "system", "content": "捨てる"}],
                         citations=[{"n": 1, "doc_id": "d", "text": "引用", "secret": "捨てる"}])


def test_a_vote_is_one_json_line_with_question_history_answer_citations_verdict_and_time(tmp_path):
    written = feedback.record(tmp_path, _vote())
    [line] = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    data = json.loads(line)
    assert data["question"] == "九州の予算は？" and data["verdict"] == "down" and data["answer"] == "記載がありません。"
    assert data["history"] == [{"role": "user", "content": "前の質問"}, {"role": "assistant", "content": "前の答え"}]
    assert data["citations"] == [{"n": 1, "doc_id": "d", "text": "引用"}] and data["time"] == written.time
    assert "T" in data["time"] and data["time"].endswith("+00:00")
    with pytest.raises(ValueError):
        feedback.record(tmp_path, _vote(verdict="meh"))


def test_reading_back_skips_broken_lines_and_a_later_vote_supersedes(tmp_path):
    feedback.record(tmp_path, _vote())
    with open(tmp_path / "feedback.jsonl", "a", encoding="utf-8") as f:
        f.write("{not json\n\n")
    feedback.record(tmp_path, _vote(comment="予算の表があるはず"))
    feedback.record(tmp_path, _vote(verdict="up", id="t-2", question="九州の分野は？"))
    votes = feedback.read(tmp_path)
    assert len(votes) == 2  # the comment replaced t-1's vote in place: one answer, one record
    raw = (tmp_path / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in raw if x.startswith("{\"")] == ["t-1", "t-2"] and "{not json" in raw
    latest = feedback.latest(votes + [votes[0]])  # older files may hold several votes of one answer: the last wins
    assert [(v.id, v.comment) for v in latest] == [("t-1", "予算の表があるはず"), ("t-2", "")]
    drafts = feedback.eval_drafts(votes)
    assert len(drafts) == 1
    d = drafts[0]
    assert d["question"] == "九州の予算は？" and d["gold"] == [] and d["facts"] == [] and d["answerable"] is None
    assert d["category"] == "TODO" and "要記入" in d["comment"] and "予算の表があるはず" in d["comment"]
    assert d["draft"]["answer"] == "記載がありません。"


def test_a_draft_fails_the_dataset_validator_until_a_person_completes_it(tmp_path):
    from evals.dataset import item_problems, load_corpus

    feedback.record(tmp_path, _vote())
    [draft] = feedback.eval_drafts(feedback.read(tmp_path))
    assert item_problems(draft, load_corpus())  # clearly not a finished item


def test_assistant_eval_from_feedback_writes_the_drafts(tmp_path):
    feedback.record(tmp_path, _vote())
    feedback.record(tmp_path, _vote(verdict="up", id="t-2"))
    out = tmp_path / "drafts.jsonl"
    run = subprocess.run([sys.executable, "-m", "cli", "eval", "--from-feedback", "--data-dir", str(tmp_path),
                          "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "下書き 1 件" in run.stdout
    [item] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert item["question"] == "九州の予算は？" and item["id"] == "fb-0001"
