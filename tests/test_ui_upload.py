"""Adding the user's documents from the 資料 tab: the upload handler called directly (no server).

Every test here works on its own data folder and its own `Assistant` (module-scoped), never on the shared
session index. Each test uploads documents with names and contents no other test uses.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

SANRIKU = "■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """(settings, bot, demo) on an empty data folder: the bundled documents only."""
    from assistant import Assistant
    from assistant.config import Settings
    from ui.app import build_app

    settings = Settings(data_dir=tmp_path_factory.mktemp("upload-data"))
    bot = Assistant.load(settings)
    return settings, bot, build_app(bot)


@pytest.fixture
def handlers(fresh):
    _, _, demo = fresh
    return {getattr(f.fn, "__name__", ""): f.fn for f in demo.fns.values()}


@pytest.fixture
def uploads(tmp_path):
    """Where the 'browser' puts files: a folder outside the data folder (like Gradio's temporary cache)."""
    folder = tmp_path / "gradio-cache"
    folder.mkdir()
    return folder


class Progress:
    """Records what the handler reports to gr.Progress."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def __call__(self, value, desc=None, total=None, unit="steps"):
        self.calls.append((value, desc, unit))


def is_skip(value) -> bool:
    return isinstance(value, dict) and value.get("__type__") == "update" and len(value) == 1


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def stored(settings) -> list[str]:
    return sorted(p.name for p in settings.documents_dir.iterdir()) if settings.documents_dir.exists() else []


def rows(status: str) -> list[str]:
    """The per-file lines of the report, as (class, data-file, text) strings (crude but enough)."""
    import re

    return re.findall(r'<li class="(ok|err)" data-file="([^"]*)" data-status="([^"]*)">(.*?)</li>', status)


# outputs of add_documents: (upload_status, upload_files, doc_choice, doc_view)


def test_an_uploaded_markdown_file_is_indexed_answerable_and_listed(fresh, handlers, uploads):
    settings, bot, _ = fresh
    assert not bot.ask("スマート漁業に取り組む地域は？").answerable  # not in the bundled documents
    progress = Progress()
    started = time.perf_counter()
    status, files, choice, view = handlers["add_documents"]([write(uploads, "三陸の計画.md", SANRIKU)], progress)
    took = time.perf_counter() - started

    assert "新規 1件" in status and 'data-added="1"' in status and 'data-errors="0"' in status
    assert "索引のチャンク" in status and "今回埋め込んだチャンク 1件" in status
    [(kind, name, state, text)] = rows(status)
    assert (kind, name, state) == ("ok", "三陸の計画.md", "added") and "新しく追加しました" in text
    assert files is None  # the upload box is emptied
    assert "三陸の計画.md" in stored(settings)
    assert not [n for n in stored(settings) if n.startswith(".")]  # no staging folder is left behind
    # the document list and the document view show the new document
    titles = dict(choice["choices"])
    assert "三陸の計画" in titles and choice["value"] == titles["三陸の計画"]
    assert 'data-block="三陸"' in view and "スマート漁業" in view
    # progress: the files, then the chunks embedded (done / total), in Japanese
    assert any(unit == "チャンク" and value == (1, 1) for value, _, unit in progress.calls)
    assert all(desc and desc.endswith("…") for _, desc, _ in progress.calls)
    assert took < 10

    # answerable at once, with a citation from the new document
    answer = bot.ask("スマート漁業に取り組む地域は？")
    assert answer.answerable and "三陸" in answer.text
    assert any(c.doc_id == choice["value"] and "スマート漁業" in c.text for c in answer.citations)
    # the other UI parts see it too: the document tab, the field map and its API
    doc_id, markup = handlers["show_document"](choice["value"], None)
    assert doc_id == choice["value"] and "水産加工" in markup
    field_update, block_update, figure, passages, matrix, seen = handlers["sync_map"](0, "", "")
    assert ("スマート漁業", "スマート漁業") in field_update["choices"] and ("三陸", "三陸") in block_update["choices"]
    assert 'data-field="スマート漁業"' in matrix and seen >= 1
    assert all(is_skip(v) for v in handlers["sync_map"](seen, "", ""))  # nothing new: nothing re-sent
    out = handlers["api_field_map"]("スマート漁業")
    assert out["known"] and out["blocks"] == ["三陸"]
    figure, passages, matrix = handlers["select_map"]("", "三陸")
    assert "三陸ブロックの分野：スマート漁業、水産加工" in figure and "地図に示せません" in figure
    # a session opened before the upload gets the new list when it opens the 資料 tab
    assert choice["value"] in dict(handlers["sync_documents"]("cluster_plan")["choices"]).values()


def test_an_unsupported_type_is_refused_with_the_file_named_and_nothing_is_indexed(fresh, handlers, uploads):
    settings, bot, _ = fresh
    before, chunks = stored(settings), bot.info.chunks
    status, files, choice, view = handlers["add_documents"](
        [write(uploads, "setup.exe", b"MZ\x90\x00" * 64), write(uploads, "README", "■ 北海道\n\n①テスト\n")], Progress()
    )
    found = rows(status)
    assert [(k, n) for k, n, _, _ in found] == [("err", "setup.exe"), ("err", "README")]
    assert "setup.exe: 対応していない形式です（.exe）" in found[0][3] and ".pdf .docx" in found[0][3]
    assert "拡張子なし" in found[1][3]
    assert "追加できるファイルがありませんでした" in status and 'class="upload-report upload-error"' in status
    assert is_skip(choice) and is_skip(view)  # the document list is unchanged
    assert stored(settings) == before and bot.info.chunks == chunks


def test_an_oversized_file_is_refused_before_any_byte_is_read(fresh, handlers, uploads, monkeypatch):
    from corpus import loaders
    from assistant import library as upload

    settings, _, _ = fresh
    before = stored(settings)
    path = uploads / "大きな資料.pdf"
    with open(path, "wb") as f:
        f.truncate(loaders.DEFAULT_MAX_BYTES + 1)  # sparse: 50 MB on paper, no disk used

    def never(*args, **kwargs):
        raise AssertionError("the file was read although it is too large")

    monkeypatch.setattr(upload, "_copy_bounded", never)
    monkeypatch.setattr(loaders, "_read_bytes", never)
    monkeypatch.setattr("builtins.open", never)  # nothing may open it, not even for copying
    try:
        status, files, choice, view = handlers["add_documents"]([str(path)], Progress())
    finally:
        monkeypatch.undo()
    [(kind, name, _, text)] = rows(status)
    assert kind == "err" and name == "大きな資料.pdf"
    assert "大きな資料.pdf: ファイルが大きすぎます（50.0 MB）。上限は 50.0 MB です" in text
    assert stored(settings) == before


def test_the_limit_is_read_when_the_upload_is_handled(fresh, handlers, uploads, monkeypatch):
    from corpus import loaders

    settings, _, _ = fresh
    monkeypatch.setattr(loaders, "DEFAULT_MAX_BYTES", 100)
    status, *_ = handlers["add_documents"]([write(uploads, "長いメモ.md", "■ 北陸\n\n" + "あ" * 100)], Progress())
    [(kind, name, _, text)] = rows(status)
    assert kind == "err" and "上限は 100 バイト です" in text and "長いメモ.md" not in stored(settings)


def test_a_path_in_the_uploaded_name_never_leaves_the_documents_folder(fresh, handlers, uploads):
    settings, bot, _ = fresh
    data = Path(settings.data_dir)
    temp = write(uploads, "tmp123.md", "■ 日高\n\n①競走馬生産\n分野でのクラスター形成を検討している。\n")
    temp2 = write(uploads, "tmp456.md", "■ 隠岐\n\n①離島観光\n分野でのクラスター形成を検討している。\n")
    # Gradio passes the original name separately from its temporary file: the name is the only attack surface
    files = [{"path": temp, "orig_name": "../../evil.md"}, {"path": temp2, "orig_name": "..\\..\\.hidden\\evil2.md"}]
    status, _, choice, _ = handlers["add_documents"](files, Progress())
    assert {"evil.md", "evil2.md"} <= set(stored(settings))
    for name in ("evil.md", "evil2.md"):
        assert (settings.documents_dir / name).resolve().parent == settings.documents_dir.resolve()
    assert not (data.parent / "evil.md").exists() and not (data / "evil.md").exists()
    assert not any(p.name.startswith("evil") for p in data.parent.iterdir())
    found = rows(status)
    assert [(k, n, s) for k, n, s, _ in found] == [("ok", "evil.md", "added"), ("ok", "evil2.md", "added")]
    assert "元の名前：../../evil.md" in found[0][3]  # shown (escaped) so the user sees what happened
    assert bot.ask("競走馬生産に取り組む地域は？").answerable


def test_a_symlink_in_the_documents_folder_is_not_followed(fresh, handlers, uploads, tmp_path):
    settings, _, _ = fresh
    outside = tmp_path / "outside.md"
    outside.write_text("外のファイル", encoding="utf-8")
    (settings.documents_dir / "link.md").symlink_to(outside)
    try:
        status, *_ = handlers["add_documents"]([write(uploads, "link.md", "■ 北海道\n\n①上書き\n")], Progress())
        [(kind, name, _, text)] = rows(status)
        assert kind == "err" and name == "link.md"
        assert outside.read_text(encoding="utf-8") == "外のファイル"
    finally:
        (settings.documents_dir / "link.md").unlink()


def test_binary_junk_is_reported_per_file_while_the_good_file_still_indexes(fresh, handlers, uploads):
    settings, bot, _ = fresh
    junk = write(uploads, "壊れた.txt", bytes(range(256)) * 40)
    good = write(uploads, "種子島.md", "■ 種子島\n\n①ロケット部品\n分野でのクラスター形成を検討している。\n")
    status, _, choice, view = handlers["add_documents"]([junk, good], Progress())
    found = rows(status)
    assert [(k, n) for k, n, _, _ in found] == [("err", "壊れた.txt"), ("ok", "種子島.md")]
    assert "壊れた.txt: テキストファイルではありません" in found[0][3]
    assert "新規 1件" in status and "追加できなかったファイルが 1件" in status and 'data-errors="1"' in status
    assert "壊れた.txt" not in stored(settings)  # an unreadable upload never enters the library
    assert 'data-block="種子島"' in view
    answer = bot.ask("ロケット部品に取り組む地域は？")
    assert answer.answerable and any("ロケット部品" in c.text for c in answer.citations)


def test_a_new_version_is_reported_as_changed_and_the_same_file_as_unchanged(fresh, handlers, uploads):
    settings, bot, _ = fresh
    first = "■ 佐渡\n\n①金山観光\n分野でのクラスター形成を検討している。\n"
    handlers["add_documents"]([write(uploads, "佐渡.md", first)], Progress())
    status, *_ = handlers["add_documents"]([write(uploads, "佐渡.md", first)], Progress())
    assert "新規 0件・更新 0件" in status and rows(status)[0][2] == "unchanged" and 'data-embedded="0"' in status
    second = "■ 佐渡\n\n①トキ保護\n分野でのクラスター形成を検討している。\n"
    status, *_ = handlers["add_documents"]([write(uploads, "佐渡.md", second)], Progress())
    assert "新規 0件・更新 1件" in status and rows(status)[0][2] == "changed"
    assert bot.ask("トキ保護に取り組む地域は？").answerable
    assert not bot.ask("金山観光に取り組む地域は？").answerable


def test_an_unreadable_file_never_replaces_a_good_document_of_the_same_name(fresh, handlers, uploads):
    settings, bot, _ = fresh
    handlers["add_documents"]([write(uploads, "壱岐.md", "■ 壱岐\n\n①焼酎醸造\n分野でのクラスター形成を検討している。\n")],
                              Progress())
    status, *_ = handlers["add_documents"]([write(uploads, "壱岐.md", b"\x00\xff" * 500)], Progress())
    [(kind, name, _, text)] = rows(status)
    assert kind == "err" and name == "壱岐.md"
    assert "焼酎醸造" in (settings.documents_dir / "壱岐.md").read_text(encoding="utf-8")
    assert bot.ask("焼酎醸造に取り組む地域は？").answerable


def test_nothing_chosen_gives_a_hint(handlers):
    for files in (None, []):
        status, files_out, choice, view = handlers["add_documents"](files, Progress())
        assert "ファイルを選んでから" in status and is_skip(files_out) and is_skip(choice) and is_skip(view)


def test_questions_wait_while_the_index_is_updated(fresh, handlers, uploads, monkeypatch):
    """The upload holds the questions' lock around update_index + refresh: no answer from a half-updated index."""
    import assistant.indexing as indexing

    real = indexing.update_index
    entered, release = threading.Event(), threading.Event()

    def slow_update(*args, **kwargs):
        entered.set()
        assert release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(indexing, "update_index", slow_update)
    results: dict[str, object] = {}
    path = write(uploads, "対馬.md", "■ 対馬\n\n①海洋ごみ再生\n分野でのクラスター形成を検討している。\n")
    uploader = threading.Thread(target=lambda: results.update(upload=handlers["add_documents"]([path], Progress())))
    uploader.start()
    assert entered.wait(20)
    asker = threading.Thread(target=lambda: results.update(answer=handlers["api_ask"]("海洋ごみ再生に取り組む地域は？", [])))
    asker.start()
    time.sleep(0.5)
    assert asker.is_alive(), "a question ran while the index was being updated"
    release.set()
    uploader.join(30)
    asker.join(30)
    assert "新規 1件" in results["upload"][0]
    out, _ = results["answer"]
    assert out["answerable"] and any("海洋ごみ再生" in c["text"] for c in out["citations"])  # asked after the update


def test_questions_are_answered_while_the_upload_is_being_embedded(fresh, handlers, uploads, monkeypatch):
    """The slow part (embedding the new chunks) runs before the questions' lock is taken."""
    from index.embedders import CachedEmbedder

    real = CachedEmbedder.prime
    entered, release = threading.Event(), threading.Event()

    def slow_prime(self, texts, progress=None, batch=32):
        if texts:
            entered.set()
            assert release.wait(20)
        return real(self, texts, progress, batch)

    monkeypatch.setattr(CachedEmbedder, "prime", slow_prime)
    results: dict[str, object] = {}
    path = write(uploads, "奄美.md", "■ 奄美\n\n①藻場再生\n分野でのクラスター形成を検討している。\n")
    uploader = threading.Thread(target=lambda: results.update(upload=handlers["add_documents"]([path], Progress())))
    uploader.start()
    assert entered.wait(20)
    out, _ = handlers["api_ask"]("九州の分野は？", [])  # answered now, while the upload is embedding
    assert out["answerable"] and out["citations"]
    release.set()
    uploader.join(30)
    assert "新規 1件" in results["upload"][0]


def test_the_report_escapes_file_names_and_reasons():
    from ui import render as R

    row = R.UploadRow('<img src=x onerror=alert(1)>.md', '<script>alert(1)</script>: 壊れています', False, "error")
    html = R.upload_report_html("<b>要約</b>", [row], kind="error", counts={"errors": 1}, notes=["<i>注</i>"])
    assert "<img" not in html and "<script" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and 'data-errors="1"' in html and "✗" in html


def test_sanitised_names_and_original_names_are_kept_apart():
    from assistant.library import printable, source_of

    assert source_of({"path": "/tmp/x/abc", "orig_name": "../../a.md"}) == (Path("/tmp/x/abc"), "../../a.md")
    assert source_of("/tmp/x/資料.pdf") == (Path("/tmp/x/資料.pdf"), "資料.pdf")
    assert source_of({"orig_name": "a.md"})[0] is None
    assert printable("evil\u202egpj.md") == "evilgpj.md"  # no right-to-left override in what is shown
    assert os.sep not in printable("a.md")


def test_an_indexing_failure_gives_a_short_japanese_message_and_questions_go_on(fresh, handlers, uploads, monkeypatch,
                                                                                caplog):
    import logging

    import assistant.indexing as indexing

    def broken(*args, **kwargs):
        raise RuntimeError("boom: internal detail that must not reach the user")

    monkeypatch.setattr(indexing, "update_index", broken)
    path = write(uploads, "五島.md", "■ 五島\n\n①椿油\n分野でのクラスター形成を検討している。\n")
    with caplog.at_level(logging.ERROR, logger="ui"):
        status, files, choice, view = handlers["add_documents"]([path], Progress())
    assert "索引を更新できませんでした" in status and "五島.md は資料フォルダに保存しました" in status
    assert "boom" not in status and "RuntimeError" not in status and "boom" in caplog.text
    assert is_skip(choice) and is_skip(view)
    out, _ = handlers["api_ask"]("九州の分野は？", [])  # the lock was released
    assert out["answerable"]
    monkeypatch.undo()
    status, *_ = handlers["add_documents"]([path], Progress())  # the next upload indexes it
    assert rows(status)[0][2] == "added" and "新規 1件" in status
