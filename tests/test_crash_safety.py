"""Indexing that survives `kill -9`, a full disk and a second writer (issue 12, findings 1 and 7).

Real `assistant index` processes on real files. `tests/slow_cli.py` runs the same command with the embedder
paused after each batch, so a process can be killed, or overlapped, at a known point. Limits on waiting are
"does not hang" limits (minutes), never timings.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

BLOCKS = 80  # of the big plan, one chunk each (and one for its title): three write batches of 32
LAST = "深海探査ロボット"  # a field only the last block names


def cli(*args, data_dir, **env):
    return subprocess.run(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), *args], cwd=REPO, capture_output=True,
        text=True, timeout=600, env={**os.environ, **env},
    )


def slow_cli(seconds: float, *args, data_dir, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.slow_cli", str(seconds), "--data-dir", str(data_dir), *args], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )


class Lines:
    """A process's output stream, read line by line in the background, to wait for a line with a limit."""

    def __init__(self, stream) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, text: str, limit: float = 300) -> str:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"never saw {text!r}; output: {self.seen[-20:]}")

    def rest(self) -> list[str]:
        out = []
        while (line := self._queue.get(timeout=300)) is not None:
            out.append(line)
        return out


def big_plan(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    parts = ["# 大規模計画"]
    for i in range(1, BLOCKS):
        parts.append(f"■ 区域{i:03d}\n\n①産業{i:03d}の振興 ②人材{i:03d}の育成\n分野でのクラスター形成を検討している。")
    parts.append(f"■ 区域{BLOCKS:03d}\n\n①{LAST} ②海洋観測\n分野でのクラスター形成を検討している。")
    path = folder / "big.md"
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def chunk_count(path: Path) -> int:
    from corpus.chunk import chunk_document
    from corpus.loaders import load_file
    from corpus.parse import parse_document

    return len(chunk_document(parse_document(load_file(path))))


def ask_json(question: str, data_dir) -> dict:
    out = cli("ask", "--json", question, data_dir=data_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def status_row(data_dir, doc_id: str) -> str:
    out = cli("index", "--status", data_dir=data_dir)
    assert out.returncode == 0, out.stdout + out.stderr
    return next((line for line in out.stdout.splitlines() if f" {doc_id} " in line), "")


def test_a_killed_index_run_is_shown_incomplete_and_the_next_run_completes_it(tmp_path):
    """Finding 1: after `kill -9` mid-write, `assistant index` said 「索引は最新です」 and the document kept
    only the chunks written so far. Now the document is incomplete until all its chunks are stored: status
    says so, questions never see half of it, and the next run writes the rest (reusing what was stored)."""
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    total = chunk_count(big_plan(inbox))
    assert total > 2 * 32  # the kill lands inside the document
    assert cli("index", data_dir=data).returncode == 0  # the bundled plan

    proc = slow_cli(30, "index", str(inbox), data_dir=data)
    Lines(proc.stderr).wait_for("embedded 3")  # two batches (64 chunks) stored, the last not yet
    proc.kill()
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL

    row = status_row(data, "big")
    assert "未完了" in row and f"64 / {total}" in row, row
    answer = ask_json(f"{LAST}に取り組む地域は？", data)  # not indexed yet: never a half document
    assert not any(c["doc_id"] == "big" for c in answer["citations"])
    assert not any(c["doc_id"] == "big" for c in ask_json("区域005の分野は？", data)["citations"])

    resume = slow_cli(0, "index", data_dir=data)
    errors, output = Lines(resume.stderr), Lines(resume.stdout)
    assert resume.wait(timeout=600) == 0
    stdout = "\n".join(output.rest())
    assert "最新" not in stdout and "追加 1（うち中断されていた文書の再開 1）" in stdout, stdout
    # the chunks left fill one batch, not three: the 64 stored ones were kept, not embedded again
    assert (total - 64 + 31) // 32 == 1 and (total + 31) // 32 == 3
    assert [line for line in errors.seen + errors.rest() if line.startswith("embedded")] == ["embedded 1"]
    row = status_row(data, "big")
    assert "完了" in row and "未完了" not in row and f" {total} " in row, row
    answer = ask_json(f"{LAST}に取り組む地域は？", data)
    assert answer["answerable"] and [(c["doc_id"], c["block"]) for c in answer["citations"]] == [("big", f"区域{BLOCKS:03d}")]


def test_a_rebuild_and_a_concurrent_add_lose_nothing(tmp_path):
    """Finding 7: `assistant index --rebuild`, then `assistant index C/` from another process reported three
    documents added, and the rebuilt index then lacked them. Now the second writer waits for the rebuild
    and adds its documents to the rebuilt index."""
    data, inbox, gate = tmp_path / "data", tmp_path / "C", tmp_path / "gate"
    assert cli("index", data_dir=data).returncode == 0
    inbox.mkdir()
    fields = {"alpha": "量子暗号通信", "beta": "藻類バイオ燃料", "gamma": "宇宙太陽光発電"}
    for name, field in fields.items():
        (inbox / f"{name}.md").write_text(f"# {name}計画\n\n■ {name}地域\n\n①{field}\n分野でのクラスター形成を検討している。\n", encoding="utf-8")

    rebuild = slow_cli(0, "index", "--rebuild", data_dir=data, SLOW_CLI_GATE=str(gate))
    Lines(rebuild.stderr).wait_for("embedded 1")  # the rebuild holds the lock and is writing
    adder = subprocess.Popen(
        [sys.executable, "-m", "cli", "--data-dir", str(data), "index", str(inbox)], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    adder_out = Lines(adder.stdout)
    adder_out.wait_for("終わるまで待ちます")  # the second writer waits for the first
    gate.touch()
    assert rebuild.wait(timeout=600) == 0, rebuild.stdout.read()
    assert adder.wait(timeout=600) == 0, adder.stderr.read()
    assert any("追加 3" in line for line in adder_out.seen + adder_out.rest())

    for name, field in fields.items():
        assert "完了" in status_row(data, name), name
        answer = ask_json(f"{field}に取り組む地域は？", data)
        assert any(c["doc_id"] == name for c in answer["citations"]), (name, answer["text"])


def test_a_second_writer_gives_up_clearly_after_its_wait(tmp_path):
    from assistant.config import Settings
    from assistant.indexing import lock_path
    from index.lock import writer_lock

    settings = Settings(data_dir=tmp_path)
    with writer_lock(lock_path(settings)):  # another writer holds the lock
        out = cli("index", data_dir=tmp_path, ASSISTANT_LOCK_TIMEOUT="2")
    assert out.returncode == 3, out.stdout + out.stderr
    assert "終わるまで待ちます" in out.stdout and "別の処理が索引を更新しているため、2 秒待っても始められませんでした" in out.stdout
    assert "Traceback" not in out.stderr


def test_a_write_that_fails_midway_on_a_full_disk_leaves_the_document_incomplete(tmp_path, monkeypatch):
    """Finding 1 (disk full), simulated in-process at the Chroma call boundary: after two batches every
    write and delete fails with the error a real full disk gave Chroma (measured: "Error in compaction: Failed
    to apply logs to the metadata segment"), and the disk reports 100 KB free. The old code's clean-up could
    not delete the stored chunks either, so they looked indexed. The real disk is in the next test."""
    import chromadb.errors
    from chromadb.api.models.Collection import Collection

    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import build_index, open_store, update_index
    from index import errors as index_errors
    from index.errors import IndexDiskFullError

    settings = Settings(data_dir=tmp_path)
    build_index(settings)
    total = chunk_count(big_plan(settings.documents_dir))
    failure = chromadb.errors.InternalError("Error in compaction: Failed to apply logs to the metadata segment")
    real_add, adds = Collection.add, [0]

    def add(self, *args, **kwargs):
        adds[0] += 1
        if adds[0] > 2:
            raise failure
        return real_add(self, *args, **kwargs)

    def refuse(self, *args, **kwargs):
        raise failure

    with monkeypatch.context() as m:
        m.setattr(Collection, "add", add)
        m.setattr(Collection, "delete", refuse)
        m.setattr(index_errors.shutil, "disk_usage", lambda path: type("Usage", (), {"free": 100 * 1024})())
        with pytest.raises(IndexDiskFullError) as err:
            update_index(settings)
    assert "空き容量" in str(err.value) and "assistant index" in str(err.value) and "空き 0.1 MB" in str(err.value)

    store = open_store(settings)
    [big] = [e for e in store.documents(store.require()) if e.doc_id == "big"]
    assert not big.complete and (big.chunks, big.expected) == (64, total)
    assert not any(c.doc_id == "big" for c in Assistant.load(settings).plan.chunks.values())

    _, report, _ = update_index(settings)
    assert report.added == ["big"] and report.resumed == ["big"]
    bot = Assistant.load(settings)
    assert sum(1 for c in bot.plan.chunks.values() if c.doc_id == "big") == total
    assert [c.block for c in bot.ask(f"{LAST}に取り組む地域は？").citations] == [f"区域{BLOCKS:03d}"]


DISK_FULL = r"""
import json, os, shutil, subprocess, sys
data, plan = sys.argv[1], sys.argv[2]
def cli(*args):
    out = subprocess.run([sys.executable, "-m", "cli", "--data-dir", data, *args], capture_output=True, text=True, timeout=600)
    return {"code": out.returncode, "out": out.stdout, "err": out.stderr[-2000:]}
steps = {"first": cli("index")}
shutil.copy(plan, os.path.join(data, "documents", "big.md"))
filler = os.path.join(os.path.dirname(data), "filler")
free = shutil.disk_usage(data).free
with open(filler, "wb") as f:
    os.posix_fallocate(f.fileno(), 0, max(free - 300 * 1024, 0))
steps["free_kb"] = shutil.disk_usage(data).free // 1024
steps["full"] = cli("index")
os.remove(filler)
steps["status"] = cli("index", "--status")
steps["again"] = cli("index")
steps["ask"] = cli("ask", "--json", sys.argv[3])
print(json.dumps(steps, ensure_ascii=False))
"""


def _private_mounts_available() -> str | None:
    """None when this process may mount file systems in a private mount namespace (root with
    CAP_SYS_ADMIN, as in CI), else why not."""
    try:
        probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare is unavailable: {exc}"
    return None if probe.returncode == 0 else f"cannot mount in a private namespace: {probe.stderr.strip()}"


def _on_a_small_disk(tmp_path, program: str, question: str) -> subprocess.CompletedProcess:
    """`program` (argv: data folder, big plan, question) with its data folder on a 64 MB tmpfs, mounted in a
    private mount namespace (nothing is visible outside the test)."""
    reason = _private_mounts_available()
    if reason:
        pytest.skip(reason)
    disk = tmp_path / "disk"
    disk.mkdir()
    plan = big_plan(tmp_path / "inbox")
    script = f'mount -t tmpfs -o size=64m tmpfs "{disk}" && mkdir -p "{disk}/data/documents" && ' \
             f'exec "{sys.executable}" -c "$0" "{disk}/data" "{plan}" "{question}"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, program], cwd=REPO, capture_output=True, text=True,
                          timeout=1800, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_real_full_disk_gives_its_own_message_and_the_next_run_completes(tmp_path):
    """Finding 1 with a real full disk: a 64 MB tmpfs, mounted in a private mount namespace (nothing is
    visible outside this test), filled to 300 KB free before the big plan is indexed."""
    out = _on_a_small_disk(tmp_path, DISK_FULL, f"{LAST}に取り組む地域は？")
    assert out.returncode == 0, out.stderr[-3000:]
    steps = json.loads(out.stdout.strip().splitlines()[-1])
    assert steps["first"]["code"] == 0, steps["first"]
    assert steps["free_kb"] < 1024
    full = steps["full"]
    assert full["code"] == 3 and "ディスクの空き容量が足りない" in full["out"], full
    assert "壊れて" not in full["out"] and "Traceback" not in full["err"]
    big_rows = [line for line in steps["status"]["out"].splitlines() if " big " in line]
    assert all("未完了" in line for line in big_rows), steps["status"]["out"]  # shown incomplete, or not at all
    assert steps["again"]["code"] == 0 and "追加 1" in steps["again"]["out"], steps["again"]
    answer = json.loads(steps["ask"]["out"])
    assert [(c["doc_id"], c["block"]) for c in answer["citations"]] == [("big", f"区域{BLOCKS:03d}")]


READ_WHEN_FULL = r"""
import json, os, shutil, subprocess, sys
data, plan, question = sys.argv[1], sys.argv[2], sys.argv[3]
def cli(*args):
    out = subprocess.run([sys.executable, "-m", "cli", "--data-dir", data, *args], capture_output=True, text=True, timeout=600)
    return {"code": out.returncode, "out": out.stdout, "err": out.stderr[-2000:]}
def fill(name, leave=0):
    with open(os.path.join(os.path.dirname(data), name), "wb", buffering=0) as f:
        free = shutil.disk_usage(data).free
        try:
            os.posix_fallocate(f.fileno(), 0, max(free - leave, 4096))
        except OSError:
            pass
        if leave:
            return
        f.seek(0, os.SEEK_END)
        while True:  # the last blocks, until not one byte more fits
            try:
                f.write(b"x" * 4096)
            except OSError:
                break
steps = {"first": cli("index")}
reserve = os.path.join(data, ".index.reserve")
steps["reserve_after_index"] = os.path.getsize(reserve) if os.path.exists(reserve) else 0
shutil.copy(plan, os.path.join(data, "documents", "big.md"))
fill("filler1", leave=300 * 1024)
steps["full"] = cli("index")  # fails midway: the disk is full and the log holds records not yet applied
fill("filler2")
steps["free_before_reading"] = shutil.disk_usage(data).free
steps["status"] = cli("index", "--status")
steps["ask"] = cli("ask", "--json", question)
fill("filler3")  # the room the reserve gave is taken too
steps["status_without_room"] = cli("index", "--status")
for name in ("filler1", "filler2", "filler3"):
    os.remove(os.path.join(os.path.dirname(data), name))
steps["again"] = cli("index")
steps["reserve_after_again"] = os.path.getsize(reserve) if os.path.exists(reserve) else 0
print(json.dumps(steps, ensure_ascii=False))
"""


def test_reading_works_while_the_disk_is_full(tmp_path):
    """Issue 20 §7: with the data folder's disk full, `assistant index --status` and `assistant ask` both stopped
    with 「ディスクの空き容量が足りないため、索引…に書き込めません」: Chroma writes when it opens a folder (a row
    per client) and applies, on the first read, the log records a failed write left. The index now keeps room
    for reading (index/reserve.py): status and ask work on a disk full to the last byte, after an indexing run
    that failed on it; when even that room is taken, the message says what reading needs. A real 64 MB tmpfs
    in a private mount namespace."""
    from index.reserve import RESERVE_BYTES

    out = _on_a_small_disk(tmp_path, READ_WHEN_FULL, "九州で検討されているクラスターの分野は？")
    assert out.returncode == 0, out.stderr[-3000:]
    steps = json.loads(out.stdout.strip().splitlines()[-1])
    assert steps["first"]["code"] == 0, steps["first"]
    assert steps["full"]["code"] == 3 and "ディスクの空き容量が足りない" in steps["full"]["out"], steps["full"]
    assert steps["free_before_reading"] < 16 * 1024, steps["free_before_reading"]

    status = steps["status"]
    assert status["code"] == 0 and "Traceback" not in status["err"], status
    assert "空き容量" not in status["out"] and "cluster_plan" in status["out"], status["out"]
    assert all("未完了" in line for line in status["out"].splitlines() if " big " in line)
    ask = steps["ask"]
    assert ask["code"] == 0, ask
    answer = json.loads(ask["out"])
    assert answer["answerable"] and {c["block"] for c in answer["citations"]} == {"九州"}

    without = steps["status_without_room"]
    assert without["code"] == 3 and "Traceback" not in without["err"], without
    assert "索引（" in without["out"] and "を読み込めません" in without["out"]
    assert "開くたびに記録を書き込み" in without["out"] and "読むだけでも数 MB の空きが必要です" in without["out"]

    assert steps["again"]["code"] == 0 and "追加 1" in steps["again"]["out"], steps["again"]
    # the room for reading: made by the first index, used by the reads, made again once there is room
    assert steps["reserve_after_index"] == steps["reserve_after_again"] == RESERVE_BYTES
