"""Where a collection lives on disk and the objects that make it up (catalog, embedder, store).

Layout under `MEDBOT_HOME/literature/`:
    chroma/                         Chroma PersistentClient folder (embedded mode)
    <store>/<collection>/           store = "local" or "server-HOST-PORT"
        catalog.sqlite3             chunks and documents (source of truth)
        bm25/                       BM25 index built from the catalog
        fill.lock, fill_status.json, fill.log   dense fill process
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import UserError
from retrieval.catalog import Catalog
from retrieval.config import IndexConfig
from retrieval.embedders import Embedder, make_embedder


@dataclass
class Layout:
    """Paths of one collection."""

    root: Path
    chroma_path: Path | None
    chroma_url: str | None
    collection: str

    @property
    def catalog(self) -> Path:
        return self.root / "catalog.sqlite3"

    @property
    def bm25(self) -> Path:
        return self.root / "bm25"

    @property
    def lock(self) -> Path:
        return self.root / "fill.lock"

    @property
    def fill_status(self) -> Path:
        return self.root / "fill_status.json"

    @property
    def fill_log(self) -> Path:
        return self.root / "fill.log"


def layout_for(settings) -> Layout:
    """The folders of the configured collection (`settings`: an `IndexConfig` or settings carrying one)."""
    r = IndexConfig.coerce(settings)
    base = Path(r.home) / "literature"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,62}[A-Za-z0-9]", r.collection):
        raise UserError(f"bad collection name '{r.collection}': 3-64 letters, digits, '.', '_' or '-'")
    if r.chroma_url:
        from retrieval.store import parse_chroma_url

        host, port, _ = parse_chroma_url(r.chroma_url)
        store = f"server-{host}-{port}"
        return Layout(base / store / r.collection, None, r.chroma_url, r.collection)
    return Layout(base / "local" / r.collection, base / "chroma", None, r.collection)


class LiteratureIndex:
    """Catalog + embedder + vector store of one collection.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
        embedder: an embedder to use instead of the configured one (tests, benchmarks).

    Raises:
        UserError: the catalog was chunked for another embedder.
    """

    def __init__(self, settings, embedder: Embedder | None = None):
        self.config = IndexConfig.coerce(settings)
        self.layout = layout_for(self.config)
        self.embedder = embedder or make_embedder(self.config.embedder, threads=self.config.threads)
        self.custom_embedder = embedder is not None
        self.catalog = Catalog(self.layout.catalog)
        self._check_catalog_embedder()
        self._store = None

    def _check_catalog_embedder(self) -> None:
        mine = json.dumps({"name": self.embedder.name, "config": self.embedder.config()}, sort_keys=True)
        have = self.catalog.get_meta("embedder")
        if have is None:
            self.catalog.set_meta("embedder", mine)
        elif have != mine:
            built = json.loads(have)
            raise UserError(f"collection '{self.layout.collection}' was built with embedder '{built['name']}' "
                            f"({json.dumps(built['config'], sort_keys=True)}); the configured embedder is "
                            f"'{self.embedder.name}': set retrieval.embedder to the one that built it or use another collection")

    @property
    def store(self):
        """The Chroma collection (opened on first use)."""
        if self._store is None:
            from retrieval.store import VectorStore, make_client

            client = make_client(self.layout.chroma_path, self.layout.chroma_url)
            self._store = VectorStore(client, self.layout.collection, self.embedder.name, self.embedder.config())
        return self._store

    def reopen_store(self) -> None:
        """Drop the cached client so the next use sees vectors written by another process."""
        self._store = None
        if self.layout.chroma_path is not None:
            try:
                from chromadb.api.client import SharedSystemClient

                SharedSystemClient.clear_system_cache()
            except Exception:  # noqa: BLE001 - best effort across chromadb versions
                pass

    def close(self) -> None:
        self.catalog.close()
