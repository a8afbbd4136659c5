"""The chat's 「続きを表示」: a list answer cut at `LIST_LIMIT` units counts what it left out
(`Answer.omitted`), and the button asks again with `list_limit=None`. (The bounded lists themselves and
`assistant ask --all`: tests/test_lists.py.)

One module-scoped Assistant on its own data folder, with a plan of more units than the limit.
"""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.api import LIST_LIMIT
from ui import conversation as C

NAMES = "青赤白黒金銀銅鉄松竹梅桜菊藤桐楓柳杉桃栗柿梨柚橘椿萩葵蓮蘭菫芹蕨茜藍紅"
UNITS = [f"{c}浦地区" for c in NAMES]
QUESTION = "海藻養殖に取り組む地区は？"


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    """(settings, bot, handlers) with a plan of len(UNITS) units that all list 海藻養殖."""
    from assistant import Assistant
    from assistant.config import Settings
    from ui.app import build_app

    assert len(UNITS) > LIST_LIMIT
    settings = Settings(data_dir=tmp_path_factory.mktemp("many-units"))
    settings.documents_dir.mkdir(parents=True)
    plan = "".join(f"■ {u}\n\n①海藻養殖 ②{u[0]}の観光\n分野でのクラスター形成を検討している。\n\n" for u in UNITS)
    (settings.documents_dir / "沿岸計画.md").write_text(f"# 沿岸地区の計画\n\n{plan}", encoding="utf-8")
    bot = Assistant.load(settings)
    demo = build_app(bot)
    return settings, bot, {getattr(f.fn, "__name__", ""): f.fn for f in demo.fns.values()}


def named(text: str) -> list[str]:
    return [u for u in UNITS if u in text]


def test_what_a_list_answer_leaves_out_is_counted(many):
    _, bot, _ = many
    answer = bot.ask(QUESTION)
    assert answer.answerable and sum(line.kind.value == "unit" for line in answer.lines) == LIST_LIMIT
    assert answer.omitted == len(UNITS) - LIST_LIMIT and answer.to_dict()["omitted"] == answer.omitted
    whole = bot.ask(QUESTION, list_limit=None)
    assert whole.omitted == 0 and "omitted" not in whole.to_dict()


def test_the_chat_shows_more_on_request(many):
    _, _, handlers = many
    steps = list(handlers["respond"](QUESTION, "", []))
    chat, store, _, _ = steps[-1]
    conv = C.parse(store)
    [turn] = conv["turns"]
    left = len(UNITS) - LIST_LIMIT
    assert turn["answer"]["omitted"] == left and f"続きを表示（ほか{left}件）" in chat[-1]["content"]
    chat, store, _, status, *_ = handlers["act"](store, [], gr.EventData(None, {"action": "more", "turn": turn["id"]}))
    [whole] = C.parse(store)["turns"]
    assert whole["answer"]["omitted"] == 0 and len(named(whole["answer"]["text"])) == len(UNITS)
    assert "act-more" not in chat[-1]["content"]
    assert "すべて表示しました" in status
