"""Fields by meaning: a question's topic phrase that no field name or alias matches (船づくり, 製薬) is
compared with the fields' own names through the embedder.

Raw cosines of a small multilingual model crowd together (most pairs of Japanese nouns score 0.85–0.90),
and a few names are close to everything (ものづくり, 医療). So the score is CSLS (cross-domain similarity
local scaling): 2·cos(q, f) − r(q) − r(f), where r(·) is the mean similarity to its nearest neighbours
among the field names. A field is taken only when that score and its margin over the runner-up clear
thresholds chosen on a development list (`evals/datasets/meaning_dev.tsv`, `python -m evals.meaning`).
Field vectors are computed once per set of names and kept in the data folder; a question costs one
query embedding, and only when its topic matched nothing else.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from index.reserve import has_room

log = logging.getLogger(__name__)

MIN_SCORE = 0.05
MIN_MARGIN = 0.02
NEIGHBOURS = 5


class MeaningIndex:
    def __init__(self, names: Sequence[str], vectors: np.ndarray, embed: Callable[[str], np.ndarray]) -> None:
        self.names = list(names)
        self._vectors = np.asarray(vectors, dtype=np.float32).reshape(len(self.names), -1)
        self._embed = embed
        k = min(NEIGHBOURS, max(len(self.names) - 1, 1))
        if len(self.names) > 1:
            sims = self._vectors @ self._vectors.T
            np.fill_diagonal(sims, -1.0)
            self._hub = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
        else:
            self._hub = np.zeros(len(self.names), dtype=np.float32)
        self._k = k

    @classmethod
    def build(cls, names: Sequence[str], embedder, cache_dir: Path | None = None) -> "MeaningIndex":
        names = list(dict.fromkeys(names))
        return cls(names, cached_vectors(names, embedder, cache_dir, "meaning"), embedder.embed_query)

    def scores(self, phrase: str) -> np.ndarray:
        q = np.asarray(self._embed(phrase), dtype=np.float32).reshape(-1)
        sims = self._vectors @ q
        r_q = np.sort(sims)[-self._k :].mean() if len(sims) else 0.0
        return 2 * sims - r_q - self._hub

    def nearest(self, phrase: str) -> tuple[str, float] | None:
        """The field the phrase means, with its score, or None when no field is clearly meant."""
        if len(self.names) < 2 or not phrase.strip():
            return None
        scores = self.scores(phrase)
        order = np.argsort(-scores)
        best, second = float(scores[order[0]]), float(scores[order[1]])
        if best >= MIN_SCORE and best - second >= MIN_MARGIN:
            return self.names[int(order[0])], best
        return None


def cached_vectors(names: Sequence[str], embedder, cache_dir: Path | None, kind: str) -> np.ndarray:
    """Query vectors of `names` (one row each, in order), kept in `cache_dir` under a key of the embedder
    and the names, so a start or a redraw does not embed them again."""
    names = list(names)
    key = hashlib.sha1("\x00".join([embedder.name, *names]).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / f"{kind}-{key}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape == (len(names), embedder.dim):
                return vectors
        except (OSError, ValueError):
            log.warning("vectors %s unreadable: recomputing", path)
    vectors = np.asarray([embedder.embed_query(n) for n in names], dtype=np.float32).reshape(len(names), embedder.dim)
    if path is not None and has_room(path.parent):  # a nearly full disk is left to the index
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
        except OSError:
            log.warning("could not keep vectors in %s", path)
    return vectors
