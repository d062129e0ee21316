"""Test doubles for the agent: a fixed-passage retriever."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakePassage:
    id: str
    text: str
    score: float = 1.0
    similarity: float | None = 0.8
    source: dict[str, Any] = field(default_factory=dict)


class FakeRetriever:
    """Returns passages whose text shares a word with the query (deterministic)."""

    def __init__(self, passages: list[FakePassage], min_similarity: float = 0.35):
        self.passages = passages
        self.min_similarity = min_similarity
        self.queries: list[str] = []

    def search(self, query: str, k: int = 5, filters=None, prefer=None):
        self.queries.append(query)
        words = {w.strip("?.,").lower() for w in query.split() if len(w) > 3}
        return [p for p in self.passages if words & {w.strip("?.,").lower() for w in p.text.split()}][:k]

    def is_relevant(self, passages) -> bool:
        return any((p.similarity or 0) >= self.min_similarity for p in passages)

    def status(self) -> dict:
        return {"bm25_docs": len(self.passages), "dense_done": len(self.passages), "dense_total": len(self.passages)}


ASPIRIN = FakePassage(
    "c1", "Aspirin given after acute myocardial infarction reduced vascular mortality in a large randomized trial.",
    source={"kind": "pubmed", "pmid": "3081859", "doc_id": "3081859", "title": "Aspirin after myocardial infarction",
            "journal": "Lancet", "year": 1988})
STROKE = FakePassage(
    "c2", "Sudden face drooping, arm weakness and speech difficulty are warning signs of stroke requiring emergency care.",
    source={"kind": "pubmed", "pmid": "2000001", "doc_id": "2000001", "title": "Recognising stroke", "journal": "BMJ",
            "year": 2021})
