"""A parent's fever question finds the fever page, not the "What to do for X" answers that share its
asking words (regression: the question list matched "what ... do" of MedQuAD's templates)."""

from __future__ import annotations

import pytest

from retrieval.config import IndexConfig
from retrieval.dense_fill import fill_dense
from retrieval.index import LiteratureIndex
from retrieval.ingest import chunk_documents, ensure_lexical
from retrieval.questions import focus_coverage
from retrieval.query_terms import words
from retrieval.retriever import HybridRetriever
from retrieval.types import Document
from retrieval_fakes import FakeEmbedder


FEVER = "medquad:MPlusHealthTopics-0000359-1"
WANTED = ("fever", "toddler", "child", "infant", "baby")


def _sample() -> list[Document]:
    """The bundled NIH answers that compete for a parent's fever question (every pair naming fever,
    toddlers, children or babies, and every "What to do for" pair) plus every 25th other pair."""
    from retrieval.knowledge import medquad

    docs = []
    for n, rec in enumerate(medquad.read_records()):
        text = f"{rec['question']} {rec['focus']}".lower()
        if any(w in text for w in WANTED) or rec["qtype"] == "considerations" or n % 25 == 0:
            docs.append(medquad.to_document(rec))
    return docs


@pytest.fixture(scope="module")
def fever_index(tmp_path_factory):
    from retrieval.chroma_server import stop_server

    home = tmp_path_factory.mktemp("fever") / "home"
    index = LiteratureIndex(IndexConfig(home=home, auto_build=False, auto_fill=False), FakeEmbedder())
    index.catalog.apply(chunk_documents(_sample(), index))
    ensure_lexical(index)
    fill_dense(index)
    yield index
    index.close()
    stop_server(home / "literature" / "chroma")  # a module's home outlives each test's cleanup


@pytest.mark.parametrize("query", [
    "my 2 year old has a fever of 39 C what do i do",
    "my child has a fever what should i do",
    "fever in toddler when to worry",
])
def test_the_fever_page_comes_first(fever_index, query):
    r = HybridRetriever(fever_index)
    assert r.search(query, k=3, mode="question")[0].source["doc_id"] == FEVER
    top = r.search(query, k=5, prefer="patient")
    assert top[0].source["doc_id"] == FEVER, [p.title for p in top]


def test_asking_words_alone_still_match(fever_index):
    # a message made only of asking words falls back to them rather than finding nothing
    r = HybridRetriever(fever_index)
    assert r.search("what should i do", k=3, mode="question")


def test_focus_coverage_counts_the_named_share():
    assert focus_coverage([words("Toddler Development")], words("fever in toddler when to worry")) == 0.5
    assert focus_coverage([words("Fever")], words("my child has fevers")) == 1.0
    assert focus_coverage([words("Rheumatic Fever"), words("Acute Rheumatic Fever")], words("a fever")) == 0.5
    assert focus_coverage([words("What I need to know about My Child's Urinary Tract Infections")],
                          words("my child has a fever")) == 0.25
    assert focus_coverage([words("Acromegaly")], words("my child has a fever")) == 0.0
