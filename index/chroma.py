"""Chroma clients: a folder (PersistentClient), or a server (HttpClient) where every request has a deadline.

chromadb 1.5.9 gives its HTTP session no timeout (`httpx.Client(timeout=None)`, with no setting to change
it), so a server that accepts connections but never answers (stopped with SIGSTOP, swapped out, wedged)
would hang every caller. The server is first probed with a bounded request of our own, then the client's
session gets connect and read timeouts; a silent server then fails within seconds with a Japanese message
(`ChromaTimeoutError`), and the next request succeeds once the server answers again.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from index.errors import ChromaUnavailableError, storage_error, storage_errors

CONNECT_TIMEOUT = 3.0  # seconds to open a connection to the server
DEFAULT_TIMEOUT = 10.0  # seconds to wait for any one answer (ASSISTANT_CHROMA_TIMEOUT)


def request_timeout() -> float:
    return float(os.environ.get("ASSISTANT_CHROMA_TIMEOUT") or DEFAULT_TIMEOUT)


def connect(index_dir: Path | None = None, chroma_url: str | None = None):
    """A Chroma client: HTTP when `chroma_url` is set, else persistent in `index_dir`."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if chroma_url:
        return _http_client(chroma_url)
    assert index_dir is not None
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    with storage_errors(str(index_dir), index_dir):
        index_dir.mkdir(parents=True, exist_ok=True)
        try:
            return chromadb.PersistentClient(path=str(index_dir), settings=ChromaSettings(anonymized_telemetry=False))
        except Exception:
            forget(index_dir)  # chromadb caches the client's system even when it failed to start
            raise


def forget(index_dir: Path) -> None:
    """Drop chromadb's cached system for this folder, so the next client opens the folder afresh (after a
    failed start, or after the folder was moved aside). chromadb keeps one system per folder per process,
    with no public call to drop just one."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient._identifier_to_system.pop(str(index_dir), None)
    SharedSystemClient._identifier_to_refcount.pop(str(index_dir), None)


def _http_client(chroma_url: str):
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    url = urlparse(chroma_url)
    host, port, ssl = url.hostname or "127.0.0.1", url.port or 8000, url.scheme == "https"
    seconds = request_timeout()
    timeout = httpx.Timeout(seconds, connect=min(CONNECT_TIMEOUT, seconds))
    try:
        # The client's own first requests (tenant, database) are sent before its timeout can be set.
        httpx.get(f"{'https' if ssl else 'http'}://{host}:{port}/api/v2/heartbeat", timeout=timeout).raise_for_status()
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=ChromaSettings(anonymized_telemetry=False))
    except Exception as exc:  # noqa: BLE001 - connection errors come in many types
        converted = storage_error(exc, chroma_url)
        raise (converted if converted is not exc else ChromaUnavailableError(chroma_url, type(exc).__name__)) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):  # a chromadb upgrade moved it: fail loudly, never hang silently
        raise RuntimeError("chromadb の HTTP クライアントに時間制限を設定できません（chromadb の版を確認してください）")
    session.timeout = timeout
    return client
