"""An acronym that is also an everyday word ("GO" for geroderma osteodysplastica) names its page only
in capitals: "should i go to the er" once ranked that rare disease first for a toddler's fever."""

from __future__ import annotations

import pytest

from retrieval.config import IndexConfig
from retrieval.index import LiteratureIndex
from retrieval.ingest import chunk_documents, ensure_lexical
from retrieval.knowledge import medquad
from retrieval.retriever import HybridRetriever
from retrieval_fakes import FakeEmbedder


def _rec(i: int, question: str, focus: str, synonyms: list[str], answer: str) -> dict:
    return {"id": f"T-{i:07d}-1", "source": "GARD", "question": question, "qtype": "information", "focus": focus,
            "synonyms": synonyms, "url": f"https://example.org/{i}", "answer": answer}


DOCS = [
    _rec(1, "What is (are) Geroderma osteodysplastica ?", "Geroderma osteodysplastica", ["GO"],
         "Geroderma osteodysplastica is a rare inherited disorder of the skin and bones."),
    _rec(2, "What to do for Fever ?", "Fever", ["Pyrexia"],
         "A fever is a body temperature above normal. Go to the doctor if a baby has a fever. Children often "
         "go back to normal in a few days. Do not go to school with a fever. Let the child go to sleep. "
         "If it does not go down, go to the emergency room or go to a clinic."),
    _rec(3, "What is (are) Chronic obstructive pulmonary disease ?", "Chronic obstructive pulmonary disease",
         ["COPD"], "COPD is a lung disease that makes it hard to breathe."),
]


@pytest.fixture
def index(tmp_path):
    idx = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder())
    idx.catalog.apply(chunk_documents([medquad.to_document(r) for r in DOCS], idx))
    ensure_lexical(idx)
    yield idx
    idx.close()


def test_an_acronym_that_is_a_word_names_its_page_only_in_capitals(index):
    r = HybridRetriever(index)
    top = r.search("my 2 yr old has a fever should i go to the er", k=3, mode="question")
    assert top[0].source["doc_id"] == "medquad:T-0000002-1", [p.title for p in top]
    assert r._questions.ambiguous == {"GO"}  # "go" is a word of the answers; "copd" is not
    assert r.search("what is GO", k=1, mode="question")[0].source["doc_id"] == "medquad:T-0000001-1"
    # an acronym that is not a word still counts in lower case, as people type it
    assert r.search("i have copd what should i do", k=1, mode="question")[0].source["doc_id"] == "medquad:T-0000003-1"
