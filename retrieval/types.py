"""Plain data types shared by the retrieval stages (stdlib only)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Section:
    """One titled part of a document's body (an abstract label, a PMC section, a PDF page).

    Attributes:
        text: the section's plain text.
        name: section heading ("" when the document has none).
        page: 1-based page number for paginated sources (PDF), else None.
    """

    text: str
    name: str = ""
    page: int | None = None


@dataclass
class Document:
    """A parsed document, before chunking.

    Attributes:
        doc_id: stable id ("pmid:123", "pmc:PMC42", "file:<sha>"...), unique in a collection.
        kind: "pubmed" | "pmc" | "file" (literature), "medquad" (consumer), "guideline" (guideline).
        title: document title (kept as context on every chunk).
        sections: body text in reading order.
        meta: source fields: pmid, journal, year, pub_types (list[str]), mesh (list[str]), path, url,
            doi, note, cite_as, focus, synonyms, qtype...
        version: sortable string; when a doc_id is ingested again the larger version wins.
        deleted: a deletion notice (MEDLINE `DeleteCitation`): removes `doc_id` from the index.
    """

    doc_id: str
    kind: str
    title: str
    sections: list[Section] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    deleted: bool = False


@dataclass
class Chunk:
    """A piece of one document sized for the embedder.

    Attributes:
        id: content hash of (doc_id, context, text): re-ingesting the same content gives the same id.
        doc_id: the document it comes from.
        ord: position in the document.
        text: the chunk body (whole sentences).
        context: title and section heading, prefixed to `text` for indexing.
        ntok: embedder tokens of `indexed_text`.
        page/section: where it comes from in the document.
    """

    id: str
    doc_id: str
    ord: int
    text: str
    context: str
    ntok: int
    section: str = ""
    page: int | None = None

    @property
    def indexed_text(self) -> str:
        """What BM25 and the embedder see: context line, then the body."""
        return f"{self.context}\n{self.text}" if self.context else self.text


@dataclass
class Passage:
    """One search result.

    Attributes:
        id: chunk id.
        text: chunk body.
        score: fused score (reciprocal-rank fusion; higher is better).
        similarity: dense cosine similarity of the query to this chunk, or None when the chunk
            has no dense vector yet (`HybridRetriever.is_relevant` fills it in on demand).
        source: kind ("pubmed"|"pmc"|"file"|"medquad"|"guideline"), doc_id, collection, title, url?,
            pmid?, journal?, year?, path?, page?, section? (for guidelines the heading path, with the
            recommendation grade), pub_types?, doi?, note? ("NIH, as of 2017"), cite_as?, focus?, qtype?
        ranks: 1-based rank per retriever that found it ({"dense": 3, "bm25": 1, "question": 2}).
        collection: "consumer" (NIH answers), "guideline" (guideline summaries) or "literature".
        title: the document title (for MedQuAD: the question as written).
        url: NIH page, guideline DOI URL, PubMed/PMC page, or None (user files).
    """

    id: str
    text: str
    score: float
    similarity: float | None
    source: dict[str, Any]
    ranks: dict[str, int] = field(default_factory=dict)
    collection: str = "literature"
    title: str = ""
    url: str | None = None
    query: str | None = field(default=None, repr=False, compare=False)  # the query that found it

    @property
    def snippet(self) -> str:
        """The first ~300 characters of the text, cut at a word boundary."""
        text = " ".join(self.text.split())
        if len(text) <= 300:
            return text
        cut = text[:300].rsplit(" ", 1)[0]
        return cut + " ..."

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("query", None)
        out["snippet"] = self.snippet
        return out
