"""Users' own documents: `assistant index PATH` on a folder of PDF and Word files, page-accurate
citations, bad files reported while the rest index, and incremental re-indexing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.test_loaders import make_docx, make_pdf

PAGES = [
    ["■ 概要", "本計画は沿岸地域の産業振興を目的とする。"],
    ["■ 三陸", "①洋上養殖 ②水産加工", "分野でのクラスター形成を検討している。"],
    ["■ 房総", "①観光DX ②再生可能エネルギー", "分野でのクラスター形成を検討している。"],
]


def cli(*args, data_dir):
    return subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(data_dir), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=300, env=dict(os.environ))


def ask_json(question, data_dir):
    out = cli("ask", "--json", question, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox")
    make_pdf(folder / "coastal.pdf", pages=PAGES, title="沿岸地域計画", table_page=None)
    make_docx(folder / "kyushu_word.docx")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not really a pdf")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    data = tmp_path_factory.mktemp("data")
    first = cli("index", data_dir=data)  # the bundled plan first
    assert first.returncode == 0, first.stderr
    out = cli("index", str(folder), data_dir=data)
    assert out.returncode == 0, out.stderr
    return data, out.stdout


def test_bad_files_are_reported_and_the_rest_is_indexed(library):
    data, stdout = library
    assert "broken.pdf" in stdout and "junk.txt" in stdout
    assert "追加 2" in stdout  # coastal.pdf and kyushu_word.docx
    status = cli("index", "--status", data_dir=data).stdout
    assert "coastal" in status and "kyushu_word" in status and "cluster_plan" in status


def test_pdf_citations_name_the_right_page(library):
    data, _ = library
    answer = ask_json("洋上養殖に取り組む地域は？", data)
    assert answer["answerable"]
    [citation] = [c for c in answer["citations"] if c["doc_id"] == "coastal"]
    assert citation["block"] == "三陸" and citation["page"] == 2 and "洋上養殖" in citation["text"]
    assert ask_json("房総の分野は？", data)["citations"][0]["page"] == 3


def test_word_documents_are_searchable_too(library):
    data, _ = library
    answer = ask_json("人材を育成する取組はどの計画にある？", data)
    assert any(c["doc_id"] == "kyushu_word" for c in answer["citations"])


def test_the_bundled_plan_still_answers_after_adding_documents(library):
    data, _ = library
    answer = ask_json("造船に取り組む地域はどこ？", data)
    blocks = {c["block"] for c in answer["citations"] if c["doc_id"] == "cluster_plan"}
    assert blocks == {"中国", "九州", "四国"}


def test_reindexing_skips_unchanged_files_and_handles_changes_and_removals(library, tmp_path):
    data, _ = library
    again = cli("index", data_dir=data)
    assert "最新" in again.stdout
    # a folder added together keeps its own folder (its collection) in the library
    [library_dir] = [p for p in (data / "documents").iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert library_dir.name.startswith("inbox") and (library_dir / "coastal.pdf").exists()
    make_pdf(library_dir / "coastal.pdf", pages=[PAGES[0], PAGES[2]], title="沿岸地域計画", table_page=None)  # 三陸 removed
    (library_dir / "kyushu_word.docx").unlink()
    out = cli("index", data_dir=data)
    assert "変更 1" in out.stdout and "削除 1" in out.stdout, out.stdout
    answer = ask_json("洋上養殖に取り組む地域は？", data)
    assert not any(c["doc_id"] == "coastal" and not c["reference"] for c in answer["citations"])
    assert ask_json("房総の分野は？", data)["citations"][0]["page"] == 2  # 房総 moved to page 2


def test_the_same_document_under_two_names_is_indexed_once(tmp_path):
    """Finding 11: the same content under two names gave duplicate items 「④造船、④造船 [1][2]」. The
    second copy is reported and left out (the bundled plan is the first)."""
    from corpus.store import BUNDLED_DIR

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    plan = (BUNDLED_DIR / "cluster_plan.txt").read_text(encoding="utf-8")
    (inbox / "クラスター計画のコピー.txt").write_text(plan, encoding="utf-8")
    (inbox / "fisheries.md").write_text("■ 三陸\n\n①スマート漁業\n分野でのクラスター形成を検討している。\n", encoding="utf-8")
    (inbox / "fisheries_copy.md").write_text("■ 三陸\n\n①スマート漁業\n分野でのクラスター形成を検討している。\n", encoding="utf-8")
    data = tmp_path / "data"
    out = cli("index", str(inbox), data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "「cluster_plan.txt」と同じ内容のため" in out.stdout and "「fisheries.md」と同じ内容のため" in out.stdout
    status = cli("index", "--status", data_dir=data).stdout
    assert " fisheries " in status and "fisheries_copy" not in status.split("同じ内容")[0]
    answer = ask_json("造船に取り組む地域はどこ？", data)
    assert answer["text"].count("④造船") == 1, answer["text"]
    assert {c["doc_id"] for c in answer["citations"]} == {"cluster_plan"}
    assert sorted(c["block"] for c in answer["citations"]) == ["中国", "九州", "四国"]
    fish = ask_json("スマート漁業に取り組む地域は？", data)
    assert [c["doc_id"] for c in fish["citations"]] == ["fisheries"]


def test_adding_a_folder_does_not_follow_links_out_of_it(tmp_path):
    """Finding 11: `assistant index FOLDER` followed a link to /etc/hostname and copied it into the library."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "plan.md").write_text("■ 三陸\n\n①洋上風力\n分野でのクラスター形成を検討している。\n", encoding="utf-8")
    (inbox / "hostname.txt").symlink_to("/etc/hostname")
    data = tmp_path / "data"
    out = cli("index", str(inbox), data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "hostname.txt: リンク先が追加するフォルダの外にあるため読み込みません" in out.stdout
    # the folder is added as one collection, under its own name
    assert sorted(p.name for p in (data / "documents" / "inbox").iterdir() if not p.name.startswith(".")) == ["plan.md"]
