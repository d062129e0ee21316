"""The knowledge sources' state in words for the web chat, one line per source: "NIH consumer
answers 16,407/16,407 · MEDLINE abstracts 3,072/75,070 (filling, about 40 min left)" (passages
searchable by meaning out of all), or by group ("NIH answers (16,407): searchable, meaning search
40% ready") where the home's per-source tally is not at hand (an external store).

"Searchable" means the keyword index covers the source; "meaning search" is the dense (semantic)
index, filled in the background after an install, knowledge sources first.
"""

from __future__ import annotations

import time
from typing import Any

SOURCES = (("consumer", "NIH answers"), ("guideline", "Guideline summaries"), ("literature", "Medical literature"))
HEADING = "### Knowledge sources"


def source_progress(catalog) -> dict[str, dict[str, int]]:
    """Documents, passages and passages with a vector per collection of a retrieval catalog.

    Args:
        catalog: a `retrieval.catalog.Catalog` (read with one query on its connection).

    Returns:
        {collection: {"documents", "chunks", "embedded"}} for the collections that hold documents.
    """
    from retrieval.collections import collection_of

    rows = catalog.db.execute(
        "SELECT d.kind, COUNT(DISTINCT d.doc_id), COUNT(c.id), COALESCE(SUM(c.embedded), 0) FROM docs d "
        "LEFT JOIN chunks c ON c.doc_id = d.doc_id WHERE d.deleted = 0 GROUP BY d.kind").fetchall()
    out: dict[str, dict[str, int]] = {}
    for kind, docs, chunks, done in rows:
        agg = out.setdefault(collection_of(kind), {"documents": 0, "chunks": 0, "embedded": 0})
        agg["documents"] += int(docs)
        agg["chunks"] += int(chunks)
        agg["embedded"] += int(done)
    return out


class ProgressCounter:
    """`source_progress` of a catalog, counted again only when the catalog changes: at once after an
    ingest, at most every `interval_s` while passages get their vectors (a full count of a 100k-passage
    catalog takes about a second; checking whether it changed, a few tens of milliseconds).

    Args:
        interval_s: the longest the per-source numbers lag a running fill.
        clock: monotonic seconds (tests move it).
    """

    def __init__(self, interval_s: float = 60.0, clock=time.monotonic):
        self.interval_s = interval_s
        self.clock = clock
        self._key: tuple | None = None
        self._at = 0.0
        self._value: dict[str, dict[str, int]] = {}

    def __call__(self, catalog) -> dict[str, dict[str, int]]:
        done, total = catalog.embedded_total()
        key = (id(catalog), catalog.generation, total, done)
        now = self.clock()
        if self._key is not None and (key == self._key or (key[:3] == self._key[:3] and now - self._at < self.interval_s)):
            return self._value
        self._key, self._at, self._value = key, now, source_progress(catalog)
        return self._value


def source_line(name: str, documents: int, chunks: int, embedded: int, keyword_ready: bool) -> str:
    """One source in words, e.g. "NIH answers (16,407): searchable, meaning search 40% ready"."""
    if not keyword_ready:
        return f"{name} ({documents:,}): being prepared, not searchable yet"
    if chunks and embedded >= chunks:
        meaning = "meaning search ready"
    else:
        pct = int(100 * embedded / chunks) if chunks else 0  # floor: 100% only when every passage has a vector
        meaning = f"meaning search {pct}% ready"
    return f"{name} ({documents:,}): searchable, {meaning}"


def index_words(progress: dict[str, dict[str, int]], keyword_ready: bool, filling: bool = False,
                paused: bool = False, eta_s: float | None = None) -> str:
    """Markdown for the index panel.

    Args:
        progress: `source_progress` output (collections without documents are left out).
        keyword_ready: whether the keyword index is built.
        filling: whether the background fill of the meaning-search index runs now.
        paused: whether that fill waits for an answer being written.
        eta_s: the fill's estimate of the seconds left.
    """
    lines = [HEADING]
    shown = [(name, progress[key]) for key, name in SOURCES if progress.get(key, {}).get("documents")]
    if not shown:
        return f"{HEADING}\nNo sources are installed yet, so answers cannot cite anything (`medbot ingest` adds them)."
    for name, p in shown:
        lines.append("- " + source_line(name, p["documents"], p["chunks"], p["embedded"], keyword_ready))
    if all(p["chunks"] and p["embedded"] >= p["chunks"] for _, p in shown):
        return "\n".join(lines)
    if paused:
        lines.append("\n_Meaning search is being built in the background; it waits while an answer is written._")
    elif filling:
        from retrieval.source_progress import eta_words

        left = eta_words(eta_s or None)
        lines.append(f"\n_Meaning search is being built in the background{f' ({left})' if left else ''}; "
                     "until then answers use keyword search._")
    else:
        lines.append("\n_Meaning search is not being built now (`medbot index start` resumes it); "
                     "answers use keyword search._")
    return "\n".join(lines)


def sources_words(status: dict[str, Any], keyword_ready: bool) -> str:
    """Markdown for the index panel from the home's `retrieval.dense_fill.home_status`, one line per source.

    Args:
        status: `home_status(home)` (its "sources", "filling" and "paused").
        keyword_ready: whether the keyword index is built.
    """
    from retrieval.source_progress import source_words

    sources = status.get("sources") or []
    if not sources:
        return f"{HEADING}\nNo sources are installed yet, so answers cannot cite anything (`medbot ingest` adds them)."
    if not keyword_ready:
        return HEADING + "\n" + "\n".join(f"- {s['label']}: being prepared, not searchable yet" for s in sources)
    kinds = {s["kind"]: {"documents": s["documents"], "chunks": s["total"], "embedded": s["done"]} for s in sources}
    filling = {s["kind"]: s["eta_s"] for s in sources if s["state"] == "filling"}
    lines = [HEADING, "Passages searchable by meaning, per source (keyword search covers them all):"]
    lines += ["- " + w for w in source_words(kinds, filling, queued=bool(status.get("filling")))]
    if all(s["state"] == "dense" for s in sources):
        return "\n".join(lines)
    if status.get("paused"):
        lines.append("\n_Meaning search is being built in the background; it waits while an answer is written._")
    elif status.get("filling"):
        lines.append("\n_Meaning search is being built in the background; until then answers use keyword search._")
    else:
        lines.append("\n_Meaning search is not being built now (`medbot index start` resumes it); "
                     "answers use keyword search._")
    return "\n".join(lines)


def retriever_words(retriever, home=None, progress=source_progress) -> str:
    """The index panel for a retriever (None: no index could be opened) of the data folder `home`.

    With `home` and the home's own store, one line per source from the fill's per-source tally
    (cheap: no count of the catalog); otherwise `progress` counts the retriever's catalog per
    group of sources (a `ProgressCounter` to reuse counts).
    """
    if retriever is None:
        return f"{HEADING}\nNot available: no sources are installed (`medbot ingest` adds them)."
    st: dict[str, Any] = retriever.status() if hasattr(retriever, "status") else {}
    layout = getattr(getattr(retriever, "index", None), "layout", None)
    if home is not None and layout is not None and layout.chroma_url is None:
        from retrieval.dense_fill import home_status

        return sources_words(home_status(home), keyword_ready=bool(st.get("bm25_docs")))
    catalog = getattr(getattr(retriever, "index", None), "catalog", None)
    if catalog is not None:
        counts = progress(catalog)
    else:  # a retriever without a catalog reports one total for all its sources
        counts = {"literature": {"documents": int(st.get("documents") or st.get("bm25_docs") or 0),
                                 "chunks": int(st.get("dense_total") or 0), "embedded": int(st.get("dense_done") or 0)}}
    paused = False
    if st.get("filling") and home is not None:
        from retrieval.dense_fill import answering_now

        paused = answering_now(home)
    return index_words(counts, keyword_ready=bool(st.get("bm25_docs")), filling=bool(st.get("filling")),
                       paused=paused, eta_s=st.get("eta_s"))
