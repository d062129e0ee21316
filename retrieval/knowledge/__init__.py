"""Bundled knowledge: MedlinePlus health topics, NIH consumer-health answers (MedQuAD), clinical
guideline summaries and USPSTF recommendations.

All ship with the install (MedlinePlus, MedQuAD and USPSTF inside this package, the guidelines in
the open-medicine wheel), so `ensure_bundled` can put them into any collection's catalog in seconds, before the
larger MEDLINE corpus, and again whenever their data changes (new release: content digest).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from retrieval.catalog import ApplyStats
from retrieval.errors import UserError
from retrieval.types import Document


@dataclass
class BundledSource:
    """One bundled corpus: a name for progress lines, its document kind, digest and documents."""

    name: str
    kind: str
    digest: Callable[[], str]
    documents: Callable[[], Iterable[Document]]


def _medquad_digest() -> str:
    from retrieval.knowledge import medlineplus
    from retrieval.knowledge.medquad import TEXT_FORMAT, data_path

    # The MedlinePlus topics decide which 2017 pairs give way: a new release re-ingests MedQuAD too.
    return (hashlib.sha256(data_path().read_bytes()).hexdigest() + f".text{TEXT_FORMAT}"
            + f".mplus{medlineplus.digest()[:16]}")


def _medquad_documents():
    from retrieval.knowledge import medlineplus, medquad

    return medquad.documents(replaced=medlineplus.replaced_pages())


def medquad_source(path=None) -> BundledSource:
    """MedQuAD from the bundled data file (or another file of the same format)."""
    from pathlib import Path

    from retrieval.knowledge import medquad

    if path is None:
        return BundledSource("MedQuAD consumer-health answers (NIH, bundled)", medquad.KIND, _medquad_digest,
                             _medquad_documents)
    p = Path(path)
    return BundledSource(f"MedQuAD ({p})", medquad.KIND, lambda: hashlib.sha256(p.read_bytes()).hexdigest(),
                         lambda: medquad.documents(p))


def guideline_source(root=None) -> BundledSource:
    """The open-medicine guideline summaries and differential diagnoses (installed package or a folder)."""
    from retrieval.knowledge import guidelines

    return BundledSource("clinical guideline summaries (open-medicine)", guidelines.KIND,
                         lambda: guidelines.digest(root), lambda: guidelines.documents(root))


def medlineplus_source(path=None) -> BundledSource:
    """MedlinePlus health topics (NLM) from the bundled data file (or another file of the same format)."""
    from retrieval.knowledge import medlineplus

    return BundledSource("MedlinePlus health topics (NLM, bundled)", medlineplus.KIND,
                         lambda: medlineplus.digest(path), lambda: medlineplus.documents(path))


def uspstf_source(path=None) -> BundledSource:
    """USPSTF recommendation statements with grades from the bundled data file (or another file)."""
    from retrieval.knowledge import uspstf

    return BundledSource("USPSTF recommendations (bundled)", uspstf.KIND, lambda: uspstf.digest(path),
                         lambda: uspstf.documents(path))


def labs_source(path=None) -> BundledSource:
    """The lab results guide (what common adult test results mean; bundled, or another file of its format)."""
    from retrieval.knowledge import labs

    name = "lab results guide (bundled)" if path is None else f"lab results guide ({path})"
    return BundledSource(name, labs.KIND, lambda: labs.digest(path), lambda: labs.documents(path))


def bundled_sources() -> list[BundledSource]:
    """The default bundled sources: consumer answers first, then guidelines and recommendations."""
    return [medlineplus_source(), medquad_source(), labs_source(), guideline_source(), uspstf_source()]


@dataclass
class BundledOutcome:
    """What `ensure_bundled` did for one source (status: ok | skipped | failed)."""

    name: str
    status: str
    docs: int = 0
    chunks: int = 0
    error: str | None = None
    stats: ApplyStats = field(default_factory=ApplyStats)


def _with_removals(index, kind: str, docs: list[Document]) -> list[Document]:
    """Deletion notices for documents of `kind` in the catalog that the new release no longer has."""
    keep = {d.doc_id for d in docs}
    rows = index.catalog.db.execute("SELECT doc_id, title, version FROM docs WHERE kind=? AND deleted=0", (kind,))
    gone = [Document(doc_id=i, kind=kind, title=t, version=v, deleted=True) for i, t, v in rows if i not in keep]
    return docs + gone


def pending_sources(index, sources: list[BundledSource] | None = None) -> list[BundledSource]:
    """The sources whose current data is not in the index's catalog yet (cheap: digests only)."""
    out = []
    for src in bundled_sources() if sources is None else sources:
        try:
            if index.catalog.file_done(f"bundled:{src.kind}:{src.digest()}"):
                continue
        except (UserError, OSError, ValueError):
            pass  # unreadable: `ensure_bundled` reports it
        out.append(src)
    return out


def ensure_bundled(index, sources: list[BundledSource] | None = None,
                   on_source: Callable[[BundledOutcome], None] | None = None) -> list[BundledOutcome]:
    """Put the bundled knowledge into the index's catalog unless this exact data is already there.

    Each source is one catalog transaction (all or nothing), remembered by its content digest;
    the BM25 index is rebuilt by the caller (`ensure_lexical`) or by the next search.

    Args:
        index: a `LiteratureIndex`.
        sources: what to ingest (default: `bundled_sources()`).
        on_source: called after each source.

    Returns:
        One outcome per source; a source that cannot be read (e.g. open-medicine not installed)
        is reported as failed and the others are still ingested.
    """
    from retrieval.chunking import chunk_documents

    out: list[BundledOutcome] = []
    for src in bundled_sources() if sources is None else sources:
        try:
            digest = f"bundled:{src.kind}:{src.digest()}"
            if index.catalog.file_done(digest):
                res = BundledOutcome(src.name, "skipped")
            else:
                docs = _with_removals(index, src.kind, list(src.documents()))
                st = index.catalog.apply(chunk_documents(docs, index), file_digest=digest, file_path=src.name)
                res = BundledOutcome(src.name, "ok", docs=sum(1 for d in docs if not d.deleted), chunks=st.chunks_added,
                                     stats=st)
        except (UserError, OSError, ValueError) as exc:
            res = BundledOutcome(src.name, "failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        out.append(res)
        if on_source:
            on_source(res)
    return out


def iter_documents(sources: list[BundledSource] | None = None) -> Iterator[Document]:
    """All documents of the bundled sources (benchmarks, listings)."""
    for src in bundled_sources() if sources is None else sources:
        yield from src.documents()
