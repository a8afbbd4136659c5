"""Answer shapes on the heading tree, for a folder of Markdown chapters added as a collection.

The collection is made up here (a city's fictional transport and water plan), so nothing in it is a
word of the dev documents: where-questions name the file and the heading path, an overview gives the
summary section's points, a complete list gives the entries of the list that holds the answer, a why
question gives the passage under a heading about the current state, two chapters named by their titles
are set side by side, the contents file is never cited, and no Markdown syntax reaches the answer text."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

CHAPTERS = {
    "index.md": "# 架空市 生活基盤プラン\n\n## 目次\n\n- [交通](transport.md)\n- [水道](water.md)\n- [財政](money.md)\n",
    "transport.md": """# 【交通】どこへでも行ける架空市

## どこへでも行ける架空市へ

- 現状認識
    - 郊外のバス路線が毎年減っている
- プラン
    - **オンデマンド乗合タクシー**の全域運行
    - 自転車道ネットワークの整備
    - 駅前広場の再設計

## 郊外の移動手段の課題

- 運転手の高齢化で、郊外のバス路線は10年で3割減った
    - 朝夕の便が特に少ない
- 免許を返納した高齢者の外出が減っている

## 乗合タクシーで郊外の足を守る

- 乗合タクシーの予約は [架空アプリ](https://example.invalid/app) で受け付ける
- 運行地区は次の区分で考える
    - 北部丘陵地区
    - 南部農村地区
    - 西部湖畔地区
""",
    "water.md": """# 【水道】安全な水を次の世代へ

## 安全な水を次の世代へ

- 現状認識
    - 水道管の4割が耐用年数を超えている
- プラン
    - 漏水検知センサーの設置
    - 浄水場の統合

## 漏水検知センサーで管路を守る

- 管路にセンサーを置き、漏水を早く見つける
- 乗合タクシーの車両にも水質センサーを載せる
""",
    "money.md": """# 財政の見通し

## サマリー

- 新しい施策の費用は年間予算の1%未満で賄える
- 前半の2年で主な施策を始める

## 費用の内訳

| 施策 | 費用 |
| --- | --- |
| 乗合タクシー | 12億円 |
| 漏水検知 | 8億円 |
""",
}


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import update_index

    data = tmp_path_factory.mktemp("data")
    folder = data / "documents" / "kaku"
    folder.mkdir(parents=True)
    for name, text in CHAPTERS.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=data)
    update_index(settings)
    return Assistant.load(settings)


def files(answer) -> set[str]:
    return {c.file for c in answer.citations if not c.reference}


def no_markdown(answer) -> None:
    assert not re.search(r"\*\*|\]\(|^#|\|\s", answer.text, re.M), answer.text


def test_where_names_the_file_and_the_heading_first(city):
    a = city.ask("駅前広場の再設計は、どのファイルのどの見出しに書かれていますか？")
    assert a.intent == "where"
    first = a.text.splitlines()[0]
    assert "transport.md" in first and "どこへでも行ける架空市へ" in first, a.text
    assert files(a) == {"transport.md"}
    assert all(c.breadcrumb.startswith("【交通】") for c in a.citations)
    no_markdown(a)


def test_an_overview_gives_the_summary_sections_points(city):
    a = city.ask("水道のパートの要点をざっくり教えて")
    assert a.intent == "outline"
    for point in ("漏水検知センサーの設置", "浄水場の統合", "耐用年数"):
        assert point in a.text, a.text
    assert files(a) == {"water.md"}


def test_an_overview_of_a_file_with_a_summary_heading(city):
    a = city.ask("財政の見通しを要約して")
    assert a.intent == "outline"
    assert "1%未満" in a.text and "前半の2年" in a.text, a.text


def test_a_complete_list_gives_the_nested_entries(city):
    a = city.ask("乗合タクシーの運行地区の区分を漏れなく挙げて")
    assert a.intent == "items"
    for name in ("北部丘陵地区", "南部農村地区", "西部湖畔地区"):
        assert name in a.text, a.text
    assert files(a) == {"transport.md"}


def test_a_why_question_prefers_the_passage_about_the_current_state(city):
    a = city.ask("なぜ郊外の乗合タクシーが必要なのですか？")
    assert a.intent == "reasons"
    assert "3割減" in a.text or "外出が減" in a.text, a.text
    no_markdown(a)


def test_two_chapters_named_by_title_are_set_side_by_side(city):
    a = city.ask("乗合タクシーは交通のパートと水道のパートでそれぞれどう書かれていますか？")
    assert a.intent == "side_by_side"
    assert files(a) == {"transport.md", "water.md"}, a.text


def test_the_contents_file_is_never_cited_and_links_show_as_text(city):
    for q in ("乗合タクシーの予約はどこで受け付ける？", "交通の章はどこ？", "水道の目次を教えて"):
        a = city.ask(q)
        assert "index.md" not in files(a), (q, a.text)
        no_markdown(a)
