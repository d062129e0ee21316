"""The vector store: a Chroma collection, embedded (PersistentClient) or on a server (HttpClient).

The collection records which embedder built it (name and config in its metadata); opening it
with another embedder is refused with a message naming the one that built it. Vectors are
always passed explicitly, so Chroma never loads (or downloads) an embedding model itself.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlparse

from retrieval.errors import InternalError, UserError


def parse_chroma_url(url: str) -> tuple[str, int, bool]:
    """`http(s)://HOST:PORT` -> (host, port, ssl).

    Raises:
        UserError: not an http(s) URL with a host.
    """
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise UserError(f"bad Chroma URL '{url}': expected http://HOST:PORT")
    return u.hostname, u.port or (443 if u.scheme == "https" else 8000), u.scheme == "https"


def make_client(path: Path | None = None, url: str | None = None):
    """A Chroma client: HttpClient for `url`, else PersistentClient at `path`.

    Raises:
        UserError: the server does not answer.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if url:
        host, port, ssl = parse_chroma_url(url)
        try:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=cs)
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - connection errors come in many types
            raise UserError(f"cannot reach the Chroma server at {url}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
        return client
    assert path is not None
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=cs)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:160] if text else type(exc).__name__


def _is_connection_error(exc: BaseException) -> bool:
    name = type(exc).__name__
    return isinstance(exc, (ConnectionError, OSError)) and not _is_disk_full(exc) or name in (
        "ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError", "ReadError")


def _is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return getattr(exc, "errno", None) == errno.ENOSPC or "no space left" in text or "database or disk is full" in text


class StoreUnavailable(UserError):
    """The store's server does not answer."""


def _guard(fn, what: str):
    """Run a Chroma call; map its failures to one-line errors that name the repair."""
    try:
        return fn()
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - chromadb, httpx and the Rust bindings raise many types
        if _is_disk_full(exc):
            raise UserError(f"the disk holding the vector store is full ({what} failed): free space, then run "
                            "`medbot index status` (the fill resumes where it stopped)") from None
        if _is_connection_error(exc):
            raise StoreUnavailable(f"the vector store server stopped answering ({what}: {_first_line(exc)}): "
                                   "run `medbot index status` (it restarts the home's server)") from None
        raise InternalError(f"Chroma {what} failed: {_first_line(exc)}; if this repeats, run `medbot index rebuild`") from None


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in meta.items():
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, (list, tuple)):
            v = "|".join(str(x) for x in v)
        out[k] = v if isinstance(v, (str, int, float, bool)) else str(v)
    return out


class VectorStore:
    """One Chroma collection bound to one embedder.

    Args:
        client: a Chroma client (`make_client`).
        collection: collection name.
        embedder_name: `Embedder.name`.
        embedder_config: `Embedder.config()`.
        create: create the collection when missing (ingest); otherwise a missing collection
            reads as empty.
        stale_ok: drop (instead of refusing) a collection another medbot embedder built; the
            caller re-embeds (its catalog already names this embedder).
        reconnect: returns a fresh client when the server stopped answering (one retry).

    Raises:
        UserError: the collection was built by another embedder.
    """

    def __init__(self, client, collection: str, embedder_name: str, embedder_config: dict[str, Any], create: bool = True,
                 stale_ok: bool = False, reconnect=None):
        self.client = client
        self.reconnect = reconnect
        self.name = collection
        self.embedder_name = embedder_name
        self.embedder_config = json.dumps(embedder_config, sort_keys=True)
        self.stale_ok = stale_ok
        self.dropped_stale = False
        self._col = None
        existing = self._find()
        if existing is not None:
            if self._check(existing):
                self._col = existing
            else:
                _guard(lambda: self.client.delete_collection(self.name), "drop stale vectors")
                self.dropped_stale = True
                if create:
                    self._col = self._create()
        elif create:
            self._col = self._create()

    def _find(self):
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - NotFoundError/ValueError depending on the chromadb version
            if _is_connection_error(exc):
                raise StoreUnavailable(f"the vector store server stopped answering ({_first_line(exc)}): "
                                       "run `medbot index status` (it restarts the home's server)") from None
            return None

    def _create(self):
        meta = {"embedder": self.embedder_name, "embedder_config": self.embedder_config, "created_by": "medbot"}

        def create():
            try:
                return self.client.get_or_create_collection(self.name, metadata=meta, embedding_function=None,
                                                            configuration={"hnsw": {"space": "cosine"}})
            except TypeError:
                return self.client.get_or_create_collection(self.name, metadata={**meta, "hnsw:space": "cosine"},
                                                            embedding_function=None)
        return _guard(create, "create the collection")

    def _check(self, col) -> bool:
        """True when `col` was built by this embedder; False for stale vectors that may be dropped."""
        meta = col.metadata or {}
        built = meta.get("embedder")
        if built is None:
            raise UserError(f"Chroma collection '{self.name}' was not built by medbot (no embedder recorded): "
                            "choose another collection name, or run `medbot index rebuild` to replace the store")
        if built != self.embedder_name or meta.get("embedder_config") != self.embedder_config:
            if self.stale_ok:
                return False
            raise UserError(f"collection '{self.name}' was built with embedder '{built}', not the configured "
                            f"'{self.embedder_name}': run `medbot index rebuild` to re-embed it")
        return True

    def _do(self, fn, what: str):
        """A Chroma call; when the server is gone and `reconnect` is set, reconnect once and retry."""
        try:
            return _guard(fn, what)
        except StoreUnavailable:
            if self.reconnect is None:
                raise
            self.client = self.reconnect()
            col = self._find()
            if col is None:
                raise
            self._col = col
            return _guard(fn, what)

    @property
    def exists(self) -> bool:
        return self._col is not None

    def count(self) -> int:
        return self._do(lambda: self._col.count(), "count") if self._col is not None else 0

    def iter_ids(self, page: int = 10000) -> Iterator[str]:
        """All ids in the collection, paged."""
        if self._col is None:
            return
        offset = 0
        while True:
            got = self._do(lambda: self._col.get(limit=page, offset=offset, include=[]), "list ids")
            ids = got["ids"]
            yield from ids
            if len(ids) < page:
                return
            offset += len(ids)

    def max_batch(self) -> int:
        try:
            return int(self.client.get_max_batch_size())
        except Exception:  # noqa: BLE001 - older clients lack it
            return 5000

    def upsert(self, ids: list[str], vectors, documents: list[str], metadatas: list[dict[str, Any]]) -> None:
        """Add or replace vectors (idempotent by id)."""
        if self._col is None:
            self._col = self._create()
        step = self.max_batch()
        for s in range(0, len(ids), step):
            self._do(lambda: self._col.upsert(ids=ids[s:s + step], embeddings=[list(map(float, v)) for v in vectors[s:s + step]],
                                            documents=documents[s:s + step],
                                            metadatas=[_clean_meta(m) for m in metadatas[s:s + step]]), "write")

    def delete(self, ids: list[str]) -> None:
        if self._col is None or not ids:
            return
        step = self.max_batch()
        for s in range(0, len(ids), step):
            self._do(lambda: self._col.delete(ids=ids[s:s + step]), "delete")

    def query(self, vector, n: int, year_min: int | None = None, year_max: int | None = None) -> list[tuple[str, float]]:
        """Nearest chunks to a unit query vector: [(id, cosine similarity)], best first.

        No `count()` first: Chroma returns fewer than `n` from a smaller collection, and a count
        over the full index cost more than the query itself (27 of 40 ms at 105k vectors).
        """
        if self._col is None or n <= 0:
            return []
        conds = []
        if year_min is not None:
            conds.append({"year": {"$gte": int(year_min)}})
        if year_max is not None:
            conds.append({"year": {"$lte": int(year_max)}})
        where = None if not conds else conds[0] if len(conds) == 1 else {"$and": conds}
        res = self._do(lambda: self._col.query(query_embeddings=[list(map(float, vector))], n_results=n,
                                             where=where, include=["distances"]), "query")
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0])]

    def vectors(self, ids: list[str]) -> dict[str, Any]:
        """Stored vectors of these ids (missing ids are left out)."""
        if self._col is None or not ids:
            return {}
        got = self._do(lambda: self._col.get(ids=ids, include=["embeddings"]), "read vectors")
        return {i: e for i, e in zip(got["ids"], got["embeddings"])}
