"""Is a string anywhere in the documents (or in one of them)? Answered from character-bigram postings
over the documents' squashed text, so a question's words are looked up in time proportional to their
occurrences, not to the size of the corpus (`key in text` scans ~15M characters at 100k chunks).

The text is stored as dense character codes; occurrences of a key's rarest bigram are the candidates,
checked character by character with numpy. `save`/`load` keep the arrays on disk (memory-mapped).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

_FILES = ("codes", "keys", "starts", "positions", "chunk_starts")


class SubstringIndex:
    def __init__(self, chunks: Sequence[tuple[str, str, str]]) -> None:
        """`chunks`: (chunk id, document id, squashed text) of every chunk, a document's chunks together
        and in order: the text searched is theirs joined."""
        text = "".join(t for _, _, t in chunks)
        alphabet = sorted(set(text))
        self._char = {ch: i for i, ch in enumerate(alphabet)}
        lookup = {ord(ch): i for ch, i in self._char.items()}
        raw = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        # Dense codes: fewer distinct characters than 65,536 in any realistic corpus, else 32 bits.
        dtype = np.uint16 if len(alphabet) < 2**16 else np.uint32
        if len(raw):
            table_keys = np.fromiter(lookup.keys(), dtype=np.uint32, count=len(lookup))
            table_vals = np.fromiter(lookup.values(), dtype=np.int64, count=len(lookup))
            order = np.argsort(table_keys)
            codes = table_vals[order][np.searchsorted(table_keys[order], raw)].astype(dtype)
        else:
            codes = np.zeros(0, dtype=dtype)
        pairs = codes[:-1].astype(np.uint64) * len(alphabet) + codes[1:] if len(codes) > 1 else np.zeros(0, np.uint64)
        positions = np.argsort(pairs, kind="stable").astype(np.int64 if len(pairs) >= 2**31 else np.int32)
        keys, starts = np.unique(pairs[positions], return_index=True)
        ranges: dict[str, tuple[int, int]] = {}
        pos = 0
        for _, doc, t in chunks:
            ranges[doc] = (ranges.get(doc, (pos, pos))[0], pos + len(t))
            pos += len(t)
        chunk_starts = np.concatenate([[0], np.cumsum([len(t) for _, _, t in chunks], dtype=np.int64)]).astype(np.int64)
        self._setup(codes, keys, np.append(starts, len(positions)).astype(np.int64), positions, ranges, chunk_starts,
                    [cid for cid, _, _ in chunks])

    def _setup(self, codes, keys, starts, positions, ranges: dict[str, tuple[int, int]], chunk_starts,
               chunk_ids: list[str]) -> None:
        self._codes = codes
        self._keys = keys
        self._starts = starts
        self._positions = positions
        self._ranges = ranges
        self._chunk_starts = chunk_starts
        self._chunk_ids = chunk_ids
        self._n = len(self._char)
        order = sorted(ranges.items(), key=lambda kv: kv[1])  # documents in text order
        self._doc_ids = [d for d, _ in order]
        self._doc_starts = np.asarray([r[0] for _, r in order], dtype=np.int64)
        self._doc_ends = np.asarray([r[1] for _, r in order], dtype=np.int64)

    # --- on disk -----------------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in zip(_FILES, (self._codes, self._keys, self._starts, self._positions, self._chunk_starts)):
            np.save(folder / f"{name}.npy", array)
        meta = {"alphabet": "".join(self._char), "ranges": self._ranges, "chunks": self._chunk_ids}
        (folder / "substrings.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "SubstringIndex":
        meta = json.loads((folder / "substrings.json").read_text(encoding="utf-8"))
        arrays = [np.load(folder / f"{name}.npy", mmap_mode="r") for name in _FILES]
        self = cls.__new__(cls)
        self._char = {ch: i for i, ch in enumerate(meta["alphabet"])}
        self._setup(arrays[0], arrays[1], arrays[2], arrays[3], {d: tuple(r) for d, r in meta["ranges"].items()}, arrays[4],
                    meta["chunks"])
        return self

    # --- looking up --------------------------------------------------------------------------------

    def _occurrences(self, key: str, lo: int, hi: int) -> np.ndarray:
        """Start positions of `key` (squashed, ≥ 1 character) in text[lo:hi]."""
        ids = [self._char.get(ch) for ch in key]
        if None in ids or hi - lo < len(key):
            return np.zeros(0, dtype=np.int64)
        if len(key) == 1:
            return lo + np.flatnonzero(self._codes[lo:hi] == ids[0])
        best = None
        for j in range(len(key) - 1):
            pair = ids[j] * self._n + ids[j + 1]
            k = int(np.searchsorted(self._keys, pair))
            if k == len(self._keys) or int(self._keys[k]) != pair:
                return np.zeros(0, dtype=np.int64)
            count = int(self._starts[k + 1] - self._starts[k])
            if best is None or count < best[0]:
                best = (count, j, k)
        _, j, k = best
        cands = np.asarray(self._positions[self._starts[k] : self._starts[k + 1]], dtype=np.int64) - j
        cands = cands[(cands >= lo) & (cands + len(key) <= hi)]
        for i, code in enumerate(ids):
            if not len(cands):
                break
            cands = cands[self._codes[cands + i] == code]
        return cands

    def contains(self, key: str, doc_id: str | None = None) -> bool:
        if not key:
            return False
        lo, hi = self._ranges.get(doc_id, (0, 0)) if doc_id is not None else (0, len(self._codes))
        return bool(len(self._occurrences(key, lo, hi)))

    def documents_containing(self, key: str) -> frozenset[str]:
        """Ids of the documents whose text holds `key` (squashed): one lookup instead of one per document."""
        if not key:
            return frozenset()
        found = self._occurrences(key, 0, len(self._codes))
        if not len(found):
            return frozenset()
        k = np.searchsorted(self._doc_starts, found, side="right") - 1
        inside = (k >= 0) & (found + len(key) <= self._doc_ends[np.maximum(k, 0)])
        return frozenset(self._doc_ids[i] for i in np.unique(k[inside]))

    def chunks_containing(self, key: str) -> frozenset[str]:
        """Ids of the chunks where an occurrence of `key` (squashed) begins or ends: every chunk whose
        text holds it, and a few where it straddles two chunks (callers check each passage)."""
        if not key:
            return frozenset()
        found = self._occurrences(key, 0, len(self._codes))
        first = np.searchsorted(self._chunk_starts, found, side="right") - 1
        last = np.searchsorted(self._chunk_starts, found + len(key) - 1, side="right") - 1
        return frozenset(self._chunk_ids[i] for i in np.unique(np.concatenate([first, last])))
