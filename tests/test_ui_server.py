"""Server-side behaviour of a launched app over real HTTP (gradio_client): idle sessions expire, a session's
state stays bounded, no question waits for another session's, and a Chroma server that goes down is named
(not 「質問を言い換えて」)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import free_port, listening, stop, wait_until

pytestmark = pytest.mark.slow
CHROMA = Path(sys.executable).parent / "chroma"


def client(url):
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 120})  # a busy machine is no failure


class Launched:
    def __init__(self, bot, **limits):
        from ui.app import Limits, launch

        self.port = free_port()
        self.demo = launch(host="127.0.0.1", port=self.port, bot=bot, limits=Limits(**limits), block=False, quiet=True)
        self.url = f"http://127.0.0.1:{self.port}/"
        self.chat = next(f.fn.__self__ for f in self.demo.fns.values() if getattr(f.fn, "__name__", "") == "respond")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.demo.close()


def test_idle_sessions_are_forgotten(bot):
    with Launched(bot, idle_seconds=2) as app:
        holder = app.demo.state_holder
        clients, seen = [client(app.url) for _ in range(12)], []
        for c in clients:
            assert c.predict("九州の分野は？", api_name="/ask")["answerable"]
            seen.append(len(holder.session_data))
        assert max(seen) >= 3  # the sessions were there …
        assert wait_until(lambda: len(holder.session_data) == 0), len(holder.session_data)  # … and are forgotten
        # a forgotten session simply starts over on its next question
        assert clients[0].predict("では四国は？", api_name="/ask")["turn"] == 1


def test_a_sessions_state_stays_bounded_however_long_it_talks(bot):
    questions = ["九州の分野は？", "では四国は？", "北海道と東北の違いは？", "造船に取り組むブロックはどこ？"]
    with Launched(bot) as app:
        c = client(app.url)

        def state_size() -> int:
            [session] = [s for sid, s in app.demo.state_holder.session_data.items() if s.state_data]
            return len(pickle.dumps(session.state_data))

        for i in range(16):
            c.predict(questions[i % 4], api_name="/ask")
        after_16 = state_size()
        for i in range(32):
            c.predict(questions[i % 4], api_name="/ask")
        after_48 = state_size()
    assert after_48 <= after_16 * 1.15, (after_16, after_48)


class Slow:
    """The real assistant, except that one question waits until the test lets it go."""

    def __init__(self, bot) -> None:
        self._bot = bot
        self.entered, self.release = threading.Event(), threading.Event()

    def __getattr__(self, name):
        return getattr(self._bot, name)

    def ask(self, question, history=None, doc_ids=None):
        if "遅い" in question:
            self.entered.set()
            assert self.release.wait(120)
        return self._bot.ask(question, history, doc_ids=doc_ids)


def test_a_question_is_answered_while_another_sessions_question_is_still_running(bot):
    slow = Slow(bot)
    with Launched(slow) as app:
        results: dict[str, dict] = {}
        first = threading.Thread(target=lambda: results.update(slow=client(app.url).predict("遅い質問：九州は？", api_name="/ask")))
        first.start()
        try:
            assert slow.entered.wait(60)
            second = threading.Thread(target=lambda: results.update(fast=client(app.url).predict("九州の分野は？", api_name="/ask")))
            second.start()
            second.join(60)
            assert "fast" in results and not second.is_alive(), "the second session waited for the first one"
            assert results["fast"]["answerable"] and "slow" not in results
        finally:
            slow.release.set()
            first.join(60)
        assert results["slow"]["citations"]


# --- Chroma as a server that goes down --------------------------------------------------------------------------


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    log = open(tmp_path / "chroma.log", "w")
    proc = subprocess.Popen([str(CHROMA), "run", "--path", str(tmp_path / "db"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    assert wait_until(lambda: listening(port)), (tmp_path / "chroma.log").read_text()
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
        log.close()


def test_with_chroma_down_the_ui_names_the_server_instead_of_asking_to_rephrase(chroma_server, tmp_path):
    from assistant import Assistant
    from assistant.config import Settings

    proc, url = chroma_server
    bot = Assistant.load(Settings(data_dir=tmp_path / "data", chroma_url=url))
    with Launched(bot) as app:
        c = client(app.url)
        assert c.predict("九州の分野は？", api_name="/ask")["answerable"]
        stop(proc)
        answer = c.predict("なぜ四国は造船なの？", api_name="/ask")
        # the index's own message, which names the server (the wording is the index layer's)
        assert answer["error"] == "unavailable" and url in answer["text"] and "言い換え" not in answer["text"]
        # the chat itself says the same
        chat, *_ = list(app.chat.respond("なぜ四国は造船なの？", "", []))[-1]
        shown = chat[-1]["content"]
        assert url in shown and "言い換え" not in shown
