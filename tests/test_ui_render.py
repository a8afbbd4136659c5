"""The UI's pure render functions: escaping, highlighting by offsets, sources panel, documents, field matrix."""

from __future__ import annotations

import html
import io
import re
from html.parser import HTMLParser

import pytest

from assistant import Citation, FieldMap
from assistant.types import MapCell, Strength
from corpus.model import Block, Chunk, Document, Item, ParsedDocument, Section
from ui import render as R

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL = f"{SCRIPT}{IMG}"


class _Inert(HTMLParser):
    """Collects what would run in a browser: script-like tags, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "svg", "style", "link", "meta"):
            if not (tag == "img" and all(k != "onerror" for k, _ in attrs) and _data_png(attrs)):
                self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k.startswith("on") or (v and v.strip().lower().startswith("javascript:")):
                self.problems.append(f"{tag} {k}={v}")

    def handle_data(self, data):
        self.text.append(data)


def _data_png(attrs) -> bool:
    return any(k == "src" and (v or "").startswith("data:image/png;base64,") for k, v in attrs)


def inert(markup: str) -> str:
    """Assert nothing in `markup` can execute; return its visible text."""
    parser = _Inert()
    parser.feed(markup)
    parser.close()
    assert parser.problems == [], parser.problems
    return "".join(parser.text)


def marked(markup: str) -> list[str]:
    """Text of each <mark> (label superscripts removed)."""
    markup = re.sub(r'<sup class="mk">.*?</sup>', "", markup)
    return [html.unescape(m) for m in re.findall(r"<mark[^>]*>(.*?)</mark>", markup, flags=re.S)]


# --- escaping and highlighting --------------------------------------------------------------------------


def test_esc_turns_markup_into_text():
    out = R.esc(EVIL)
    assert "<" not in out and ">" not in out
    assert html.unescape(out) == EVIL
    assert R.esc('"\'') == "&quot;&#x27;"
    assert R.esc(None) == ""


def test_highlight_marks_exactly_the_span_given_by_document_offsets():
    passage = "■ 九州\n\nTSMC進出を契機に半導体産業の集積が加速している。"
    base = 383  # the passage starts at document offset 383
    start = base + passage.index("TSMC")
    end = base + passage.index("。") + 1
    out = R.highlight(passage, base, start, end, label="1")
    assert marked(out) == ["TSMC進出を契機に半導体産業の集積が加速している。"]
    assert inert(out) == passage  # the whole passage is there, in order
    assert 'data-n="1"' in out


def test_highlight_escapes_a_hostile_passage_and_span():
    passage = f"前の文。{SCRIPT}の中身{IMG}。後の文。"
    start = passage.index("<script>")
    end = passage.index("。後")
    out = R.highlight(passage, 0, start, end)
    text = inert(out)
    assert text == passage
    assert marked(out) == [passage[start:end]]
    assert "<script" not in out and "<img" not in out


def test_overlapping_marks_are_merged_and_out_of_range_marks_clipped():
    text = "abcdefghij"
    out = R.mark_text(text, 100, [R.Mark(102, 106, "1"), R.Mark(104, 108, "2"), R.Mark(90, 101, "3"), R.Mark(200, 210, "4")])
    assert inert(out) == text
    assert marked(out) == ["a", "cd", "ef", "gh"]
    assert 'data-n="1,2"' in out  # the shared segment carries both numbers
    assert 'data-n="4"' not in out


def test_labels_and_anchors():
    out = R.mark_text("0123456789", 0, [R.Mark(2, 4, "7", anchor="cite-7")], [(0, "top"), (5, "mid")], labels=True)
    assert '<span class="anchor" id="top"></span>0' in out
    assert '<span class="anchor" id="mid"></span>5' in out
    assert 'id="cite-7"' in out and '<sup class="mk">[7]</sup>23' in out


def test_squeeze_shows_blank_lines_as_one_break_without_moving_offsets():
    text = "見出し\n\n\n本文の一文。\n　\n次。"
    out = R.mark_text(text, 10, [R.Mark(10 + text.index("本文"), 10 + text.index("。") + 1)], squeeze=True)
    assert "\n\n" not in out
    assert marked(out) == ["本文の一文。"]


def test_dom_ids_are_ascii_and_distinct():
    a, b = R.dom_id("doc", "計画", 1), R.dom_id("doc", "資料", 1)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", a) and re.fullmatch(r"[A-Za-z0-9_-]+", b)
    assert a != b
    assert R.dom_id("doc", "cluster_plan", 3) == "doc-cluster_plan-3"


# --- chat messages ----------------------------------------------------------------------------------------


def test_answer_html_lists_markers_and_escaping():
    text = f"九州ブロックでは、次の2分野が挙げられています。\n- ①AI・半導体 [1]\n- {EVIL} [2]\n\n以上です[1][2]。"
    out = R.answer_html(text, answerable=True)
    visible = inert(out)
    assert SCRIPT in visible and IMG in visible
    assert out.count("<li>") == 2 and "<ul>" in out
    assert re.findall(r'<sup class="cite" data-n="(\d+)">', out) == ["1", "2", "1", "2"]
    assert "\n" not in out  # one HTML block: Markdown in the chat cannot reinterpret it
    assert 'data-answerable="true"' in out


def test_markdown_in_an_answer_is_not_interpreted():
    out = R.answer_html("**太字** と [リンク](javascript:alert(1)) と `code`")
    visible = inert(out)
    assert "**太字**" in visible and "[リンク](javascript:alert(1))" in visible
    assert "<a" not in out and "<strong" not in out


def test_user_html_escapes_the_question():
    out = R.user_html(f"{EVIL}\n九州の分野は？")
    assert inert(out) == f"{EVIL}九州の分野は？"
    assert "<br>" in out


def test_stream_pieces_grow_to_the_full_text_and_never_cut_a_marker():
    text = "中国、九州、四国の3ブロックです。\n- 中国：④造船 [1]\n- 九州：③造船・防衛・航空宇宙 [12]\n- 四国：①造船産業 [3]"
    pieces = R.stream_pieces(text)
    assert pieces[-1] == text and len(pieces) > 3
    assert all(b.startswith(a) and len(b) > len(a) for a, b in zip(pieces, pieces[1:]))
    for p in pieces:
        assert not re.search(r"\[\d*$", p), p  # no half marker like "[1" at the end
    assert R.stream_pieces("") == [""]


# --- sources panel ------------------------------------------------------------------------------------------

TITLE = "各地方ブロック別の戦略産業クラスター計画の素案（概要）"
PASSAGE = "■ 九州\n\nTSMC進出を契機に半導体産業の集積が加速している。\n\n- ②エネルギー・GX・資源循環\n③造船・防衛・航空宇宙"
P0 = 383


def _span(s: str) -> tuple[int, int]:
    i = PASSAGE.index(s)
    return P0 + i, P0 + i + len(s)


def _chunk(text=PASSAGE, start=P0, block="九州", chunk_id="c-kyushu") -> Chunk:
    return Chunk(chunk_id=chunk_id, doc_id="cluster_plan", title=TITLE, block=block, section_path=(block,),
                 start=start, end=start + len(text), text=text)


def _cite(n, s, *, reference=False, page=None, chunk_id="c-kyushu", block="九州", section="九州") -> Citation:
    start, end = _span(s)
    return Citation(n=n, chunk_id=chunk_id, doc_id="cluster_plan", title=TITLE, block=block, section=section, text=s,
                    start=start, end=end, score=1.0, page=page, reference=reference)


class _Answer:
    def __init__(self, text, citations, answerable):
        self.text, self.citations, self.answerable = text, citations, answerable


def test_sources_panel_shows_number_title_block_section_page_and_the_highlighted_span():
    c1 = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。", page=2)
    c2 = _cite(2, "③造船・防衛・航空宇宙", section="九州 > 分野")
    out = R.sources_html(_Answer("…[1] …[2]", [c1, c2], True), {"c-kyushu": _chunk()}, question="九州の分野は？")
    text = inert(out)
    assert 'data-answerable="true"' in out
    assert "出典（2件）" in text and "[1][2]" in text and TITLE in text
    assert "ブロック 九州" in text and "節 九州、九州 > 分野" in text and "ページ 2" in text
    assert marked(out) == [c1.text, c2.text]  # both spans, inside one passage card
    assert out.count("<article") == 1 and "■ 九州" in text  # the surrounding passage is shown
    assert "九州の分野は？" in text


def test_citations_in_different_passages_get_their_own_cards_in_order():
    other = "■ 四国\n\n①造船産業の再生"
    c1 = _cite(1, "③造船・防衛・航空宇宙")
    c2 = Citation(n=2, chunk_id="c-shikoku", doc_id="cluster_plan", title=TITLE, block="四国", section="四国",
                  text="造船産業", start=700 + other.index("造船産業"), end=700 + other.index("造船産業") + 4, score=1.0)
    out = R.sources_html(_Answer("x", [c1, c2], True), {"c-kyushu": _chunk(), "c-shikoku": _chunk(other, 700, "四国", "c-shikoku")})
    assert re.findall(r'<article class="src" id="src-(\d)" data-n="(\d)" data-block="(..)"', out) == [
        ("1", "1", "九州"), ("2", "2", "四国")
    ]
    assert marked(out) == ["③造船・防衛・航空宇宙", "造船産業"]


def test_unanswerable_panel_says_so_plainly_and_marks_reference_passages():
    c = _cite(1, "TSMC進出を契機に半導体産業の集積が加速している。", reference=True)
    out = R.sources_html(_Answer("資料には「予算」についての記載がありません。参考 [1]", [c], False), {"c-kyushu": _chunk()})
    text = inert(out)
    assert 'data-answerable="false"' in out
    assert R.NO_ANSWER in text
    assert "参考" in text and 'class="badge ref">参考<' in out and 'data-reference="true"' in out
    assert "出典（" not in text  # a 参考 passage is not presented as the answer's source
    bare = R.sources_html(_Answer("資料に記載がありません。", [], False), {})
    assert R.NO_ANSWER in inert(bare) and "<article" not in bare


def test_sources_panel_escapes_hostile_document_and_question_text():
    passage = f"■ 九州\n{EVIL}と書かれた資料。"
    s = passage.index("<script>")
    c = Citation(n=1, chunk_id="x", doc_id="d", title=f"題{IMG}", block=f"九{SCRIPT}", section=IMG, text=EVIL,
                 start=s, end=s + len(EVIL), score=1.0)
    out = R.sources_html(_Answer(EVIL, [c], True), {"x": _chunk(passage, 0, chunk_id="x")}, question=EVIL)
    text = inert(out)
    assert text.count(SCRIPT) >= 3 and text.count(IMG) >= 3
    assert marked(out) == [EVIL]


def test_citation_without_its_passage_still_shows_the_cited_text():
    c = _cite(1, "③造船・防衛・航空宇宙")
    out = R.sources_html(_Answer("x [1]", [c], True), {})
    assert marked(out) == ["③造船・防衛・航空宇宙"]


def test_empty_panel_invites_a_question():
    assert R.SOURCES_EMPTY in inert(R.sources_html(None))


# --- 資料 tab -----------------------------------------------------------------------------------------------


def _parsed() -> ParsedDocument:
    text = f"\n\n計画の題\n\n■ 九州\n\n{EVIL}を含む①造船の記載。\n\n■ 四国\n\n①造船産業"
    k = text.index("■ 九州")
    s = text.index("■ 四国")
    item_at = text.index("造船の")
    kyushu = Block("doc<1>", "九州", k, s - 2, (Section("doc<1>", "九州", ("九州",), "九州", k + 6, s - 2,
                                                      (Item(item_at, item_at + 2, "造船", "①", 1),)),))
    shikoku = Block("doc<1>", "四国", s, len(text), (Section("doc<1>", "四国", ("四国", f"節{IMG}"), "節", s + 6, len(text)),))
    doc = Document(doc_id="doc<1>", title=f"題名{SCRIPT}", short_name="t", kind="txt", text=text)
    return ParsedDocument(doc, (kyushu, shikoku))


def test_document_view_shows_escaped_full_text_tree_and_cited_spans():
    parsed = _parsed()
    text = parsed.document.text
    s = text.index("①造船の記載")
    cite = {"n": 3, "doc_id": "doc<1>", "start": s, "end": s + 6, "reference": False}
    elsewhere = {"n": 4, "doc_id": "other", "start": 0, "end": 5}
    out = R.document_html(parsed, [cite, elsewhere])
    visible = inert(out)
    assert text.strip() in inert(re.sub(r'<sup class="mk">.*?</sup>', "", out))  # every character, in order
    assert f"題名{SCRIPT}" in visible and f"節{IMG}" in visible
    assert marked(out) == ["①造船の記載"]
    assert "[3]" in visible and "[4]" not in visible  # only this document's citations
    # the outline links to anchors that exist in the text
    for target in re.findall(r'href="#([^"]+)"', out):
        assert f'id="{target}"' in out, target
    assert 'data-block="九州"' in out and "項目 1" in visible


# --- 分野マップ ------------------------------------------------------------------------------------------------


def _field_map() -> FieldMap:
    def c(block, text):
        return Citation(n=1, chunk_id=f"c-{block}", doc_id="cluster_plan", title=TITLE, block=block, section=block,
                        text=text, start=0, end=len(text), score=1.0)

    cells = {
        ("中国", "造船"): MapCell((c("中国", "造船"),), Strength.PLANNED),
        ("九州", "造船"): MapCell((c("九州", "造船・防衛・航空宇宙"),), Strength.PLANNED),
        ("四国", "造船"): MapCell((c("四国", "造船産業"),), Strength.PLANNED),
        ("九州", "半導体"): MapCell((c("九州", "AI・半導体"),), Strength.PLANNED),
        ("九州", EVIL): MapCell((c("九州", EVIL),), Strength.PLANNED),
    }
    return FieldMap(doc_ids=("cluster_plan",), unit_noun="ブロック", units=("近畿", "中国", "九州", "四国"),
                    fields=("半導体", "造船", EVIL), categories=(), cells=cells)


def test_matrix_marks_blocks_that_plan_the_selected_field():
    fm = _field_map()
    out = R.matrix_html(fm, field="造船")
    inert(out)
    on = re.findall(r'<td class="hit on" data-block="([^"]+)" data-field="造船"', out)
    assert on == ["中国", "九州", "四国"]
    assert re.search(r'<tr data-field="造船" class="sel" data-selected="true">', out)
    assert 'data-block="近畿" data-field="造船" data-hit="false"' in out
    assert R.field_order(fm)[0] == "造船"  # most widely planned first


def test_matrix_escapes_field_names_and_cell_texts():
    out = R.matrix_html(_field_map(), field=EVIL, block="九州")
    text = inert(out)
    assert EVIL in text
    assert 'class="sel"' in out


def test_map_legend_and_figure_name_the_marked_blocks():
    fm = _field_map()
    marked_blocks = R.blocks_with(fm, "造船")
    assert marked_blocks == ["中国", "九州", "四国"]
    colors = {"中国": "#111111", "九州": "#222222", "四国": "#333333", "近畿": "#444444"}
    out = R.map_html("AAAA", fm.units, marked_blocks, colors, f"「造船」{SCRIPT}")
    text = inert(out)
    assert 'data-marked="中国,九州,四国"' in out
    assert re.findall(r'<li data-block="([^"]+)" data-marked="true"', out) == ["中国", "九州", "四国"]
    assert 'data-block="近畿" data-marked="false"' in out
    assert SCRIPT in text and 'alt="日本地図：中国、九州、四国を着色"' in out


def test_cell_passages_for_a_field_a_block_and_both():
    fm = _field_map()
    passages = {}
    by_field = R.cell_passages_html(fm, passages, "造船", None)
    assert re.findall(r'<section class="map-group" data-block="([^"]+)"', by_field) == ["中国", "九州", "四国"]
    by_block = R.cell_passages_html(fm, passages, None, "九州")
    inert(by_block)
    assert marked(by_block) == ["造船・防衛・航空宇宙", "AI・半導体", EVIL]
    none = R.cell_passages_html(fm, passages, "半導体", "四国")
    assert "四国ブロックの資料には「半導体」の記載がありません。" in inert(none)
    assert "分野かブロックを選ぶと" in R.cell_passages_html(fm, passages, None, None)


def test_japan_map_png_colours_exactly_the_prefectures_of_the_marked_blocks():
    from PIL import Image

    from assistant.places import prefectures_of
    from ui.japan import block_colors, map_png

    colors = block_colors(["近畿", "中国", "九州", "四国", "北海道"])
    png = map_png(["中国", "九州", "四国"], colors, prefectures_of)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = Image.open(io.BytesIO(png)).convert("RGB")
    counts = {f"#{r:02x}{g:02x}{b:02x}": n for n, (r, g, b) in pixels.getcolors(maxcolors=1 << 20)}
    for block in ("中国", "九州", "四国"):
        assert counts.get(colors[block], 0) > 500, block
    for block in ("近畿", "北海道"):
        assert counts.get(colors[block], 0) == 0, block


@pytest.mark.parametrize("value", ["user:pass", "a:b:c"])
def test_auth_parsing(value):
    from ui.app import parse_auth

    user, password = parse_auth(value)
    assert f"{user}:{password}" == value


@pytest.mark.parametrize("value", ["nopass", ":x", "x:"])
def test_bad_auth_is_refused_in_japanese(value):
    from ui.app import parse_auth

    with pytest.raises(ValueError, match="ユーザー名:パスワード"):
        parse_auth(value)


def test_public_host_warns_and_local_host_does_not():
    from ui.app import host_warning

    assert host_warning("127.0.0.1", None) is None and host_warning("localhost", None) is None
    warning = host_warning("0.0.0.0", None)
    assert warning and "警告" in warning and "--auth" in warning
    assert "暗号化" in host_warning("0.0.0.0", ("u", "p"))


def test_cli_help_is_japanese(capsys):
    from ui.app import main

    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "待ち受けるアドレス" in out and "ASSISTANT_UI_AUTH" in out and "このヘルプ" in out


def test_cli_refuses_malformed_auth_before_loading_anything(capsys):
    from ui.app import main

    assert main(["--auth", "nocolon"]) == 2
    assert "ユーザー名:パスワード" in capsys.readouterr().err


def test_every_block_colours_prefectures_japanmap_knows_and_together_all_47():
    import japanmap

    from assistant.lexicon import Lexicon
    from assistant.places import prefectures_of

    names = [p for block in Lexicon.load().regions for p in prefectures_of(block)]
    assert sorted(names) == sorted(p for p in japanmap.pref_names if p != "_") and len(names) == 47
