"""What the UI knows about the library, read through the application API only (no Gradio).

A `Catalog` is an immutable snapshot (documents, their profiles, which ones the user may delete); after
an upload or a deletion `Library.reload()` replaces it whole, so a handler that read it once sees one
consistent state. Field maps are computed per document selection and cached for the current snapshot.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from assistant import is_user_document, prefectures_of
from ui.japan import unit_colors
from ui.render.sources import DocMeta

log = logging.getLogger("ui")

MAP_CACHE = 16  # field maps kept per snapshot (one per document selection in use)


@dataclass(frozen=True)
class Catalog:
    version: int
    documents: tuple[Any, ...]  # ParsedDocument, in the library's order
    metas: dict[str, DocMeta]
    removable: frozenset[str]  # the user's own documents (the bundled plans cannot be deleted)

    def parsed(self, doc_id: str | None) -> Any | None:
        return next((p for p in self.documents if p.document.doc_id == doc_id), None)

    def title(self, doc_id: str) -> str:
        return self.metas.get(doc_id, DocMeta(title=doc_id)).title

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(title, doc_id) for dropdowns; a title shared by two documents gets its id appended."""
        titles = [p.document.title for p in self.documents]
        return [(t if titles.count(t) == 1 else f"{t}（{p.document.doc_id}）", p.document.doc_id)
                for t, p in zip(titles, self.documents)]

    def known(self, doc_ids: Iterable[Any]) -> list[str]:
        ids = {p.document.doc_id for p in self.documents}
        return [d for d in dict.fromkeys(doc_ids or []) if isinstance(d, str) and d in ids]


@dataclass(frozen=True)
class MapData:
    """One field map with what drawing it needs."""

    fm: Any  # assistant.types.Matrix
    colors: dict[str, str]
    areas: dict[str, list[str]]  # unit → prefectures (empty: not on the map)
    passages: dict[str, Any] = field(default_factory=dict)  # chunk_id → passage around each cited item

    @property
    def drawable(self) -> bool:
        """Whether any column is a place on the map (else the tab shows no map)."""
        return any(self.areas.values())


def _meta(parsed: Any, profile: Any) -> DocMeta:
    doc = parsed.document
    return DocMeta(
        title=getattr(profile, "title", "") or doc.title,
        noun=getattr(profile, "unit_noun", "") or "",
        publisher=getattr(doc, "publisher", "") or "",
        date=str(getattr(doc, "date", "") or ""),
    )


class Library:
    """The current Catalog of one Assistant, and field maps per document selection."""

    def __init__(self, bot) -> None:
        self.bot = bot
        self._lock = threading.Lock()
        self._maps: OrderedDict[tuple, MapData] = OrderedDict()
        self.catalog = self._derive(0)

    def _derive(self, version: int) -> Catalog:
        documents = tuple(self.bot.documents())
        profiles = self.bot.profiles()
        docs_dir = self.bot.settings.documents_dir
        return Catalog(
            version=version,
            documents=documents,
            metas={p.document.doc_id: _meta(p, profiles.get(p.document.doc_id)) for p in documents},
            removable=frozenset(p.document.doc_id for p in documents
                                if is_user_document(docs_dir, p.document.source_path)),
        )

    def reload(self) -> Catalog:
        """A new snapshot after the library changed (this process or another one)."""
        with self._lock:
            self.catalog = self._derive(self.catalog.version + 1)
            self._maps.clear()
            return self.catalog

    def metas_for(self, citations: Sequence[Any]) -> dict[str, DocMeta]:
        """What the cards say about each cited document: the library's documents, and those deleted since
        the answer (named by the title the citation kept, marked deleted)."""
        metas = dict(self.catalog.metas)
        for c in citations:
            doc_id = c.get("doc_id") if isinstance(c, dict) else getattr(c, "doc_id", "")
            if doc_id and doc_id not in metas:
                title = c.get("title") if isinstance(c, dict) else getattr(c, "title", "")
                metas[doc_id] = DocMeta(title=str(title or doc_id), deleted=True)
        return metas

    def passages(self, citations: Sequence[Any]) -> dict[str, Any]:
        """chunk_id → the passage around each citation (a passage that is gone is left out)."""
        out: dict[str, Any] = {}
        for c in citations:
            cid = c.get("chunk_id") if isinstance(c, dict) else getattr(c, "chunk_id", "")
            if cid and cid not in out:
                try:
                    out[cid] = self.bot.passage(cid)
                except KeyError:  # its document was removed since the answer was given
                    continue
        return out

    def field_map(self, doc_ids: Sequence[str] | None = None) -> MapData:
        """The matrix of the chosen documents (None or empty: the bundled plans), cached per snapshot: a plan's
        units × fields, or any documents' parts × recurring headings (`Assistant.matrix`)."""
        catalog = self.catalog
        ids = tuple(catalog.known(doc_ids or ()))
        key = (catalog.version, ids)
        with self._lock:
            if key in self._maps:
                self._maps.move_to_end(key)
                return self._maps[key]
        fm = self.bot.matrix(doc_ids=list(ids) or None)
        data = MapData(
            fm=fm,
            colors=unit_colors(fm.units),
            # only a plan's units are places; a chapter that happens to be named after one is not
            areas={u: prefectures_of(u) if str(fm.kind) == "units" else [] for u in fm.units},
            passages=self.passages([c for cell in fm.cells.values() for c in cell.citations]),
        )
        with self._lock:
            if catalog is self.catalog:
                self._maps[key] = data
                while len(self._maps) > MAP_CACHE:
                    self._maps.popitem(last=False)
        return data
