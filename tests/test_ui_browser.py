"""The live app in a real browser (Debian's Chromium driven by Playwright).

A missing browser or missing Japanese fonts is a failure, not a skip: CI installs them with
`apt-get install -y chromium fonts-noto-cjk` (never `playwright install`).

Screenshots (light and dark, 1400×1000 and 390×844, of チャット, 資料 and 分野マップ) go to
test-artifacts/screenshots/; with UPDATE_SCREENSHOTS=1 they also replace docs/screenshot-*.png.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.limits import MAX_QUESTION_CHARS
from assistant.render import reference_list
from tests.conftest import REPO, free_port, listening, own_app, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ARTIFACTS = REPO / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"
TIMEOUT = 60_000  # ms: how long a step may take before the test fails (generous; never a speed claim)
DESKTOP, PHONE = {"width": 1400, "height": 1000}, {"width": 390, "height": 844}
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


class Page:
    """A fresh browser context (its own localStorage) on one page of the app."""

    def __init__(self, browser, url: str, *, dark: bool = False, phone: bool = False) -> None:
        self.context = browser.new_context(locale="ja-JP", viewport=PHONE if phone else DESKTOP,
                                           color_scheme="dark" if dark else "light", accept_downloads=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = url + ("?__theme=dark" if dark else "?__theme=light")
        self.open()

    def open(self) -> None:
        self.page.goto(self.url)
        self.page.wait_for_selector("#question textarea")
        self.page.wait_for_function("() => window.PA && window.PA.ready && PA.isRestored")

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages: list[Page] = []

    def opener(url: str, **kw) -> Page:
        pages.append(Page(browser, url, **kw))
        return pages[-1]

    yield opener
    for p in pages:
        assert p.errors == [], p.errors  # no script error on any page
        p.close()


@pytest.fixture
def page(open_page, app_url):
    return open_page(app_url).page


def shot(page, name: str, full_page: bool = False) -> None:
    page.wait_for_function("() => ![...document.querySelectorAll('.pending')].some(e => e.offsetParent)")  # settled
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and name.startswith("screenshot-"):
        shutil.copy(path, REPO / "docs" / name)


def ask(page, question: str) -> None:
    """Ask and wait until the answer is complete (one more finished answer than before)."""
    done = page.locator('#chat .answer[data-state="done"], #chat .notice').count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('#chat .answer[data-state=\"done\"], #chat .notice').length > n", arg=done)
    except Exception as exc:  # say what the page shows instead
        raise AssertionError(f"no answer to {question!r}: {page_state(page)}") from exc
    # the sources panel has switched to this new answer (not an earlier answer to the same question)
    try:
        page.wait_for_function(SWITCHED, arg=question)
    except Exception as exc:
        raise AssertionError(f"the sources panel did not switch to the answer of {question!r}: {page_state(page)}") from exc


def page_state(page) -> dict:
    """What the chat shows, for a failure message."""
    return page.evaluate("""() => ({
        answers: [...document.querySelectorAll('#chat .answer')].map(a => [a.dataset.turn, a.dataset.state]),
        notices: [...document.querySelectorAll('#chat .notice')].map(n => n.innerText),
        users: [...document.querySelectorAll('#chat [data-testid="user"]')].map(u => u.innerText),
        box: document.querySelector('#question textarea')?.value,
        status: document.querySelector('#status')?.innerText,
        offline: document.body.classList.contains('pa-offline'),
        toasts: [...document.querySelectorAll('[class*=toast]')].map(t => t.innerText).filter(Boolean),
        panel: document.querySelector('#sources .sources')?.dataset.turn,
        question: document.querySelector('#sources .src-q')?.textContent,
        active: window.PA && PA.active })""")


SWITCHED = """q => {
        const answers = document.querySelectorAll('#chat .answer[data-state="done"]');
        const panel = document.querySelector('#sources .sources'), el = document.querySelector('#sources .src-q');
        return answers.length && panel && panel.dataset.turn === answers[answers.length - 1].dataset.turn
            && el && el.textContent.includes(q); }"""


def answers(page):
    return page.locator('#chat .answer[data-state="done"]')


def bot_messages(page) -> list[str]:
    return page.locator('#chat [data-testid="bot"]').all_inner_texts()


def user_messages(page) -> list[str]:
    return [t.strip() for t in page.locator('#chat [data-testid="user"]').all_inner_texts()]


def panel_turn(page) -> str:
    return page.locator("#sources .sources").get_attribute("data-turn") or ""


# --- citations you can follow -----------------------------------------------------------------------------


def test_clicking_2_of_an_earlier_answer_shows_that_answers_card(page):
    ask(page, "九州で検討されているクラスターの分野は？")
    ask(page, "造船に取り組むブロックはどこ？")
    first, second = answers(page).nth(0), answers(page).nth(1)
    first_turn, second_turn = first.get_attribute("data-turn"), second.get_attribute("data-turn")
    assert panel_turn(page) == second_turn  # the latest answer's sources by default
    assert second.locator('button.cite[data-n="2"]').count() and first.locator('button.cite[data-n="2"]').count()
    first.locator('button.cite[data-n="2"]').first.click()
    page.wait_for_function("t => document.querySelector('#sources .sources').dataset.turn === t", arg=first_turn)
    cards = page.locator("#sources article.src")
    target = [i for i in range(cards.count()) if "2" in (cards.nth(i).get_attribute("data-n") or "").split(",")]
    assert len(target) == 1
    card = cards.nth(target[0])
    assert card.get_attribute("data-block") == "九州" and "九州で検討されている" in page.inner_text("#sources .src-q")
    page.wait_for_function("() => document.querySelector('#sources mark.hl.flash')")  # its span flashes (issue 20)
    assert card.is_visible() and card.evaluate(
        "c => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }")
    # the earlier answer's own folded sources switch the panel back and forth too
    second.locator("details.msg-sources > summary").click()
    page.wait_for_function("t => document.querySelector('#sources .sources').dataset.turn === t", arg=second_turn)
    first.locator(".body").click()
    page.wait_for_function("t => document.querySelector('#sources .sources').dataset.turn === t", arg=first_turn)


def test_a_citation_is_a_button_reachable_by_keyboard_that_shows_its_quote(page):
    ask(page, "九州で検討されているクラスターの分野は？")
    cite = answers(page).first.locator("button.cite").first
    quote = cite.get_attribute("data-quote")
    page.locator("#question textarea").focus()
    for _ in range(60):  # Tab backwards from the question box until a citation has the focus
        page.keyboard.press("Shift+Tab")
        if page.evaluate("() => document.activeElement.matches('button.cite')"):
            break
    assert page.evaluate("() => document.activeElement.matches('button.cite')"), "no citation reachable with Tab"
    page.wait_for_selector("#cite-pop:not([hidden])")
    assert page.evaluate("() => document.activeElement.dataset.quote")[:20] in page.inner_text("#cite-pop")
    page.keyboard.press("Escape")
    cite.hover()
    page.wait_for_function("q => !document.querySelector('#cite-pop').hidden && "
                           "document.querySelector('#cite-pop').textContent.includes(q)", arg=quote[:20])


def test_the_documents_tab_highlights_the_answer_being_looked_at(page):
    ask(page, "造船に取り組むブロックはどこ？")
    ask(page, "沖縄で検討されている分野は？")
    page.get_by_role("tab", name="資料").click()
    page.wait_for_function("() => { const m = document.querySelector('#doc-view mark.hl');"
                           " return m && m.textContent.includes('①医療・バイオ') && m.closest('.doc-text').scrollTop > 100; }")
    marked = "() => [...new Set([...document.querySelectorAll('#doc-view mark.hl')].map(m => m.dataset.n))].join()"
    cited = ("() => { const doc = document.querySelector('#doc-view .document').dataset.doc;"
             " return JSON.parse(PA.activeCitations()).filter(c => c.doc_id === doc).map(c => c.n).join(); }")
    latest = page.evaluate(cited)
    assert latest and page.evaluate(marked) == latest
    page.get_by_role("tab", name="チャット").click()
    answers(page).nth(0).locator(".body").click()  # look at the earlier answer
    page.get_by_role("tab", name="資料").click()
    # the earlier answer's spans (both answers now cite three spans each, so the numbers alone do not tell them apart)
    page.wait_for_function(f"() => ({marked})() === ({cited})() && "
                           "document.querySelector('#doc-view mark.hl')?.textContent.includes('造船')")
    assert "造船" in page.locator("#doc-view mark.hl").first.inner_text()
    assert "沖縄" in page.inner_text("#doc-view .doc-text")  # the whole document
    page.locator("#doc-view .doc-tree a", has_text="近畿").click()
    page.wait_for_function("() => location.hash.startsWith('#doc-')")


# --- conversation tools -----------------------------------------------------------------------------------------


def test_copy_puts_the_answer_and_its_numbered_references_on_the_clipboard(open_page, app_url, bot):
    p = open_page(app_url)
    page = p.page
    p.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
    question = "造船に取り組むブロックはどこ？"
    ask(page, question)
    answers(page).first.locator(".act-copy").click()
    page.wait_for_function("() => document.querySelector('#chat .act-copy').textContent.includes('コピーしました')")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    expected = bot.ask(question)
    assert copied == f"{expected.text}\n\n{reference_list(expected.citations)}"
    assert "[1] " in copied.split("\n\n")[-1]


def test_a_thumbs_down_appends_a_line_to_feedback_jsonl(page, bot):
    path = bot.settings.data_dir / "feedback.jsonl"
    before = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    ask(page, "九州の予算はいくら？")
    answers(page).first.locator('.act-vote[data-verdict="down"]').click()
    page.wait_for_selector("#chat .answer .feedback textarea")  # the comment box, under its answer
    page.wait_for_function("() => document.querySelector('#chat .act-vote[data-verdict=\"down\"]')"
                           ".getAttribute('aria-pressed') === 'true'")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(before) + 1
    vote = json.loads(lines[-1])
    assert vote["verdict"] == "down" and vote["question"] == "九州の予算はいくら？" and vote["answer"] and vote["time"]
    assert vote["citations"] and vote["history"] == []
    page.fill("#chat .answer .feedback textarea", "予算の記載が本当にないか確認したい")
    page.click("#chat .answer .fb-send")
    page.wait_for_function("() => document.querySelector('#chat .answer .fb-status')?.innerText.includes('記録しました')")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(before) + 1  # the comment completed the vote's record (issue 20: one record)
    last = json.loads(lines[-1])
    assert last["comment"] == "予算の記載が本当にないか確認したい" and last["id"] == vote["id"]


def test_regenerate_answers_the_latest_question_again(page):
    ask(page, "北海道と東北の違いは？")
    turn = answers(page).first.get_attribute("data-turn")
    text = answers(page).first.locator(".body").inner_text()
    answers(page).first.locator(".act-regen").click()
    page.wait_for_function("t => { const a = document.querySelector('#chat .answer[data-state=\"done\"]');"
                           " return a && a.dataset.turn !== t; }", arg=turn)
    assert answers(page).count() == 1 and answers(page).first.locator(".body").inner_text() == text


def test_export_downloads_the_conversation_as_markdown_with_its_sources(open_page, app_url, bot):
    page = open_page(app_url).page
    ask(page, "造船に取り組むブロックはどこ？")
    page.wait_for_selector("#history-list .hist-item")
    with page.expect_download() as download:
        page.locator("#history-list .hist-item").first.locator(".hist-export").click()
    name = download.value.suggested_filename
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert name.endswith(".md") and text.startswith("# 造船に取り組むブロックはどこ？")
    assert "## 1. 造船に取り組むブロックはどこ？" in text
    for line in reference_list(bot.ask("造船に取り組むブロックはどこ？").citations).splitlines():
        assert f"- {line}" in text


def test_saved_conversations_can_be_reopened_renamed_and_deleted(open_page, app_url):
    page = open_page(app_url).page
    ask(page, "九州の分野は？")
    page.click("#new-conversation")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"user\"]')")
    ask(page, "四国の分野は？")
    items = page.locator("#history-list .hist-item")
    page.wait_for_function("() => document.querySelectorAll('#history-list .hist-item').length === 2")
    assert items.nth(0).inner_text().startswith("四国の分野は？") and items.nth(1).inner_text().startswith("九州の分野は？")
    items.nth(1).locator(".hist-open").click()  # reopen the first conversation
    page.wait_for_function("() => document.querySelector('#chat [data-testid=\"user\"]')?.innerText.includes('九州の分野は？')")
    assert "AI・半導体" in bot_messages(page)[-1]
    items.nth(1).locator(".hist-rename").click()
    page.fill("#history-list .hist-input", "九州のメモ")
    page.press("#history-list .hist-input", "Enter")
    page.wait_for_function("() => document.querySelector('#history-list').innerText.includes('九州のメモ')")
    page.reload()
    page.wait_for_selector("#history-list .hist-item")
    assert "九州のメモ" in page.inner_text("#history-list")  # the name survives a reload
    page.locator("#history-list .hist-item", has_text="九州のメモ").locator(".hist-delete").click()
    page.locator("#history-list .hist-delete-yes").click()
    page.wait_for_function("() => document.querySelectorAll('#history-list .hist-item').length === 1")
    assert "九州のメモ" not in page.inner_text("#history-list")


# --- visible context --------------------------------------------------------------------------------------------------


def test_the_context_chip_shows_what_was_carried_over_and_removing_it_asks_again(page, bot):
    ask(page, "九州で造船はある？")
    ask(page, "では北海道は？")
    follow = answers(page).nth(1)
    chip = follow.locator(".chip")
    assert chip.inner_text().startswith("引き継ぎ：")
    with_context = follow.locator(".body").inner_text()
    assert "造船" in with_context
    chip.locator(".chip-x").click()
    page.wait_for_function("() => document.querySelectorAll('#chat .chip.off').length === 1")
    again = answers(page).nth(1)
    assert "前の会話を引き継がずに回答しました" in again.inner_text()
    alone = bot.ask("では北海道は？")
    assert again.locator(".body").inner_text().splitlines()[0] == alone.lines[0].text


def test_the_trace_shows_intent_entities_candidates_and_the_chosen_passages(page):
    ask(page, "熊本県で造船はある？")
    trace = answers(page).first.locator("details.trace")
    trace.locator("summary").first.click()
    text = trace.inner_text()
    assert "質問の種類" in text and "調べた箇所" in text and "選んだ箇所" in text
    rows = trace.locator("table.trace-cands tbody tr")
    assert rows.count() >= 1
    assert trace.locator("tr.picked").count() >= 1 or "資料の構成から直接答えました" in text
    trace.locator("details.trace-detail > summary").click()  # the program's names and the scores
    detail = trace.locator("details.trace-detail").inner_text()
    assert "意図" in detail and "dense" in detail and "BM25" in detail


# --- the rest of the chat ----------------------------------------------------------------------------------------------

WATCH_STREAM = """() => {
  window.__seen = [];
  new MutationObserver(() => {
    const bots = document.querySelectorAll('#chat [data-testid="bot"]');
    if (!bots.length) return;
    const t = bots[bots.length - 1].innerText;
    if (t && window.__seen[window.__seen.length - 1] !== t) window.__seen.push(t);
  }).observe(document.querySelector('#chat'), {subtree: true, childList: true, characterData: true});
}"""


def test_a_question_streams_in_and_the_sources_highlight_the_kyushu_passage(page):
    page.evaluate(WATCH_STREAM)
    ask(page, "九州で検討されているクラスターの分野は？")
    answer = bot_messages(page)[-1]
    for field in KYUSHU_FIELDS:
        assert field in answer
    seen = page.evaluate("window.__seen")
    assert len(seen) >= 2 and "回答を作成しています" in seen[0], seen
    panel = page.locator("#sources")
    assert panel.locator(".sources").get_attribute("data-answerable") == "true"
    card = panel.locator('article[data-block="九州"]').first
    assert "戦略産業クラスター計画" in card.inner_text() and "ブロック 九州" in card.inner_text()
    highlighted = " ".join(card.locator("mark.hl").all_inner_texts())
    assert "TSMC進出を契機に" in highlighted and "造船・防衛・航空宇宙" in highlighted
    assert page.input_value("#question textarea") == ""


def test_examples_follow_up_pair_and_new_conversation(page):
    page.get_by_role("button", name="続けて質問").click()
    page.wait_for_function("() => document.querySelectorAll('#chat .answer[data-state=\"done\"]').length === 2")
    assert user_messages(page)[-2:] == ["東北ではどんな分野を検討している？", "では四国は？"]
    texts = bot_messages(page)
    assert "東北" in texts[-2] and "四国" in texts[-1] and "造船産業" in texts[-1]
    page.click("#new-conversation")
    page.wait_for_function("() => !document.querySelector('#chat [data-testid=\"user\"]')")
    page.wait_for_function("() => document.querySelector('#sources').innerText.includes('質問すると')")


def test_an_unanswerable_question_says_so_and_marks_reference_passages(page):
    ask(page, "九州の予算はいくら？")
    assert "資料にはこの質問に答える記載がありません" in page.inner_text("#sources .no-answer")
    refs = page.locator("#sources article.src-ref")
    assert refs.count() >= 1 and "参考" in refs.first.inner_text()


def test_a_hostile_question_is_shown_as_text_and_never_runs(open_page, app_url):
    p = open_page(app_url)
    page = p.page
    question = '<script>alert(1)</script><img src=x onerror=alert(1)><img src=y onerror="window.__xss=1">九州の分野は？'
    ask(page, question)
    assert user_messages(page)[-1] == question and question in page.inner_text("#sources .src-q")
    for where in ("#chat", "#sources", "#history"):
        assert page.locator(f"{where} img[src='x'], {where} img[src='y'], {where} script").count() == 0
    page.reload()
    page.wait_for_selector('#chat .answer[data-state="done"]')  # restored from this browser's storage, still inert
    assert page.locator("#chat img[src='x'], #chat img[src='y']").count() == 0
    assert page.evaluate("window.__xss === undefined") and p.dialogs == []


def test_empty_and_over_long_questions(page):
    page.press("#question textarea", "Enter")
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('質問が空です')")
    assert user_messages(page) == []
    page.fill("#question textarea", "九" * (MAX_QUESTION_CHARS + 1))
    page.press("#question textarea", "Enter")
    page.wait_for_function("() => document.querySelector('#status').innerText.includes('文字以内で入力してください')")
    assert len(page.input_value("#question textarea")) == MAX_QUESTION_CHARS + 1  # kept, to be shortened


# --- map for analysts ---------------------------------------------------------------------------------------------------


def test_the_field_map_groups_rows_orders_units_and_a_cell_sets_the_filters(page):
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    units = page.locator("#matrix thead th[data-unit]").evaluate_all("els => els.map(e => e.dataset.unit)")
    assert units[0] == "北海道" and units[-1] == "沖縄"
    categories = page.locator("#matrix tr.cat").evaluate_all("els => els.map(e => e.dataset.category)")
    assert "AI・半導体" in categories and "造船" in categories
    assert "● 検討（" in page.inner_text("#matrix") and "○ 言及のみ（ポテンシャル" in page.inner_text("#matrix")
    assert page.locator('#matrix td[data-unit="関東"][data-strength="potential"]').count() >= 1
    assert page.locator("#matrix tr.frag").first.is_hidden()  # the groups start closed …
    group = page.locator("#matrix tbody.grp", has=page.locator('tr.frag[data-field="造船"]'))
    group.locator(".cat-toggle").click()  # … and open on a click
    page.locator('#matrix td.hit[data-unit="四国"][data-field="造船"]').first.click()
    page.wait_for_function("() => document.querySelector('#japan-map').innerText.includes('四国ブロックは「造船」を挙げています')")
    assert page.input_value("#field-select input") == "造船" and page.input_value("#unit-select input") == "四国"
    assert page.locator("#map-passages section.map-group").evaluate_all("els => els.map(e => e.dataset.unit)") == ["四国"]
    coloured = page.locator("#japan-map .map-legend").get_attribute("data-coloured").split(",")
    assert sorted(coloured) == sorted(["中国", "九州", "四国"])
    caption = page.inner_text("#japan-map .map-caption")
    assert f"（{len(coloured)}ブロック）" in caption and all(u in caption for u in coloured)


# --- documents: upload and delete (own data folder: the shared index is never modified) ---------------------------------

# Two units that number their items: a plan (a single block would be read as prose, without units).
SANRIKU = ("■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n\n"
           "■ 仙台湾\n\n①港湾物流 ②水産加工\n分野でのクラスター形成を検討している。\n")


@pytest.fixture(scope="module")
def upload_app(tmp_path_factory):
    yield from own_app(tmp_path_factory, "browser-upload-data")


def open_groups(page) -> None:
    """Open every category group of the matrix (they start closed, but for the selected field's)."""
    page.wait_for_selector("#matrix tbody.grp")
    closed = page.locator('#matrix .cat-toggle[aria-expanded="false"]')
    for _ in range(closed.count()):
        closed.first.click()
    assert closed.count() == 0


def choose(page, selector: str, option: str) -> None:
    box = page.locator(f"{selector} input")
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def test_an_uploaded_document_can_be_asked_mapped_and_deleted(open_page, upload_app):
    from gradio.utils import get_upload_folder

    url, settings = upload_app
    page = open_page(url).page
    marker = f"三陸-{os.getpid()}-{time.time_ns()}"
    content = SANRIKU + f"\n{marker}\n"
    page.get_by_role("tab", name="資料").click()
    page.get_by_text("資料を追加する").click()
    page.set_input_files("#upload-files input[type=file]", files=[
        {"name": "三陸の計画.md", "mimeType": "text/markdown", "buffer": content.encode("utf-8")},
        {"name": "setup.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" * 10},
    ])
    page.wait_for_function("() => { const t = document.querySelector('#upload-files').innerText;"
                           " return t.includes('三陸の計画') && t.includes('setup'); }")
    page.click("#upload-button")
    page.wait_for_selector("#upload-status .upload-report")
    report = page.locator("#upload-status .upload-report")
    assert report.get_attribute("data-added") == "1" and report.get_attribute("data-errors") == "1"
    for jargon in ("チャンク", "索引"):
        assert jargon not in report.inner_text()
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == ["三陸の計画.md"]
    # Gradio's cached copies of the upload are gone once the document is in the library
    cached = [p for p in Path(get_upload_folder()).rglob("*.md") if p.is_file() and marker in p.read_text("utf-8", "ignore")]
    assert cached == []
    assert page.input_value("#doc-select input") == "三陸の計画"
    shot(page, "ui-upload.png")

    # answerable, cited from the new document
    page.get_by_role("tab", name="チャット").click()
    ask(page, "スマート漁業に取り組む地域は？")
    assert "三陸" in bot_messages(page)[-1]
    assert "三陸の計画" in page.locator('#sources article[data-block="三陸"]').first.inner_text()

    # the field map shows the bundled plans unless the document is chosen
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    assert page.locator('#matrix th[data-unit="三陸"]').count() == 0
    choose(page, "#map-docs", "三陸の計画")
    page.wait_for_selector('#matrix th[data-unit="三陸"]')

    # deleted after a confirmation: gone from the library, the answers and the map
    page.get_by_role("tab", name="資料").click()
    choose(page, "#doc-select", "三陸の計画")
    page.click("#doc-delete")
    page.wait_for_selector("#delete-confirm #delete-yes")
    assert "削除しますか" in page.inner_text("#delete-confirm")
    page.click("#delete-yes")
    page.wait_for_function("() => document.querySelector('#doc-status').innerText.includes('削除しました')")
    assert list(settings.documents_dir.iterdir()) == []
    page.get_by_role("tab", name="チャット").click()
    ask(page, "スマート漁業に取り組む地域は？")
    assert page.locator('#sources article[data-block="三陸"]').count() == 0
    assert page.locator("#sources .sources").get_attribute("data-answerable") == "false"
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_function("() => document.querySelector('#matrix thead') && "
                           "!document.querySelector('#matrix th[data-unit=\"三陸\"]')")  # redrawn without it
    page.locator("#map-docs input").click()
    assert page.get_by_role("option", name="三陸の計画", exact=True).count() == 0


def test_a_cut_list_answer_shows_the_rest_on_request(open_page, upload_app):
    """A list answer names at most LIST_LIMIT units; 「続きを表示」 asks again for all of them."""
    from assistant.api import LIST_LIMIT

    url, settings = upload_app
    page = open_page(url).page
    units = [f"{c}浦地区" for c in "青赤白黒金銀銅鉄松竹梅桜菊藤桐楓柳杉桃栗柿梨柚橘椿萩葵蓮蘭菫芹蕨茜藍紅"]
    assert len(units) > LIST_LIMIT
    plan = "# 沿岸地区の計画\n\n" + "".join(f"■ {u}\n\n①海藻養殖 ②{u[0]}の観光\n分野でのクラスター形成を検討している。\n\n"
                                        for u in units)
    page.get_by_role("tab", name="資料").click()
    page.get_by_text("資料を追加する").click()
    page.set_input_files("#upload-files input[type=file]", files=[
        {"name": "沿岸計画.md", "mimeType": "text/markdown", "buffer": plan.encode("utf-8")}])
    page.wait_for_function("() => document.querySelector('#upload-files').innerText.includes('沿岸計画')")
    page.click("#upload-button")
    page.wait_for_selector('#upload-status .upload-report[data-added="1"]')
    title = page.input_value("#doc-select input")  # the new document is shown
    page.get_by_role("tab", name="チャット").click()
    ask(page, "海藻養殖に取り組む地区は？")
    answer = answers(page).last
    assert answer.locator("li.unit").count() == LIST_LIMIT
    more = answer.locator("button.act-more")
    assert more.inner_text() == f"続きを表示（ほか{len(units) - LIST_LIMIT}件）"
    more.click()
    page.wait_for_function("n => document.querySelectorAll('#chat .answer[data-state=\"done\"] li.unit').length === n",
                           arg=len(units))
    assert answers(page).count() == 1 and answers(page).last.locator("button.act-more").count() == 0
    assert "すべて表示しました" in page.inner_text("#status")
    # leave the library as it was
    page.get_by_role("tab", name="資料").click()
    choose(page, "#doc-select", title)
    page.click("#doc-delete")
    page.click("#delete-confirm #delete-yes")
    page.wait_for_function("() => document.querySelector('#doc-status').innerText.includes('削除しました')")
    assert list(settings.documents_dir.iterdir()) == []


def test_the_bundled_plans_offer_no_delete_button(page):
    page.get_by_role("tab", name="資料").click()
    page.wait_for_selector("#doc-view .document")
    assert not page.locator("#doc-delete").is_visible()


# --- a server that goes away and comes back ---------------------------------------------------------------------------


class AppProcess:
    """`python -m ui.app` on a fixed port, as deployed, over the session's data folder."""

    def __init__(self, settings) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "CHROMA_URL"))}
        self.env.update(ASSISTANT_DATA_DIR=str(settings.data_dir), ASSISTANT_INDEX_DIR=str(settings.index_dir),
                        GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
        self.proc = None

    def start(self) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.log = open(ARTIFACTS / "ui_restart.log", "a", encoding="utf-8")
        self.proc = subprocess.Popen([sys.executable, "-m", "ui.app", "--port", str(self.port)], cwd=REPO, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.proc.poll() is not None or listening(self.port), timeout=120, every=0.2)  # never hang
        assert self.proc.poll() is None, f"the app exited; see {self.log.name}"
        assert listening(self.port), f"the app is not listening; see {self.log.name}"

    def stop(self) -> None:
        if self.proc is not None:
            stop(self.proc)
            self.proc = None
            self.log.close()


@pytest.fixture
def app_process(settings, bot):
    app = AppProcess(settings)
    app.start()
    try:
        yield app
    finally:
        app.stop()


def test_history_survives_a_reload_and_a_server_restart_and_the_disconnection_is_said_in_japanese(open_page, app_process):
    p = open_page(app_process.url)
    page = p.page
    ask(page, "九州で造船はある？")
    ask(page, "では北海道は？")
    page.reload()
    page.wait_for_function("() => document.querySelectorAll('#chat .answer[data-state=\"done\"]').length === 2")
    assert user_messages(page) == ["九州で造船はある？", "では北海道は？"]
    assert "九州で造船はある？" in page.inner_text("#history-list")

    app_process.stop()
    page.wait_for_selector("#pa-offline:not([hidden])")
    banner = page.inner_text("#pa-offline")
    assert "サーバーに接続できません" in banner and "Connection" not in banner
    assert page.locator("#send").is_disabled()
    page.fill("#question textarea", "書きかけの質問")
    page.press("#question textarea", "Enter")  # refused while offline: nothing is sent, nothing is lost
    assert page.input_value("#question textarea") == "書きかけの質問"
    shot(page, "ui-offline.png")
    toasts = page.locator(".toast-body, [class*=toast]").all_inner_texts()
    assert not any("Connection to the server was lost" in t for t in toasts)

    app_process.start()
    page.wait_for_function("() => !document.querySelector('#pa-offline') || document.querySelector('#pa-offline').hidden",
                           timeout=120_000)
    page.wait_for_selector("#question textarea")
    page.wait_for_function("() => !document.querySelector('#send').disabled")
    page.wait_for_function("() => document.querySelectorAll('#chat .answer[data-state=\"done\"]').length === 2")
    assert page.input_value("#question textarea") == "書きかけの質問"  # the half-typed question survived
    page.fill("#question textarea", "では四国は？")
    page.press("#question textarea", "Enter")
    page.wait_for_function("() => document.querySelectorAll('#chat .answer[data-state=\"done\"]').length === 3")
    assert "造船" in bot_messages(page)[-1]  # the conversation's context survived the restart too


def test_nothing_typed_or_sent_while_the_page_restores_its_conversation_is_lost(browser, bot, monkeypatch):
    """The kept conversation comes back through demo.load; an answer that arrived before it would be replaced
    by it (and the question box by the kept draft). Until it is back, the box is read-only and nothing is sent."""
    from ui.app import launch
    from ui.pages.chat import ChatPage

    real = ChatPage.on_load
    monkeypatch.setattr(ChatPage, "on_load", lambda self, stored, draft: (time.sleep(3), real(self, stored, draft))[1])
    port = free_port()
    demo = launch(host="127.0.0.1", port=port, bot=bot, block=False, quiet=True)
    context = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_function("() => window.PA && PA.ready && document.querySelector('#question textarea')?.readOnly")
        assert not page.evaluate("PA.isRestored")
        page.press("#question textarea", "Enter")  # swallowed: nothing is sent before the conversation is back
        page.fill("#question textarea", "九州の分野は？")  # waits until the box is editable again
        assert page.evaluate("PA.isRestored")
        page.press("#question textarea", "Enter")
        page.wait_for_selector('#chat .answer[data-state="done"]')
        assert user_messages(page) == ["九州の分野は？"] and "AI・半導体" in bot_messages(page)[-1]
    finally:
        context.close()
        demo.close()


# --- every screen in both themes, on a desktop and a phone ----------------------------------------------------------------

CONTRAST = """(selector) => {
  const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = (c) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = rgba(getComputedStyle(document.body).backgroundColor);
    if (bg[3] < 1) bg = over(bg, [255, 255, 255, 1]);
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    out.push({text: el.textContent.trim().slice(0, 20), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)});
  }
  return out;
}"""
AA = 4.5


def contrast(page, selector: str) -> list[dict]:
    found = page.evaluate(CONTRAST, selector)
    assert found, f"nothing visible matches {selector}"
    return [f for f in found if f["ratio"] < AA]


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_source_titles_legends_and_highlights_keep_aa_contrast(open_page, app_url, dark):
    page = open_page(app_url, dark=dark).page
    assert page.evaluate("document.body.classList.contains('dark') || document.documentElement.classList.contains('dark')") == dark
    ask(page, "造船に取り組むブロックはどこ？")
    low = contrast(page, "#sources .src-title") + contrast(page, "#sources mark.hl") + contrast(page, "#chat .answer .body li")
    page.get_by_role("tab", name="資料").click()
    page.wait_for_selector("#doc-view mark.hl")
    low += contrast(page, "#doc-view mark.hl") + contrast(page, "#doc-view .doc-text")
    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    open_groups(page)
    page.locator('#matrix td.hit[data-field="造船"]').first.click()
    page.wait_for_selector("#map-passages article.src")
    low += contrast(page, "#japan-map .map-legend li") + contrast(page, "#japan-map .map-caption")
    low += contrast(page, "#map-passages .src-title") + contrast(page, "#map-passages mark.hl")
    low += contrast(page, "#matrix th, #matrix td.hit")
    assert low == [], low


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_screens_in_both_themes_on_desktop_and_phone(open_page, app_url, dark, phone):
    """Every screen renders in both themes and sizes (the screenshots in docs/ come from here)."""
    page = open_page(app_url, dark=dark, phone=phone).page
    tag = f"{'dark' if dark else 'light'}-{'390x844' if phone else '1400x1000'}"
    ask(page, "九州で検討されているクラスターの分野は？")
    ask(page, "では四国は？")
    if phone:  # no sources panel: each answer's own sources sit under it
        assert not page.locator("#sources-col").is_visible()
        details = answers(page).nth(1).locator("details.msg-sources")
        assert details.is_visible()
        answers(page).nth(1).locator("button.cite").first.click()
        page.wait_for_function("() => [...document.querySelectorAll('#chat details.msg-sources')].some(d => d.open)")
        assert details.evaluate("d => d.getBoundingClientRect().top >= "
                                "d.closest('.answer').querySelector('.body').getBoundingClientRect().bottom - 1")
    else:
        assert page.locator("#sources .sources").get_attribute("data-turn") == answers(page).nth(1).get_attribute("data-turn")
    shot(page, f"screenshot-chat-{tag}.png")

    page.get_by_role("tab", name="資料").click()
    page.wait_for_selector("#doc-view mark.hl")
    tree, text = page.evaluate("""() => ['.doc-tree', '.doc-text'].map(s => {
        const r = document.querySelector('#doc-view ' + s).getBoundingClientRect();
        return {x: r.left, y: r.top, width: r.width, height: r.height}; })""")
    if phone:  # the outline stacks above the text, which keeps the page's width
        assert tree["y"] + tree["height"] <= text["y"] + 1 and text["width"] > 300
    else:
        assert tree["x"] + tree["width"] <= text["x"] + 1
    shot(page, f"screenshot-docs-{tag}.png")

    page.get_by_role("tab", name="分野マップ").click()
    page.wait_for_selector("#japan-map img")
    open_groups(page)
    page.locator('#matrix td.hit[data-field="造船"]').first.click()
    page.wait_for_selector("#map-passages article.src")
    shot(page, f"screenshot-map-{tag}.png", full_page=not phone)
    white = page.evaluate("""() => [...document.querySelectorAll('#matrix td, #map-passages article, #sources article')]
        .filter(e => getComputedStyle(e).backgroundColor === 'rgb(255, 255, 255)').length""")
    if dark:
        assert white == 0  # no fixed white backgrounds in dark mode
