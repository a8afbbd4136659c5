"""The generative mode in the real UI, in a real browser (Debian's Chromium driven by Playwright), with the
scripted OpenAI-compatible server of tests/llm_stub.py as the user's LLM: the 抽出 / 生成 switch, the answer
streaming sentence by sentence, its verdicts in 検索の経過, the extractive answer one click away, and an LLM
that stalls or cannot be reached.

The one timing assertion here is the product's own contract: with ASSISTANT_LLM_TIMEOUT = T, a question
whose LLM stalls or is down is answered (extractively, with a note) within T + 1 s. Measured from the browser
it also holds the extractive answer itself, Gradio's queue and the page's rendering, so the bound checked is
T + 1 + MARGIN with a generous MARGIN for a loaded 2-core machine; it still fails if the answer waited for
the stall to end (30 s), which is what it guards.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port
from tests.llm_stub import Script, StubLLM

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = REPO / "test-artifacts" / "screenshots"  # for a person to look at; nothing is asserted on them
STEP = 90_000  # ms a step may take before the test fails ("does not hang"; never a speed claim)
LLM_TIMEOUT = 5.0  # ASSISTANT_LLM_TIMEOUT of the app under test
MARGIN = 10.0  # browser round trip, Gradio's queue, the extractive answer and rendering on a busy 2-core machine
STALL = 30.0  # the stub's silence: an answer that waited for it would take this long
Q = "四国ではどんな分野を検討している？"
GOOD = ["四国では、造船産業の再生に向けて瀬戸内地域を産業クラスターとして強化することが検討されています[1]。",
        "また、GX（AI、蓄電池、半導体、CNF、SAF等）のクラスター形成も検討されています[2]。",
        "さらに、食・観光・防災のクラスター形成も検討されています[3]。"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} がありません。`apt-get install -y chromium fonts-noto-cjk` でインストールしてください。",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def stub():
    with StubLLM(lambda request: Script(GOOD)) as s:
        yield s


def _app(settings, url: str):
    """The UI on a free loopback port, with an Assistant whose LLM is `url` (the session's index)."""
    from assistant import Assistant
    from ui.app import launch

    bot = Assistant.load(replace(settings, llm_url=url, llm_timeout=LLM_TIMEOUT))
    port = free_port()
    demo = launch(host="127.0.0.1", port=port, bot=bot, block=False, quiet=True)
    return demo, f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def llm_app(settings, bot, stub):
    demo, url = _app(settings, stub.url)
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def down_app(settings, bot):
    demo, url = _app(settings, f"http://127.0.0.1:{free_port()}/v1")  # nothing listens there
    try:
        yield url
    finally:
        demo.close()


@pytest.fixture
def open_page(browser):
    contexts, errors = [], []

    def opener(url: str):
        ctx = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(STEP)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "?__theme=light")
        page.wait_for_selector("#question textarea")
        page.wait_for_function("() => window.PA && window.PA.ready && PA.isRestored")
        return page

    yield opener
    assert errors == [], errors
    for ctx in contexts:
        ctx.close()


def choose(page, label: str) -> None:
    page.locator("#answer-mode label", has_text=label).click()
    page.wait_for_function("l => [...document.querySelectorAll('#answer-mode input')].some(i => i.checked && i.value === l)",
                           arg=label)


def send(page, question: str) -> int:
    """Send a question; returns how many finished answers there were before it."""
    done = page.locator('#chat .answer[data-state="done"]').count()
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    return done


def wait_answer(page, before: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('#chat .answer[data-state=\"done\"]').length > n", arg=before)


def last_answer(page):
    return page.locator('#chat .answer[data-state="done"]').last


def test_the_switch_streams_a_verified_answer_and_keeps_the_extractive_one_a_click_away(open_page, llm_app, stub):
    stub.script = lambda request: Script(GOOD, gap=1.5)  # a sentence every 1.5 s, so the stream can be seen
    page = open_page(llm_app)
    assert "各文を出典と照合" in page.locator("#answer-mode-hint").inner_text()
    choose(page, "生成")
    before = send(page, Q)
    stream = page.locator('#chat .answer.pending[data-mode="generative"] .gen-stream')
    stream.wait_for()  # verified sentences appear while the model is still writing
    assert "瀬戸内地域" in stream.inner_text()
    wait_answer(page, before)
    answer = last_answer(page)
    assert answer.locator('.gen-badge[data-mode="generative"]').count() == 1
    body = answer.locator(".body").inner_text()
    assert "瀬戸内地域" in body and "食・観光・防災" in body
    assert answer.locator(".body button.cite").count() == 3  # every sentence cited, each a button to its card
    # one click: the extractive answer to the same question
    answer.locator(".extractive-view summary").click()
    assert "①造船産業" in answer.locator(".extractive-view .ext-body").inner_text()
    # 検索の経過: the mode, the model and each sentence's verdict
    answer.locator("details.trace > summary").click()
    trace = answer.locator("details.trace").inner_text()
    assert "回答の方式：生成" in trace and "stub-model" in trace and trace.count("確認済み") == 3
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "llm-generated-answer.png"), full_page=True)
    # the switch belongs to the conversation: a new one starts extractive, and answers so
    page.click("#new-conversation")
    page.wait_for_function("() => [...document.querySelectorAll('#answer-mode input')].some(i => i.checked && i.value === '抽出')")
    before = send(page, Q)
    wait_answer(page, before)
    assert last_answer(page).locator(".gen-badge").count() == 0 and "①造船産業" in last_answer(page).inner_text()


@pytest.mark.parametrize("case", ["stalled", "unreachable"])
def test_an_llm_that_stalls_or_is_down_still_answers_every_question_within_the_timeout(open_page, llm_app, down_app,
                                                                                        stub, case):
    stub.script = lambda request: Script(GOOD, stall=STALL)
    page = open_page(llm_app if case == "stalled" else down_app)
    choose(page, "生成")
    note = f"{LLM_TIMEOUT:g}秒以内に回答を終えなかった" if case == "stalled" else "に接続できなかったため"
    for question, expected in ((Q, "①造船産業"), ("造船に取り組む地域はどこ？", "九州")):
        before = send(page, question)
        started = time.monotonic()
        wait_answer(page, before)
        elapsed = time.monotonic() - started
        text = last_answer(page).inner_text()
        assert note in text and "抽出による回答を示します" in text and expected in text
        assert elapsed <= LLM_TIMEOUT + 1 + MARGIN, f"answered after {elapsed:.1f} s (the stall lasts {STALL:g} s)"


def test_without_an_llm_the_switch_says_how_to_configure_one(open_page, app_url):
    page = open_page(app_url)  # the session's app: no LLM configured
    assert "LLM が設定されていません" in page.locator("#answer-mode-hint").inner_text()
    assert page.locator("#answer-mode input").first.is_disabled()
    before = send(page, Q)
    wait_answer(page, before)
    assert last_answer(page).locator(".gen-badge").count() == 0 and "①造船産業" in last_answer(page).inner_text()
