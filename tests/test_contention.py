"""Questions stay answered while the index is written (issue 20 §7): on cores kept busy by other processes,
the app (its own process, `python -m ui.app`) answers every question asked through its API while it takes an
upload in the 資料 tab (a real browser: the upload runs in the app's own process) and while a real
`assistant index FOLDER` adds documents from another process. Every question completes, without an error
and with its citations; the waits are "does not hang" limits, never timings (speed is in `assistant bench`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import REPO, free_port, listening, stop, wait_until
from tests.test_ui_browser import Page, browser  # noqa: F401 - the module's browser fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HANG = 1800  # seconds any one step may take before the test counts it as hung
QUESTIONS = ["九州で検討されているクラスターの分野は？", "造船に取り組む地域はどこ？", "北海道では何を検討している？"]


def plan(k: int) -> str:
    return (f"# 沿岸計画{k}\n\n■ 第{k}湾区\n\n①港湾物流{k} ②水産加工{k}\n分野でのクラスター形成を検討している。\n\n"
            f"■ 第{k}岬区\n\n①観光{k} ②洋上風力{k}\n分野でのクラスター形成を検討している。\n")


@pytest.fixture
def app(tmp_path):
    """(url, data folder) of the app as its own process on a data folder holding the bundled plans."""
    data = tmp_path / "data"
    built = subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(data), "index"], cwd=REPO,
                           capture_output=True, text=True, timeout=HANG)
    assert built.returncode == 0, built.stdout + built.stderr
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "CHROMA_URL"))}
    env.update(ASSISTANT_DATA_DIR=str(data), GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    log = open(tmp_path / "app.log", "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "ui.app", "--port", str(port)], cwd=REPO, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: proc.poll() is not None or listening(port), timeout=300, every=0.5)  # never hang
        assert proc.poll() is None and listening(port), (tmp_path / "app.log").read_text(encoding="utf-8")[-3000:]
        yield f"http://127.0.0.1:{port}/", data
    finally:
        stop(proc)
        log.close()


class Asker(threading.Thread):
    """Asks the app the same few questions, one after another, until told to stop."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        from gradio_client import Client

        self.client = Client(url, verbose=False, httpx_kwargs={"timeout": HANG})
        self.results: list[tuple[float, float, dict | None, str]] = []  # (asked, answered, answer, error)
        self.halt = threading.Event()

    def run(self) -> None:
        k = 0
        while not self.halt.is_set():
            asked = time.monotonic()
            try:
                answer, error = self.client.predict(QUESTIONS[k % len(QUESTIONS)], api_name="/ask"), ""
            except Exception as exc:  # noqa: BLE001 - recorded, and the test fails on it
                answer, error = None, f"{type(exc).__name__}: {exc}"
            self.results.append((asked, time.monotonic(), answer, error))
            k += 1


def test_questions_stay_answered_during_an_upload_and_an_index_run_on_busy_cores(app, browser, tmp_path):  # noqa: F811
    url, data = app
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for k in range(1, 31):
        (inbox / f"coast{k:02d}.md").write_text(plan(k), encoding="utf-8")
    uploads = [{"name": f"内湾{k}.md", "mimeType": "text/markdown", "buffer": plan(100 + k).encode("utf-8")} for k in range(3)]
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]  # other users of the CPU
    asker = Asker(url)
    page = Page(browser, url)
    indexer = None
    try:
        asker.start()
        indexer = subprocess.Popen([sys.executable, "-m", "cli", "--data-dir", str(data), "index", str(inbox)], cwd=REPO,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        p = page.page
        p.set_default_timeout(HANG * 1000)
        p.get_by_role("tab", name="資料").click()
        p.get_by_text("資料を追加する").click()
        p.set_input_files("#upload-files input[type=file]", files=uploads)
        p.wait_for_function("() => document.querySelector('#upload-files').innerText.includes('内湾2')")
        p.click("#upload-button")
        p.wait_for_selector("#upload-status .upload-report")
        report = p.locator("#upload-status .upload-report")
        assert report.get_attribute("data-added") == "3", report.inner_text()
        out, err = indexer.communicate(timeout=HANG)
        # the upload may index the folder's copies first, when it takes the writer lock between their copy and
        # the indexer's turn: either way every document is indexed once
        assert indexer.returncode == 0 and ("追加 30" in out or "最新" in out), out + err
        writing_ended = time.monotonic()
    finally:
        asker.halt.set()
        asker.join(HANG)
        for b in burners:
            b.kill()
            b.wait()
        if indexer is not None and indexer.poll() is None:
            indexer.kill()
        page.close()
    assert not asker.is_alive(), "a question hung"
    during = [r for r in asker.results if r[0] < writing_ended and r[1] > started]
    assert len(during) >= 2, f"only {len(during)} questions were asked while the index was written"
    for asked, answered, answer, error in asker.results:
        assert error == "" and answer is not None, error
        assert "error" not in answer and answer["answerable"] and answer["citations"], answer
    assert page.errors == []
    from gradio_client import Client

    uploaded = Client(url, verbose=False, httpx_kwargs={"timeout": HANG}).predict("洋上風力101に取り組む地域は？", api_name="/ask")
    assert uploaded["answerable"] and any("洋上風力101" in c["text"] for c in uploaded["citations"]), uploaded
    indexed = subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(data), "ask", "--json", "港湾物流7に取り組む地域は？"],
                             cwd=REPO, capture_output=True, text=True, timeout=HANG)
    assert indexed.returncode == 0 and "港湾物流7" in json.loads(indexed.stdout)["text"], indexed.stdout + indexed.stderr
