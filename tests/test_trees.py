"""Every loader gives the same heading tree (issue 18 §1), with exact offsets into `document.text`.

Each format is built here in code (python-docx, fpdf2, literal Markdown, HTML and text): headings at several
levels, a nested list, a table whose cells are each citable, links, and a table-of-contents file that is
navigation. `outline()` prints a tree as (depth, kind, the text of its head or of itself), read from the
document text through the nodes' offsets; `assert_exact()` checks every span of a tree.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from fpdf import FPDF

from corpus.chunk import chunk_document
from corpus.loaders import load_file, load_paths
from corpus.parse import parse_document
from corpus.tree import Kind, Node

FONT = Path(importlib.util.find_spec("matplotlib_fontja").origin).parent / "fonts" / "ipaexg.ttf"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def outline(parsed) -> list[tuple]:
    """(depth, kind, text) of every node but the document: a section or an entry by its head, a cell or a
    paragraph by its whole text, a list, table or row by its kind alone."""
    text = parsed.document.text
    out = []
    stack = [(c, 1) for c in reversed(parsed.tree.root.children)]
    while stack:
        node, depth = stack.pop()
        if node.kind in (Kind.SECTION, Kind.ITEM):
            shown = text[node.head_start : node.head_end]
            out.append((depth, str(node.kind), node.level, node.marker, shown))
        elif node.kind in (Kind.PARAGRAPH, Kind.CELL):
            out.append((depth, str(node.kind), text[node.start : node.end]))
        else:
            out.append((depth, str(node.kind)))
        stack.extend((c, depth + 1) for c in reversed(node.children))
    return out


def links(parsed) -> list[tuple[str, str, str]]:
    """(kind of the node holding it, link text, target) of every link, in document order."""
    text = parsed.document.text
    return [(str(n.kind), text[l.start : l.end], l.target) for n in parsed.tree.walk() for l in n.links]


def assert_exact(parsed) -> None:
    """Every node lies inside its parent and inside the text; heads lie inside their node and are trimmed;
    a section's name is its head's text as shown; every cell and link is the verbatim text it names."""
    text = parsed.document.text
    stack: list[tuple[Node, Node | None]] = [(parsed.tree.root, None)]
    while stack:
        node, parent = stack.pop()
        assert 0 <= node.start <= node.end <= len(text), node
        if parent is not None and parent.kind is not Kind.DOCUMENT:
            assert parent.start <= node.start and node.end <= parent.end, (parent, node)
        if node.has_head:
            head = text[node.head_start : node.head_end]
            assert node.start <= node.head_start <= node.head_end <= node.end, node
            assert head == head.strip(), node
        for link in node.links:
            assert text[link.start : link.end] == text[link.start : link.end].strip() and link.end > link.start
        stack.extend((c, node) for c in node.children)
    for block in parsed.blocks:
        for section in block.sections:
            for span in (*section.items, *section.sentences, *section.cells, *section.links):
                assert text[span.start : span.end] == span.text
    for chunk in chunk_document(parsed):
        assert text[chunk.start : chunk.end] == chunk.text


def heads(parsed, kind: Kind) -> list[tuple[int, str]]:
    text = parsed.document.text
    return [(n.level, text[n.head_start : n.head_end]) for n in parsed.tree.walk() if n.kind is kind and n.has_head]


# --- Markdown -------------------------------------------------------------------------------------------

MARKDOWN = """# 3．医療

## 現状と課題

高齢化が進む。[資料編](appendix.md)を参照。

- 病院の再編
  - 急性期の集約
    - 救急の広域化
- 在宅医療

施策
----

| 分野 | 目標 |
|---|---|
| 医療 | 2030年に倍増 |
"""


def test_markdown_tree_with_a_nested_list_a_table_and_a_link(tmp_path):
    path = tmp_path / "第3部_医療.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    parsed = parse_document(load_file(path))
    assert_exact(parsed)
    assert outline(parsed) == [
        (1, "section", 1, "", "3．医療"),
        (2, "section", 2, "", "現状と課題"),
        (3, "paragraph", "高齢化が進む。[資料編](appendix.md)を参照。"),
        (3, "list"),
        (4, "item", 1, "-", "病院の再編"),
        (5, "list"),
        (6, "item", 2, "-", "急性期の集約"),
        (7, "list"),
        (8, "item", 3, "-", "救急の広域化"),
        (4, "item", 1, "-", "在宅医療"),
        (2, "section", 2, "", "施策"),
        (3, "table"),
        (4, "row"), (5, "cell", "分野"), (5, "cell", "目標"),
        (4, "row"), (5, "cell", "医療"), (5, "cell", "2030年に倍増"),
    ]
    assert links(parsed) == [("paragraph", "資料編", "appendix.md")]
    # the title is the H1, and the file name stays (a chapter's H1 may say less than its name)
    assert (parsed.document.title, parsed.document.file_name) == ("3．医療", "第3部_医療.md")
    nested = [i for b in parsed.blocks for i in b.items]
    assert [(i.text, i.depth) for i in nested] == [("病院の再編", 1), ("急性期の集約", 2), ("救急の広域化", 3), ("在宅医療", 1)]
    assert nested[1].parent == nested[0].start and nested[2].parent == nested[1].start
    cells = [c for b in parsed.blocks for s in b.sections for c in s.cells]
    assert [(c.row, c.col, c.text) for c in cells][-2:] == [(1, 0, "医療"), (1, 1, "2030年に倍増")]


def contents_folder(tmp_path: Path, suffix: str) -> Path:
    folder = tmp_path / f"plan_{suffix}"
    folder.mkdir()
    for n, name in enumerate(("総論", "産業", "医療"), 1):
        (folder / f"chapter{n}.md").write_text(f"# {n}．{name}\n\n{name}について述べる。\n", encoding="utf-8")
    return folder


def test_a_markdown_table_of_contents_is_navigation(tmp_path):
    folder = contents_folder(tmp_path, "md")
    (folder / "index.md").write_text(
        "# 目次\n\n1. [総論](chapter1.md)\n2. [産業](chapter2.md)\n3. [医療](chapter3.md)\n", encoding="utf-8")
    parsed = {Path(d.source_path).name: parse_document(d) for d in load_paths([folder]).documents}
    assert parsed["index.md"].navigation and not parsed["chapter1.md"].navigation
    assert links(parsed["index.md"]) == [("item", "総論", "chapter1.md"), ("item", "産業", "chapter2.md"),
                                          ("item", "医療", "chapter3.md")]
    assert not any(b.items or b.sentences for b in parsed["index.md"].blocks)  # never evidence
    assert all(c.navigation for c in chunk_document(parsed["index.md"]))


# --- Word -----------------------------------------------------------------------------------------------


def hyperlink(paragraph, target: str, label: str) -> None:
    """A real w:hyperlink to `target` (an external relationship, as Word writes a link to another file)."""
    rid = paragraph.part.relate_to(target, RT.HYPERLINK, is_external=True)
    paragraph._p.append(parse_xml(f'<w:hyperlink {W} {R} r:id="{rid}"><w:r><w:t>{label}</w:t></w:r></w:hyperlink>'))


def multilevel_numbering(d) -> str:
    """A numbering definition of two levels, 「1.」 then 「a.」, as Word writes a nested numbered list."""
    root = d.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{k}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="%{k + 1}."/></w:lvl>'
        for k, fmt in enumerate(("decimal", "lowerLetter")))
    root.insert(0, parse_xml(f'<w:abstractNum {W} w:abstractNumId="90">{levels}</w:abstractNum>'))
    root.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def numbered(paragraph, num_id: str, level: int) -> None:
    """Put the paragraph in Word's numbering `num_id` at level `level` (0 is the top), as Word's Tab does."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def make_structured_docx(path: Path) -> Path:
    d = docx.Document()
    d.add_paragraph("地域産業計画", style="Title")  # no core title: the 表題 paragraph titles it
    d.add_heading("総論", level=1)
    d.add_paragraph("本計画の概要を示す。詳しくは")
    hyperlink(d.paragraphs[-1], "appendix.docx", "資料編")
    d.add_heading("重点分野", level=2)
    num = multilevel_numbering(d)
    numbered(d.add_paragraph("半導体"), num, 0)
    numbered(d.add_paragraph("設計拠点の整備"), num, 1)  # Tab in Word: one level deeper
    d.add_paragraph("補足", style="List Bullet 2")  # Word's list style of the second level
    numbered(d.add_paragraph("造船"), num, 0)
    d.add_heading("指標", level=4)  # level 4 stays below level 3, not merged with it
    table = d.add_table(rows=2, cols=2)
    for r, row in enumerate([("分野", "目標 | 2030年"), ("半導体", "倍増")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    custom = d.styles.add_style("見出し 2", WD_STYLE_TYPE.PARAGRAPH)  # a localised heading style name
    custom.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="1"/>'))
    d.add_paragraph("推進体制", style="見出し 2")
    outline_only = d.styles.add_style("章見出し", WD_STYLE_TYPE.PARAGRAPH)  # a custom style: its outline level
    outline_only.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {W} w:val="0"/>'))
    d.add_paragraph("第2章 各論", style="章見出し")
    d.add_paragraph("各論の本文。")
    d.save(str(path))
    return path


def test_docx_tree_from_heading_styles_numbering_levels_tables_and_links(tmp_path):
    doc = load_file(make_structured_docx(tmp_path / "計画.docx"))
    parsed = parse_document(doc)
    assert_exact(parsed)
    assert outline(parsed) == [
        (1, "paragraph", "地域産業計画"),
        (1, "section", 1, "", "総論"),
        (2, "paragraph", "本計画の概要を示す。詳しくは資料編"),
        (2, "section", 2, "", "重点分野"),
        (3, "list"),
        (4, "item", 1, "1.", "半導体"),
        (5, "list"),
        (6, "item", 2, "a.", "設計拠点の整備"),
        (6, "item", 2, "・", "補足"),
        (4, "item", 1, "2.", "造船"),
        (3, "section", 4, "", "指標"),
        (4, "table"),
        (5, "row"), (6, "cell", "分野"), (6, "cell", "目標 | 2030年"),
        (5, "row"), (6, "cell", "半導体"), (6, "cell", "倍増"),
        (2, "section", 2, "", "推進体制"),
        (1, "section", 1, "", "第2章 各論"),
        (2, "paragraph", "各論の本文。"),
    ]
    assert links(parsed) == [("paragraph", "資料編", "appendix.docx")]
    assert (parsed.document.title, parsed.document.file_name) == ("地域産業計画", "計画.docx")
    items = [(i.text, i.depth, i.number) for b in parsed.blocks for i in b.items]
    assert items == [("半導体", 1, 1), ("設計拠点の整備", 2, 1), ("補足", 2, None), ("造船", 1, 2)]
    cells = [c.text for b in parsed.blocks for s in b.sections for c in s.cells]
    assert cells == ["分野", "目標 | 2030年", "半導体", "倍増"]  # a cell holding 「|」 stays one cell


def test_a_docx_table_of_contents_is_navigation(tmp_path):
    folder = contents_folder(tmp_path, "docx")
    d = docx.Document()
    d.add_heading("目次", level=1)
    for n, name in enumerate(("総論", "産業"), 1):  # a list of links
        hyperlink(d.add_paragraph(style="List Bullet"), f"chapter{n}.md", f"第{n}章 {name}")
    hyperlink(d.add_paragraph(), "chapter3.md", "第3章 医療")  # and a paragraph that is a link
    hyperlink(d.add_paragraph(), "chapter3.md#a", "3.1 地域医療")
    d.save(str(folder / "contents.docx"))
    parsed = {Path(p.source_path).name: parse_document(p) for p in load_paths([folder]).documents}
    contents = parsed["contents.docx"]
    assert contents.navigation and not parsed["chapter2.md"].navigation
    assert links(contents) == [("item", "第1章 総論", "chapter1.md"), ("item", "第2章 産業", "chapter2.md"),
                               ("paragraph", "第3章 医療", "chapter3.md"), ("paragraph", "3.1 地域医療", "chapter3.md#a")]
    assert not any(s.items or s.sentences for b in contents.blocks for s in b.sections)


# --- HTML -----------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html><head><title>計画（ウェブ版）</title></head><body>
<h1>地域産業計画</h1>
<h2>重点分野</h2>
<ul><li>半導体<ul><li>設計 <a href="design.html">詳細</a></li><li>製造<ol><li>前工程</li><li>後工程</li></ol></li></ul></li>
<li>造船</li></ul>
<h4>指標</h4>
<table><tr><th>分野</th><th>目標 | 2030年</th></tr><tr><td>半導体</td><td>倍増</td></tr></table>
<h2>推進体制</h2><p>県と市が<a href="https://example.jp/">協議会</a>を設ける。</p>
</body></html>"""


def test_html_tree_from_h1_to_h6_nested_lists_tables_and_links(tmp_path):
    path = tmp_path / "plan.html"
    path.write_text(HTML, encoding="utf-8")
    parsed = parse_document(load_file(path))
    assert_exact(parsed)
    assert outline(parsed) == [
        (1, "section", 1, "", "地域産業計画"),
        (2, "section", 2, "", "重点分野"),
        (3, "list"),
        (4, "item", 1, "・", "半導体"),
        (5, "list"),
        (6, "item", 2, "・", "設計 詳細"),
        (6, "item", 2, "・", "製造"),
        (7, "list"),
        (8, "item", 3, "1.", "前工程"),
        (8, "item", 3, "2.", "後工程"),
        (4, "item", 1, "・", "造船"),
        (3, "section", 4, "", "指標"),
        (4, "table"),
        (5, "row"), (6, "cell", "分野"), (6, "cell", "目標 | 2030年"),
        (5, "row"), (6, "cell", "半導体"), (6, "cell", "倍増"),
        (2, "section", 2, "", "推進体制"),
        (3, "paragraph", "県と市が協議会を設ける。"),
    ]
    assert links(parsed) == [("item", "詳細", "design.html"), ("paragraph", "協議会", "https://example.jp/")]
    # <title> names it; the H1 is the tree's title section; the file name stays
    assert (parsed.document.title, parsed.tree.title, parsed.document.file_name) == ("計画（ウェブ版）", "地域産業計画", "plan.html")


def test_an_html_table_of_contents_is_navigation(tmp_path):
    folder = contents_folder(tmp_path, "html")
    (folder / "index.html").write_text(
        "<html><body><h1>目次</h1><ol><li><a href='chapter1.md'>総論</a></li><li><a href='chapter2.md'>産業</a></li>"
        "<li><a href='chapter3.md'>医療</a></li></ol></body></html>", encoding="utf-8")
    parsed = {Path(p.source_path).name: parse_document(p) for p in load_paths([folder]).documents}
    assert parsed["index.html"].navigation and not parsed["chapter3.md"].navigation
    assert [t for _, _, t in links(parsed["index.html"])] == ["chapter1.md", "chapter2.md", "chapter3.md"]


# --- PDF ------------------------------------------------------------------------------------------------


def make_styled_pdf(path: Path) -> Path:
    """Headings told apart only by the text layer: size 20, 16 and bold (fill-and-stroke, as tools embolden a
    font without a bold face), on two pages; plus numbered lines the plain-text rules read."""
    pdf = FPDF()
    pdf.add_font("ipa", fname=str(FONT))

    def line(text: str, size: float = 11, bold: bool = False) -> None:
        pdf.set_font("ipa", size=size)
        pdf.text_mode = "FILL_STROKE" if bold else "FILL"
        pdf.cell(0, size * 0.7, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    line("地域産業計画", 20)
    line("総論", 16)
    line("本計画は地域の産業振興を目的とする。")
    line("重点分野", bold=True)
    line("①半導体 ②造船")
    pdf.add_page()
    line("各論", 16)
    line("（１）人材の確保")
    line("人材を育成する。")
    pdf.output(str(path))
    return path


def test_pdf_tree_from_font_size_boldness_and_numbered_lines_with_pages(tmp_path):
    doc = load_file(make_styled_pdf(tmp_path / "styled.pdf"))
    parsed = parse_document(doc)
    assert_exact(parsed)
    assert outline(parsed) == [
        (1, "section", 1, "", "地域産業計画"),
        (2, "section", 2, "", "総論"),
        (3, "paragraph", "本計画は地域の産業振興を目的とする。"),
        (3, "section", 3, "", "重点分野"),
        (4, "paragraph", "①半導体 ②造船"),
        (5, "item", 0, "①", "半導体"),
        (5, "item", 0, "②", "造船"),
        (2, "section", 2, "", "各論"),
        (3, "section", 4, "", "人材の確保"),
        (4, "paragraph", "人材を育成する。"),
    ]
    pages = {n: doc.page_at(n.head_start) for n in parsed.tree.walk() if n.kind is Kind.SECTION}
    assert {doc.text[n.head_start : n.head_end]: p for n, p in pages.items()} == {
        "地域産業計画": 1, "総論": 1, "重点分野": 1, "各論": 2, "人材の確保": 2}
    assert (parsed.document.title, parsed.document.file_name) == ("地域産業計画", "styled.pdf")


def test_pdf_without_size_or_weight_differences_keeps_the_plain_text_rules(tmp_path):
    pdf = FPDF()
    pdf.add_font("ipa", fname=str(FONT))
    pdf.set_font("ipa", size=11)
    pdf.add_page()
    for text in ("■ 九州", "重点分野は次のとおり。", "①半導体", "②造船", "□ 取組", "人材を育成する。"):
        pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "flat.pdf"
    pdf.output(str(path))
    parsed = parse_document(load_file(path))
    assert_exact(parsed)
    assert heads(parsed, Kind.SECTION) == [(1, "九州"), (2, "取組")]
    assert heads(parsed, Kind.ITEM) == [(1, "半導体"), (1, "造船")]


# --- plain text -----------------------------------------------------------------------------------------

TEXT = """地域計画
========

第1章 総論
本計画は産業を振興する。

第1節 背景
（１）人材の確保
人材を確保する。

1）拠点の整備
拠点を整備する。

■ 九州
◆ 重点
①半導体
②造船
  ・ 設計
【参考】
本文。

概要
----
要点を示す。
"""


def test_text_tree_from_marks_numbers_and_underlines(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(TEXT, encoding="utf-8")
    parsed = parse_document(load_file(path))
    assert_exact(parsed)
    assert heads(parsed, Kind.SECTION) == [
        (1, "地域計画"), (1, "第1章 総論"), (2, "第1節 背景"), (3, "人材の確保"), (3, "拠点の整備"),
        (1, "九州"), (1, "重点"), (1, "参考"), (2, "概要"),
    ]
    assert [(i.text, i.depth, i.marker) for b in parsed.blocks for i in b.items] == [
        ("半導体", 1, "①"), ("造船", 1, "②"), ("設計", 2, "・")]
    assert "====" not in "".join(s.text for b in parsed.blocks for s in b.sentences)  # an underline is no text
    assert (parsed.document.title, parsed.document.file_name) == ("plan", "plan.txt")  # no lone H1: the name


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_document_without_a_title_of_its_own_keeps_its_file_name(tmp_path, suffix):
    path = tmp_path / f"第2部_産業{suffix}"
    path.write_text("■ 九州\n①半導体\n\n■ 四国\n①造船\n", encoding="utf-8")
    doc = parse_document(load_file(path)).document
    assert (doc.title, doc.file_name) == ("第2部_産業", f"第2部_産業{suffix}")
