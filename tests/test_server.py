"""Chroma as a server: a real `chroma run` on loopback, two app processes, a server that is down, and one
that is stopped (SIGSTOP: it accepts connections and never answers)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from tests.conftest import REPO, free_port, stop

CHROMA = Path(sys.executable).parent / "chroma"


@contextlib.contextmanager
def chroma_server(path: Path):
    """A real `chroma run` on a free loopback port: yields (url, process)."""
    port = free_port()
    log = open(path / "server.log", "w")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited: {(path / 'server.log').read_text()}")
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGCONT)  # a stopped server cannot terminate
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, _proc):
        yield url


def test_index_and_ask_against_a_real_chroma_server(chroma_url, tmp_path, documents):
    from assistant import Assistant

    bot = Assistant.load(Settings(data_dir=tmp_path, chroma_url=chroma_url))  # builds the index on the server
    assert not (tmp_path / "index").exists(), "nothing may be written to the local index folder"
    answer = bot.ask("造船に取り組む地域はどこ？")
    assert {c.block for c in answer.citations} == {"中国", "九州", "四国"}
    for c in answer.citations:
        assert documents[c.doc_id].text[c.start : c.end] == c.text


def _ask_in_process(url: str, data_dir: Path, question: str) -> dict:
    code = (
        "import json, sys; from pathlib import Path; from assistant import Assistant, Settings;"
        "bot = Assistant.load(Settings(data_dir=Path(sys.argv[1]), chroma_url=sys.argv[2]));"
        "a = bot.ask(sys.argv[3]);"
        "print(json.dumps({'text': a.text, 'blocks': sorted({c.block for c in a.citations})}, ensure_ascii=False))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(data_dir), url, question], cwd=REPO,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_two_app_processes_on_one_server_answer_alike(chroma_url, tmp_path):
    from assistant import Assistant

    Assistant.load(Settings(data_dir=tmp_path, chroma_url=chroma_url))
    first = _ask_in_process(chroma_url, tmp_path / "a", "北海道と東北の違いは？")
    second = _ask_in_process(chroma_url, tmp_path / "b", "北海道と東北の違いは？")
    assert first == second and first["blocks"] == ["北海道", "東北"]


def test_a_document_added_through_one_app_is_seen_by_the_other_after_refresh(chroma_url, tmp_path):
    from assistant import Assistant
    from assistant.indexing import update_index

    one = Settings(data_dir=tmp_path / "one", chroma_url=chroma_url)
    other = Assistant.load(Settings(data_dir=tmp_path / "other", chroma_url=chroma_url))
    update_index(one)  # bring the shared index to `one`'s documents first
    other.refresh()
    before = other.ask("スマート漁業のクラスターはどこ？")
    assert not before.answerable
    (one.documents_dir).mkdir(parents=True)
    (one.documents_dir / "fisheries.md").write_text(
        "# 水産計画\n\n■ 三陸\n\n①スマート漁業 ②水産加工\n分野でのクラスター形成を検討している。\n", encoding="utf-8"
    )
    info, report, _ = update_index(one)
    assert report.added == ["fisheries"] and not report.changed
    assert other.refresh() is True
    after = other.ask("スマート漁業に取り組む地域は？")
    assert after.answerable and any("スマート漁業" in c.text for c in after.citations)


def test_a_server_that_is_down_gives_a_clear_error_quickly(tmp_path):
    from assistant import Assistant
    from index.errors import ChromaUnavailableError

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ChromaUnavailableError) as err:  # a refused connection fails at once (no timing asserted)
        Assistant.load(Settings(data_dir=tmp_path, chroma_url=url))
    assert url in str(err.value) and "接続できません" in str(err.value)


def test_the_cli_reports_a_server_that_is_down(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    out = subprocess.run([sys.executable, "-m", "cli", "--chroma-url", url, "ask", "九州は？"], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 3 and "接続できません" in out.stdout and "Traceback" not in out.stderr


def _ask_with_limit(bot, question: str, limit: float = 60):
    """bot.ask in a thread; None if it has not answered within `limit` seconds (it hangs)."""
    import threading

    result: list = []
    worker = threading.Thread(target=lambda: result.append(bot.ask(question)), daemon=True)
    worker.start()
    worker.join(limit)
    return result[0] if result else None


def test_a_stopped_server_gives_a_clear_message_and_the_app_recovers(tmp_path):
    """Finding 3: with the Chroma server stopped (SIGSTOP) nothing answered for 9 minutes. Every request now
    has a deadline: the app says the server does not answer (60 s is only the does-not-hang limit), and
    answers again once the server is continued."""
    from assistant import Assistant

    with chroma_server(tmp_path) as (url, server):
        bot = Assistant.load(Settings(data_dir=tmp_path / "data", chroma_url=url))
        question = "九州で検討されているクラスターの分野は？"
        assert bot.ask(question).answerable
        os.kill(server.pid, signal.SIGSTOP)
        try:
            stalled = _ask_with_limit(bot, question)
            assert stalled is not None, "ask hung on a stopped server"
            assert stalled.intent == "unavailable" and not stalled.citations
            assert url in stalled.text and "応答しません" in stalled.text
            out = subprocess.run(
                [sys.executable, "-m", "cli", "--data-dir", str(tmp_path / "data"), "--chroma-url", url, "ask", question],
                cwd=REPO, capture_output=True, text=True, timeout=60,
            )
            assert out.returncode == 3 and "応答しません" in out.stdout and "Traceback" not in out.stderr, out.stdout + out.stderr
        finally:
            os.kill(server.pid, signal.SIGCONT)
        recovered = _ask_with_limit(bot, question)
        assert recovered is not None and recovered.answerable and {c.block for c in recovered.citations} == {"九州"}


def test_the_eval_smoke_runs_against_the_server(chroma_url, tmp_path):
    """The dev eval split, answered through the Chroma server (CHROMA_URL), as well as locally. (The
    holdout is read only by its own frozen test, as an aggregate.)"""
    from evals.run import load_thresholds

    out_dir = tmp_path / "report"
    env = {**os.environ, "CHROMA_URL": chroma_url}
    # Other tests added documents to the shared server: bring its index back to this data folder's documents.
    index = subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(tmp_path), "index"], cwd=REPO,
                           capture_output=True, text=True, timeout=300, env=env)
    assert index.returncode == 0, index.stdout + index.stderr
    out = subprocess.run(  # --data-dir: the eval adds its own plan document to this folder, on the server
        [sys.executable, "-m", "evals", "--suite", "plans", "--split", "dev", "--no-judge", "--data-dir", str(tmp_path),
         "--out", str(out_dir)],
        cwd=REPO, capture_output=True, text=True, timeout=600, env=env,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert not (tmp_path / "index").exists(), "the eval must have used the server, not a local index"
    report = json.loads((out_dir / "latest.json").read_text(encoding="utf-8"))
    ours = report["suites"]["plans"]["splits"]["dev"]["systems"]["ours"]["overall"]
    assert ours["citation_validity"] == 1.0 and ours["fully_correct"] >= load_thresholds()["dev"]["fully_correct"]
