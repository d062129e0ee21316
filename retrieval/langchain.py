"""LangChain `BaseRetriever` over medbot's hybrid retriever (imports langchain-core)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class MedbotLangChainRetriever(BaseRetriever):
    """Wraps `HybridRetriever.search`; each Document's metadata is the passage's source plus
    id, score and similarity.

    Attributes:
        retriever: a `retrieval.retriever.HybridRetriever`.
        k: passages per query.
        filters: year_min, year_max, pub_types.
    """

    retriever: Any
    k: int = 5
    filters: dict | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        passages = self.retriever.search(query, k=self.k, filters=self.filters)
        return [Document(page_content=p.text, id=p.id,
                         metadata={**p.source, "chunk_id": p.id, "score": p.score, "similarity": p.similarity})
                for p in passages]
