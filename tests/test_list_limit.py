"""A list answer names at most `LIST_LIMIT` units, says how many it left out (`Answer.omitted` and a note),
and names them all on request: `ask(list_limit=None)`, `assistant ask --all`, the chat's 「続きを表示」.

One module-scoped Assistant on its own data folder, with a plan of more units than the limit.
"""

from __future__ import annotations

import json

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


def test_a_long_list_is_cut_at_the_limit_and_says_how_many_are_left(many):
    _, bot, _ = many
    answer = bot.ask(QUESTION)
    listed = [line.unit for line in answer.lines if line.kind.value == "unit"]
    assert answer.answerable and len(listed) == LIST_LIMIT
    assert answer.omitted == len(UNITS) - LIST_LIMIT and answer.to_dict()["omitted"] == answer.omitted
    assert f"ほか{answer.omitted}件" in answer.text
    whole = bot.ask(QUESTION, list_limit=None)
    assert [line.unit for line in whole.lines if line.kind.value == "unit"] == UNITS and whole.omitted == 0
    assert "omitted" not in whole.to_dict()


def test_the_cli_names_them_all_with_all(many, capsys):
    from assistant.cli import main

    settings, _, _ = many
    assert main(["--data-dir", str(settings.data_dir), "ask", "--json", "--all", QUESTION]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(named(out["text"])) == len(UNITS) and "omitted" not in out


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
