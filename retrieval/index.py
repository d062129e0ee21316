"""Where a collection lives on disk and the objects that make it up (catalog, embedder, store).

Layout under `MEDBOT_HOME/literature/`:
    chroma/                         Chroma data folder, owned by one supervised server (or, in
                                    embedded mode, by one process): see retrieval/chroma_server.py
    fill.lock, fill.json, fill.log  the home's one dense fill (retrieval/dense_fill.py)
    answering/                      markers of questions being answered (the fill pauses)
    <store>/<collection>/           store = "local" or "server-HOST-PORT" (an external server);
                                    collection "knowledge" ("medline" in homes built before the rename)
        catalog.sqlite3             chunks and documents (source of truth)
        bm25/                       BM25 index built from the catalog
        fill_status.json            progress of this collection's fill
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import UserError
from retrieval.catalog import Catalog
from retrieval.config import DEFAULT_COLLECTION, LEGACY_COLLECTION, IndexConfig
from retrieval.embedders import Embedder, make_embedder

log = logging.getLogger(__name__)


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
    def base(self) -> Path:
        """`MEDBOT_HOME/literature`."""
        return self.root.parent.parent

    @property
    def lock(self) -> Path:
        """One dense fill per data folder, whatever the collection."""
        return self.base / "fill.lock"

    @property
    def fill_status(self) -> Path:
        return self.root / "fill_status.json"

    @property
    def fill_log(self) -> Path:
        return self.base / "fill.log"


def resolve_collection(store_folder: Path, name: str) -> str:
    """The collection a configured name means in one store folder (`literature/local` or `literature/server-...`).

    The default name (`DEFAULT_COLLECTION`) means the older `LEGACY_COLLECTION` in a folder that
    holds a catalog of that one and none of the default: a home built before the rename keeps its
    catalog, BM25 and vectors as they are (nothing is moved or re-embedded). Any other name is itself.
    """
    if name != DEFAULT_COLLECTION:
        return name
    folder = Path(store_folder)
    if not (folder / name / "catalog.sqlite3").is_file() and (folder / LEGACY_COLLECTION / "catalog.sqlite3").is_file():
        return LEGACY_COLLECTION
    return name


def layout_for(settings) -> Layout:
    """The folders of the configured collection (`settings`: an `IndexConfig` or settings carrying one)."""
    r = IndexConfig.coerce(settings)
    base = Path(r.home) / "literature"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,62}[A-Za-z0-9]", r.collection):
        raise UserError(f"bad collection name '{r.collection}': 3-64 letters, digits, '.', '_' or '-'")
    if r.chroma_url:
        from retrieval.store import parse_chroma_url

        host, port, _ = parse_chroma_url(r.chroma_url)
        folder = base / f"server-{host}-{port}"
        name = resolve_collection(folder, r.collection)
        return Layout(folder / name, None, r.chroma_url, name)
    name = resolve_collection(base / "local", r.collection)
    return Layout(base / "local" / name, base / "chroma", None, name)


def _same_tokens(a: dict, b_name: str, b_config: dict) -> bool:
    """Whether chunks sized for embedder record `a` fit embedder `b` (same MiniLM tokenizer and limit)."""
    minilm = {"all-MiniLM-L6-v2", "model"}  # "model": the bundled sentence-transformers folder's name
    cfg = a.get("config") or {}
    return (cfg.get("model") in minilm and b_config.get("model") in minilm
            and cfg.get("max_seq_length") == b_config.get("max_seq_length"))


class LiteratureIndex:
    """Catalog + embedder + vector store of one collection.

    Args:
        settings: an `IndexConfig`, or application settings `IndexConfig.coerce` accepts.
        embedder: an embedder to use instead of the configured one (tests, benchmarks).

    Attributes:
        upgraded: a one-line note when opening re-targeted the index to the configured embedder
            (a home built by the previous release with torch MiniLM); None otherwise.

    Raises:
        UserError: the catalog was built for another embedder (the message names the repair command).
    """

    def __init__(self, settings, embedder: Embedder | None = None):
        self.config = IndexConfig.coerce(settings)
        self.layout = layout_for(self.config)
        self.embedder = embedder or make_embedder(self.config.embedder, threads=self.config.threads)
        self.custom_embedder = embedder is not None
        self.catalog = Catalog(self.layout.catalog)
        self.upgraded: str | None = None
        self._check_catalog_embedder()
        self._store = None
        self._owner = None
        self._checked_at = 0.0
        self._url: str | None = None

    def _record(self) -> str:
        return json.dumps({"name": self.embedder.name, "config": self.embedder.config()}, sort_keys=True)

    def _check_catalog_embedder(self) -> None:
        mine = self._record()
        have = self.catalog.get_meta("embedder")
        if have is None:
            self.catalog.set_meta("embedder", mine)
            return
        if have == mine:
            return
        built = json.loads(have)
        if _same_tokens(built, self.embedder.name, self.embedder.config()) \
                and self.embedder.name.startswith(("onnx:", "openvino:")):
            # A home of an earlier release (torch or int8 MiniLM), or one moved to a machine with
            # another default: same chunks, other vectors. Re-embed in place; BM25 serves meanwhile.
            self.retarget()
            self.upgraded = (f"collection '{self.layout.collection}' was embedded with {built['name']}; "
                             f"its vectors are being rebuilt with {self.embedder.name}")
            log.warning(self.upgraded)
            return
        raise UserError(f"collection '{self.layout.collection}' was built with embedder '{built['name']}', "
                        f"not the configured '{self.embedder.name}': run `medbot index rebuild` to re-embed it, "
                        f"or set retrieval.embedder back")

    def retarget(self) -> None:
        """Record the configured embedder and mark every chunk as not embedded (vectors are redone).

        The old vectors are dropped when the store is next opened (its collection names another
        embedder than the catalog), so old and new vectors are never mixed.
        """
        self.catalog.set_meta("embedder", self._record())
        self.catalog.set_embedded_exactly(set())

    @property
    def managed(self) -> bool:
        """True when the store is the home's supervised Chroma server (the default)."""
        return self.layout.chroma_url is None and self.config.store == "server"

    @property
    def store(self):
        """The Chroma collection (opened on first use; reconnected if the home's server restarted)."""
        if self.managed and self._store is not None and time.time() - self._checked_at > 30:
            from retrieval.chroma_server import ensure_server

            self._checked_at = time.time()
            if ensure_server(self.layout.chroma_path, unreachable_s=self.config.unreachable_s) != self._url:
                self._store = None
        if self._store is None:
            from retrieval.store import VectorStore, make_client

            if self.layout.chroma_url is not None:
                client = make_client(url=self.layout.chroma_url)
            elif self.managed:
                client = self._reconnect()
            else:
                from retrieval.chroma_server import OwnerLock

                if self._owner is None:
                    owner = OwnerLock(self.layout.chroma_path)
                    if not owner.acquire():
                        raise UserError(f"the vector store {self.layout.chroma_path} is in use by another process "
                                        "(embedded mode allows one): use the default store mode 'server', "
                                        "or run `medbot index stop`")
                    self._owner = owner
                client = make_client(self.layout.chroma_path)
            self._store = VectorStore(client, self.layout.collection, self.embedder.name, self.embedder.config(),
                                      stale_ok=True, reconnect=self._reconnect if self.managed else None)
            if self._store.dropped_stale:
                self.catalog.set_embedded_exactly(set())
        return self._store

    def _reconnect(self):
        """A client of the home's server, restarting it if it stopped (idle timeout, crash)."""
        from retrieval.chroma_server import ensure_server
        from retrieval.store import make_client

        self._url = ensure_server(self.layout.chroma_path, unreachable_s=self.config.unreachable_s)
        self._checked_at = time.time()
        return make_client(url=self._url)

    def reopen_store(self) -> None:
        """Drop the cached client so the next use sees vectors written by another process."""
        self._store = None
        if self.layout.chroma_path is not None and not self.managed:
            try:
                from chromadb.api.client import SharedSystemClient

                SharedSystemClient.clear_system_cache()
            except Exception:  # noqa: BLE001 - best effort across chromadb versions
                pass

    def close(self) -> None:
        self.catalog.close()
        self._store = None
        if self._owner is not None:
            self._owner.release()
            self._owner = None
