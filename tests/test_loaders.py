"""corpus.loaders: every format built in code inside tmp_path, every bad-file case, page offsets."""

from __future__ import annotations

import importlib.util
import json
import random
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from corpus import loaders
from corpus.chunk import chunk_document
from corpus.loaders import (
    DEFAULT_MAX_BYTES,
    FileError,
    LoadReport,
    clean_pdf_text,
    decode_bytes,
    load_file,
    load_paths,
    sanitize_upload_name,
)
from corpus.parse import parse_document
from corpus.store import DocumentError
from tests.conftest import REPO

FONT = Path(importlib.util.find_spec("matplotlib_fontja").origin).parent / "fonts" / "ipaexg.ttf"

PDF_PAGES = [
    ["■ 概要", "本計画は地域の産業振興を目的とする。", "重点分野を定める。"],
    ["■ 九州", "重点分野は次のとおり。", "①半導体産業の集積", "②造船産業の再生", "□ 取組", "人材育成を推進する。"],
    ["■ 北海道", "再生可能エネルギーの導入を進める。"],
]
PDF_TABLE = [("分野", "目標"), ("半導体", "2030年までに倍増"), ("造船", "受注回復")]


def make_pdf(path: Path, pages=PDF_PAGES, title: str | None = "九州地域計画", table_page: int | None = 2) -> Path:
    pdf = FPDF()
    pdf.add_font("ipa", fname=str(FONT))
    pdf.set_font("ipa", size=12)
    if title:
        pdf.set_title(title)
    for number, lines in enumerate(pages, start=1):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 10, line, new_x="LMARGIN", new_y="NEXT")
        if number == table_page:
            with pdf.table(first_row_as_headings=False) as table:
                for row in PDF_TABLE:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
    pdf.output(str(path))
    return path


def encrypt_pdf(source: Path, target: Path, user: str, owner: str, algorithm: str = "RC4-128") -> Path:
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user, owner_password=owner, algorithm=algorithm)
    with target.open("wb") as f:
        writer.write(f)
    return target


def make_docx(path: Path) -> Path:
    d = docx.Document()
    d.core_properties.title = "九州計画（Word）"
    d.add_heading("地域計画", level=0)
    d.add_heading("九州", level=1)
    d.add_paragraph("重点分野は次のとおり。")
    d.add_paragraph("①半導体産業の集積")
    d.add_paragraph("②造船産業の再生")
    table = d.add_table(rows=3, cols=2)
    for r, row in enumerate(PDF_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    d.add_paragraph("表の後の段落。")
    d.add_heading("取組", level=2)
    d.add_paragraph("人材を育成する", style="List Number")
    d.add_paragraph("拠点を整備する", style="List Number")
    d.add_paragraph("補足事項", style="List Bullet")
    d.styles.add_style("見出し 1", WD_STYLE_TYPE.PARAGRAPH)
    d.add_paragraph("北海道", style="見出し 1")
    d.add_paragraph("再生可能エネルギーを導入する。")
    d.save(str(path))
    return path


SAMPLE = "■ 九州\n重点分野は①半導体②造船。\n～ 全角チルダと髙橋（IBM拡張）\n"


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_japanese_text_comes_out_without_spurious_spaces(tmp_path):
    doc = load_file(make_pdf(tmp_path / "plan.pdf"))
    assert doc.title == "九州地域計画"  # PDF metadata title
    assert doc.kind == "document" and doc.short_name == "plan"
    for lines in PDF_PAGES:
        for line in lines:
            assert line in doc.text.split("\n"), line
    # table cells: pypdf separates them with a space, one row per line
    assert "半導体 2030年までに倍増" in doc.text.split("\n")


def test_pdf_page_offsets_are_exact(tmp_path):
    path = make_pdf(tmp_path / "plan.pdf")
    doc = load_file(path)
    assert len(doc.page_starts) == 2
    # every offset, against pypdf's own pages: text of page k (and the separator after it) is page k
    page_texts = [clean_pdf_text(page.extract_text()) for page in PdfReader(path).pages]
    assert doc.text == loaders.PAGE_SEPARATOR.join(page_texts)
    expected = []
    for number, page_text in enumerate(page_texts, start=1):
        expected += [number] * (len(page_text) + (len(loaders.PAGE_SEPARATOR) if number < len(page_texts) else 0))
    assert [doc.page_at(i) for i in range(len(doc.text))] == expected
    pages = doc.text.split(loaders.PAGE_SEPARATOR)
    assert len(pages) == 3
    for number, page_text in enumerate(pages, start=1):
        start = doc.text.index(page_text)
        assert doc.page_at(start) == number
        assert doc.page_at(start + len(page_text) - 1) == number
    assert doc.page_at(doc.text.index("②造船産業の再生")) == 2
    assert doc.page_at(doc.text.index("受注回復")) == 2
    assert doc.page_at(doc.text.index("再生可能エネルギー")) == 3
    assert doc.page_at(doc.page_starts[0] - 1) == 1


def test_pdf_chunks_carry_the_right_page(tmp_path):
    doc = load_file(make_pdf(tmp_path / "plan.pdf"))
    parsed = parse_document(doc)
    blocks = {b.name: b for b in parsed.blocks}
    assert list(blocks) == ["概要", "九州", "北海道"]
    kyushu = blocks["九州"]
    assert [(i.number, i.label) for i in kyushu.items] == [(1, "半導体産業の集積"), (2, "造船産業の再生")]
    for item in kyushu.items:
        assert doc.text[item.start : item.end] == item.text
    pages = {c.block: c.page for c in chunk_document(parsed)}
    assert pages == {"概要": 1, "九州": 2, "北海道": 3}


def test_pdf_sidecar_title_wins_over_metadata(tmp_path):
    path = make_pdf(tmp_path / "plan.pdf")
    path.with_suffix(".json").write_text(json.dumps({"title": "別名の計画", "kind": "cluster_plan"}), encoding="utf-8")
    doc = load_file(path)
    assert (doc.title, doc.kind) == ("別名の計画", "cluster_plan")


def test_pdf_without_metadata_title_uses_stem(tmp_path):
    doc = load_file(make_pdf(tmp_path / "計画書.pdf", title=None))
    assert doc.title == "計画書"


def test_password_protected_pdf_is_refused(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf")
    locked = encrypt_pdf(plain, tmp_path / "locked.pdf", user="secret", owner="owner")
    with pytest.raises(DocumentError, match=r"locked\.pdf: パスワードで保護された PDF"):
        load_file(locked)


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_pdf_encrypted_without_open_password_loads(tmp_path, algorithm):
    """Restrictions-only encryption (no password to open) is common in public documents."""
    plain = make_pdf(tmp_path / "plain.pdf")
    restricted = encrypt_pdf(plain, tmp_path / "restricted.pdf", user="", owner="owner", algorithm=algorithm)
    assert PdfReader(restricted).is_encrypted
    doc = load_file(restricted)
    assert "①半導体産業の集積" in doc.text and len(doc.page_starts) == 2


def test_corrupt_pdf_is_refused(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(4000)))
    with pytest.raises(DocumentError, match=r"junk\.pdf: PDF ファイルが壊れている"):
        load_file(junk)
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(make_pdf(tmp_path / "whole.pdf").read_bytes()[:3000])
    with pytest.raises(DocumentError, match=r"truncated\.pdf: PDF ファイルが壊れている"):
        load_file(truncated)


def test_pdf_without_text_layer_is_refused(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError, match=r"scan\.pdf: PDF に文字情報（テキスト層）がありません"):
        load_file(path)


def test_clean_pdf_text_repairs_only_what_it_documents():
    assert clean_pdf_text("九 州 の 産 業 振 興\r\n") == "九州の産業振興"
    assert clean_pdf_text("⽇本の⾏政") == "日本の行政"  # Kangxi radicals U+2F47, U+2F8F
    assert clean_pdf_text("重点\x00分野  \n\n") == "重点分野"
    ordinary = "■ 九州 半導体 2030年までに倍増\nAI と GX"
    assert clean_pdf_text(ordinary) == ordinary
    assert clean_pdf_text("分野 目標") == "分野 目標"  # a table row with one gap is left alone


# --- DOCX -----------------------------------------------------------------------------------------


def test_docx_paragraphs_headings_lists_and_tables_in_order(tmp_path):
    doc = load_file(make_docx(tmp_path / "plan.docx"))
    assert doc.title == "九州計画（Word）"
    assert doc.page_starts == ()
    lines = [ln for ln in doc.text.split("\n") if ln]
    assert lines == [
        "地域計画",
        "■ 九州",
        "重点分野は次のとおり。",
        "①半導体産業の集積",
        "②造船産業の再生",
        "分野 | 目標",
        "半導体 | 2030年までに倍増",
        "造船 | 受注回復",
        "表の後の段落。",
        "□ 取組",
        "1. 人材を育成する",
        "2. 拠点を整備する",
        "・ 補足事項",
        "■ 北海道",
        "再生可能エネルギーを導入する。",
    ]


def test_docx_structure_is_seen_by_the_parser(tmp_path):
    doc = load_file(make_docx(tmp_path / "plan.docx"))
    parsed = parse_document(doc)
    blocks = {b.name: b for b in parsed.blocks}
    assert list(blocks) == ["九州", "北海道"]
    labels = [(i.number, i.label) for i in blocks["九州"].items]
    assert (1, "半導体産業の集積") in labels and (2, "造船産業の再生") in labels
    assert (1, "人材を育成する") in labels and (2, "拠点を整備する") in labels
    assert any(s.path == ("九州", "取組") for s in blocks["九州"].sections)
    chunks = chunk_document(parsed)
    assert all(c.page is None for c in chunks)
    assert any("半導体 | 2030年までに倍増" in c.text for c in chunks)


def test_docx_ruby_deleted_text_and_insertions(tmp_path):
    d = docx.Document()
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d.element.body.insert(
        0,
        parse_xml(
            f"<w:p {w}><w:r><w:t>残す</w:t></w:r>"
            f"<w:del w:id='1' w:author='a'><w:r><w:delText>消した</w:delText></w:r></w:del>"
            f"<w:ins w:id='2' w:author='a'><w:r><w:t>追加</w:t></w:r></w:ins>"
            f"<w:r><w:ruby><w:rt><w:r><w:t>きゅうしゅう</w:t></w:r></w:rt>"
            f"<w:rubyBase><w:r><w:t>九州</w:t></w:r></w:rubyBase></w:ruby></w:r></w:p>"
        ),
    )
    path = tmp_path / "changes.docx"
    d.save(str(path))
    assert load_file(path).text == "残す追加九州"


def test_corrupt_docx_is_refused(tmp_path):
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(make_docx(tmp_path / "whole.docx").read_bytes()[:3000])
    with pytest.raises(DocumentError, match=r"truncated\.docx: Word（\.docx）ファイルが壊れている"):
        load_file(truncated)
    text_as_docx = tmp_path / "text.docx"
    text_as_docx.write_text("これは Word 文書ではない", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"text\.docx: Word（\.docx）ファイルが壊れている"):
        load_file(text_as_docx)
    ole = tmp_path / "protected.docx"  # password-protected Word files are OLE containers, not zip
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000)
    with pytest.raises(DocumentError, match=r"protected\.docx: パスワードで保護された Word 文書か、旧形式"):
        load_file(ole)


# --- text encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "iso2022_jp", "utf-8", "utf-8-sig", "utf-16"])
def test_text_encodings_are_detected(tmp_path, encoding):
    text = "■ 九州\n重点分野は半導体と造船である。\n□ 取組\n・人材育成を進める。\n"
    path = tmp_path / "plan.txt"
    path.write_bytes(text.encode(encoding))
    assert load_file(path).text == text


def test_shift_jis_with_nec_and_ibm_extensions(tmp_path):
    """Shift_JIS files in the wild are CP932: ①, ～ and 髙 only exist in the Microsoft extensions."""
    path = tmp_path / "sjis.txt"
    path.write_bytes(SAMPLE.encode("cp932"))
    doc = load_file(path)
    assert doc.text == SAMPLE
    assert decode_bytes(SAMPLE.encode("cp932"))[1] == "cp932"
    items = [(i.number, i.label) for b in parse_document(doc).blocks for i in b.items]
    assert (1, "半導体") in items


def test_euc_jp_with_circled_digits(tmp_path):
    """EUC-JP with ① (JIS X 0213 / eucJP-ms row 13) decodes via euc_jis_2004."""
    text = "■ 九州\n重点分野は①半導体②造船である。\n"
    path = tmp_path / "euc.txt"
    path.write_bytes(text.encode("euc_jis_2004"))
    assert load_file(path).text == text


@pytest.mark.parametrize(
    "text",
    ["九州", "計画", "ひらがなだけ", "カタカナ", "産業クラスター計画の素案", "半導体・造船・航空宇宙", "2030年までに倍増"],
)
@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_short_texts_are_not_confused_between_sjis_and_euc(text, encoding):
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


def ambiguous_kanji() -> str:
    """Kanji whose CP932 bytes (lead E0-EA, trail A1-FE) are also valid EUC-JP kanji."""
    chars = []
    for code in range(0x4E00, 0x9FA0):
        ch = chr(code)
        try:
            raw = ch.encode("cp932")
            other = raw.decode("euc_jp")
        except UnicodeError:
            continue
        if len(raw) == 2 and all(b >= 0xA1 for b in raw) and "\u4e00" <= other <= "\u9fff":
            chars.append(ch)
        if len(chars) == 8:
            break
    return "".join(chars)


def test_cp932_is_preferred_when_both_readings_are_plausible():
    text = ambiguous_kanji()
    data = text.encode("cp932")
    assert loaders.text._japanese_score(data.decode("euc_jp")) == loaders.text._japanese_score(text) == 1.0
    assert decode_bytes(data) == (text, "cp932")


@pytest.mark.parametrize(
    "text", ["café au lait, crème et résumé. Une façade.", "Crème brûlée", "Straße Übersicht Größe Köln"]
)
def test_western_latin1_text_is_not_read_as_japanese(text):
    data = text.encode("latin-1")
    if text == "Crème brûlée":
        assert data.decode("cp932") == "Cr鑪e br璉馥"  # a strict CP932 reading exists: it must lose
    assert decode_bytes(data) == (text, "cp1252")


@pytest.mark.parametrize("text", ["GX推進 AI半導体", "九州\n四国", "半導体 造船 航空宇宙"])
def test_kana_free_japanese_stays_japanese(text):
    assert decode_bytes(text.encode("cp932")) == (text, "cp932")


def test_other_encodings_fall_back_to_charset_normalizer():
    text = "這是一個用於測試的繁體中文句子，內容關於半導體產業與造船產業的發展計畫。" * 3
    decoded, encoding = decode_bytes(text.encode("big5"))
    assert decoded == text and encoding.startswith("big5")


def test_crlf_and_cr_line_endings_are_normalised(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes("■ 九州\r\n①半導体\r\n②造船\r\r■ 北海道\r\n".encode("cp932"))
    doc = load_file(path)
    assert doc.text == "■ 九州\n①半導体\n②造船\n\n■ 北海道\n"
    parsed = parse_document(doc)
    assert [b.name for b in parsed.blocks] == ["九州", "北海道"]
    assert [i.text for i in parsed.blocks[0].items] == ["半導体", "造船"]


def test_a_single_nul_byte_makes_a_file_binary(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes("九州の計画".encode("utf-8") + b"\x00" + "です。".encode("utf-8"))
    with pytest.raises(DocumentError, match=r"nul\.txt: テキストファイルではありません（バイナリデータです）"):
        load_file(path)


def test_binary_junk_renamed_to_txt_is_refused(tmp_path):
    png = tmp_path / "image.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(random.Random(2).randrange(256) for _ in range(2000)))
    with pytest.raises(DocumentError, match=r"image\.txt: テキストファイルではありません"):
        load_file(png)
    controls = tmp_path / "controls.txt"  # no NUL byte, but decodes to control characters
    controls.write_bytes(bytes(range(1, 32)) * 50)
    with pytest.raises(DocumentError, match=r"controls\.txt: テキストファイルではありません"):
        load_file(controls)


def test_empty_and_blank_files_are_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match=r"empty\.txt: ファイルが空です"):
        load_file(empty)
    blank = tmp_path / "blank.md"
    blank.write_text(" \n\n\t\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"blank\.md: 本文がありません"):
        load_file(blank)
    for suffix in (".pdf", ".docx", ".html"):
        path = tmp_path / f"empty{suffix}"
        path.write_bytes(b"")
        with pytest.raises(DocumentError, match="ファイルが空です"):
            load_file(path)


def test_oversized_file_is_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "huge.pdf"
    with big.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: costs no disk
    assert big.stat().st_size > DEFAULT_MAX_BYTES

    def must_not_read(path):
        raise AssertionError(f"read {path} although it is too large")

    monkeypatch.setattr(loaders, "_read_bytes", must_not_read)
    with pytest.raises(DocumentError, match=r"huge\.pdf: ファイルが大きすぎます（200\.0 MB）。上限は 50\.0 MB です"):
        load_file(big)


def test_max_bytes_is_a_parameter(tmp_path):
    path = tmp_path / "small.txt"
    path.write_text("九州の計画です。", encoding="utf-8")
    assert load_file(path).text == "九州の計画です。"
    with pytest.raises(DocumentError, match="大きすぎます"):
        load_file(path, max_bytes=10)


def test_unsupported_suffix_and_missing_file(tmp_path):
    sheet = tmp_path / "data.xlsx"
    sheet.write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match=r"data\.xlsx: 対応していない形式です（\.xlsx）"):
        load_file(sheet)
    with pytest.raises(DocumentError, match=r"missing\.txt: ファイルが見つかりません"):
        load_file(tmp_path / "missing.txt")


# --- HTML -----------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">
<title>九州　地域計画</title><style>p { color: red }</style>
<script>var fake = "■ 偽の見出し";</script></head>
<body><h1>九州</h1><p>重点分野は
次のとおり。<br>改行後&nbsp;の文。</p>
<ul><li>半導体</li><li><p>造船</p></li></ul>
<ol start="3"><li>三番目</li><li>四番目</li></ol>
<table><tr><th>分野</th><th>目標</th></tr><tr><td>半導体</td><td><p>2030年</p><p>倍増</p></td></tr></table>
<h2>取組</h2><script>document.write("本文の偽物")</script><div>人材育成 English words
here.</div><noscript>スクリプト無効</noscript><h1>北海道</h1><p>再エネ。</p></body></html>"""


def test_html_text_headings_lists_tables(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(HTML.encode("cp932"))
    doc = load_file(path)
    assert doc.title == "九州 地域計画"
    assert "偽の見出し" not in doc.text and "偽物" not in doc.text and "color" not in doc.text and "スクリプト無効" not in doc.text
    assert doc.text == (
        "■ 九州\n\n重点分野は次のとおり。\n改行後 の文。\n\n・ 半導体\n・ 造船\n\n3. 三番目\n4. 四番目\n\n"
        "分野 | 目標\n半導体 | 2030年 倍増\n\n□ 取組\n\n人材育成 English words here.\n\n■ 北海道\n\n再エネ。"
    )
    parsed = parse_document(doc)
    assert [b.name for b in parsed.blocks] == ["九州", "北海道"]
    assert [i.text for i in parsed.blocks[0].items] == ["半導体", "造船", "三番目", "四番目"]


def test_html_meta_charset_wins_over_detection(tmp_path):
    body = ambiguous_kanji().encode("cp932")  # detection alone would read these bytes as CP932
    expected = body.decode("euc_jp")
    assert decode_bytes(body)[1] == "cp932" and expected != ambiguous_kanji()
    path = tmp_path / "euc.html"
    path.write_bytes(b'<html><head><meta charset="EUC-JP"></head><body><p>' + body + b"</p></body></html>")
    assert load_file(path).text == expected


def test_html_without_charset_is_detected_and_head_may_be_unclosed(tmp_path):
    path = tmp_path / "page.htm"
    path.write_bytes("<html><head><title>計画</title><p>EUC-JP の本文です。</p>".encode("euc_jp"))
    doc = load_file(path)
    assert (doc.title, doc.text) == ("計画", "EUC-JP の本文です。")


# --- load_paths -----------------------------------------------------------------------------------


def test_load_paths_reports_each_bad_file_and_loads_the_rest(tmp_path):
    root = tmp_path / "docs"
    (root / "sub").mkdir(parents=True)
    (root / ".hidden").mkdir()
    make_pdf(root / "a_plan.pdf")
    encrypt_pdf(root / "a_plan.pdf", root / "b_locked.pdf", user="secret", owner="owner")
    make_docx(root / "c_plan.docx")
    (root / "c_plan.json").write_text(json.dumps({"title": "サイドカーの題"}), encoding="utf-8")
    (root / "d_sjis.txt").write_bytes(SAMPLE.encode("cp932"))
    (root / "e_junk.txt").write_bytes(b"\x00\x01\x02binary\x00" * 20)
    (root / "f_empty.md").write_bytes(b"")
    (root / "sub" / "g_page.html").write_bytes(HTML.encode("cp932"))
    (root / "h_sheet.xlsx").write_bytes(b"PK\x03\x04")  # unsupported: not even tried inside a folder
    (root / ".secret.txt").write_text("隠し", encoding="utf-8")
    (root / ".hidden" / "x.txt").write_text("隠しフォルダ", encoding="utf-8")
    (root / "~$c_plan.docx").write_bytes(b"\x05owner-lock")  # Word's lock file

    report = load_paths([root])
    assert isinstance(report, LoadReport) and not report.ok
    assert [Path(d.source_path).name for d in report.documents] == ["a_plan.pdf", "c_plan.docx", "d_sjis.txt", "g_page.html"]
    assert [Path(e.path).name for e in report.errors] == ["b_locked.pdf", "e_junk.txt", "f_empty.md"]
    assert all(isinstance(e, FileError) and e.reason.startswith(Path(e.path).name + ": ") for e in report.errors)
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert "パスワード" in reasons["b_locked.pdf"]
    assert "テキストファイルではありません" in reasons["e_junk.txt"]
    assert "空" in reasons["f_empty.md"]
    titles = {Path(d.source_path).name: d.title for d in report.documents}
    assert titles["c_plan.docx"] == "サイドカーの題"
    assert titles["d_sjis.txt"] == "d_sjis"


def test_load_paths_explicit_files_duplicates_and_id_collisions(tmp_path):
    for folder in ("2023", "2024"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "計画.txt").write_text(f"{folder}年度の計画。", encoding="utf-8")
    (tmp_path / "2023" / "計画.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    (tmp_path / ".env.txt").write_text("x", encoding="utf-8")
    report = load_paths(
        [
            tmp_path / "2023",
            tmp_path / "2023" / "計画.txt",  # the same file again
            tmp_path / "2023" / "計画.json",  # a sidecar named explicitly: not a document, not an error
            tmp_path / "2024",
            tmp_path / "notes.xlsx",
            tmp_path / ".env.txt",
            tmp_path / "nothing_here.pdf",
        ]
    )
    assert [d.text for d in report.documents] == ["2023年度の計画。", "2024年度の計画。"]
    ids = [d.doc_id for d in report.documents]
    assert len(set(ids)) == 2 and ids[1].startswith(ids[0] + "_")
    assert [(Path(e.path).name, e.reason) for e in report.errors] == [
        (".env.txt", ".env.txt: 隠しファイルは文書として読み込みません"),
        ("nothing_here.pdf", "nothing_here.pdf: ファイルまたはフォルダが見つかりません"),
        ("notes.xlsx", "notes.xlsx: 対応していない形式です（.xlsx）。対応形式: .txt .md .pdf .docx .html .htm"),
    ]


def test_load_paths_survives_unexpected_exceptions(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("一つ目。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("二つ目。", encoding="utf-8")
    real = loaders._read_bytes

    def flaky(path):
        if path.name == "a.txt":
            raise MemoryError
        return real(path)

    monkeypatch.setattr(loaders, "_read_bytes", flaky)
    report = load_paths([tmp_path])
    assert [d.text for d in report.documents] == ["二つ目。"]
    assert report.errors == [FileError(str(tmp_path / "a.txt"), "a.txt: 読み込み中に予期しないエラーが発生しました（MemoryError）")]


def test_load_paths_oversized_file_among_good_ones(tmp_path):
    with (tmp_path / "big.txt").open("wb") as f:
        f.truncate(200 * 1024 * 1024)
    (tmp_path / "ok.txt").write_text("読める。", encoding="utf-8")
    report = load_paths([tmp_path])
    assert [d.text for d in report.documents] == ["読める。"]
    assert len(report.errors) == 1 and "大きすぎます" in report.errors[0].reason


# --- upload names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\x.pdf", "x.pdf"),
        (".bashrc", "bashrc"),
        (". .bashrc", "bashrc"),
        ("\u3000.x.txt", "x.txt"),
        ("計画書.pdf", "計画書.pdf"),
        ("C:\\Users\\山田\\Desktop\\資料 (1).docx", "資料 (1).docx"),
        ("..", "upload"),
        ("", "upload"),
        ("/", "upload"),
        ("a\x00b.txt", "ab.txt"),
        ("evil\u202etxt.pdf", "eviltxt.pdf"),  # right-to-left override that disguises the suffix
        ("CON.txt", "_CON.txt"),
        ('a<b>:"c"|?*.md', "a_b___c____.md"),
        ("ハ\u309aイ.txt", "パイ.txt"),  # macOS sends decomposed kana
        ("report.pdf. ", "report.pdf"),
    ],
)
def test_sanitize_upload_name(raw, expected):
    assert sanitize_upload_name(raw) == expected


def test_sanitize_upload_name_limits_length_and_keeps_suffix():
    name = sanitize_upload_name("計" * 300 + ".docx")
    assert name.endswith(".docx") and name.startswith("計")
    assert len(name.encode("utf-8")) <= loaders.MAX_UPLOAD_NAME_BYTES


def test_sanitized_names_are_always_safe():
    rng = random.Random(3)
    alphabet = "./\\\x00 .計画書abc~$:*?\u3000\t"
    for _ in range(2000):
        raw = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
        name = sanitize_upload_name(raw)
        assert name and name not in (".", "..")
        assert "/" not in name and "\\" not in name and "\x00" not in name
        assert not name.startswith(".") and name == name.strip()


# --- hostile files (issue 12) ---------------------------------------------------------------------

# Peak RSS of this process alone: VmHWM belongs to the process's own memory map. (ru_maxrss would not do:
# Linux carries the parent's peak over into a child started with vfork+exec, as subprocess does.)
PEAK_RSS = r"""
import json, re, sys
from pathlib import Path
from corpus.loaders import load_file
from corpus.store import DocumentError
try:
    load_file(Path(sys.argv[1]))
    outcome = "loaded"
except DocumentError as exc:
    outcome = str(exc)
peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1))
print(json.dumps({"outcome": outcome, "peak_mb": peak_kb // 1024}))
"""


def make_zip_bomb(path: Path, inflated_mib: int = 1024) -> Path:
    """A real .docx (made by python-docx) whose word/document.xml inflates to `inflated_mib` MiB of
    white space inside a valid paragraph: about 5 MB on disk, so it passes the 50 MB file limit."""
    import zipfile

    plain = make_docx(path.with_name("plain_for_bomb.docx"))
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for item in zin.infolist():
            if item.filename != "word/document.xml":
                zout.writestr(item, zin.read(item.filename))
        with zout.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f"<w:document {w}><w:body><w:p><w:r><w:t>九州".encode())
            block = b" " * (1 << 20)
            for _ in range(inflated_mib):
                f.write(block)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return path


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """Finding 2: a ~5 MB .docx whose document.xml inflates to 1 GiB raised the process by 2 GB before
    it was refused. Its central directory now refuses it; the whole process stays small."""
    bomb = make_zip_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < DEFAULT_MAX_BYTES
    out = subprocess.run([sys.executable, "-c", PEAK_RSS, str(bomb)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["outcome"].startswith("bomb.docx: 展開すると極端に大きくなる Word ファイル"), result
    assert "1024.8 MB" in result["outcome"] and "上限は 256.0 MB" in result["outcome"]
    assert result["peak_mb"] < 300, result  # python + the 5 MB file; inflating it cost over 2,000 MB


def test_the_docx_limits_leave_ordinary_documents_alone(tmp_path):
    import zipfile

    from corpus.loaders import docx as docx_format

    path = make_docx(tmp_path / "plan.docx")
    sizes = [m.file_size for m in zipfile.ZipFile(path).infolist()]
    assert max(sizes) < docx_format.RATIO_FLOOR and sum(sizes) < docx_format.MAX_TOTAL_BYTES
    assert "①半導体産業の集積" in load_file(path).text


def test_a_docx_member_with_an_extreme_ratio_is_refused(tmp_path, monkeypatch):
    from corpus.loaders import docx as docx_format

    monkeypatch.setattr(docx_format, "MAX_TOTAL_BYTES", 1 << 40)  # only the ratio rule is left to catch it
    monkeypatch.setattr(docx_format, "MAX_MEMBER_BYTES", 1 << 40)
    bomb = make_zip_bomb(tmp_path / "ratio.docx", inflated_mib=8)
    with pytest.raises(DocumentError, match=r"ratio\.docx: 展開すると極端に大きくなる.*word/document\.xml の圧縮率"):
        load_file(bomb)


FLOOD = r"""
import sys
from pathlib import Path
from corpus.loaders import load_file
print(load_file(Path(sys.argv[1])).text)
"""


def test_html_with_an_unclosed_tag_flood_parses_without_hanging(tmp_path):
    """Finding 5: '<p>九州</p>' + '<a ' * 50000 (146 KB) took 433 s in the standard library's parser
    (quadratic). lxml parses it in linear time; 60 s is only the does-not-hang limit."""
    path = tmp_path / "flood.html"
    path.write_text("<p>九州</p>" + "<a " * 50000, encoding="utf-8")
    assert path.stat().st_size > 140_000
    out = subprocess.run([sys.executable, "-c", FLOOD, str(path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "九州"


def test_deeply_nested_html_is_read_without_a_recursion_error(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text("<p>九州の計画。</p>" + "<div>" * 20000 + "奥" + "</div>" * 20000, encoding="utf-8")
    assert load_file(path).text.startswith("九州の計画。")


def test_links_that_leave_the_folder_are_skipped_with_a_reason(tmp_path):
    """Finding 11: `assistant index FOLDER` followed a link to /etc/hostname. Links out of the folder are
    skipped and reported; links that stay inside are fine."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("フォルダの外の秘密。", encoding="utf-8")
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "plan.md").write_text("■ 九州\n①半導体\n", encoding="utf-8")
    (folder / "secret.txt").symlink_to(outside / "secret.txt")
    (folder / "hostname.txt").symlink_to("/etc/hostname")
    (folder / "elsewhere").symlink_to(outside, target_is_directory=True)
    (folder / "sub" / "same_plan.md").symlink_to(folder / "plan.md")  # inside: the same file, loaded once
    report = load_paths([folder])
    assert [Path(d.source_path).name for d in report.documents] == ["plan.md"]
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert set(reasons) == {"elsewhere", "hostname.txt", "secret.txt"}
    assert all("リンク先が追加するフォルダの外にあるため読み込みません" in r for r in reasons.values())
    assert not any("秘密" in d.text for d in report.documents)


def test_publisher_and_date_come_from_each_format_and_the_sidecar_wins(tmp_path):
    import datetime as dt

    pdf = FPDF()
    pdf.add_font("ipa", fname=str(FONT))
    pdf.set_font("ipa", size=12)
    pdf.set_author("九州経済産業局")
    pdf.set_creation_date(dt.datetime(2025, 6, 13, 9, 30, tzinfo=dt.timezone.utc))
    pdf.add_page()
    pdf.cell(0, 10, "■ 九州")
    pdf.output(str(tmp_path / "a.pdf"))
    doc = load_file(tmp_path / "a.pdf")
    assert (doc.publisher, doc.date) == ("九州経済産業局", "2025-06-13")

    d = docx.Document()
    d.core_properties.author = "四国経済産業局"
    d.core_properties.created = dt.datetime(2024, 3, 1, 12, 0)
    d.add_paragraph("四国の計画。")
    d.save(str(tmp_path / "b.docx"))
    doc = load_file(tmp_path / "b.docx")
    assert (doc.publisher, doc.date) == ("四国経済産業局", "2024-03-01")

    (tmp_path / "c.html").write_text(
        '<html><head><meta name="author" content="北海道庁"><meta name="date" content="2023年4月1日">'
        "</head><body><p>北海道の計画。</p></body></html>", encoding="utf-8",
    )
    doc = load_file(tmp_path / "c.html")
    assert (doc.publisher, doc.date) == ("北海道庁", "2023-04-01")

    (tmp_path / "c.json").write_text(json.dumps({"publisher": "内閣官房", "date": "2025-11-01"}), encoding="utf-8")
    doc = load_file(tmp_path / "c.html")
    assert (doc.publisher, doc.date) == ("内閣官房", "2025-11-01")

    (tmp_path / "d.txt").write_text("本文。", encoding="utf-8")
    assert (load_file(tmp_path / "d.txt").publisher, load_file(tmp_path / "d.txt").date) == ("", "")


# --- hostile files (issue 20 §7): the parts, fast; tests/test_hostile.py runs them through real processes ----


def test_shift_jis_with_a_few_broken_bytes_is_read_with_them_replaced(tmp_path):
    """It was refused as 「文字コードを判別できません」: no reading decodes broken bytes strictly."""
    from evals.hostile import broken_shift_jis

    doc = load_file(broken_shift_jis(tmp_path))
    assert "北浜地区1では造船と港湾物流を検討している。" in doc.text and "北浜地区20" in doc.text
    assert 0 < doc.text.count("\ufffd") <= 4
    parsed = parse_document(doc)
    assert [b.name for b in parsed.blocks][:2] == ["北浜地区1", "北浜地区2"]


def test_binary_with_a_japanese_looking_stretch_is_still_refused(tmp_path):
    """Replacing broken bytes is for a few of them: random high bytes after a Japanese word stay refused."""
    rng = random.Random(5)
    path = tmp_path / "noise.txt"
    path.write_bytes("九州の計画".encode("cp932") + bytes(rng.randrange(128, 256) for _ in range(3000)))
    with pytest.raises(DocumentError, match=r"noise\.txt: 文字コードを判別できません"):
        load_file(path)


def test_an_html_doctype_with_an_entity_bomb_leaves_no_trace_in_the_text(tmp_path):
    """The doctype's internal subset ended as 「]>」 in the text; its entities are never expanded."""
    from evals.hostile import hostile_html

    doc = load_file(hostile_html(tmp_path))
    assert doc.text.startswith("■ 本当の見出し") and "]>" not in doc.text and "偽の本文" not in doc.text
    assert "爆発" not in doc.text and len(doc.text) < 100


def test_a_list_nested_a_thousand_deep_keeps_what_follows_it(tmp_path):
    """markdown-it gives up past its nesting limit: the heading after the list was lost."""
    from corpus.tree import Kind
    from evals.hostile import nested_lists

    parsed = parse_document(load_file(nested_lists(tmp_path)))
    items = [n for n in parsed.tree.walk() if n.kind is Kind.ITEM]
    assert len(items) == 1000 and all(parsed.document.text[n.head_start : n.head_end] == f"階層{k}" for k, n in enumerate(items))
    assert [b.name for b in parsed.blocks] == ["前文", "後続の節"]
    assert any("入れ子の後の本文" in s.text for b in parsed.blocks for s in b.sentences)


def test_text_longer_than_sudachi_takes_is_tokenised_in_pieces():
    from corpus.text import default_tokenizer

    text = "九州の半導体産業の集積を進め、人材を育成する。" * 3000  # 72,000 characters, 216 KB
    tokens = default_tokenizer().tokens(text)
    assert "".join(t.surface for t in tokens) == text and all(text[t.begin : t.end] == t.surface for t in tokens)


def test_the_size_limits_refuse_with_the_count_and_the_limit(tmp_path, monkeypatch):
    from corpus import limits

    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 1000)
    path = tmp_path / "long.md"
    path.write_text("長" * 1001, encoding="utf-8")
    with pytest.raises(DocumentError, match=r"long\.md: 本文が長すぎるため読み込みません（1,001 文字。上限は 1,000 文字です）"):
        load_file(path)
    monkeypatch.setattr(limits, "MAX_SECTIONS", 3)
    path.write_text("".join(f"## 見出し{k}\n" for k in range(4)), encoding="utf-8")
    with pytest.raises(DocumentError, match=r"long\.md: 見出しが多すぎるため読み込みません（4 個。上限は 3 個です）"):
        parse_document(load_file(path))
    monkeypatch.setattr(limits, "MAX_PDF_PAGES", 2)
    with pytest.raises(DocumentError, match=r"plan\.pdf: ページ数が多すぎるため読み込みません（3 ページ。上限は 2 ページです）"):
        load_file(make_pdf(tmp_path / "plan.pdf"))
