"""One reference list for an answer, printed by the CLI and copied by the UI (assistant/render.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from assistant.render import reference_line, reference_list
from assistant.types import Citation
from tests.conftest import REPO


def _cite(n, text, **kw) -> Citation:
    return Citation(n=n, chunk_id="c", doc_id="d", title="計画", block="九州", section="九州 > 分野", text=text, start=0,
                    end=len(text), score=1.0, **kw)


def test_each_reference_names_the_document_section_page_and_quotes_the_start_of_the_span():
    assert reference_line(_cite(1, "造船\n防衛")) == "[1] 計画 / 九州 > 分野: 「造船 防衛」"
    assert reference_line(_cite(2, "あ" * 81, page=3, reference=True)) == f"[2] 参考 計画 / 九州 > 分野 p.3: 「{'あ' * 80}…」"
    assert reference_line(_cite(3, "あ" * 80)) == f"[3] 計画 / 九州 > 分野: 「{'あ' * 80}」"
    assert reference_list([_cite(1, "a"), _cite(2, "b")]).splitlines() == [
        "[1] 計画 / 九州 > 分野: 「a」", "[2] 計画 / 九州 > 分野: 「b」"]
    assert reference_list([]) == ""


def test_the_cli_prints_exactly_this_list_after_the_answer(bot, settings):
    question = "造船に取り組む地域はどこ？"
    out = subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(settings.data_dir), "ask", question],
                         cwd=REPO, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "COLUMNS": "1000", "ASSISTANT_INDEX_DIR": str(settings.index_dir)})
    assert out.returncode == 0, out.stderr
    answer = bot.ask(question)
    assert out.stdout.strip() == f"{answer.text}\n\n{reference_list(answer.citations)}".strip()
