"""The app makes no non-loopback connection while indexing and answering."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

GUARD = r'''
import json, socket, sys
attempts = []
def _loopback(address):
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost"))
_connect = socket.socket.connect
def guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
        attempts.append(repr(address))
        raise OSError("blocked by test: non-loopback connection")
    return _connect(self, address)
socket.socket.connect = guarded_connect
socket.socket.connect_ex = lambda self, address: guarded_connect(self, address) or 0
_getaddrinfo = socket.getaddrinfo
def guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not str(host).startswith("127.") and host != "::1":
        attempts.append("dns:" + str(host))
        raise socket.gaierror("blocked by test: name lookup")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = guarded_getaddrinfo

from pathlib import Path
from assistant import Assistant, Settings
bot = Assistant.load(Settings(data_dir=Path(sys.argv[1])))       # builds the index: embeds every chunk
answers = [bot.ask(q) for q in ["九州の分野は？", "造船に取り組む地域は？", "危機管理投資とは？"]]
print(json.dumps({"attempts": attempts, "cited": [len(a.citations) for a in answers]}))
'''


def test_indexing_and_answering_make_no_outbound_connection(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", GUARD, str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # no inherited offline flags: the app sets its own
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["attempts"] == []
    assert all(n > 0 for n in result["cited"])


def test_the_guard_itself_blocks_outbound_connections(tmp_path):
    """The guard is not vacuous: an outbound connection attempt is caught and recorded."""
    probe = GUARD.split("from pathlib import Path")[0] + (
        "\ntry:\n    socket.create_connection(('93.184.216.34', 80), timeout=1)\nexcept OSError:\n    pass\n"
        "print(json.dumps({'attempts': attempts}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    assert json.loads(out.stdout)["attempts"], out.stderr
