"""List answers over many units stay short: the count, the first 30 units with citations, and how to
see the rest (`list_limit=None`, `assistant ask --all`, 「続きを表示」 in the UI)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant import Assistant
from assistant.config import Settings
from tests.conftest import REPO

UNITS = 45
FIELD = "深海探査"  # a field only this plan lists
QUESTION = f"{FIELD}に取り組む地区はどこ？"


def _name(n: int) -> str:
    return "東西南北"[n % 4] + "浜森川谷丘"[n // 4 % 5] + "港城宮"[n // 20] + "地区"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("many-units")
    blocks = "".join(f"\n■ {_name(n)}\n\n- ①{FIELD} ②観光\n分野でのクラスター形成を検討している。\n" for n in range(UNITS))
    (d / "documents").mkdir()
    (d / "documents" / "many_units.md").write_text(f"沿岸地区別の計画\n{blocks}", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def many(data_dir):
    return Assistant.load(Settings(data_dir=data_dir))


def test_a_list_over_many_units_names_the_first_30_and_says_how_many_more(many):
    a = many.ask(QUESTION)
    assert a.intent == "which_units" and a.answerable
    units = [line for line in a.lines if line.kind == "unit"]
    assert len(units) == 30 and [u.unit for u in units] == [_name(n) for n in range(30)]
    assert f"{UNITS}地区" in a.text, "the lead gives the whole count"
    notes = [line.text for line in a.lines if line.kind == "note"]
    assert any(f"ほか{UNITS - 30}件" in n and "--all" in n and "続きを表示" in n for n in notes)
    assert len(a.citations) == 30
    assert all(_name(n) not in a.text for n in range(30, UNITS)), "units past the limit are counted, not listed"


def test_the_whole_list_when_asked_for(many):
    a = many.ask(QUESTION, list_limit=None)
    assert [line.unit for line in a.lines if line.kind == "unit"] == [_name(n) for n in range(UNITS)]
    assert not any("ほか" in line.text for line in a.lines if line.kind == "note")


@pytest.mark.parametrize("question", [f"{FIELD}を挙げていない地区は？", f"{FIELD}を挙げている地区はいくつ？", "地区はいくつある？"])
def test_other_answers_over_many_units_are_bounded_too(many, question):
    a = many.ask(question)
    assert sum(line.kind == "unit" for line in a.lines) <= 30 and len(a.citations) <= 2 * 30  # per plan document
    assert len(a.text) < 3000


def test_cli_all_prints_every_unit(data_dir, many):
    def ask(*extra):
        return subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(data_dir), "ask", *extra, QUESTION],
                              cwd=REPO, capture_output=True, text=True, timeout=300)

    short, full = ask(), ask("--all")
    assert short.returncode == 0 and full.returncode == 0, short.stderr + full.stderr
    assert f"ほか{UNITS - 30}件" in short.stdout and _name(UNITS - 1) not in short.stdout
    assert all(f"- {_name(n)}：" in full.stdout for n in range(UNITS)) and "ほか" not in full.stdout


PLANS = 8  # more plans than the answer names one by one


@pytest.fixture(scope="module")
def many_plans(tmp_path_factory):
    d = tmp_path_factory.mktemp("many-plans")
    (d / "documents").mkdir()
    for k in range(PLANS):
        blocks = "".join(f"\n■ {_name(n)}{k + 1}\n\n- ①{FIELD} ②観光\n分野でのクラスター形成を検討している。\n" for n in range(10))
        (d / "documents" / f"plan_{k}.md").write_text(f"沿岸地区別の計画 第{k + 1}版\n{blocks}", encoding="utf-8")
    return Assistant.load(Settings(data_dir=d))


def test_plans_past_the_limit_are_summed_in_one_note_not_one_line_each(many_plans):
    a = many_plans.ask(QUESTION)
    assert a.intent == "which_units" and sum(line.kind == "unit" for line in a.lines) == 30
    notes = [line.text for line in a.lines if line.kind == "note"]
    assert len(notes) <= 3, notes
    rest = PLANS - 3  # three plans of ten units fill the 30
    assert any(f"{rest}件の資料の計{rest * 10}か所" in n and "--all" in n for n in notes), notes
    assert len(a.text) < 3000


def test_a_follow_up_may_name_a_unit_of_another_plan(many_plans):
    first, other = f"{_name(0)}1", f"{_name(1)}2"  # units of the first and the second plan
    history = [{"role": "user", "content": f"{first}ではどんな分野を検討している？"},
               {"role": "assistant", "content": many_plans.ask(f"{first}ではどんな分野を検討している？").text}]
    a = many_plans.ask(f"では{other}は？", history=history)
    assert a.answerable and a.intent == "unit_items", a.text
    assert [line.unit for line in a.lines if line.kind == "unit"] in ([], [other]) and FIELD in a.text and other in a.text
