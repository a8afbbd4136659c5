"""Answer shapes on a collection of another shape: a made-up party platform (tests/data/platform, fictional)
whose chapter files are titled 「3．医療」, hold policies as sections with the same generic sub-headings
(現状と課題, 施策), a table of present and target figures, figures written with spaces, and a contents file
that groups the chapters into parts. Nothing here is a word of the dev documents; each test names the
mechanism it checks, not an answer string it was tuned to."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PLATFORM = Path(__file__).parent / "data" / "platform"


@pytest.fixture(scope="module")
def party(tmp_path_factory):
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import update_index

    data = tmp_path_factory.mktemp("data")
    folder = data / "documents" / "platform"
    folder.mkdir(parents=True)
    for f in PLATFORM.glob("*.md"):
        shutil.copy(f, folder / f.name)
    settings = Settings(data_dir=data)
    update_index(settings)
    return Assistant.load(settings)


def files(answer) -> set[str]:
    return {c.file for c in answer.citations if not c.reference}


def test_a_table_row_is_read_by_its_column_names(party):
    """The target is the 目標 column's figure, not the present one, and the header row is no answer."""
    a = party.ask("電気自動車の保有台数は2030年に何台を目標にしていますか")
    assert a.answerable and files(a) == {"05_energy.md"}
    assert re.search(r"目標（2030年）：15 万台", a.text), a.text
    assert "指標 ／" not in a.text, a.text


def test_an_abbreviation_is_read_as_the_term_whose_words_it_starts(party):
    a = party.ask("再エネの割合の目標は？")
    assert a.answerable and "40 ％" in a.text, a.text


def test_one_kanji_is_read_as_the_documents_longer_word(party):
    """「風」 is never a word of its own in the platform, which writes 風力 and 風車: a follow-up that moves to it
    is read with the documents' word (and it, not the earlier turn's words, picks the passage)."""
    a = _after(party, "電気自動車の普及の課題は？", "風のほうはどう？")
    assert a.answerable and files(a) == {"05_energy.md"}, a.text
    assert re.search(r"風→風(力|車)", a.text) and "洋上風力" in a.text, a.text


def _after(party, first: str, question: str):
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": party.ask(first).text}]
    return party.ask(question, history=history)


def test_a_follow_up_that_refers_back_stays_in_the_chapter_asked_about(party):
    """「その中で…」 (and 「その施策の中で…」, whose 施策 heads a section of every policy) after a question about
    one chapter asks within that chapter: its amounts, or none when it states none."""
    for question in ("その中で金額が書かれているのはどれ？", "その施策の中で金額が書かれているのはどれ？"):
        a = _after(party, "子育ての章の施策を教えて", question)
        assert a.answerable and files(a) == {"04_kosodate.md"}, a.text
        assert re.search(r"(3|50) 万円", a.text), a.text
    none = _after(party, "医療の章の施策を教えて", "その中で金額が書かれているのはどれ？")
    assert not none.answerable and files(none) <= {"03_iryo.md"}, none.text


def test_a_chapter_named_by_its_short_title_counts_its_sections(party):
    a = party.ask("産業の章にはいくつの政策がありますか")
    assert a.intent == "items" and a.text.startswith("3つです"), a.text
    for policy in ("半導体産業の集積", "スタートアップ支援", "観光産業の高付加価値化"):
        assert policy in a.text, a.text
    assert files(a) == {"01_sangyo.md"}


def test_a_generic_heading_is_read_under_the_heading_named_with_it(party):
    """「施策」 heads a section of every policy: 「へき地医療の施策」 is the one under へき地医療."""
    a = party.ask("へき地医療の施策は何項目ある？")
    assert a.intent == "items" and a.text.startswith("2つです"), a.text
    assert "巡回診療車" in a.text and "遠隔診療" in a.text and "ドクターヘリ" not in a.text, a.text


def test_a_part_overview_gives_its_own_headings_not_the_generic_ones(party):
    a = party.ask("第2部の医療の概要を教えて")
    assert a.intent == "outline", a.text
    for policy in ("救急医療の確保", "医師の働き方改革", "へき地医療"):
        assert policy in a.text, a.text
    assert "現状と課題：" not in a.text and files(a) == {"03_iryo.md"}, a.text


def test_the_collections_outline_comes_from_its_contents_file(party):
    a = party.ask("政策集はどんな部で構成されていますか？全部教えて")
    assert a.intent == "outline", a.text
    assert "第2部 暮らしと健康：3．医療、4．子育て" in a.text, a.text


def test_a_why_question_reads_the_paragraph_under_the_current_state(party):
    a = party.ask("なぜ医師の働き方改革が課題になっているのですか")
    assert a.intent == "reasons" and "80 時間" in a.text and "上限規制" in a.text, a.text


def test_a_term_no_document_uses_is_declined_and_a_single_unknown_word_is_read_through_the_passages(party):
    declined = party.ask("県立高校の授業料無償化について何か書いてありますか")
    assert not declined.answerable and "記載がありません" in declined.text, declined.text
    answered = party.ask("保育士の給料はどれだけ上げるって書いてある？")
    assert answered.answerable and "3 万円" in answered.text, answered.text


def test_two_chapters_side_by_side(party):
    a = party.ask("医療の章と子育ての章では、それぞれどんな補助を打ち出していますか")
    assert a.intent == "side_by_side" and files(a) == {"03_iryo.md", "04_kosodate.md"}, a.text
