"""HTTP guards in front of the Gradio app (pure ASGI middleware): login attempts are limited per client
with a growing lockout, raw uploads count against a per-client quota, and `/healthz` answers the page's
connection check cheaply.

Clients are told apart by their address (the only key a client cannot change at will); behind a reverse
proxy every user shares the proxy's address, so put the limits in the proxy instead.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

MAX_CLIENTS = 10_000  # clients remembered by each guard (least recently seen are forgotten first)


def _client(scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


async def _send_json(send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(raw)).encode())] + extra})
    await send({"type": "http.response.body", "body": raw})


class _Bounded(OrderedDict):
    """A dict that forgets its least recently touched keys beyond MAX_CLIENTS."""

    def touch(self, key, default):
        if key not in self:
            self[key] = default()
        self.move_to_end(key)
        while len(self) > MAX_CLIENTS:
            self.popitem(last=False)
        return self[key]


# --- logins ----------------------------------------------------------------------------------------------


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0
    last: float = 0.0


@dataclass
class LoginLimiter:
    """After `free` wrong passwords, every further wrong one locks the client out for twice as long as the
    previous lockout (1 s, 2 s, 4 s … up to `max_lock` s). While locked, every attempt is refused with 429,
    even a correct one, so guessing cannot continue. A success, or `forget_after` s without failures, starts
    over."""

    free: int = 5
    base: float = 1.0
    max_lock: float = 900.0
    forget_after: float = 3600.0
    _clients: _Bounded = field(default_factory=_Bounded)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str, now: float | None = None) -> float:
        """Seconds the client must still wait (0: may try now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            f = self._clients.get(client)
            if f is None:
                return 0.0
            if now - f.last > self.forget_after:
                del self._clients[client]
                return 0.0
            return max(0.0, f.locked_until - now)

    def failed(self, client: str, now: float | None = None) -> float:
        """Record a wrong password; returns the lockout it starts (0 while still within `free`)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            f = self._clients.touch(client, _Failures)
            f.count += 1
            f.last = now
            over = f.count - self.free
            lock = 0.0 if over <= 0 else min(self.base * 2 ** (over - 1), self.max_lock)
            f.locked_until = now + lock
            return lock

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._clients.pop(client, None)


# --- uploads ---------------------------------------------------------------------------------------------


@dataclass
class UploadQuota:
    """Bytes a client may post to Gradio's upload route per `window` seconds (Gradio stores every upload in
    its cache, whether or not the app ever uses it)."""

    limit: int
    window: float = 3600.0
    _clients: _Bounded = field(default_factory=_Bounded)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: str, size: int, now: float | None = None) -> bool:
        """Count `size` bytes against the client; False (and nothing counted) when over the quota."""
        now = time.monotonic() if now is None else now
        with self._lock:
            spent: deque = self._clients.touch(client, deque)
            while spent and now - spent[0][0] > self.window:
                spent.popleft()
            if sum(n for _, n in spent) + size > self.limit:
                return False
            spent.append((now, size))
            return True


# --- the middleware ----------------------------------------------------------------------------------------

LOGIN_PATHS = ("/login", "/login/")
UPLOAD_SUFFIX = "/gradio_api/upload"
HEALTH_PATH = "/healthz"


class Guard:
    """ASGI middleware: pass it to FastAPI as `Middleware(Guard, logins=…, uploads=…)`."""

    def __init__(self, app, logins: LoginLimiter, uploads: UploadQuota) -> None:
        self.app = app
        self.logins = logins
        self.uploads = uploads

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return await _send_json(send, 200, {"ok": True}, {"cache-control": "no-store"})
        if method == "POST" and path in LOGIN_PATHS:
            return await self._login(scope, receive, send)
        if method == "POST" and path.rstrip("/").endswith(UPLOAD_SUFFIX):
            return await self._upload(scope, receive, send)
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        client = _client(scope)
        wait = self.logins.wait(client)
        if wait > 0:
            seconds = max(1, round(wait + 0.5))
            return await _send_json(
                send, 429, {"detail": f"ログインの試行が多すぎます。{seconds}秒後にもう一度お試しください。"},
                {"retry-after": str(seconds)},
            )
        status: list[int] = []

        async def watch(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] == 200:
            self.logins.succeeded(client)
        elif status and status[0] in (400, 401, 403):
            self.logins.failed(client)

    async def _upload(self, scope, receive, send):
        headers = dict(scope.get("headers") or [])
        try:
            size = int(headers.get(b"content-length", b""))
        except ValueError:  # without a declared size the upload cannot be counted before it is stored
            return await _send_json(send, 411, {"detail": "ファイルの大きさが分からないため受け付けられません。"})
        if not self.uploads.take(_client(scope), size):
            return await _send_json(
                send, 429,
                {"detail": "アップロードの上限に達しました。しばらく時間をおいてから、もう一度お試しください。"},
                {"retry-after": str(int(self.uploads.window))},
            )
        return await self.app(scope, receive, send)
