"""The app's event handlers called directly (no server): streaming, refusals, errors, map selection."""

from __future__ import annotations

import logging

import pytest

from assistant.limits import MAX_QUESTION_CHARS


class Flaky:
    """The real assistant, except that questions containing 故障 raise (an unexpected internal error)."""

    def __init__(self, bot) -> None:
        self._bot = bot

    def __getattr__(self, name):
        return getattr(self._bot, name)

    def ask(self, question, history=None):
        if "故障" in question:
            raise RuntimeError("boom: internal detail that must not reach the user")
        return self._bot.ask(question, history)


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


# outputs of respond: (chatbot, display, history, last, sources, status, textbox)


def test_an_answer_streams_in_growing_steps_then_fills_the_sources_and_history(demo):
    steps = list(handler(demo, "respond")("九州で検討されているクラスターの分野は？", [], []))
    contents = [s[0][-1]["content"] for s in steps if not is_skip(s[0])]
    assert len(contents) >= 5, "the answer is yielded progressively"
    assert contents[0] == ""  # the question appears at once, the answer follows
    lengths = [len(c) for c in contents[1:]]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    chat, display, history, last, sources, status, box = steps[-1]
    assert chat == display and chat[-2]["role"] == "user" and chat[-1]["role"] == "assistant"
    assert "造船・防衛・航空宇宙" in chat[-1]["content"] and 'data-answerable="true"' in chat[-1]["content"]
    assert [m["role"] for m in history] == ["user", "assistant"] and "[1]" in history[1]["content"]
    assert "<mark" in sources and 'data-block="九州"' in sources
    assert last["answer"]["citations"] and status == ""
    assert steps[0][6] == ""  # the textbox is cleared when the question is taken
    # sources and history are not re-sent on every streamed step
    assert all(is_skip(s[4]) for s in steps[:-1])


def test_the_next_turn_uses_the_sessions_history(demo):
    respond = handler(demo, "respond")
    *_, first = respond("九州で造船はある？", [], [])
    *_, second = respond("では北海道は？", first[1], first[2])
    assert "造船" in second[2][-1]["content"] and len(second[2]) == 4
    *_, alone = respond("では北海道は？", [], [])
    assert "造船" not in alone[2][-1]["content"]


def test_an_empty_message_is_ignored_with_a_hint(demo):
    for message in ("", "   \n", None):
        steps = list(handler(demo, "respond")(message, [], []))
        assert len(steps) == 1
        out = steps[0]
        assert all(is_skip(v) for i, v in enumerate(out) if i != 5)
        assert "質問を入力してから送信してください" in out[5]


def test_an_over_long_message_is_refused_with_the_limit_and_kept_in_the_box(demo):
    text = "あ" * (MAX_QUESTION_CHARS + 5)
    steps = list(handler(demo, "respond")(text, [], []))
    chat, display, history, last, sources, status, box = steps[-1]
    assert f"{MAX_QUESTION_CHARS:,}文字以内" in chat[-1]["content"] and f"{MAX_QUESTION_CHARS + 5:,}文字" in status
    assert is_skip(history) and is_skip(box)  # not added to the conversation; the text stays to be shortened
    assert len(chat[-2]["content"]) < 400  # the echo of the question is shortened


def test_an_internal_error_gives_a_short_japanese_message_and_is_logged(demo, caplog):
    respond = handler(demo, "respond")
    with caplog.at_level(logging.ERROR, logger="ui"):
        steps = list(respond("故障を起こす質問", [], []))
    chat, display, history, last, sources, status, box = steps[-1]
    message = chat[-1]["content"]
    assert "エラーが発生しました" in message
    assert "boom" not in message and "Traceback" not in message and "RuntimeError" not in message
    assert is_skip(history)
    assert "answering failed" in caplog.text and "boom" in caplog.text  # the log has the traceback
    # the session goes on
    *_, after = respond("九州の分野は？", display, [])
    assert "AI・半導体" in after[0][-1]["content"]


def test_the_api_handler_reports_errors_as_json(demo, caplog):
    api = handler(demo, "api_ask")
    with caplog.at_level(logging.ERROR, logger="ui"):
        out, history = api("故障", [])
    assert out["error"] == "internal" and "エラー" in out["text"] and history == []
    assert "boom" in caplog.text
    out, history = api("九州の分野は？", history)
    assert out["answerable"] and out["turn"] == 1 and len(history) == 2


def test_new_conversation_clears_everything(demo):
    chat, display, history, last, sources, status, box = handler(demo, "new_conversation")()
    assert chat == display == history == [] and last is None and "質問すると" in sources


def test_the_documents_tab_follows_the_latest_answer(demo, bot):
    show = handler(demo, "show_document")
    last = {"answer": bot.ask("危機管理投資とは？").to_dict()}
    cited = last["answer"]["citations"][0]["doc_id"]
    other = next(d.document.doc_id for d in bot.documents() if d.document.doc_id != cited)
    doc_id, markup = show(other, last)
    assert doc_id == cited and "<mark" in markup  # opened on the cited document
    doc_id, markup = show(other, last, follow_answer=False)
    assert doc_id == other


def test_map_selection_by_field_block_and_both(demo):
    select = handler(demo, "select_map")
    figure, passages, matrix = select("造船", "")
    assert 'data-marked="中国,四国,九州"' in figure and "data:image/png;base64," in figure
    assert passages.count('class="map-group"') == 3
    figure, passages, matrix = select("", "九州")
    assert 'data-marked="九州"' in figure and "福岡" in figure
    figure, passages, matrix = select("造船", "北海道")
    assert "北海道ブロックは「造船」を挙げていません" in figure and "記載がありません" in passages
    figure, passages, matrix = select("", "")
    assert figure.count('data-marked="true"') == 10  # the overview colours every block
