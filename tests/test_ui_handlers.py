"""The pages' event handlers called directly (no server): streaming, refusals, errors, the answer tools
(votes → feedback.jsonl, regenerate, dropping the carried context), saved conversations, export, the
documents tab following the answer being looked at, and the field map's selections."""

from __future__ import annotations

import json
import logging
import re

import gradio as gr
import pytest

from assistant.limits import MAX_QUESTION_CHARS
from ui import conversation as C


UNREACHABLE = "索引の Chroma サーバー（http://127.0.0.1:9）が応答しません。サーバーを確認してください。"


class Flaky:
    """The real assistant, except that questions containing 故障 raise (an unexpected internal error) and
    questions containing 停止 find the index unreachable (as `Assistant.ask` reports a Chroma server down)."""

    def __init__(self, bot) -> None:
        self._bot = bot

    def __getattr__(self, name):
        return getattr(self._bot, name)

    def ask(self, question, history=None, doc_ids=None):
        if "故障" in question:
            raise RuntimeError("boom: internal detail that must not reach the user")
        if "停止" in question:
            from assistant.types import Answer, Intent

            return Answer(text=UNREACHABLE, citations=[], answerable=False, intent=Intent.UNAVAILABLE.value)
        return self._bot.ask(question, history, doc_ids=doc_ids)


@pytest.fixture(scope="module")
def demo(bot):
    from ui.app import build_app

    return build_app(Flaky(bot))


def handler(demo, name):
    fns = [f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name]
    assert fns, name
    return fns[0]


def is_skip(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def ask(demo, question, conv=None, docs=()):
    """All steps of one question; returns (steps, the conversation after it)."""
    steps = list(handler(demo, "respond")(question, C.dumps(conv) if conv else "", list(docs)))
    store = steps[-1][1]
    return steps, (C.parse(store) if not is_skip(store) else conv)


def act(demo, current, **data):
    return handler(demo, "act")(C.dumps(current), [], gr.EventData(None, data))


# outputs of respond: (chatbot, store, question box, status)


def test_an_answer_appears_line_by_line_then_fills_its_sources_and_the_store(demo):
    steps, conv = ask(demo, "九州で検討されているクラスターの分野は？")
    assert len(steps) >= 3
    first = steps[0][0]
    assert first[-1]["content"].count("回答を作成しています") == 1 and steps[0][2] == ""  # the box is cleared at once
    partial = [s[0][-1]["content"] for s in steps[1:-1]]
    assert all('data-state="streaming"' in p for p in partial)
    chat, store, box, status = steps[-1]
    final = chat[-1]["content"]
    assert 'data-state="done"' in final and "造船・防衛・航空宇宙" in final and 'class="cite"' in final
    assert 'class="msg-sources"' in final and "<mark" in final and 'data-block="九州"' in final
    assert status == "" and is_skip(box)
    assert all(is_skip(s[1]) for s in steps[:-1])  # the conversation is sent back once, at the end
    [turn] = conv["turns"]
    assert turn["question"] == "九州で検討されているクラスターの分野は？" and turn["answer"]["lines"]
    assert turn["trace"]["candidates"] is not None and turn["context"] is True


def test_the_next_turn_uses_the_conversations_history(demo):
    _, conv = ask(demo, "九州で造船はある？")
    _, conv = ask(demo, "では北海道は？", conv)
    assert len(conv["turns"]) == 2 and "造船" in conv["turns"][1]["answer"]["text"]
    _, alone = ask(demo, "では北海道は？")
    assert "造船" not in alone["turns"][0]["answer"]["text"]


def test_an_empty_or_over_long_message_is_refused_in_the_status_line(demo):
    """The chat refuses with the one question check's messages (assistant.validation)."""
    from assistant.validation import ENCODING_MESSAGE, empty_message

    for message in ("", "   \n", None, "\u200b"):
        [(chat, store, box, status)] = list(handler(demo, "respond")(message, "", []))
        assert is_skip(chat) and is_skip(store) and is_skip(box) and empty_message() in status
    text = "あ" * (MAX_QUESTION_CHARS + 5)
    [(chat, store, box, status)] = list(handler(demo, "respond")(text, "", []))
    assert f"{MAX_QUESTION_CHARS:,}文字以内" in status and f"{MAX_QUESTION_CHARS + 5:,}文字" in status
    assert is_skip(box) and is_skip(store)  # the text stays in the box, to be shortened
    [(chat, store, box, status)] = list(handler(demo, "respond")("\ufdfa" * 100, "", []))  # 1,800 after NFKC
    assert "展開すると1,800文字" in status and is_skip(store)
    [(chat, store, box, status)] = list(handler(demo, "respond")("九州\udcff", "", []))  # undecodable input
    assert ENCODING_MESSAGE in status and is_skip(store)


def test_an_internal_error_gives_a_short_japanese_message_and_is_logged(demo, caplog):
    with caplog.at_level(logging.ERROR, logger="ui"):
        steps, conv = ask(demo, "故障を起こす質問")
    message = steps[-1][0][-1]["content"]
    assert "エラーが発生しました" in message and "notice-error" in message
    for leak in ("boom", "Traceback", "RuntimeError"):
        assert leak not in message
    assert "answering failed" in caplog.text and "boom" in caplog.text
    assert conv["turns"][0]["error"] and C.history(conv) == []  # a failed turn is not context
    _, conv = ask(demo, "九州の分野は？", conv)
    assert "AI・半導体" in conv["turns"][-1]["answer"]["text"]


def test_a_thumbs_down_with_a_comment_is_one_line_of_feedback_jsonl_and_its_box_is_under_the_answer(demo, bot):
    _, conv = ask(demo, "九州で造船はある？")
    _, conv = ask(demo, "では北海道は？", conv)
    turn = conv["turns"][-1]
    path = bot.settings.data_dir / "feedback.jsonl"
    before = path.read_text(encoding="utf-8").count("\n") if path.exists() else 0
    chat, store, box, status = act(demo, conv, action="vote", turn=turn["id"], verdict="down")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1
    vote = json.loads(lines[-1])
    assert vote["verdict"] == "down" and vote["question"] == "では北海道は？" and vote["id"] == turn["id"]
    assert vote["answer"] == turn["answer"]["text"] and vote["citations"][0]["text"]
    assert [m["content"] for m in vote["history"]] == ["九州で造船はある？", conv["turns"][0]["answer"]["text"]]
    assert vote["time"]
    assert C.parse(store)["turns"][-1]["verdict"] == "down"
    mine = chat[-1]["content"]  # the comment box and the thanks are in this answer's message, not elsewhere
    assert 'data-verdict="down" aria-pressed="true"' in mine and 'class="feedback"' in mine and "fb-status" in mine
    assert 'class="feedback"' not in chat[1]["content"]
    chat, store, box, status = act(demo, C.parse(store), action="comment", turn=turn["id"], comment="北海道に造船はないはず")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1  # the comment replaced the vote: one 👎 with a comment is one record
    last = json.loads(lines[-1])
    assert last["comment"] == "北海道に造船はないはず" and last["id"] == turn["id"] and last["verdict"] == "down"
    assert 'class="feedback"' not in chat[-1]["content"] and "記録しました" in chat[-1]["content"]
    assert C.parse(store)["turns"][-1]["comment"] == "北海道に造船はないはず"
    up = act(demo, C.parse(store), action="vote", turn=conv["turns"][0]["id"], verdict="up")
    assert 'class="feedback"' not in "".join(m["content"] for m in up[0])
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[-1])["verdict"] == "up"
    assert len(path.read_text(encoding="utf-8").splitlines()) == before + 2


def test_regenerate_answers_the_same_question_again_in_place(demo):
    _, conv = ask(demo, "九州の分野は？")
    old = conv["turns"][0]
    chat, store, *_ = act(demo, conv, action="regenerate", turn=old["id"])
    new = C.parse(store)["turns"]
    assert len(new) == 1 and new[0]["question"] == old["question"] and new[0]["id"] != old["id"]
    assert new[0]["answer"]["text"] == old["answer"]["text"]


def test_dropping_the_carried_context_asks_again_without_history(demo, bot):
    _, conv = ask(demo, "九州で造船はある？")
    _, conv = ask(demo, "では北海道は？", conv)
    follow = conv["turns"][1]
    assert follow["trace"].get("carried"), follow["trace"]  # the follow-up took something over
    assert "引き継ぎ：" in handler(demo, "on_load")(C.dumps(conv), "")[0][-1]["content"]
    chat, store, box, status, *_ = act(demo, conv, action="drop_context", turn=follow["id"])
    again = C.parse(store)["turns"][1]
    assert again["context"] is False and again["answer"]["text"] == bot.ask("では北海道は？").text
    assert "前の会話を引き継がずに回答しました" in chat[-1]["content"] and "引き継がずに聞き直しました" in status


def test_a_saved_conversation_opens_and_exports_as_markdown(demo):
    _, conv = ask(demo, "造船に取り組むブロックはどこ？")
    chat, store, box, status, *_ = act(demo, C.empty(), action="open", conv=C.dumps(conv))
    assert C.parse(store)["id"] == conv["id"] and len(chat) == 2 and "中国" in chat[-1]["content"]
    chat_page = handler(demo, "respond").__self__
    out = chat_page.export_markdown({"conv": C.dumps(conv), "title": "造船の会話"})
    assert out["name"] == "造船の会話.md" and out["text"].startswith("# 造船の会話")
    assert "## 1. 造船に取り組むブロックはどこ？" in out["text"] and re.search(r"- \[1\] .* / 中国", out["text"])


def test_unknown_turns_and_actions_change_nothing(demo):
    _, conv = ask(demo, "九州の分野は？")
    out = act(demo, conv, action="vote", turn="t-unknown", verdict="down")
    assert "見つかりませんでした" in out[3] and is_skip(out[1])
    assert all(is_skip(v) for v in act(demo, conv, action="explode", turn=conv["turns"][0]["id"]))


def test_the_documents_tab_follows_the_answer_being_looked_at(demo, bot):
    on_open = handler(demo, "on_open")
    answer = bot.ask("危機管理投資とは？")
    cites = json.dumps([c.to_dict() for c in answer.citations])
    cited = answer.citations[0].doc_id
    other = next(d.document.doc_id for d in bot.documents() if d.document.doc_id != cited)
    choice, view, delete, seen = on_open(other, cites, -1)
    assert choice["value"] == cited and "<mark" in view and delete["visible"] is False  # bundled: no delete button
    doc_id, view, delete, confirm = handler(demo, "on_choose")(other, cites)
    assert doc_id == other


def test_map_selection_by_field_unit_cell_and_documents(demo):
    select = handler(demo, "select")
    figure, passages, matrix = select([], "造船", "")
    coloured = re.search(r'data-coloured="([^"]*)"', figure).group(1).split(",")
    assert sorted(coloured) == sorted(["中国", "九州", "四国"]) and passages.count('class="map-group"') == 3
    caption = re.search(r'<p class="map-caption">([^<]*)</p>', figure).group(1)
    assert caption == f"「造船」を挙げているブロック：{'、'.join(coloured)}（3ブロック）"  # the same units, same order
    figure, passages, matrix = select([], "", "九州")
    assert 'data-coloured="九州"' in figure and "福岡" in figure
    field, unit, figure, passages, matrix = handler(demo, "select_cell")([], gr.EventData(None, {"unit": "四国", "field": "造船"}))
    assert (field, unit) == ("造船", "四国") and "四国ブロックは「造船」を挙げています" in figure
    assert passages.count("<article") == 1
    field, unit, *_ = handler(demo, "select_cell")([], gr.EventData(None, {"unit": "どこにもない", "field": "<script>"}))
    assert (field, unit) == ("", "")
    units = re.findall(r'<th scope="col" data-unit="([^"]+)"', matrix)
    assert units[0] == "北海道" and units[-1] == "沖縄"  # north → south


def test_an_unreachable_index_is_said_plainly_not_as_a_rephrase_request(demo):
    steps, conv = ask(demo, "停止中の質問")
    message = steps[-1][0][-1]["content"]
    assert "応答しません" in message and "notice-error" in message and "言い換え" not in message
    assert conv["turns"][0]["error"] == UNREACHABLE and C.history(conv) == []
    out, state = handler(demo, "ask")("停止中の質問", {"turn": 0, "messages": []})
    assert out["error"] == "unavailable" and out["text"] == UNREACHABLE and state["turn"] == 0


def test_the_json_api_reports_errors_as_json(demo, caplog):
    api = handler(demo, "ask")
    with caplog.at_level(logging.ERROR, logger="ui"):
        out, state = api("故障", {"turn": 0, "messages": []})
    assert out["error"] == "internal" and "エラー" in out["text"] and state["turn"] == 0 and "boom" in caplog.text
    out, state = api("九州の分野は？", state)
    assert out["answerable"] and out["turn"] == 1 and len(state["messages"]) == 2


def test_new_conversation_clears_everything(demo):
    chat, store, box, status, api_state = handler(demo, "new_conversation")()
    assert chat == [] and C.parse(store)["turns"] == [] and box == "" and api_state == {"turn": 0, "messages": []}
