"""`python -m evals.meaning`: how `assistant/meaning.py` reads topic phrases as fields, on the development
list `evals/datasets/meaning_dev.tsv` (phrase → the field it means, or none), at the shipped thresholds and
on a small grid around them. A wrong field is worse than none: precision first."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from assistant import meaning
from assistant.config import Settings

DEV = Path(__file__).resolve().parent / "datasets" / "meaning_dev.tsv"


def load_dev() -> list[tuple[str, str]]:
    rows = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, _, field = line.partition("\t")
            rows.append((phrase.strip(), field.strip()))
    return rows


def main() -> int:
    from assistant import Assistant

    bot = Assistant.load(Settings.from_env())
    index = bot._state.kb.meaning  # noqa: SLF001 - an evaluation of this one component
    rows = load_dev()
    scored = []
    for phrase, gold in rows:
        s = index.scores(phrase)
        order = np.argsort(-s)
        scored.append((phrase, gold, index.names[int(order[0])], float(s[order[0]]), float(s[order[0]] - s[order[1]])))
    print(f"{len(rows)} phrases, {sum(bool(g) for _, g in rows)} that mean a field")
    print("min_score min_margin  right  wrong  none-correct  (shipped: %.2f %.2f)" % (meaning.MIN_SCORE, meaning.MIN_MARGIN))
    for lo, margin in itertools.product([0.04, 0.05, 0.06, 0.08], [0.0, 0.02, 0.04]):
        right = sum(1 for _, g, f, sc, m in scored if sc >= lo and m >= margin and f == g)
        wrong = sum(1 for _, g, f, sc, m in scored if sc >= lo and m >= margin and f != g)
        none = sum(1 for _, g, f, sc, m in scored if not g and not (sc >= lo and m >= margin))
        print(f"  {lo:.2f}      {margin:.2f}       {right:5d}  {wrong:5d}  {none:5d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
