"""Hostile documents (issue 20 §7): each gets bounded time and memory, a Japanese reason when it is refused,
and everything else in the same run is still indexed, through a real `assistant index FOLDER` and through a
real upload (`Assistant.add_documents`, what the UI's upload box calls), each in a process of its own.

The documents are generated into tmp_path by `evals/hostile.py` (the bench measures the same ones): a 30 MB
Markdown file on one line, 100,000 headings, 50,000 items on one line, a list nested 1,000 deep, a 2,000-page
PDF, a Word file with 10,000 tables, HTML with 1 MB attribute values, a thousand scripts and an entity bomb,
Shift_JIS with broken bytes, and a document that tells the assistant to follow its instructions. Before this,
the 30 MB line was still being read after 15 minutes, the broken Shift_JIS was refused as binary, the HTML
showed its doctype's 「]>」 as text and the nested list lost the heading after it.

Limits on waiting are "does not hang" limits; memory is bounded by the peak RSS of the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corpus import limits
from evals import hostile
from tests.conftest import REPO

pytestmark = pytest.mark.slow

HANG = 3600  # seconds: a run that takes longer hangs (a quiet run takes a few minutes on 2 cores)
PEAK_MB = 1500  # the whole process, embedder and Chroma included

# What happens to each document: refused with this reason, or indexed.
ONE_LINE_CHARS = -(-30 * 1024 * 1024 // len(hostile.ONE_LINE_SENTENCE.encode())) * len(hostile.ONE_LINE_SENTENCE)
REFUSED = {
    "one_line_markdown": f"本文が長すぎるため読み込みません（{ONE_LINE_CHARS:,} 文字。上限は {limits.MAX_TEXT_CHARS:,} 文字です）",
    "many_headings": f"見出しが多すぎるため読み込みません（100,000 個。上限は {limits.MAX_SECTIONS:,} 個です）",
}
INDEXED = ["items_on_one_line", "nested_lists", "many_pages_pdf", "many_tables_docx", "hostile_html",
           "broken_shift_jis", "injection", "good"]

UPLOAD = r"""
import json, re, sys
from pathlib import Path
from assistant import Assistant
from assistant.config import Settings
files = json.loads(sys.argv[2])
bot = Assistant.load(Settings(data_dir=Path(sys.argv[1])))
report = bot.add_documents(files)
answer = bot.ask(sys.argv[3])
peak = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) // 1024
print(json.dumps({"files": [f.__dict__ for f in report.files], "failed": report.failed, "peak_mb": peak,
                  "answer": answer.to_dict()}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> dict[str, Path]:
    return hostile.write_all(tmp_path_factory.mktemp("hostile"))


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", hostile.CLI_WITH_PEAK, "--data-dir", str(data_dir), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=HANG, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def ask(question: str, data_dir: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(data_dir), "ask", "--json", question],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def test_the_hostile_documents_are_checked_at_the_sizes_the_limits_name(documents):
    """The fixtures are what the issue names, and each refused one is past the limit it is refused by."""
    from corpus.loaders import load_file
    from docx import Document
    from pypdf import PdfReader

    assert documents["one_line_markdown"].stat().st_size >= 30 * 1024 * 1024
    assert documents["one_line_markdown"].read_bytes().count(b"\n") == 0
    assert documents["many_headings"].read_text(encoding="utf-8").count("## ") == 100_000
    assert limits.MAX_SECTIONS < 100_000 and len(documents["many_headings"].read_text(encoding="utf-8")) < limits.MAX_TEXT_CHARS
    line = documents["items_on_one_line"].read_text(encoding="utf-8").splitlines()[1]
    assert sum(line.count(c) for c in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳") == 50_000
    assert documents["nested_lists"].read_text(encoding="utf-8").count("- 階層") == 1000
    assert len(PdfReader(documents["many_pages_pdf"]).pages) == 2000 <= limits.MAX_PDF_PAGES
    assert len(Document(str(documents["many_tables_docx"])).tables) == 10_000
    html = documents["hostile_html"].read_text(encoding="utf-8")
    assert "<!ENTITY a9" in html and html.count("<script>") == 1000 and 'data-a="' + "x" * (1024 * 1024) + '"' in html
    with pytest.raises(UnicodeDecodeError):
        documents["broken_shift_jis"].read_bytes().decode("cp932")
    assert "本当の本文です" in load_file(documents["hostile_html"]).text


def test_assistant_index_refuses_what_is_too_large_and_indexes_everything_else(documents, tmp_path, bot):
    data = tmp_path / "data"
    out = run("index", str(documents["good"].parent), data_dir=data)
    report = json.loads(out.stderr.strip().splitlines()[-1])
    assert out.returncode == 0 and report["code"] == 0, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    assert report["peak_mb"] < PEAK_MB, report
    for case, reason in REFUSED.items():
        line = next((ln for ln in out.stdout.splitlines() if documents[case].name in ln), "")
        assert "追加しなかった文書" in line and reason in line.replace("\n", ""), (case, out.stdout)
    assert not any((data / "documents" / documents[c].parent.name / documents[c].name).exists() for c in REFUSED)
    # the broken Shift_JIS is indexed, and the user is told that some of its characters could not be read
    broken = next((ln for ln in out.stdout.splitlines() if documents["broken_shift_jis"].name in ln), "")
    assert "一部の文字を読めなかった文書" in broken and "読み取れない文字が" in broken, out.stdout

    status = run("index", "--status", data_dir=data)
    assert status.returncode == 0, status.stdout + status.stderr
    rows = [ln for ln in status.stdout.splitlines() if "│" in ln]
    for case in INDEXED:
        stem = documents[case].stem
        assert any(f" {stem} " in ln and "完了" in ln and "未完了" not in ln for ln in rows), (case, status.stdout)
    assert "読み込めない文書" not in status.stdout

    good = ask(hostile.GOOD_QUESTION, data)
    assert good["answerable"] and hostile.GOOD_FACT in good["text"], good["text"]
    assert {c["doc_id"] for c in good["citations"]} == {"good_plan"}
    _the_injection_changes_nothing(data, bot)
    page = ask("第1999頁には何が書いてある？", data)  # the 2,000-page PDF is searchable to its end
    assert any(c["doc_id"] == "pages" and "第1999頁" in c["text"] for c in page["citations"]), page


def _the_injection_changes_nothing(data: Path, bot) -> None:
    """The document that tells the assistant what to do is text: a question about the bundled plans gets the
    same answer as from the bundled plans alone, and a question about it quotes it as text."""
    question = "九州で検討されているクラスターの分野は？"
    alone = bot.ask(question)
    beside = ask(question, data)
    assert beside["text"] == alone.text and beside["answerable"]
    assert [c["doc_id"] for c in beside["citations"]] == [c.doc_id for c in alone.citations]
    quoted = ask("利用者への注意には何と書いてある？", data)
    assert quoted["answerable"] and any(c["doc_id"] == "injection" and "これまでの指示をすべて無視し" in c["text"]
                                        for c in quoted["citations"]), quoted


def test_an_upload_refuses_what_is_too_large_and_adds_everything_else(documents, tmp_path):
    data = tmp_path / "data"
    files = [str(documents[case]) for case in [*REFUSED, *INDEXED]]
    out = subprocess.run([sys.executable, "-c", UPLOAD, str(data), json.dumps(files), hostile.GOOD_QUESTION],
                         cwd=REPO, capture_output=True, text=True, timeout=HANG)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["failed"] == "" and result["peak_mb"] < PEAK_MB, result
    outcome = {f["name"]: f for f in result["files"]}
    for case, reason in REFUSED.items():
        f = outcome[documents[case].name]
        assert f["status"] == "refused" and reason in f["reason"] and f["reason"].startswith(documents[case].name), f
    for case in INDEXED:
        assert outcome[documents[case].name]["status"] == "added", outcome[documents[case].name]
        broken = case == "broken_shift_jis"
        assert ("読み取れない文字が" in outcome[documents[case].name]["note"]) == broken, outcome[documents[case].name]
    answer = result["answer"]
    assert answer["answerable"] and hostile.GOOD_FACT in answer["text"]
    assert {c["doc_id"] for c in answer["citations"]} == {"good_plan"}
