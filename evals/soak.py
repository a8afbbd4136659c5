"""The UI under load, as deployed (`python -m ui.app` in its own process, driven through gradio_client):

- concurrency: S sessions (20 and 50) ask 3 questions each at the same moment → end-to-end latency per
  request, errors, and whether every follow-up resolved against its own session;
- soak (`assistant bench --soak N`): N questions from 20 sessions, the server's RSS sampled every 100
  questions → the slope, and the growth over the second half (memory must level off).

Reports: evals/reports/ui_concurrency.md (+ .json) and evals/reports/soak.md (+ .json, .png).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "evals" / "reports"
SAMPLE_EVERY = 100
# A conversation per session: lookups, which-units, comparisons, explanations, follow-ups that need the
# session's own history, and a question the documents do not answer.
TURNS = (
    "九州で検討されているクラスターの分野は？", "では四国は？", "造船に取り組むブロックはどこ？", "北海道と東北の違いは？",
    "なぜ四国は造船なの？", "関東の分野は？", "では中部は？", "半導体に取り組むブロックはいくつ？", "危機管理投資とは？",
    "九州の予算はいくら？", "沖縄で検討されている分野は？", "そこでは観光はある？",
)


# --- the server ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m ui.app` over a data folder (the index is built there first if missing)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "CHROMA_URL"))}
        env.update(ASSISTANT_DATA_DIR=str(data_dir), GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
        subprocess.run([sys.executable, "-m", "cli", "index"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc = subprocess.Popen([sys.executable, "-m", "ui.app", "--port", str(self.port)], cwd=REPO, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the UI exited before it served")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the UI did not start within 180 s") from None
                time.sleep(0.3)

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))) / 1024

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": 300})


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))] if ordered else float("nan")


# --- concurrency ----------------------------------------------------------------------------------------------


@dataclass
class Concurrency:
    sessions: int
    requests: int
    errors: list[str]
    isolated: bool  # every session's follow-ups resolved against its own first question
    p50_ms: float
    p95_ms: float
    max_ms: float
    server_p50_ms: float
    server_p95_ms: float
    wall_s: float


def measure_concurrency(url: str, sessions: int) -> Concurrency:
    """`sessions` clients start together; each asks about its own field, then two follow-ups."""
    fields = ["造船", "半導体", "GX", "宇宙", "観光", "防災", "食", "AI", "洋上風力", "航空"]
    barrier = threading.Barrier(sessions, timeout=300)
    latencies: list[float] = []
    server: list[float] = []
    errors: list[str] = []
    isolated = [True]
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            c = _client(url)
            barrier.wait()
            field_ = fields[i % len(fields)]
            for q in (f"九州で{field_}はある？", "では北海道は？", "では四国は？"):
                t = time.perf_counter()
                answer = c.predict(q, api_name="/ask")
                with lock:
                    latencies.append(time.perf_counter() - t)
                    server.append(answer.get("server_ms", float("nan")))
                if "error" in answer:
                    raise RuntimeError(answer["error"])
                if q.startswith("では") and field_ not in answer["text"]:
                    isolated[0] = False
        except Exception as exc:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(f"session {i}: {type(exc).__name__}: {exc}")

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    wall = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return Concurrency(sessions, len(latencies), errors, isolated[0], _pct(ms, 50), _pct(ms, 95), max(ms, default=0),
                       _pct(server, 50), _pct(server, 95), wall)


def write_concurrency(results: list[Concurrency], out: Path) -> None:
    from ui.app import CONCURRENCY

    out.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(
        f"| {r.sessions} | {r.requests} | {len(r.errors)} | {'yes' if r.isolated else 'NO'} | {r.p50_ms:.0f} | {r.p95_ms:.0f} | "
        f"{r.max_ms:.0f} | {r.server_p50_ms:.1f} / {r.server_p95_ms:.1f} | {r.wall_s:.1f} |" for r in results
    )
    text = f"""# UI concurrency (`assistant bench`)

The app in its own process (`python -m ui.app`), driven through gradio_client's `/ask`: every session starts at
the same moment (a barrier) and asks three questions of one conversation (a field, then two follow-ups that must
resolve against that session's own history). Measured on this machine ({os.cpu_count()} cores), the clients
running on the same cores as the server; gradio_client itself costs about 0.1 s of CPU per call.

| sessions | requests | errors | follow-ups isolated | p50 ms | p95 ms | max ms | server answering p50 / p95 ms | wall s |
|---|---|---|---|---|---|---|---|---|
{rows}

End-to-end is client call → JSON (queueing included); "server answering" is the time inside the `/ask` handler,
with up to {CONCURRENCY} answers running at once in one interpreter (they share its lock and the 2 cores with the
client threads); a lone warm answer's time is in evals/reports/bench.md. Tests never assert on these
figures (`tests/test_ui_api.py` checks errors, isolation and identical answers).
"""
    (out / "ui_concurrency.md").write_text(text, encoding="utf-8")
    (out / "ui_concurrency.json").write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")


# --- soak ------------------------------------------------------------------------------------------------------------


@dataclass
class Soak:
    questions: int
    sessions: int
    samples: list[tuple[int, float, float]] = field(default_factory=list)  # (questions done, RSS MB, seconds)
    errors: list[str] = field(default_factory=list)

    def slope(self, part: list[tuple[int, float, float]]) -> float:
        """Least-squares RSS growth in MB per 1,000 questions."""
        if len(part) < 2:
            return float("nan")
        xs, ys = [p[0] for p in part], [p[1] for p in part]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        den = sum((x - mx) ** 2 for x in xs)
        return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")

    @property
    def second_half(self) -> list[tuple[int, float, float]]:
        return [s for s in self.samples if s[0] >= self.questions / 2]

    @property
    def growth_second_half(self) -> float:
        half = self.second_half
        return (half[-1][1] - half[0][1]) / half[0][1] if len(half) >= 2 else float("nan")


def run_soak(url: str, server: Server, questions: int, sessions: int = 20) -> Soak:
    soak = Soak(questions, sessions)
    done = [0]
    lock = threading.Lock()
    started = time.perf_counter()
    soak.samples.append((0, server.rss_mb(), 0.0))

    def run(i: int) -> None:
        c = _client(url)
        turn = i  # sessions start at different points of the conversation
        while True:
            with lock:
                if done[0] >= questions:
                    return
            try:
                answer = c.predict(TURNS[turn % len(TURNS)], api_name="/ask")
                if "error" in answer:
                    raise RuntimeError(answer["error"])
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    soak.errors.append(f"session {i}: {type(exc).__name__}: {exc}")
            turn += 1
            with lock:
                done[0] += 1
                if done[0] % SAMPLE_EVERY == 0:
                    soak.samples.append((done[0], server.rss_mb(), time.perf_counter() - started))
                    if done[0] % 1000 == 0:
                        print(f"soak: {done[0]} questions, RSS {soak.samples[-1][1]:.0f} MB", flush=True)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return soak


def write_soak(soak: Soak, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    first, last = soak.samples[1] if len(soak.samples) > 1 else soak.samples[0], soak.samples[-1]
    half = soak.second_half
    growth = soak.growth_second_half
    verdict = "within the bar of < 5 %" if growth < 0.05 else "ABOVE the bar of < 5 %"
    rows = "\n".join(f"| {q:,} | {rss:.1f} | {sec:.0f} |" for q, rss, sec in soak.samples[:: max(1, len(soak.samples) // 25)])
    text = f"""# UI soak (`assistant bench --soak {soak.questions}`)

{soak.questions:,} questions from {soak.sessions} concurrent sessions through the UI's JSON API (gradio_client `/ask`,
each session one long conversation with follow-ups), the server (`python -m ui.app`) in its own process; its RSS
sampled every {SAMPLE_EVERY} questions. {len(soak.errors)} errors.

| | |
|---|---|
| RSS after the first {SAMPLE_EVERY} questions | {first[1]:.1f} MB |
| RSS at the end | {last[1]:.1f} MB |
| slope over the whole run | {soak.slope(soak.samples[1:]):+.2f} MB per 1,000 questions |
| slope over the second half | {soak.slope(half):+.2f} MB per 1,000 questions |
| growth over the second half ({half[0][0]:,} → {half[-1][0]:,} questions) | **{growth * 100:+.2f} %** ({verdict}) |
| throughput | {soak.questions / max(last[2], 1e-9):.1f} questions/s ({last[2]:.0f} s) |

![RSS over the soak](soak.png)

Samples (every {max(1, len(soak.samples) // 25) * SAMPLE_EVERY} questions):

| questions | RSS MB | seconds |
|---|---|---|
{rows}

What bounds it: the server keeps no conversation (the browser holds it; an API session keeps only its last
10 turns), idle sessions are forgotten (`ui/sessions.py`), and Gradio keeps at most `Limits.sessions` sessions.
The second-half slope is what remains after that; where it goes (Gradio's queue bookkeeping, the allocator)
was not investigated, so read it as a figure, not as zero.
"""
    (out / "soak.md").write_text(text, encoding="utf-8")
    (out / "soak.json").write_text(json.dumps(asdict(soak), indent=2), encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.plot([s[0] for s in soak.samples], [s[1] for s in soak.samples], marker=".", linewidth=1)
        ax.set_xlabel("questions")
        ax.set_ylabel("server RSS (MB)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "soak.png", dpi=110)
        plt.close(fig)
    except Exception as exc:  # noqa: BLE001 - the table is the report; the chart is a convenience
        print(f"soak chart not drawn: {exc}", file=sys.stderr)


# --- entry points (called from evals/bench.py's CLI) ------------------------------------------------------------------


def with_server(fn, data_dir: Path | None = None):
    """Run fn(server) against a fresh UI process over a temporary data folder (or the one given)."""
    with tempfile.TemporaryDirectory(prefix="ui-bench-") as tmp:
        server = Server(data_dir or Path(tmp))
        try:
            return fn(server)
        finally:
            server.close()


def concurrency(out: Path = REPORTS, sessions: tuple[int, ...] = (20, 50)) -> list[Concurrency]:
    def measure(server: Server) -> list[Concurrency]:
        results = []
        for s in sessions:
            print(f"UI concurrency: {s} sessions", flush=True)
            results.append(measure_concurrency(server.url, s))
        return results

    results = with_server(measure)
    write_concurrency(results, out)
    return results


def soak(questions: int, out: Path = REPORTS, sessions: int = 20) -> Soak:
    result = with_server(lambda server: run_soak(server.url, server, questions, sessions))
    write_soak(result, out)
    return result
