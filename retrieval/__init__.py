"""Medical literature retrieval: readers, chunking, embedders, Chroma + BM25 hybrid search.

Importing this package is cheap; heavy libraries load inside the functions that need them.

    from retrieval import get_retriever
    r = get_retriever(settings)
    passages = r.search("aspirin after myocardial infarction", k=5, filters={"year_min": 2000})
"""

from __future__ import annotations

from retrieval.types import Chunk, Document, Passage, Section


def get_retriever(settings, embedder=None, progress=None):
    """See `retrieval.retriever.get_retriever`."""
    from retrieval.retriever import get_retriever as _get

    return _get(settings, embedder=embedder, progress=progress)


__all__ = ["Chunk", "Document", "Passage", "Section", "get_retriever"]
