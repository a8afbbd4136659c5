"""The answer-quality gate: both evaluation splits, checked against evals/thresholds.toml.
A change that makes answers worse fails `make test`, and so CI."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_answer_quality_stays_above_the_thresholds(settings, bot):
    # `bot` has built the session's index in settings.data_dir; the eval reads the same one.
    out = subprocess.run(
        [sys.executable, "-m", "evals", "--check", "--no-judge", "--data-dir", str(settings.data_dir),
         "--out", str(settings.data_dir / "eval-report")],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert out.returncode == 0, f"answer quality fell below evals/thresholds.toml:\n{out.stdout[-4000:]}\n{out.stderr[-2000:]}"
