"""The README's `make test` on a machine without Chromium (issue 20 §1): it installs the browser and the
Japanese fonts itself when it may (root with apt-get), and otherwise stops at once with the exact command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "ensure-browser"
HANG = 60  # seconds: the message path does no network work, so anything near this is a hang
NOBODY = 65534


def _as_a_user(cmd: list[str]) -> list[str]:
    """`cmd` run as an ordinary user: the path a developer without root meets."""
    if os.getuid() != 0:
        return cmd
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *cmd]


def _ensure_browser(env: dict[str, str]) -> subprocess.CompletedProcess:
    # the script is given on stdin and run from /: an ordinary user may not be able to read the clone's folder
    return subprocess.run(_as_a_user(["bash", "-s"]), input=SCRIPT.read_text(encoding="utf-8"), capture_output=True,
                          text=True, timeout=HANG, env=env, cwd="/")


def test_make_test_sees_to_the_browser_before_the_tests():
    plan = subprocess.run(["make", "-n", "test"], cwd=REPO, capture_output=True, text=True, timeout=HANG)
    assert plan.returncode == 0, plan.stderr
    lines = plan.stdout.splitlines()
    browser = next(i for i, ln in enumerate(lines) if "scripts/ensure-browser" in ln)
    pytest = next(i for i, ln in enumerate(lines) if "-m pytest" in ln)
    assert browser < pytest, plan.stdout


def test_without_chromium_or_root_it_stops_with_the_exact_command(tmp_path):
    env = {**os.environ, "CHROMIUM": str(tmp_path / "no-chromium")}
    out = _ensure_browser(env)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "sudo sh -c 'apt-get update && apt-get install -y chromium fonts-noto-cjk'" in out.stderr, out.stderr
    assert "make test" in out.stderr and out.stdout == "", out.stdout


def test_with_chromium_and_the_fonts_present_it_does_nothing():
    """This machine has them (CI's `make test` has just installed them): nothing is installed or printed."""
    out = _ensure_browser(dict(os.environ))
    assert out.returncode == 0 and out.stdout == "" and out.stderr == "", out.stdout + out.stderr
