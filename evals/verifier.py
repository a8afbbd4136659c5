"""The generative mode's verifier against labelled sentences, and the choice of its overlap threshold.

    python -m evals.verifier                 # sweep min_overlap on the dev fixture, print precision / recall
    python -m evals.verifier --split test    # the test fixture at the configured threshold (read, not tuned)

Fixtures (tests/data/): `verifier_passages.json` holds real passages of the bundled plans and of the
evaluation's 北九州市 plan (each checked to occur verbatim in its document); `verifier_dev.jsonl` and
`verifier_test.jsonl` hold generated-style sentences citing them, each labelled supported or not, with its
kind (supported, paraphrase, figure, wrong_citation, name, mixture, no_marker, unknown_marker, claim).

A sentence is *accepted* when the verifier keeps it. Precision = supported sentences accepted / all
sentences accepted (how often a shown sentence is really supported); recall = supported sentences accepted /
all supported sentences (how many good sentences survive).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
SPLITS = {"dev": DATA / "verifier_dev.jsonl", "test": DATA / "verifier_test.jsonl"}


@dataclass(frozen=True)
class Item:
    id: str
    sentence: str
    passages: dict[int, str]  # marker → breadcrumb and passage text, as the generative mode gives them
    supported: bool
    kind: str


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    accepted: int
    supported: int
    true_accepts: int
    errors: tuple[tuple[str, str, bool], ...]  # (id, kind, accepted) of every wrong decision


def passages() -> dict[str, dict]:
    return json.loads((DATA / "verifier_passages.json").read_text(encoding="utf-8"))


def items(split: str) -> list[Item]:
    table = passages()
    out = []
    for line in SPLITS[split].read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        cited = {int(n): f"{table[k]['where']}\n{table[k]['text']}" for n, k in d["cites"].items()}
        out.append(Item(d["id"], d["sentence"], cited, bool(d["supported"]), d["kind"]))
    return out


def score(data: list[Item], accept) -> Score:
    """`accept(item) -> bool`: whether the verifier keeps the sentence."""
    decisions = [(it, bool(accept(it))) for it in data]
    accepted = [it for it, ok in decisions if ok]
    true_accepts = sum(it.supported for it in accepted)
    supported = sum(it.supported for it in data)
    return Score(
        precision=true_accepts / len(accepted) if accepted else 1.0,
        recall=true_accepts / supported if supported else 1.0,
        accepted=len(accepted),
        supported=supported,
        true_accepts=true_accepts,
        errors=tuple((it.id, it.kind, ok) for it, ok in decisions if ok != it.supported),
    )


def acceptor(kb, min_overlap: float):
    """The verifier as the generative mode runs it (assistant.generation), on one labelled sentence."""
    from assistant.generation import name_finder
    from assistant.generation.texts import texts
    from assistant.generation.verify import verify

    names = name_finder(kb)
    ignore = kb.lexicon.generic | texts().light

    def accept(it: Item) -> bool:
        verdicts = verify(it.sentence, it.passages, kb.tokenizer, names, ignore, min_overlap)
        return bool(verdicts) and all(v.ok for v in verdicts)

    return accept


def choose(sweep: list[tuple[float, Score]]) -> float | None:
    """The threshold: among those with precision >= 0.95, the ones with the highest recall; of those, the
    middle (a margin on both sides: a lower threshold admits wrong citations, a higher one drops paraphrases)."""
    good = [(t, s) for t, s in sweep if s.precision >= 0.95]
    if not good:
        return None
    top = max(s.recall for _, s in good)
    plateau = [t for t, s in good if s.recall == top]
    return plateau[len(plateau) // 2]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m evals.verifier", description="生成モードの検証器を評価する")
    p.add_argument("--split", choices=sorted(SPLITS), default="dev")
    args = p.parse_args(argv)
    from assistant import Assistant
    from assistant.generation.texts import texts

    kb = Assistant.load()._state.kb
    data = items(args.split)
    if args.split == "test":
        s = score(data, acceptor(kb, texts().min_overlap))
        print(f"test at min_overlap={texts().min_overlap}: precision {s.precision:.3f} recall {s.recall:.3f} "
              f"({s.accepted} accepted, {s.supported} supported); wrong: {s.errors}")
        return 0
    sweep = []
    for step in range(0, 19):
        t = round(0.05 * step, 2)
        s = score(data, acceptor(kb, t))
        sweep.append((t, s))
        print(f"min_overlap {t:.2f}: precision {s.precision:.3f} recall {s.recall:.3f} wrong {[e[0] for e in s.errors]}")
    print(f"chosen: {choose(sweep)} (configured: {texts().min_overlap})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
