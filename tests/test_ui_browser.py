"""The live app in a real browser (Debian's Chromium driven by Playwright).

A missing browser or missing Japanese fonts is a failure, not a skip: CI installs them with
`apt-get install -y chromium fonts-noto-cjk` (never `playwright install`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import free_port

from assistant.limits import MAX_QUESTION_CHARS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TIMEOUT = 20_000  # ms
KYUSHU_FIELDS = ["AI・半導体", "エネルギー・GX・資源循環", "造船・防衛・航空宇宙", "防災・減災・国土強靱化、港湾ロジスティクス", "食・観光・ヘルスケア"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} がありません。`apt-get install -y chromium fonts-noto-cjk` でインストールしてください "
                    "(Chromium is required for the browser tests; never `playwright install`).", pytrace=False)
    fonts = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True).stdout if shutil.which(
        "fc-list") else ""
    if "Noto Sans CJK" not in fonts:
        pytest.fail("日本語フォントがありません（Japanese would render as boxes）。"
                    "`apt-get install -y fonts-noto-cjk` でインストールしてください。", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - a broken environment must fail loudly
        pytest.fail(f"playwright (python) is not installed: {exc}", pytrace=False)
    with sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"Chromium could not start: {exc}", pytrace=False)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    yield page
    context.close()


def shot(page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")


def wait_for_sources_of(page, question: str) -> None:
    page.wait_for_function(
        "q => { const el = document.querySelector('#sources .src-q'); return el && el.textContent.includes(q); }",
        arg=question,
    )


def bot_messages(page) -> list[str]:
    return page.locator('#chat [data-testid="bot"]').all_inner_texts()


def user_messages(page) -> list[str]:
    return page.locator('#chat [data-testid="user"]').all_inner_texts()


WATCH_STREAM = """() => {
  window.__seen = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (!bots.length) return;
    const t = bots[bots.length - 1].innerText;
    if (t && window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def test_a_question_streams_in_and_the_sources_highlight_the_kyushu_passage(page):
    page.evaluate(WATCH_STREAM)
    question = "九州で検討されているクラスターの分野は？"
    ask(page, question)
    page.wait_for_selector('#sources article[data-block="九州"] mark.hl')
    answer = bot_messages(page)[-1]
    for field in KYUSHU_FIELDS:
        assert field in answer
    assert "[1]" in answer
    seen = page.evaluate("window.__seen")
    assert len(seen) >= 3, f"the answer did not stream in: {seen}"
    assert seen[-1] == answer and len(seen[0]) < len(answer)
    # the sources panel: numbered citation, title, block, and the highlighted span inside the 九州 passage
    panel = page.locator("#sources")
    assert panel.locator(".sources").get_attribute("data-answerable") == "true"
    card = panel.locator('article[data-block="九州"]').first
    card_text = card.inner_text()
    assert "[1]" in card_text and "戦略産業クラスター計画" in card_text and "ブロック" in card_text
    assert "■ 九州" in card.locator("blockquote").inner_text()
    highlighted = " ".join(card.locator("mark.hl").all_inner_texts())
    assert "TSMC進出を契機に" in highlighted and "造船・防衛・航空宇宙" in highlighted
    assert page.input_value("#question textarea") == ""  # the box is cleared for the next question
    shot(page, "ui-chat.png")


def test_examples_follow_up_pair_and_new_conversation(page):
    page.get_by_role("button", name="取り組むブロック").click()
    wait_for_sources_of(page, "造船に取り組むブロックはどこ？")
    blocks = page.locator("#sources article").evaluate_all("els => els.map(e => e.dataset.block)")
    assert blocks == ["中国", "九州", "四国"]

    page.get_by_role("button", name="続けて質問").click()
    wait_for_sources_of(page, "では四国は？")
    users = user_messages(page)
    assert users[-2:] == ["東北ではどんな分野を検討している？", "では四国は？"]
    answers = bot_messages(page)
    assert "東北" in answers[-2] and "四国" in answers[-1] and "造船産業" in answers[-1]
    assert page.locator('#sources article[data-block="四国"]').count() >= 1
    shot(page, "ui-followup.png")

    page.click("#new-conversation")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"user\"]')")
    assert "質問すると" in page.inner_text("#sources")


def test_an_unanswerable_question_says_so_and_marks_reference_passages(page):
    page.get_by_role("button", name="資料にない質問").click()
    page.wait_for_selector("#sources .no-answer")
    assert "資料にはこの質問に答える記載がありません" in page.inner_text("#sources .no-answer")
    refs = page.locator("#sources article.src-ref")
    assert refs.count() >= 1 and "参考" in refs.first.inner_text()
    assert "記載がありません" in bot_messages(page)[-1]


def test_a_hostile_question_is_shown_as_text_and_never_runs(page):
    question = '<script>alert(1)</script><img src=x onerror=alert(1)><img src=y onerror="window.__xss=1">九州の分野は？'
    ask(page, question)
    wait_for_sources_of(page, "九州の分野は？")
    assert user_messages(page)[-1] == question
    assert question in page.inner_text("#sources .src-q")
    for where in ("#chat", "#sources"):
        assert page.locator(f"{where} img[src='x'], {where} img[src='y'], {where} script").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss === undefined") and page.dialogs == []
    shot(page, "ui-escaped.png")


def test_empty_and_over_long_questions(page):
    page.press("#question textarea", "Enter")
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('質問を入力')")
    assert user_messages(page) == []
    ask(page, "九" * (MAX_QUESTION_CHARS + 1))
    page.wait_for_function("() => document.querySelector('#chat').innerText.includes('文字以内で入力してください')")
    assert f"{MAX_QUESTION_CHARS:,}文字以内" in bot_messages(page)[-1]
    assert len(page.input_value("#question textarea")) == MAX_QUESTION_CHARS + 1  # kept, to be shortened


def test_the_documents_tab_shows_the_cited_span_in_the_full_text(page):
    ask(page, "造船に取り組むブロックはどこ？")
    wait_for_sources_of(page, "造船に取り組むブロックはどこ？")
    page.get_by_role("tab", name="資料").click()
    page.wait_for_selector("#doc-view mark.hl")
    view = page.locator("#doc-view")
    assert "九州" in view.locator(".doc-tree").inner_text()
    marks = view.locator("mark.hl").evaluate_all("els => els.map(e => e.dataset.n)")
    assert marks == ["1", "2", "3"]
    assert "造船" in view.locator("mark.hl").first.inner_text()
    assert "沖縄" in view.locator(".doc-text").inner_text()  # the whole document, not only the cited part

    # A citation near the end: opening the tab scrolls the text to it; the outline links move within the text.
    page.get_by_role("tab", name="チャット").click()
    ask(page, "沖縄で検討されている分野は？")
    wait_for_sources_of(page, "沖縄で検討されている分野は？")
    page.get_by_role("tab", name="資料").click()
    page.wait_for_function(
        "() => { const m = document.querySelector('#doc-view mark.hl');"
        " return m && m.textContent.includes('①医療・バイオ') && m.closest('.doc-text').scrollTop > 100; }"
    )
    first = view.locator("mark.hl").first
    assert first.evaluate(
        "m => { const b = m.closest('.doc-text').getBoundingClientRect(), r = m.getBoundingClientRect();"
        " return r.top >= b.top && r.top < b.bottom; }"
    ), "the first cited span is scrolled into view"
    shot(page, "ui-docs.png")
    view.locator(".doc-tree a", has_text="近畿").click()
    page.wait_for_function("() => location.hash.startsWith('#doc-')")


def test_selecting_shipbuilding_on_the_map_marks_chugoku_kyushu_and_shikoku(page):
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    box = page.locator("#field-select input")
    box.click()
    box.fill("造船")
    page.get_by_role("option", name="造船", exact=True).click()
    page.wait_for_selector("#japan-map .map-legend[data-marked='中国,四国,九州']")
    legend = page.locator("#japan-map li[data-marked='true']").all_inner_texts()
    assert [t.strip() for t in legend] == ["中国", "四国", "九州"]  # north → south
    assert "「造船」を挙げているブロック：中国、四国、九州" in page.inner_text("#japan-map")
    row = page.locator("#matrix tr[data-field='造船'] td.on").evaluate_all("els => els.map(e => e.dataset.block)")
    assert row == ["中国", "四国", "九州"]
    groups = page.locator("#map-passages section.map-group").evaluate_all("els => els.map(e => e.dataset.block)")
    assert groups == ["中国", "四国", "九州"]
    assert page.locator("#map-passages mark.hl").count() >= 3
    assert page.evaluate("document.querySelector('#japan-map img').naturalWidth") > 100
    shot(page, "ui-map.png", full_page=True)

    box = page.locator("#block-select input")
    box.click()
    box.fill("四国")
    page.get_by_role("option", name="四国", exact=True).click()
    page.wait_for_function("() => document.querySelector('#japan-map').innerText.includes('四国ブロックは「造船」を挙げています')")
    assert page.locator("#map-passages section.map-group").evaluate_all("els => els.map(e => e.dataset.block)") == ["四国"]


# --- adding a document through the page (its own data folder: the shared index is never modified) ---------

SANRIKU = "■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n"


@pytest.fixture(scope="module")
def upload_app_url(tmp_path_factory):
    from assistant import Assistant
    from assistant.config import Settings
    from ui.app import launch

    settings = Settings(data_dir=tmp_path_factory.mktemp("browser-upload-data"))
    port = free_port()
    demo = launch(host="127.0.0.1", port=port, bot=Assistant.load(settings), block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/", settings
    finally:
        demo.close()


def open_page(browser, url: str):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    return context, page


def test_an_uploaded_document_is_listed_answerable_and_on_the_field_map(browser, upload_app_url):
    url, settings = upload_app_url
    other_context, other = open_page(browser, url)  # a second session, opened before the upload
    context, page = open_page(browser, url)
    try:
        page.get_by_role("tab", name="資料").click()
        page.get_by_text("資料を追加する").click()
        page.set_input_files("#upload-files input[type=file]", files=[
            {"name": "三陸の計画.md", "mimeType": "text/markdown", "buffer": SANRIKU.encode("utf-8")},
            {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" * 10},
        ])
        # both files are on the server (listed in the box) before the button is pressed
        page.wait_for_function("() => { const t = document.querySelector('#upload-files').innerText;"
                               " return t.includes('三陸の計画') && t.includes('setup'); }")
        page.click("#upload-button")
        page.wait_for_selector("#upload-status .upload-report")
        report = page.locator("#upload-status .upload-report")
        assert report.get_attribute("data-added") == "1" and report.get_attribute("data-errors") == "1"
        assert "新規 1件" in report.inner_text()
        assert "三陸の計画.md：新しく追加しました" in page.inner_text('#upload-status li[data-file="三陸の計画.md"]')
        assert "対応していない形式です（.exe）" in page.inner_text('#upload-status li[data-file="setup.exe"]')
        assert sorted(p.name for p in settings.documents_dir.iterdir()) == ["三陸の計画.md"]
        # the new document is selected and shown; the upload box is emptied
        assert page.input_value("#doc-select input") == "三陸の計画"
        assert "①スマート漁業 ②水産加工" in page.inner_text("#doc-view .doc-text")
        assert "三陸の計画" not in page.inner_text("#upload-files")
        shot(page, "ui-upload.png")

        # answerable at once, cited from the new document
        page.get_by_role("tab", name="チャット").click()
        ask(page, "スマート漁業に取り組む地域は？")
        wait_for_sources_of(page, "スマート漁業に取り組む地域は？")
        assert "三陸" in bot_messages(page)[-1]
        card = page.locator('#sources article[data-block="三陸"]').first
        assert "三陸の計画" in card.inner_text() and "スマート漁業" in card.locator("mark.hl").first.inner_text()

        # the field map offers the new field and block
        page.get_by_role("tab", name="分野マップ").click()
        box = page.locator("#field-select input")
        box.click()
        box.fill("スマート漁業")
        page.get_by_role("option", name="スマート漁業", exact=True).click()
        page.wait_for_selector("#japan-map .map-legend[data-marked='三陸']")
        assert "「スマート漁業」を挙げているブロック：三陸" in page.inner_text("#japan-map")

        # the session opened before the upload sees the new document when it opens the 資料 tab
        other.get_by_role("tab", name="資料").click()
        other.locator("#doc-select input").click()
        other.get_by_role("option", name="三陸の計画", exact=True).click()
        other.wait_for_function("() => document.querySelector('#doc-view').innerText.includes('スマート漁業')")
    finally:
        context.close()
        other_context.close()
