"""Adding and removing the user's documents: `Assistant.add_documents` / `remove_document` and the 資料 tab's
handlers called directly (no server).

Every test here works on its own data folder and its own `Assistant` (module-scoped), never on the shared
session index. Each test uses document names and contents no other test uses.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

# Two units that number their items: a plan (a single block would be read as prose, without units).
SANRIKU = ("■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n\n"
           "■ 仙台湾\n\n①港湾物流 ②水産加工\n分野でのクラスター形成を検討している。\n")


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


def rows(status: str) -> list[tuple[str, str, str, str]]:
    """The per-file lines of the report: (ok|err, data-file, data-status, text)."""
    return re.findall(r'<li class="(ok|err)" data-file="([^"]*)" data-status="([^"]*)">(.*?)</li>', status)


JARGON = ("索引", "チャンク")


def plain_words(report: str) -> bool:
    """The report speaks the user's language; only the folded details for the server's operator may name
    the index."""
    shown = re.sub(r'<details class="admin-details">.*?</details>', "", report, flags=re.S)
    return not any(word in shown for word in JARGON)


def add(handlers, files, map_docs=(), seen=None):
    """Outputs of the upload: (report, upload box, choice, view, delete button, chat docs, map docs, seen,
    last report). The handler is a generator: before them, it shows the files' progress in the report box
    (each step is appended to `seen` when given)."""
    out = None
    for out in handlers["add"](files, list(map_docs)):
        if seen is not None:
            seen.append(out)
    assert plain_words(out[0]), out[0]
    return out


def remove(handlers, doc_id, map_docs=(), last_report=None, stored=""):
    """Outputs of 「削除する」: (confirmation, status, choice, view, delete button, chat docs, map docs, seen,
    upload report, last report, chat)."""
    return handlers["remove"](doc_id, list(map_docs), last_report, stored)


BAR = re.compile(r'<li class="upl" data-file="([^"]*)" data-state="([a-z]+)" data-done="(\d+)" data-total="(\d+)">')


def doc_id_of(choice, title: str) -> str:
    return dict(choice["choices"])[title]


def test_an_uploaded_markdown_file_is_answerable_listed_and_on_the_map_only_when_chosen(fresh, handlers, uploads):
    settings, bot, _ = fresh
    assert not bot.ask("スマート漁業に取り組む地域は？").answerable  # not in the bundled documents
    steps: list = []
    report, files, choice, view, delete, chat_docs, map_docs, seen, last = add(
        handlers, [write(uploads, "三陸の計画.md", SANRIKU)], [], steps)
    assert 'data-added="1"' in report and 'data-errors="0"' in report and "1件の資料を登録しました" in report
    [(kind, name, state, text)] = rows(report)
    assert (kind, name, state) == ("ok", "三陸の計画.md", "added") and "「三陸の計画」を追加しました" in text
    assert files is None and "三陸の計画.md" in stored(settings)
    assert not [n for n in stored(settings) if n.startswith(".")]  # no staging folder is left behind
    doc_id = doc_id_of(choice, "三陸の計画")
    assert choice["value"] == doc_id and 'data-block="三陸"' in view and "スマート漁業" in view
    assert delete["visible"] is True  # the user's own document can be deleted
    assert ("三陸の計画", doc_id) in chat_docs["choices"] and ("三陸の計画", doc_id) in map_docs["choices"]
    assert last.first_document == doc_id  # kept for the session, so a deletion can take its line out
    # while it ran, the report box showed one bar for the one file (and nothing else changed)
    shown = [step[0] for step in steps[:-1]]
    assert shown and all(len(BAR.findall(html)) == 1 for html in shown)
    assert all(is_skip(v) for step in steps[:-1] for v in step[1:])
    bars = [BAR.search(html).groups() for html in shown]
    assert bars[-1][1] == "done" and int(bars[-1][2]) == int(bars[-1][3]) >= 1  # its passages, all made ready
    assert all(int(done) <= int(total) for _, _, done, total in bars)
    # answerable at once, with a citation from the new document
    answer = bot.ask("スマート漁業に取り組む地域は？")
    assert answer.answerable and any(c.doc_id == doc_id and "スマート漁業" in c.text for c in answer.citations)
    # the field map shows the bundled plans unless the user picks the new document
    select = handlers["select"]
    figure, _, matrix = select([], "スマート漁業", "")
    assert "スマート漁業" not in matrix and 'data-unit="三陸"' not in matrix
    figure, passages, matrix = select([doc_id], "スマート漁業", "")
    assert 'data-unit="三陸"' in matrix and "スマート漁業" in passages and "地図に示せない" in figure
    # a session that opened before the upload gets the new list when it comes back to the chat
    update, seen_now = handlers["sync_documents"](["no-such-document"], 0)
    assert ("三陸の計画", doc_id) in update["choices"] and update["value"] == [] and seen_now == seen
    assert all(is_skip(v) for v in handlers["sync_documents"]([], seen))
    # the chat can be limited to the document
    steps = list(handlers["respond"]("スマート漁業に取り組む地域は？", "", [doc_id]))
    assert "三陸" in steps[-1][0][-1]["content"] and "対象の資料：三陸の計画" in steps[-1][0][-2]["content"]


def test_an_unsupported_type_is_refused_with_the_file_named_and_nothing_is_indexed(fresh, handlers, uploads):
    settings, bot, _ = fresh
    before = stored(settings)
    report, files, choice, *_ = add(handlers, [write(uploads, "setup.exe", b"MZ\x90\x00" * 64),
                                               write(uploads, "README", "■ 北海道\n\n①テスト\n")])
    found = rows(report)
    assert [(k, n) for k, n, _, _ in found] == [("err", "setup.exe"), ("err", "README")]
    assert "setup.exe: 対応していない形式です（.exe）" in found[0][3] and ".pdf .docx" in found[0][3]
    assert "拡張子なし" in found[1][3] and "追加できるファイルがありませんでした" in report
    assert is_skip(choice) and stored(settings) == before


def test_an_oversized_file_is_refused_before_any_byte_is_read(fresh, handlers, uploads, monkeypatch):
    from assistant import library
    from corpus import loaders

    settings, _, _ = fresh
    before = stored(settings)
    path = uploads / "大きな資料.pdf"
    with open(path, "wb") as f:
        f.truncate(loaders.DEFAULT_MAX_BYTES + 1)  # sparse: 50 MB on paper, no disk used

    def never(*args, **kwargs):
        raise AssertionError("the file was read although it is too large")

    monkeypatch.setattr(library, "_copy_bounded", never)
    monkeypatch.setattr(loaders, "_read_bytes", never)
    monkeypatch.setattr("builtins.open", never)  # nothing may open it, not even for copying
    try:
        report, *_ = add(handlers, [str(path)])
    finally:
        monkeypatch.undo()
    [(kind, name, _, text)] = rows(report)
    assert kind == "err" and name == "大きな資料.pdf"
    assert "大きな資料.pdf: ファイルが大きすぎます（50.0 MB）。上限は 50.0 MB です" in text and stored(settings) == before


def test_the_limit_is_read_when_the_upload_is_handled(fresh, handlers, uploads, monkeypatch):
    from corpus import loaders

    settings, _, _ = fresh
    monkeypatch.setattr(loaders, "DEFAULT_MAX_BYTES", 100)
    report, *_ = add(handlers, [write(uploads, "長いメモ.md", "■ 北陸\n\n" + "あ" * 100)])
    [(kind, name, _, text)] = rows(report)
    assert kind == "err" and "上限は 100 バイト です" in text and "長いメモ.md" not in stored(settings)


def test_a_path_in_the_uploaded_name_never_leaves_the_documents_folder(fresh, handlers, uploads):
    settings, bot, _ = fresh
    data = Path(settings.data_dir)
    temp = write(uploads, "tmp123.md", "■ 日高\n\n①競走馬生産\n分野でのクラスター形成を検討している。\n")
    temp2 = write(uploads, "tmp456.md", "■ 隠岐\n\n①離島観光\n分野でのクラスター形成を検討している。\n")
    files = [{"path": temp, "orig_name": "../../evil.md"}, {"path": temp2, "orig_name": "..\\..\\.hidden\\evil2.md"}]
    report, *_ = add(handlers, files)
    assert {"evil.md", "evil2.md"} <= set(stored(settings))
    for name in ("evil.md", "evil2.md"):
        assert (settings.documents_dir / name).resolve().parent == settings.documents_dir.resolve()
    assert not (data.parent / "evil.md").exists() and not (data / "evil.md").exists()
    found = rows(report)
    assert [(k, n, s) for k, n, s, _ in found] == [("ok", "evil.md", "added"), ("ok", "evil2.md", "added")]
    assert "元の名前：../../evil.md" in found[0][3]
    assert bot.ask("競走馬生産に取り組む地域は？").answerable


def test_a_symlink_in_the_documents_folder_is_not_followed(fresh, handlers, uploads, tmp_path):
    settings, _, _ = fresh
    outside = tmp_path / "outside.md"
    outside.write_text("外のファイル", encoding="utf-8")
    (settings.documents_dir / "link.md").symlink_to(outside)
    try:
        report, *_ = add(handlers, [write(uploads, "link.md", "■ 北海道\n\n①上書き\n")])
        [(kind, name, _, _)] = rows(report)
        assert kind == "err" and name == "link.md" and outside.read_text(encoding="utf-8") == "外のファイル"
    finally:
        (settings.documents_dir / "link.md").unlink()


def test_binary_junk_is_reported_per_file_while_the_good_file_still_indexes(fresh, handlers, uploads):
    settings, bot, _ = fresh
    junk = write(uploads, "壊れた.txt", bytes(range(256)) * 40)
    good = write(uploads, "種子島.md", "■ 種子島\n\n①ロケット部品\n分野でのクラスター形成を検討している。\n")
    report, _, choice, view, *_ = add(handlers, [junk, good])
    found = rows(report)
    assert [(k, n) for k, n, _, _ in found] == [("err", "壊れた.txt"), ("ok", "種子島.md")]
    assert "壊れた.txt: テキストファイルではありません" in found[0][3] and 'data-errors="1"' in report
    assert "壊れた.txt" not in stored(settings) and 'data-block="種子島"' in view
    assert bot.ask("ロケット部品に取り組む地域は？").answerable


def test_a_new_version_is_reported_as_changed_and_the_same_file_as_unchanged(fresh, handlers, uploads):
    settings, bot, _ = fresh
    first = "■ 佐渡\n\n①金山観光\n分野でのクラスター形成を検討している。\n"
    add(handlers, [write(uploads, "佐渡.md", first)])
    report, *_ = add(handlers, [write(uploads, "佐渡.md", first)])
    assert rows(report)[0][2] == "unchanged" and "同じ内容で登録済み" in report
    report, *_ = add(handlers, [write(uploads, "佐渡.md", "■ 佐渡\n\n①トキ保護\n分野でのクラスター形成を検討している。\n")])
    assert rows(report)[0][2] == "changed" and "新しい内容に置き換えました" in report
    assert bot.ask("トキ保護に取り組む地域は？").answerable
    assert not any("金山観光" in c.text for c in bot.ask("金山観光に取り組む地域は？").citations)  # the old text is gone


def test_an_unreadable_file_never_replaces_a_good_document_of_the_same_name(fresh, handlers, uploads):
    settings, bot, _ = fresh
    add(handlers, [write(uploads, "壱岐.md", "■ 壱岐\n\n①焼酎醸造\n分野でのクラスター形成を検討している。\n")])
    report, *_ = add(handlers, [write(uploads, "壱岐.md", b"\x00\xff" * 500)])
    [(kind, name, _, _)] = rows(report)
    assert kind == "err" and name == "壱岐.md"
    assert "焼酎醸造" in (settings.documents_dir / "壱岐.md").read_text(encoding="utf-8")
    assert bot.ask("焼酎醸造に取り組む地域は？").answerable


def test_the_same_content_under_another_name_is_reported_without_jargon(fresh, handlers, uploads):
    settings, bot, _ = fresh
    text = "■ 男鹿\n\n①なまはげ観光\n分野でのクラスター形成を検討している。\n"
    add(handlers, [write(uploads, "男鹿.md", text)])
    report, *_ = add(handlers, [write(uploads, "男鹿の写し.md", text)])
    [(kind, name, _, reason)] = rows(report)
    assert kind == "err" and name == "男鹿の写し.md" and "「男鹿.md」と同じ内容" in reason
    assert len([c for c in bot.ask("なまはげ観光に取り組む地域は？").citations if "なまはげ" in c.text]) == 1


def test_an_upload_waits_for_another_writer_and_says_so_while_questions_go_on(fresh, handlers, uploads):
    """The writer lock (`assistant.indexing.writing`) is taken before anything else an upload locks: while
    another writer holds it, the upload waits and says so, and questions are answered meanwhile."""
    from assistant.indexing import writing

    settings, bot, _ = fresh
    held, release = threading.Event(), threading.Event()

    def other_writer():
        with writing(settings):
            held.set()
            release.wait(120)

    holder = threading.Thread(target=other_writer)
    holder.start()
    assert held.wait(60)
    steps, results = [], {}
    path = write(uploads, "隠岐.md", "■ 隠岐\n\n①ジオパーク観光\n分野でのクラスター形成を検討している。\n")
    uploader = threading.Thread(target=lambda: results.update(upload=add(handlers, [path], seen=steps)))
    uploader.start()
    try:
        waiting = lambda: any("待っています" in step[0] for step in list(steps))  # noqa: E731
        for _ in range(600):
            if waiting():
                break
            threading.Event().wait(0.1)
        assert waiting(), steps
        assert "隠岐.md" not in stored(settings)  # nothing is touched before the lock is held
        out, _ = handlers["ask"]("九州の分野は？", {})
        assert out["answerable"] and out["citations"]
    finally:
        release.set()
        holder.join(60)
        uploader.join(120)
    assert rows(results["upload"][0])[0][2] == "added" and bot.ask("ジオパーク観光に取り組む地域は？").answerable


def test_nothing_chosen_gives_a_hint(handlers):
    for files in (None, []):
        report, box, choice, *_ = add(handlers, files)
        assert "ファイルを選んでから" in report and is_skip(box) and is_skip(choice)


def test_gradios_copy_of_an_upload_is_deleted_once_it_is_staged(fresh, handlers):
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()) / f"test-{os.getpid()}-{id(handlers)}"
    folder.mkdir(parents=True)
    path = write(folder, "対馬の計画.md", "■ 対馬\n\n①海洋ごみ再生\n分野でのクラスター形成を検討している。\n")
    report, *_ = add(handlers, [path])
    assert rows(report)[0][2] == "added"
    assert not Path(path).exists() and not folder.exists()


def test_questions_are_answered_while_the_index_is_being_updated(fresh, handlers, uploads, monkeypatch):
    """No lock is shared with the questions: the index update does not hold them up."""
    import assistant.indexing as indexing

    real = indexing.update_index
    entered, release = threading.Event(), threading.Event()

    def slow_update(*args, **kwargs):
        entered.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(indexing, "update_index", slow_update)
    results: dict[str, object] = {}
    path = write(uploads, "奄美.md", "■ 奄美\n\n①藻場再生\n分野でのクラスター形成を検討している。\n")
    uploader = threading.Thread(target=lambda: results.update(upload=add(handlers, [path])))
    uploader.start()
    try:
        assert entered.wait(60)
        asker = threading.Thread(target=lambda: results.update(answer=handlers["ask"]("九州の分野は？", {})))
        asker.start()
        asker.join(60)
        assert not asker.is_alive(), "a question waited for the upload"
        out, _ = results["answer"]
        assert out["answerable"] and out["citations"]
    finally:
        release.set()
        uploader.join(120)
    assert rows(results["upload"][0])[0][2] == "added"


def test_questions_are_answered_while_the_upload_is_being_embedded(fresh, handlers, uploads, monkeypatch):
    from index.embedders import CachedEmbedder

    real = CachedEmbedder.prime
    entered, release = threading.Event(), threading.Event()

    def slow_prime(self, texts, progress=None, batch=32):
        if texts:
            entered.set()
            assert release.wait(60)
        return real(self, texts, progress, batch)

    monkeypatch.setattr(CachedEmbedder, "prime", slow_prime)
    results: dict[str, object] = {}
    path = write(uploads, "五島.md", "■ 五島\n\n①椿油\n分野でのクラスター形成を検討している。\n")
    uploader = threading.Thread(target=lambda: results.update(upload=add(handlers, [path])))
    uploader.start()
    try:
        assert entered.wait(60)
        out, _ = handlers["ask"]("九州の分野は？", {})
        assert out["answerable"] and out["citations"]
    finally:
        release.set()
        uploader.join(120)
    assert rows(results["upload"][0])[0][2] == "added"


def test_an_indexing_failure_gives_a_short_japanese_message_and_the_next_upload_indexes(fresh, handlers, uploads,
                                                                                        monkeypatch, caplog):
    import logging

    import assistant.indexing as indexing

    def broken(*args, **kwargs):
        raise RuntimeError("boom: internal detail that must not reach the user")

    monkeypatch.setattr(indexing, "update_index", broken)
    path = write(uploads, "小豆島.md", "■ 小豆島\n\n①オリーブ\n分野でのクラスター形成を検討している。\n")
    with caplog.at_level(logging.ERROR):
        report, files, choice, *_ = add(handlers, [path])
    assert "まだ質問には使えません" in report and "小豆島.md" in report and is_skip(choice)
    assert "boom" not in report and "RuntimeError" not in report and "boom" in caplog.text
    out, _ = handlers["ask"]("九州の分野は？", {})
    assert out["answerable"]
    monkeypatch.undo()
    report, *_ = add(handlers, [path])
    assert rows(report)[0][2] == "added"


def test_a_user_document_is_deleted_after_a_confirmation_and_is_gone_from_answers_and_map(fresh, handlers, uploads):
    settings, bot, _ = fresh
    settings.documents_dir.mkdir(parents=True, exist_ok=True)
    (settings.documents_dir / "屋久島.json").write_text('{"title": "屋久島の計画"}', encoding="utf-8")
    report, _, choice, *_ = add(handlers, [write(uploads, "屋久島.md", "■ 屋久島\n\n①森林セラピー\n分野でのクラスター形成を検討している。\n")])
    doc_id = doc_id_of(choice, "屋久島の計画")
    assert bot.ask("森林セラピーに取り組む地域は？").answerable
    confirm, question = handlers["ask_delete"](doc_id)
    assert confirm["visible"] is True and "「屋久島の計画」を削除しますか？" in question
    confirm, status, choice, view, delete, chat_docs, map_docs, seen, upload, last, chat = remove(handlers, doc_id, [doc_id])
    assert confirm["visible"] is False and "「屋久島の計画」を削除しました" in status
    assert "屋久島.md" not in stored(settings) and "屋久島.json" not in stored(settings)
    assert doc_id not in dict(choice["choices"]).values() and map_docs["value"] == []
    answer = bot.ask("森林セラピーに取り組む地域は？")
    assert not answer.answerable and all(c.doc_id != doc_id for c in answer.citations)
    _, _, matrix = handlers["select"]([doc_id], "", "")
    assert 'data-unit="屋久島"' not in matrix


def test_source_cards_name_the_documents_title_publisher_and_date(fresh, handlers, uploads):
    settings, bot, _ = fresh
    settings.documents_dir.mkdir(parents=True, exist_ok=True)
    (settings.documents_dir / "能登.json").write_text(
        '{"title": "能登半島の産業計画", "publisher": "能登振興協議会", "date": "2025-03"}', encoding="utf-8")
    report, *_ = add(handlers, [write(uploads, "能登.md", "■ 能登\n\n①輪島塗\n分野でのクラスター形成を検討している。\n")])
    assert rows(report)[0][2] == "added"
    steps = list(handlers["respond"]("輪島塗に取り組む地域は？", "", []))
    answer = steps[-1][0][-1]["content"]
    card = re.search(r'<article class="src".*?</article>', answer, flags=re.S).group(0)
    text = " ".join(re.sub(r"<[^>]+>", " ", card).split())
    assert "能登半島の産業計画" in text and "発行 能登振興協議会" in text and "日付 2025-03" in text


def test_the_bundled_plans_cannot_be_deleted(fresh, handlers):
    settings, bot, _ = fresh
    confirm, question = handlers["ask_delete"]("cluster_plan")
    assert confirm["visible"] is False
    confirm, status, *rest = remove(handlers, "cluster_plan")
    assert "同梱の資料は削除できません" in status and all(is_skip(v) for v in rest)
    assert bot.remove_document("cluster_plan") is False and bot.remove_document("no-such-document") is False
    assert any(p.document.doc_id == "cluster_plan" for p in bot.documents())


def test_sanitised_names_and_original_names_are_kept_apart():
    from assistant.library import printable, source_of

    assert source_of({"path": "/tmp/x/abc", "orig_name": "../../a.md"}) == (Path("/tmp/x/abc"), "../../a.md")
    assert source_of("/tmp/x/資料.pdf") == (Path("/tmp/x/資料.pdf"), "資料.pdf")
    assert source_of({"orig_name": "a.md"})[0] is None
    assert printable("evil\u202egpj.md") == "evilgpj.md"
    assert os.sep not in printable("a.md")


def test_a_deletion_takes_its_line_out_of_the_upload_report_and_old_answers_say_it_was_deleted(fresh, handlers, uploads):
    """Issue 20 §3: 「✓…を追加しました」 stayed after its document was deleted, and answers citing it kept
    pointing to the 資料 tab."""
    settings, bot, _ = fresh
    plan = "■ 礼文\n\n①ウニ漁 ②高山植物観光\n分野でのクラスター形成を検討している。\n\n■ 利尻\n\n①昆布漁\n分野でのクラスター形成を検討している。\n"
    report, _, choice, *_, last = add(handlers, [write(uploads, "礼文の計画.md", plan),
                                                 write(uploads, "覚え.md", "# 覚え\n\n港の清掃を毎月行う。\n")])
    assert [r[1] for r in rows(report)] == ["礼文の計画.md", "覚え.md"]
    doc_id = doc_id_of(choice, "礼文の計画")
    steps = list(handlers["respond"]("ウニ漁に取り組む地域は？", "", []))
    _, stored, *_ = steps[-1]
    assert 'data-deleted="false"' in steps[-1][0][-1]["content"]
    *_, upload, kept, chat = remove(handlers, doc_id, [], last, stored)
    assert [r[1] for r in rows(upload)] == ["覚え.md"] and "礼文" not in upload and kept.first_document != doc_id
    card = re.search(r'<article class="src[^"]*"[^>]*data-doc="' + re.escape(doc_id) + r'".*?</article>',
                     chat[-1]["content"], flags=re.S).group(0)
    assert 'data-deleted="true"' in card and "この資料は削除されました" in card
    assert "「資料」タブでは読めません" in chat[-1]["content"]
    # the last line gone, the report goes too
    other = doc_id_of(choice, "覚え")
    *_, upload, kept, _ = remove(handlers, other, [], kept, stored)
    assert upload == "" and kept is None
