"""Shared fixtures: one real index over the bundled documents, built once per test session."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from assistant.config import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def bot(settings):
    from assistant import Assistant

    return Assistant.load(settings)


@pytest.fixture(scope="session")
def documents():
    from corpus.store import load_bundled_documents

    return {d.doc_id: d for d in load_bundled_documents()}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(bot):
    """The Gradio app on a free loopback port, serving `bot`: its address while the block runs."""
    from ui.app import launch

    port = free_port()
    demo = launch(host="127.0.0.1", port=port, bot=bot, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def own_app(tmp_path_factory, name: str):
    """(url, settings) of an app over a data folder of its own (the bundled documents, then what tests add)."""
    from assistant import Assistant, Settings

    settings = Settings(data_dir=tmp_path_factory.mktemp(name))
    with serving(Assistant.load(settings)) as url:
        yield url, settings


@pytest.fixture(scope="module")
def app_url(bot):
    """The Gradio app on a free loopback port, serving the session's assistant."""
    with serving(bot) as url:
        yield url


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    """Terminate a server started by a test, and kill it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def listening(port: int) -> bool:
    """Whether something accepts connections on this loopback port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_until(condition, timeout: float = 60.0, every: float = 0.25) -> bool:
    """Poll `condition` until it holds or `timeout` passes (a generous bound, never an assertion on speed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()
