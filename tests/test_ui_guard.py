"""The guards in front of Gradio, on a launched app over real HTTP: login attempts get a growing lockout,
raw uploads count against a per-client quota, Gradio's upload cache is cleaned, `/healthz` answers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port, wait_until

pytestmark = pytest.mark.slow


# --- the limiters on their own -------------------------------------------------------------------------------


def test_the_lockout_starts_after_the_free_attempts_and_doubles():
    from ui.guard import LoginLimiter

    limiter = LoginLimiter(free=3, base=1.0, max_lock=5.0)
    assert [limiter.failed("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("a", now=0.0) == 0.0
    assert limiter.failed("a", now=0.0) == 1.0 and limiter.wait("a", now=0.5) == 0.5
    assert [limiter.failed("a", now=10.0) for _ in range(4)] == [2.0, 4.0, 5.0, 5.0]  # capped
    assert limiter.wait("b", now=10.0) == 0.0  # another client is not affected
    limiter.succeeded("a")
    assert limiter.wait("a", now=10.0) == 0.0


def test_the_upload_quota_is_per_client_and_per_window():
    from ui.guard import UploadQuota

    quota = UploadQuota(limit=100, window=10.0)
    assert quota.take("a", 60, now=0.0) and quota.take("a", 40, now=1.0)
    assert not quota.take("a", 1, now=2.0) and quota.take("b", 100, now=2.0)
    assert quota.take("a", 60, now=10.5)  # the first upload left the window


# --- on a launched app ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guarded(bot):
    """The app with a login, a small upload quota and a short cache lifetime."""
    from ui.app import Limits, launch

    port = free_port()
    limits = Limits(upload_quota=1_000_000, cache_seconds=2)
    demo = launch(host="127.0.0.1", port=port, auth=("alice", "秘密:pw"), bot=bot, limits=limits, block=False, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        demo.close()


def login(client: httpx.Client, url: str, password: str) -> httpx.Response:
    return client.post(f"{url}/login", data={"username": "alice", "password": password})


def test_300_wrong_logins_meet_a_lockout_that_grows_and_refuses_even_the_right_password(guarded):
    url = guarded
    with httpx.Client(timeout=60) as c:
        statuses = [login(c, url, f"違う{i}").status_code for i in range(300)]
        assert set(statuses) <= {400, 429}
        assert statuses[:5] == [400] * 5, statuses[:10]  # the free attempts
        assert statuses.count(429) >= 250, statuses.count(400)  # nearly all refused without being checked
        refused = login(c, url, "秘密:pw")  # while locked out, the right password is refused too
        assert refused.status_code == 429 and "試行が多すぎます" in refused.json()["detail"]
        first = int(refused.headers["retry-after"])
        time.sleep(first + 0.2)  # wait the lockout out, then fail once more: the next lockout is longer
        assert login(c, url, "まだ違う").status_code == 400
        locked = login(c, url, "秘密:pw")
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > first
        time.sleep(int(locked.headers["retry-after"]) + 0.2)
        assert login(c, url, "秘密:pw").status_code == 200  # the right password works once the lockout ends


def _upload(client: httpx.Client, url: str, name: str, data: bytes) -> httpx.Response:
    return client.post(f"{url}/gradio_api/upload", files={"files": (name, data, "text/markdown")})


def test_raw_uploads_count_against_a_quota_and_the_cache_is_cleaned(guarded):
    url = guarded
    with httpx.Client(timeout=60) as c:
        assert login(c, url, "秘密:pw").status_code == 200
        marker = f"quota-{os.getpid()}-{time.time_ns()}".encode()
        first = _upload(c, url, "a.md", marker + b"a" * 400_000)
        second = _upload(c, url, "b.md", marker + b"b" * 400_000)
        assert first.status_code == 200 and second.status_code == 200
        over = _upload(c, url, "c.md", marker + b"c" * 400_000)
        assert over.status_code == 429 and "上限" in over.json()["detail"]
        paths = [Path(p) for p in first.json() + second.json()]
        assert all(p.exists() for p in paths)
        # no handler ever used them: Gradio's cache cleaning deletes them once they are older than 2 s
        assert wait_until(lambda: not any(p.exists() for p in paths)), [str(p) for p in paths if p.exists()]


def test_healthz_answers_without_a_login(guarded):
    r = httpx.get(f"{guarded}/healthz", timeout=30)
    assert r.status_code == 200 and r.json() == {"ok": True} and r.headers["cache-control"] == "no-store"
    assert httpx.get(f"{guarded}/config", timeout=30).status_code in (401, 403)  # the app itself still needs a login

