"""The generative mode against a scripted OpenAI-compatible server (tests/llm_stub.py: real HTTP on the
loopback, streamed as server-sent events): what is shown, what is dropped, and the extractive answer with a
Japanese note whenever the model's reply cannot be shown. No assertion here is about time: the stall case
is told by its outcome (the note says the deadline passed while the stub was still silent)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from dataclasses import replace

import pytest

from tests.conftest import REPO, free_port
from tests.llm_stub import Script, StubLLM

Q = "四国ではどんな分野を検討している？"
GOOD = ["四国では、造船産業の再生に向けて瀬戸内地域を産業クラスターとして強化することが検討されています[1]。",
        "また、GX（AI、蓄電池、半導体、CNF、SAF等）",
        "のクラスター形成も検討されています[2]。"]
TIMEOUT = 10.0  # seconds for a whole generation in these tests (the stall below lasts 30)


@pytest.fixture(scope="module")
def stub():
    with StubLLM(lambda request: Script(GOOD)) as s:
        yield s


@pytest.fixture(scope="module")
def llm_bot(settings, bot, stub):
    """The session's index, answered with the stub as the user's LLM."""
    from assistant import Assistant

    return Assistant.load(replace(settings, llm_url=stub.url, llm_timeout=TIMEOUT))


def play(stub, script: Script):
    stub.script = lambda request: script


def test_without_an_llm_nothing_changes(bot):
    assert bot.generator is None
    plain, asked = bot.ask(Q), bot.ask(Q, mode="generative")
    assert asked.to_dict() == plain.to_dict() and plain.mode == "extractive" and "verdicts" not in plain.to_dict()


def test_a_supported_reply_streams_sentence_by_sentence_and_is_shown_verified(llm_bot, stub):
    play(stub, Script(GOOD))
    seen: list[str] = []
    a = llm_bot.ask(Q, mode="generative", on_text=seen.append)
    assert a.mode == "generative" and a.model == "stub-model" and a.answerable
    assert [v["ok"] for v in a.verdicts] == [True, True] and not a.note
    assert "瀬戸内地域" in a.text and "[1]" in a.text and "[2]" in a.text
    assert {c.n for c in a.citations} == {1, 2}
    assert seen and seen[0].startswith("四国では") and "[2]" not in seen[0], "the first sentence was shown before the second ended"
    # what the model was given: the instruction, the numbered passages with their breadcrumbs, the list, the question
    prompt = stub.prompt()
    system = stub.requests[-1]["messages"][0]["content"]
    assert "[1] 各地方ブロック別の戦略産業クラスター計画の素案（概要） › 四国" in prompt and Q in prompt
    assert re.search(r"\n- ③食・観光・防災.*\[3\]\n", prompt), "the extractive answer's list, as rendered"
    assert "資料の箇所" in prompt and "[1]" in system
    # the extractive answer it rests on, one call away, and the JSON shape
    d = a.to_dict()
    assert d["mode"] == "generative" and d["extractive"]["mode"] == "extractive" and len(d["verdicts"]) == 2
    assert a.trace["mode"] == "generative" and a.trace["verdicts"][0]["why"] == "確認済み"


@pytest.mark.parametrize(("bad", "reason"), [
    ("四国では、貿易の90%以上を海上輸送が占めています[1]。", "figure"),  # a made-up figure
    ("四国では宇宙分野のクラスター形成も検討されています[7]。", "unknown_marker"),  # a marker that names nothing
    ("四国では食・観光・防災のクラスター形成も検討されています。", "no_marker"),  # no marker
    ("四国では、今治市を中心に造船産業の再生が検討されています[1]。", "name"),  # a place the passage does not name
])
def test_an_unsupported_sentence_is_dropped_and_the_answer_says_so(llm_bot, stub, bad, reason):
    play(stub, Script([*GOOD, bad]))
    a = llm_bot.ask(Q, mode="generative")
    assert a.mode == "generative"
    assert [v["reason"] for v in a.verdicts] == ["ok", "ok", reason]
    assert bad.split("[")[0].rstrip("。") not in a.text
    assert "（根拠を確認できない文を1つ省きました）" in a.text and a.note == "根拠を確認できない文を1つ省きました"


@pytest.mark.parametrize(("script", "note"), [
    (Script(["The passages say that Shikoku is considering shipbuilding [1]. ", "It also lists GX [2]."]), "日本語で回答しなかった"),
    (Script(["資料からは答えられません。"]), "答えられないと回答した"),
    (Script([GOOD[0], "また、GXの"], finish="length"), "途中で切れていた"),
    (Script(["ĠĠĠ", "ĊĊ<unused12>", "ĠĠĠ"]), "読み取れなかった"),
    (Script(malformed=True), "読み取れなかった"),
    (Script(status=500), "エラーを返した"),
    (Script(["四国では宇宙分野も検討されています[1]。", "北海道では造船が中心です[2]。"]), "十分に確認できなかった"),
])
def test_a_reply_that_cannot_be_shown_gives_the_extractive_answer_with_a_note(llm_bot, bot, stub, script, note):
    play(stub, script)
    a = llm_bot.ask(Q, mode="generative")
    extractive = bot.ask(Q)
    assert a.mode == "extractive" and note in a.note and a.answerable
    assert a.text == f"（{a.note}）\n{extractive.text}", "the note, then the extractive answer"
    assert a.citations == extractive.citations


def test_a_stalled_server_gives_the_extractive_answer_when_the_deadline_passes(llm_bot, stub):
    play(stub, Script(GOOD, stall=30))
    a = llm_bot.ask(Q, mode="generative")
    assert a.mode == "extractive" and a.trace["generation_status"] == "timeout"
    assert f"{TIMEOUT:g}秒以内に回答を終えなかった" in a.note and "①造船産業" in a.text


def test_a_server_that_is_down_gives_the_extractive_answer_with_a_note(settings, bot):
    from assistant import Assistant

    url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    down = Assistant.load(replace(settings, llm_url=url, llm_timeout=TIMEOUT))
    a = down.ask(Q, mode="generative")
    assert a.mode == "extractive" and a.trace["generation_status"] == "unreachable"
    assert f"生成モデル（{url}）に接続できなかった" in a.text and a.text.endswith(bot.ask(Q).text)


def test_a_declined_question_is_not_sent_to_the_model(llm_bot, stub):
    play(stub, Script(GOOD))
    before = len(stub.requests)
    a = llm_bot.ask("九州の予算はいくら？", mode="generative")
    assert not a.answerable and a.mode == "extractive" and len(stub.requests) == before
    assert a.text.startswith("資料には九州の金額・予算についての記載がありません")


def test_a_stalled_generation_holds_up_no_other_question(llm_bot, stub):
    """Generation holds no lock `ask` needs: while one user's generation waits on a silent server, another
    user's question is answered (the first is still waiting when the second is done)."""
    from tests.llm_stub import wait_for_prompt

    play(stub, Script(GOOD, stall=30))
    stub.requests.clear()
    slow: dict = {}
    waiting = threading.Thread(target=lambda: slow.setdefault("a", llm_bot.ask(Q, mode="generative")))
    waiting.start()
    wait_for_prompt(stub)  # the generation is now waiting on the silent server
    other = {}
    t = threading.Thread(target=lambda: other.setdefault("a", llm_bot.ask("造船に取り組む地域はどこ？")))
    t.start()
    t.join(60)  # a "does not hang" bound, not a speed assertion
    assert "a" in other and "四国" in other["a"].text
    assert waiting.is_alive() and "a" not in slow, "the stalled generation was still waiting"
    waiting.join(60)
    assert slow["a"].trace["generation_status"] == "timeout"


def _cli(settings, *args):
    env = {"ASSISTANT_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin", "HOME": str(settings.data_dir),
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, env=env, timeout=300,
                          cwd=REPO)


def test_the_cli_answers_with_the_llm_and_shows_the_verdicts(settings, bot, stub):
    play(stub, Script([*GOOD, "四国では、貿易の90%以上を海上輸送が占めています[1]。"]))
    r = _cli(settings, "ask", "--llm", stub.url, "--json", Q)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["mode"] == "generative" and d["model"] == "stub-model" and [v["ok"] for v in d["verdicts"]] == [True, True, False]
    assert d["extractive"]["mode"] == "extractive"
    r = _cli(settings, "ask", "--llm", stub.url, "--explain", Q)
    assert r.returncode == 0, r.stderr
    assert "回答の方式 生成" in r.stdout and "✗ 引用箇所にない数値 90%" in r.stdout and "根拠を確認できない文を1つ省きました" in r.stdout
    r = _cli(settings, "ask", "--llm", stub.url, "--extractive", "--json", Q)
    assert json.loads(r.stdout)["mode"] == "extractive"
