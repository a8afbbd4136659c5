"""Recovery advice that works (issue 12, finding 8): a damaged index is moved aside by `--rebuild`, and a
damaged index, a read-only folder and a full disk each get their own message naming their own fix."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.test_crash_safety import _private_mounts_available, cli

pytestmark = pytest.mark.slow


def test_rebuild_moves_a_damaged_index_aside_and_builds_anew(tmp_path):
    """A garbage chroma.sqlite3 made `ask`, `--status` and `--rebuild` all fail, each advising --rebuild;
    only deleting the folder by hand helped."""
    index = tmp_path / "index"
    index.mkdir()
    garbage = b"this is not a database" * 100
    (index / "chroma.sqlite3").write_bytes(garbage)
    for args in (["ask", "九州の分野は？"], ["index", "--status"], ["index"]):
        out = cli(*args, data_dir=tmp_path)
        assert out.returncode == 3, (args, out.stdout, out.stderr)
        assert "壊れていて読み込めません" in out.stdout and "--rebuild" in out.stdout and "Traceback" not in out.stderr
    rebuilt = cli("index", "--rebuild", data_dir=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    [aside] = list(tmp_path.glob("index.damaged-*"))
    assert (aside / "chroma.sqlite3").read_bytes() == garbage  # kept as it was, for inspection
    assert f"読み込めない索引を {aside}" in rebuilt.stdout.replace("\n", "") and "索引を作り直しました" in rebuilt.stdout
    answer = cli("ask", "--json", "九州で検討されているクラスターの分野は？", data_dir=tmp_path)
    assert answer.returncode == 0 and {c["block"] for c in json.loads(answer.stdout)["citations"]} == {"九州"}


READ_ONLY = r"""
import json, subprocess, sys
data = sys.argv[1]
def cli(*args):
    out = subprocess.run([sys.executable, "-m", "cli", "--data-dir", data, *args], capture_output=True, text=True, timeout=600)
    return {"code": out.returncode, "out": out.stdout, "err": out.stderr[-2000:]}
print(json.dumps({"ask": cli("ask", "九州の分野は？"), "index": cli("index"), "rebuild": cli("index", "--rebuild")}, ensure_ascii=False))
"""


def test_a_read_only_data_folder_gets_its_own_message(tmp_path):
    """It used to say 「壊れています、--rebuild」. The folder is made read-only by a real read-only bind
    mount in a private mount namespace (chmod does not stop root, which the tests run as)."""
    reason = _private_mounts_available()
    if reason:
        pytest.skip(reason)
    data = tmp_path / "data"
    assert cli("index", data_dir=data).returncode == 0
    script = f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" && exec "{sys.executable}" -c "$0" "{data}"'
    out = subprocess.run(["unshare", "-m", "sh", "-c", script, READ_ONLY], cwd=REPO, capture_output=True, text=True,
                         timeout=1800, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr[-3000:]
    for command, result in json.loads(out.stdout.strip().splitlines()[-1]).items():
        assert result["code"] == 3, (command, result)
        assert "書き込めません（読み取り専用か、書き込む権限がありません）" in result["out"], (command, result)
        assert "--data-dir" in result["out"] and "壊れて" not in result["out"] and "Traceback" not in result["err"]
    assert not list(tmp_path.glob("data/index.damaged-*"))  # a read-only index is never taken for a damaged one


def test_corrupt_read_only_full_and_silent_are_told_apart(tmp_path, monkeypatch):
    """`storage_error` on the errors Chroma and the OS really raise (the Chroma texts were captured from
    chromadb 1.5.9 on a garbage file, a read-only mount and a full tmpfs)."""
    import chromadb.errors
    import httpx

    from index import errors as E

    internal = chromadb.errors.InternalError
    cases = {
        "corrupt": internal("error returned from database: (code: 26) file is not a database"),
        "read-only": internal("error returned from database: (code: 8) attempt to write a readonly database"),
        "full": OSError(errno.ENOSPC, "No space left on device"),
        "erofs": OSError(errno.EROFS, "Read-only file system"),
        "timeout": httpx.ReadTimeout("timed out"),
        "refused": httpx.ConnectError("connection refused"),
    }
    got = {k: E.storage_error(exc, "where", tmp_path) for k, exc in cases.items()}
    assert isinstance(got["corrupt"], E.IndexCorruptError) and "--rebuild" in str(got["corrupt"])
    assert isinstance(got["read-only"], E.IndexReadOnlyError) and isinstance(got["erofs"], E.IndexReadOnlyError)
    assert isinstance(got["full"], E.IndexDiskFullError) and "空き容量を増やして" in str(got["full"])
    assert isinstance(got["timeout"], E.ChromaTimeoutError) and "応答しません" in str(got["timeout"])
    assert type(got["refused"]) is E.ChromaUnavailableError and "接続できません" in str(got["refused"])
    messages = [str(got[k]) for k in ("corrupt", "read-only", "full", "timeout", "refused")]
    assert len(set(messages)) == len(messages)
    # Chroma reports a full disk only as a failed compaction: the free space decides
    compaction = internal("Error in compaction: Failed to apply logs to the metadata segment")
    monkeypatch.setattr(E.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 300 * 1024})())
    assert isinstance(E.storage_error(compaction, "where", tmp_path), E.IndexDiskFullError)
    # not a storage problem: a bug keeps its own type
    bug = KeyError("x")
    assert E.storage_error(bug, "where", tmp_path) is bug
