"""The holdout is frozen: its bytes are pinned here, and only its aggregate score is ever read.

Written once (69 items over the cluster plan, the growth strategy and the evaluation's own plan)
before the assistant answered any of them. Never edit it to make a change pass; a new holdout is a
new file with a new hash, and the old one moves to dev."""

from __future__ import annotations

import hashlib

import pytest

from evals.dataset import DATASETS

HOLDOUT_SHA256 = "5f036c5c80b151d0f0637fef875fbdfde4518d77622f78bd91b54f3d23ee555b"


def test_the_holdout_is_frozen():
    assert hashlib.sha256((DATASETS / "holdout.jsonl").read_bytes()).hexdigest() == HOLDOUT_SHA256


@pytest.mark.slow
def test_the_holdout_aggregate_stays_above_its_minimum():
    from evals.run import OURS, evaluate_plans, load_thresholds

    minimum = load_thresholds()["holdout"]["fully_correct"]
    section = evaluate_plans(["holdout"], baseline=False, log=lambda *_: None, with_judge=False)
    holdout = section["splits"]["holdout"]
    assert holdout["aggregate_only"] and "items" not in holdout["systems"][OURS]  # per-item rows are never kept
    score = holdout["systems"][OURS]["overall"]["fully_correct"]
    assert score >= minimum, f"holdout fully correct {score:.3f} < {minimum} (evals/thresholds.toml)"
