"""Ingest: read files -> chunk -> catalog (one transaction per file) -> BM25 -> dense fill.

A file that fails (corrupt XML, empty/encrypted PDF, binary, unreadable) is reported with a
one-line error and adds nothing; the other files are still indexed. A file already ingested
(same bytes) is skipped, so running ingest again after a crash finishes the job.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Literal

from retrieval.errors import UserError
from retrieval.catalog import ApplyStats
from retrieval.chunking import chunk_document, chunk_documents  # noqa: F401 - chunk_documents: public here too
from retrieval.index import LiteratureIndex
from retrieval.types import Document


# Inputs larger than this (all files together) are parsed in 2 worker processes.
PARALLEL_MIN_BYTES = 20 << 20


@dataclass
class IngestOptions:
    """What to ingest and how.

    Attributes:
        paths: files or folders; empty = the default corpus (bundled consumer answers and
            guideline summaries, then MEDLINE).
        dense: "foreground" embeds now (with progress), "background" starts a detached filler,
            "none" leaves vectors for later (BM25 serves at once).
        batch_size: encoder batch size.
    """

    paths: list[Path] = field(default_factory=list)
    dense: Literal["foreground", "background", "none"] = "foreground"
    batch_size: int = 64


@dataclass
class FileOutcome:
    path: str
    status: str  # ok | skipped | failed
    docs: int = 0
    chunks: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    files: list[FileOutcome] = field(default_factory=list)
    stats: ApplyStats = field(default_factory=ApplyStats)
    bm25_docs: int = 0
    dense: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    def to_json(self) -> dict:
        return {"files": [asdict(f) for f in self.files], "stats": asdict(self.stats), "bm25_docs": self.bm25_docs,
                "dense": self.dense}


def _user_file_identity(doc: Document, path: Path) -> Document:
    """User files: id from the resolved path (re-ingesting an edited file replaces it), version = mtime."""
    if doc.kind == "file" and doc.doc_id.startswith("file:"):
        key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
        doc.doc_id = f"file:{key}"
    if not doc.version:
        doc.version = f"{path.stat().st_mtime_ns:020d}"
    return doc


def _digest(path: Path) -> str:
    from retrieval.readers import file_digest

    if path.is_dir() or not path.exists():
        raise UserError(f"{path}: no such file")
    try:
        return file_digest(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None


def prepare_file(path: Path, embedder) -> tuple[list[tuple[Document, list]] | None, str | None]:
    """Read and chunk one file (no writes; runs in worker processes too).

    Returns:
        (items, None) or (None, one-line error).
    """
    from retrieval.readers import read_documents

    try:
        docs = [_user_file_identity(d, path) for d in read_documents(path)]
        return [(d, [] if d.deleted else chunk_document(d, embedder.count_tokens, embedder.max_tokens)) for d in docs], None
    except UserError as exc:
        return None, str(exc)


def _commit(index: LiteratureIndex, path: Path, digest: str, prepared) -> tuple[FileOutcome, ApplyStats]:
    items, error = prepared
    if error is not None:
        return FileOutcome(str(path), "failed", error=error), ApplyStats()
    st = index.catalog.apply(items, file_digest=digest, file_path=str(path))
    return FileOutcome(str(path), "ok", docs=len(items), chunks=st.chunks_added), st


def ingest_file(index: LiteratureIndex, path: Path) -> tuple[FileOutcome, ApplyStats]:
    """Read, chunk and commit one file (all or nothing).

    Returns:
        (outcome, what changed); failures are reported in the outcome, not raised.
    """
    try:
        digest = _digest(path)
    except UserError as exc:
        return FileOutcome(str(path), "failed", error=str(exc)), ApplyStats()
    if index.catalog.file_done(digest):
        return FileOutcome(str(path), "skipped"), ApplyStats()
    return _commit(index, path, digest, prepare_file(path, index.embedder))


def _ingest_parallel(index: LiteratureIndex, files: list[Path], workers: int):
    """Yield (outcome, stats) per file: large files are read and chunked in worker processes
    (spawned, so no inherited threads), committed here in file order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    todo = []
    for f in files:
        try:
            digest = _digest(f)
        except UserError as exc:
            yield FileOutcome(str(f), "failed", error=str(exc)), ApplyStats()
            continue
        if index.catalog.file_done(digest):
            yield FileOutcome(str(f), "skipped"), ApplyStats()
        else:
            todo.append((f, digest))
    if not todo:
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [(f, digest, pool.submit(prepare_file, f, index.embedder)) for f, digest in todo]
        for f, digest, fut in futures:
            yield _commit(index, f, digest, fut.result())


def ensure_lexical(index: LiteratureIndex, show_progress: bool = False) -> int:
    """Rebuild the BM25 index if the catalog changed since it was built; returns its size."""
    from retrieval.lexical import build_lexical_index, lexical_generation

    if lexical_generation(index.layout.bm25) != index.catalog.generation:
        return build_lexical_index(index.catalog, index.layout.bm25, show_progress=show_progress)
    return index.catalog.counts()["chunks"]


def ingest_lexical(index: LiteratureIndex, paths: list[Path], on_file: Callable[[FileOutcome], None] | None = None,
                   show_progress: bool = False) -> IngestReport:
    """Files into the catalog, then the BM25 index (no vectors yet).

    Args:
        index: the collection.
        paths: files or folders; empty = the default corpus: the bundled knowledge (consumer
            answers, guideline summaries), then the MEDLINE files.
        on_file: called after each file (progress, error lines).
    """
    from retrieval.corpus import default_corpus_files
    from retrieval.readers import discover

    report = IngestReport()
    if not paths:
        from retrieval.knowledge import ensure_bundled

        for b in ensure_bundled(index):
            out = FileOutcome(b.name, b.status, docs=b.docs, chunks=b.chunks, error=b.error)
            report.stats.add(b.stats)
            report.files.append(out)
            if on_file:
                on_file(out)
        if any(f.status == "ok" for f in report.files):
            ensure_lexical(index, show_progress=show_progress)  # searchable before MEDLINE is parsed
    if paths:
        files, errors = discover(list(paths))
        for e in errors:
            out = FileOutcome(e.split(":", 1)[0], "failed", error=e)
            report.files.append(out)
            if on_file:
                on_file(out)
    else:
        files = default_corpus_files()
    big = sum(f.stat().st_size for f in files if f.is_file()) > PARALLEL_MIN_BYTES
    workers = min(2, os.cpu_count() or 1)
    results = (_ingest_parallel(index, files, workers) if big and len(files) > 1 and workers > 1
               else (ingest_file(index, f) for f in files))
    for out, st in results:
        report.stats.add(st)
        report.files.append(out)
        if on_file:
            on_file(out)
    report.bm25_docs = ensure_lexical(index, show_progress=show_progress)
    return report


def run_ingest(index: LiteratureIndex, options: IngestOptions, on_file=None, on_progress=None) -> IngestReport:
    """The whole pipeline per `options` (see `IngestOptions.dense`)."""
    from retrieval.dense_fill import fill_dense, start_background_fill

    report = ingest_lexical(index, options.paths, on_file=on_file)
    if options.dense == "foreground":
        st = fill_dense(index, batch_size=options.batch_size, progress=on_progress)
        report.dense = {"state": st.state, "done": st.done, "total": st.total, "rate": round(st.rate, 2)}
    elif options.dense == "background":
        if index.custom_embedder:
            raise UserError("a background fill uses the configured embedder, not a custom one")
        pid = start_background_fill(index.config)
        c = index.catalog.counts()
        report.dense = {"state": "background", "pid": pid, "done": c["embedded"], "total": c["chunks"]}
    else:
        c = index.catalog.counts()
        report.dense = {"state": "deferred", "done": c["embedded"], "total": c["chunks"]}
    return report
