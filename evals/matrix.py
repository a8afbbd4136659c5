"""`python -m evals.matrix`: where two headings or item labels become one row of a matrix
(`assistant/matrix.py` SAME_MEANING), on the labelled pairs `evals/datasets/matrix_pairs.tsv`: each pair's
cosine, and how many pairs are joined rightly and wrongly at thresholds around the shipped one. Joining two
different headings is worse than leaving two rows: the threshold is the lowest that joins no different pair."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant import matrix
from assistant.config import Settings

PAIRS = Path(__file__).resolve().parent / "datasets" / "matrix_pairs.tsv"


def load() -> list[tuple[str, str, bool]]:
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, same = line.split("\t")
            rows.append((a, b, same.strip() == "1"))
    return rows


def cosines(rows, vectors) -> list[float]:
    """Cosine of each pair; 1.0 when their normalised text is already the same (no embedding needed)."""
    out = []
    for a, b, _ in rows:
        if matrix.label_key(a) == matrix.label_key(b):
            out.append(1.0)
            continue
        va, vb = np.asarray(vectors([a, b]), dtype=np.float32)
        out.append(float(va @ vb))
    return out


def main() -> int:
    from assistant import Assistant

    bot = Assistant.load(Settings.from_env())
    rows = load()
    sims = cosines(rows, bot._label_vectors)  # noqa: SLF001 - the vectors the matrix uses
    for (a, b, same), s in sorted(zip(rows, sims), key=lambda x: -x[1]):
        print(f"  {s:.3f}  {'same' if same else 'diff'}  {a} / {b}")
    print(f"\n{len(rows)} pairs ({sum(r[2] for r in rows)} same); shipped SAME_MEANING = {matrix.SAME_MEANING}")
    print("threshold  joined-right  joined-wrong  same-missed")
    for t in (0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99):
        right = sum(1 for (_, _, same), s in zip(rows, sims) if s >= t and same)
        wrong = sum(1 for (_, _, same), s in zip(rows, sims) if s >= t and not same)
        missed = sum(1 for (_, _, same), s in zip(rows, sims) if s < t and same)
        print(f"  {t:.3f}      {right:5d}        {wrong:5d}        {missed:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
