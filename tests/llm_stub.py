"""A scripted OpenAI-compatible server for the generative mode's tests: real HTTP on the loopback, the
streaming chat protocol (server-sent events) as OpenAI, llama.cpp, Ollama and vLLM speak it.

    with StubLLM(lambda request: Script(["九州では", "造船を検討しています。[1]"])) as stub:
        Settings(llm_url=stub.url, ...)

Each request's JSON is kept (`stub.requests`) and handed to the script function, which decides the reply:
its pieces, the finish reason, a stall before the first byte or between pieces, or a malformed stream.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Script:
    pieces: list[str] = field(default_factory=list)
    finish: str = "stop"  # "length" for a reply cut at max_tokens
    stall: float = 0.0  # seconds before the first byte of the reply
    gap: float = 0.0  # seconds between pieces
    malformed: bool = False  # a stream that is not JSON
    status: int = 200  # an HTTP error status instead of a reply


class StubLLM:
    def __init__(self, script: Callable[[dict], Script], model: str = "stub-model") -> None:
        self.script = script
        self.model = model
        self.requests: list[dict] = []
        self._closing = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": stub.model, "object": "model", "owned_by": "stub"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(request)
                s = stub.script(request)
                if s.stall and stub._closing.wait(s.stall):
                    return
                if s.status != 200:
                    self._json(s.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                    return
                if not request.get("stream"):
                    text = "".join(s.pieces)
                    self._json(200, {"id": "stub", "object": "chat.completion", "created": 0, "model": stub.model,
                                     "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                                  "finish_reason": s.finish}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    if s.malformed:
                        self.wfile.write(b'data: {"id": "stub", "choices": [{"delta": {"content": "\xe4\xb9\x9d\n\ndata: <html>oops\n\n')
                        self.wfile.flush()
                        return
                    for i, piece in enumerate(s.pieces):
                        if i and s.gap and stub._closing.wait(s.gap):
                            return
                        self._event({"role": "assistant", "content": piece} if i == 0 else {"content": piece}, None)
                    self._event({}, s.finish)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline passed)
                self.close_connection = True

            def _event(self, delta: dict, finish: str | None) -> None:
                chunk = {"id": "stub", "object": "chat.completion.chunk", "created": 0, "model": stub.model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "StubLLM":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closing.set()  # stalled replies end now
        self.server.shutdown()
        self.server.server_close()

    def prompt(self, i: int = -1) -> str:
        """The user message of request `i` (the last by default)."""
        return next(m["content"] for m in reversed(self.requests[i]["messages"]) if m["role"] == "user")


def wait_for_prompt(stub: StubLLM, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not stub.requests and time.monotonic() < deadline:
        time.sleep(0.05)
