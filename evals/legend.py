"""`python -m evals.legend`: how `assistant/legend.py` places fields under the bundled legend's categories.

- dev (`evals/datasets/legend_dev.tsv`): the bundled plans' fields that the legend's words do not name, placed
  by the whole mechanism (listing and meaning), at the shipped thresholds and on a grid around them;
- check (`evals/datasets/legend_check.tsv`): field words no bundled document has, placed by meaning alone
  (they are listed in no item), at the shipped thresholds.

A wrong category is worse than none: a placement counts as right only under its gold category; a gold of
「?X」 accepts X or none, 「?」 any category or none."""

from __future__ import annotations

import itertools
from pathlib import Path

from assistant import legend
from assistant.config import Settings

DATA = Path(__file__).resolve().parent / "datasets"


def load(name: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, gold = line.partition("\t")
            rows.append((word.strip(), gold.strip()))
    return rows


def score(rows: list[tuple[str, str]], got: dict[str, str | None]) -> dict[str, int]:
    """right / wrong (a category other than the gold) / none_ok (no category, gold none) / missed."""
    out = {"right": 0, "wrong": 0, "none_ok": 0, "missed": 0}
    for word, gold in rows:
        pred = got.get(word)
        if gold.startswith("?"):  # 「?X」: X or none; 「?」: any category or none
            out["wrong" if pred and gold[1:] and pred != gold[1:] else "right" if pred else "none_ok"] += 1
        elif pred:
            out["right" if pred == gold else "wrong"] += 1
        else:
            out["none_ok" if not gold else "missed"] += 1
    return out


def main() -> int:
    from assistant import Assistant

    bot = Assistant.load(Settings.from_env())
    kb = bot._state.kb  # noqa: SLF001 - an evaluation of this one component
    vocab = kb.vocab
    categories = [legend.Category(n, vocab.legend_labels.get(n, n), vocab.categories[n]) for n in dict.fromkeys(vocab.legend_order)]
    nouns = [p.item_noun for p in kb.profiles.values() if p.legend and p.item_noun]
    frame = legend.frame_of(max(set(nouns), key=nouns.count) if nouns else "")
    vectors = bot._label_vectors  # noqa: SLF001
    placed = bot._placement(bot._state)  # noqa: SLF001
    dev, check = load("legend_dev.tsv"), load("legend_check.tsv")
    got = {w: (placed[w].category if w in placed else None) for w, _ in dev}
    print(f"frame {frame!r}; shipped min_score {legend.MIN_SCORE} min_margin {legend.MIN_MARGIN}")
    print(f"dev ({len(dev)} fields, whole mechanism): {score(dev, got)}")
    words = [w for w, _ in check]
    picks = legend.by_meaning(words, categories, vectors, frame)
    print(f"check ({len(check)} words, meaning alone): {score(check, dict(zip(words, picks)))}")
    print("  wrong or missed:", [(w, g or "-", p or "-") for (w, g), p in zip(check, picks) if (p or "") != g])
    print("\ndev by meaning alone on a grid (min_score, min_margin: right wrong none_ok missed):")
    dev_words = [w for w, _ in dev]
    for lo, margin in itertools.product([0.90, 0.91, 0.92, 0.922, 0.93], [0.0, 0.005, 0.01, 0.02]):
        picks = legend.by_meaning(dev_words, categories, vectors, frame, lo, margin)
        s = score(dev, dict(zip(dev_words, picks)))
        print(f"  {lo:.3f} {margin:.3f}  {s['right']:3d} {s['wrong']:3d} {s['none_ok']:3d} {s['missed']:3d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
