"""The chunk catalog: one SQLite file that is the source of truth of a collection.

Ingest writes documents and their chunks here, one transaction per input file, so a file is
either fully in or not at all (kill -9 safe). The BM25 index is rebuilt from it and the dense
fill reads the chunks not yet embedded from it, marking them after Chroma stored them.
A `generation` counter changes with every committed change, so indexes can tell they are stale.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from retrieval.types import Chunk, Document

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, version TEXT NOT NULL,
    year INTEGER, pub_types TEXT NOT NULL DEFAULT '', meta TEXT NOT NULL DEFAULT '{}',
    deleted INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ord INTEGER NOT NULL, text TEXT NOT NULL,
    context TEXT NOT NULL, ntok INTEGER NOT NULL, section TEXT NOT NULL DEFAULT '', page INTEGER,
    embedded INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_pending_id ON chunks(embedded, id);
CREATE TABLE IF NOT EXISTS files (digest TEXT PRIMARY KEY, path TEXT NOT NULL, docs INTEGER NOT NULL,
    chunks INTEGER NOT NULL, done_at REAL NOT NULL);
"""


@dataclass
class ApplyStats:
    """What one `apply` changed."""

    docs_added: int = 0
    docs_replaced: int = 0
    docs_deleted: int = 0
    docs_unchanged: int = 0
    docs_older_skipped: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0

    def add(self, other: "ApplyStats") -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _pub_types_field(types: Iterable[str]) -> str:
    # "|A|B|" so that LIKE '%|A|%' matches whole names
    names = [t.strip() for t in types if t and t.strip()]
    return "|" + "|".join(names) + "|" if names else ""


class Catalog:
    """SQLite catalog of one collection.

    Args:
        path: the database file (created with its folder).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), timeout=60, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    # --- meta -----------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        return int(self.get_meta("generation", "0"))

    # --- writes ---------------------------------------------------------------------------
    def file_done(self, digest: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE digest=?", (digest,)).fetchone() is not None

    def apply(self, items: list[tuple[Document, list[Chunk]]], file_digest: str | None = None,
              file_path: str = "") -> ApplyStats:
        """Write documents and their chunks in one transaction.

        The larger `Document.version` wins when a doc_id is seen again (equal versions: the
        later one wins); a deletion notice removes the document and keeps a tombstone so that
        an older version read later does not come back.

        Args:
            items: (document, its chunks) in file order.
            file_digest: marks the input file as done in the same transaction.
            file_path: shown in listings.

        Returns:
            Counts of what changed.
        """
        st = ApplyStats()
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            for doc, chunks in items:
                row = cur.execute("SELECT version, deleted FROM docs WHERE doc_id=?", (doc.doc_id,)).fetchone()
                if row is not None and row[0] > doc.version:
                    st.docs_older_skipped += 1
                    continue
                old_ids = {r[0] for r in cur.execute("SELECT id FROM chunks WHERE doc_id=?", (doc.doc_id,))}
                if doc.deleted:
                    if row is not None and not row[1]:
                        st.docs_deleted += 1
                    cur.execute("DELETE FROM chunks WHERE doc_id=?", (doc.doc_id,))
                    st.chunks_removed += len(old_ids)
                    cur.execute("INSERT OR REPLACE INTO docs(doc_id, kind, title, version, deleted) VALUES (?,?,?,?,1)",
                                (doc.doc_id, doc.kind, doc.title, doc.version))
                    continue
                new_ids = {c.id for c in chunks}
                gone = old_ids - new_ids
                if gone:
                    cur.executemany("DELETE FROM chunks WHERE id=?", [(i,) for i in gone])
                    st.chunks_removed += len(gone)
                fresh = [c for c in chunks if c.id not in old_ids]
                cur.executemany(
                    "INSERT OR IGNORE INTO chunks(id, doc_id, ord, text, context, ntok, section, page) VALUES (?,?,?,?,?,?,?,?)",
                    [(c.id, c.doc_id, c.ord, c.text, c.context, c.ntok, c.section, c.page) for c in fresh])
                st.chunks_added += len(fresh)
                meta = {k: v for k, v in doc.meta.items() if v not in (None, "", [])}
                cur.execute(
                    "INSERT OR REPLACE INTO docs(doc_id, kind, title, version, year, pub_types, meta, deleted) VALUES (?,?,?,?,?,?,?,0)",
                    (doc.doc_id, doc.kind, doc.title, doc.version, doc.meta.get("year"),
                     _pub_types_field(doc.meta.get("pub_types") or []), json.dumps(meta, ensure_ascii=False)))
                if row is None or row[1]:
                    st.docs_added += 1
                elif gone or fresh:
                    st.docs_replaced += 1
                else:
                    st.docs_unchanged += 1
            if st.chunks_added or st.chunks_removed or st.docs_deleted:
                cur.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('generation', ?)",
                            (str(self.generation + 1),))
            if file_digest:
                cur.execute("INSERT OR REPLACE INTO files(digest, path, docs, chunks, done_at) VALUES (?,?,?,?,?)",
                            (file_digest, file_path, len(items), sum(len(c) for _, c in items), time.time()))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return st

    def mark_embedded(self, ids: list[str], value: int = 1) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("UPDATE chunks SET embedded=? WHERE id=?", [(value, i) for i in ids])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def set_embedded_exactly(self, ids_in_store: set[str]) -> None:
        """Make the `embedded` flags equal to membership in the vector store."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS _in_store(id TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM _in_store")
            self.db.executemany("INSERT OR IGNORE INTO _in_store(id) VALUES (?)", [(i,) for i in ids_in_store])
            self.db.execute("UPDATE chunks SET embedded = (id IN (SELECT id FROM _in_store))")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # --- reads ----------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        total, done = self.db.execute("SELECT COUNT(*), COALESCE(SUM(embedded), 0) FROM chunks").fetchone()
        docs = self.db.execute("SELECT COUNT(*) FROM docs WHERE deleted=0").fetchone()[0]
        pending_tok = self.db.execute("SELECT COALESCE(SUM(ntok), 0) FROM chunks WHERE embedded=0").fetchone()[0]
        return {"docs": docs, "chunks": total, "embedded": int(done), "pending_tokens": int(pending_tok)}

    def embedded_total(self) -> tuple[int, int]:
        """(chunks with a vector, all chunks) in one query."""
        total, done = self.db.execute("SELECT COUNT(*), COALESCE(SUM(embedded), 0) FROM chunks").fetchone()
        return int(done), int(total)

    def all_chunk_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM chunks")}

    def iter_lexical(self) -> Iterator[tuple[str, str, int | None, str, str]]:
        """(chunk id, indexed text, year, pub_types field, document kind) in a stable order."""
        q = ("SELECT c.id, c.context, c.text, d.year, d.pub_types, d.kind FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
             "ORDER BY c.doc_id, c.ord")
        for cid, ctx, text, year, pts, kind in self.db.execute(q):
            yield cid, (f"{ctx}\n{text}" if ctx else text), year, pts, kind

    def pending(self, limit: int) -> list[tuple[str, str, int]]:
        """Up to `limit` chunks without a vector, bundled knowledge (NIH answers, guideline summaries)
        first, then the rest, each in id order: (id, indexed text, ntok).

        Ids are content hashes, so this order is a random mix of short and long chunks and the
        rate measured on the first blocks predicts the rest (the encoder sorts each block by
        length itself, so padding stays low).
        """
        from retrieval.collections import KIND_COLLECTION

        # Answers need the NIH answers and guideline summaries first: their chunks go before the literature.
        first = sorted(KIND_COLLECTION)
        rows = [] if getattr(self, "_knowledge_embedded", False) else self.db.execute(
            f"SELECT c.id, c.context, c.text, c.ntok FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
            f"WHERE c.embedded=0 AND d.kind IN ({','.join('?' * len(first))}) ORDER BY c.id LIMIT ?",
            (*first, limit)).fetchall()
        if len(rows) < limit:
            self._knowledge_embedded = True  # none left: later calls skip the join (new ingests open a new catalog)
            rows += self.db.execute("SELECT id, context, text, ntok FROM chunks WHERE embedded=0 ORDER BY id LIMIT ?",
                                    (limit + len(rows),)).fetchall()
            seen: set[str] = set()
            rows = [r for r in rows if not (r[0] in seen or seen.add(r[0]))][:limit]
        return [(i, (f"{c}\n{t}" if c else t), n) for i, c, t, n in rows]

    def chunk_rows(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Chunks with their document fields, keyed by chunk id (missing ids are left out)."""
        out: dict[str, dict[str, Any]] = {}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            q = ("SELECT c.id, c.doc_id, c.text, c.context, c.section, c.page, c.embedded, d.kind, d.title, d.year, "
                 f"d.pub_types, d.meta FROM chunks c JOIN docs d ON d.doc_id = c.doc_id WHERE c.id IN ({','.join('?' * len(part))})")
            for r in self.db.execute(q, part):
                out[r[0]] = {"id": r[0], "doc_id": r[1], "text": r[2], "context": r[3], "section": r[4], "page": r[5],
                             "embedded": bool(r[6]), "kind": r[7], "title": r[8], "year": r[9],
                             "pub_types": [p for p in r[10].split("|") if p], "meta": json.loads(r[11] or "{}")}
        return out

    def doc_chunk_texts(self, doc_id: str) -> list[str]:
        """The texts of a document's chunks in reading order."""
        return [r[0] for r in self.db.execute("SELECT text FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))]

    def documents(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Live documents with their fields (for benchmarks and listings)."""
        q = "SELECT doc_id, kind, title, year, pub_types, meta FROM docs WHERE deleted=0 ORDER BY doc_id"
        if limit:
            q += f" LIMIT {int(limit)}"
        return [{"doc_id": r[0], "kind": r[1], "title": r[2], "year": r[3],
                 "pub_types": [p for p in r[4].split("|") if p], "meta": json.loads(r[5] or "{}")}
                for r in self.db.execute(q)]

    def count_kinds(self) -> dict[str, int]:
        """Live documents per kind."""
        return dict(self.db.execute("SELECT kind, COUNT(*) FROM docs WHERE deleted=0 GROUP BY kind").fetchall())

    def questions(self, kind: str, chunks_per_doc: int = 3) -> list[tuple[str, str, dict[str, Any], list[str]]]:
        """(doc_id, title, meta, first chunk ids) of the live documents of one kind, by doc_id."""
        chunks: dict[str, list[str]] = {}
        q = ("SELECT c.doc_id, c.id FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
             "WHERE d.kind=? AND d.deleted=0 ORDER BY c.doc_id, c.ord")
        for doc_id, cid in self.db.execute(q, (kind,)):
            lst = chunks.setdefault(doc_id, [])
            if len(lst) < chunks_per_doc:
                lst.append(cid)
        rows = self.db.execute("SELECT doc_id, title, meta FROM docs WHERE kind=? AND deleted=0 ORDER BY doc_id", (kind,))
        return [(i, t, json.loads(m or "{}"), chunks.get(i, [])) for i, t, m in rows]

    def sections(self, kind: str, chunks_per_section: int = 3) -> list[tuple[str, str, str, dict[str, Any], list[str]]]:
        """(doc_id, section, title, meta, first chunk ids) of each section of the live documents of one kind."""
        out: dict[tuple[str, str], tuple[str, str, str, dict[str, Any], list[str]]] = {}
        q = ("SELECT c.doc_id, c.section, c.id, d.title, d.meta FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
             "WHERE d.kind=? AND d.deleted=0 ORDER BY c.doc_id, c.ord")
        for doc_id, section, cid, title, meta in self.db.execute(q, (kind,)):
            key = (doc_id, section)
            if key not in out:
                out[key] = (doc_id, section, title, json.loads(meta or "{}"), [])
            if len(out[key][4]) < chunks_per_section:
                out[key][4].append(cid)
        return list(out.values())

    def chunks_of(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id=? ORDER BY ord", (doc_id,))]
