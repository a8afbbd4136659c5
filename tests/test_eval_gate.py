"""The answer-quality gate: every suite, checked against evals/thresholds.toml.
A change that makes answers worse fails `make test`, and so CI.

The suites build their data folders once and cache them under .cache/evals by content hash, so
after the first run a suite costs its questions only (the documents suite: ~1,000 JSQuAD questions)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("suite", ["plans", "documents", "realdocs"])
def test_answer_quality_stays_above_the_thresholds(suite, tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "evals", "--check", "--suite", suite, "--no-judge", "--out", str(tmp_path / "report")],
        cwd=REPO, capture_output=True, text=True, timeout=3600,
    )
    assert out.returncode == 0, f"{suite}: answer quality fell below evals/thresholds.toml:\n{out.stdout[-4000:]}\n{out.stderr[-2000:]}"
    assert "gate passed" in out.stdout
