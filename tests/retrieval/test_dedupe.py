"""A result list holds each passage once and does not fill up with one document or one page."""

from __future__ import annotations

import json

import pytest

from retrieval.config import IndexConfig
from retrieval.errors import UserError
from retrieval.index import LiteratureIndex
from retrieval.ingest import chunk_documents, ensure_lexical
from retrieval.rerank import diversify
from retrieval.retriever import HybridRetriever
from retrieval.types import Document, Section
from retrieval_fakes import FakeEmbedder


def test_diversify_keeps_the_first_copy_and_caps_documents_and_pages():
    items = [
        ("c1", "d1", "https://page/a", "Spinal muscular atrophy is a genetic disorder."),
        ("c1", "d1", "https://page/a", "Spinal muscular atrophy is a genetic disorder."),  # same chunk again
        ("c2", "d1", "https://page/a", "It affects the motor neurons."),
        ("c3", "d1", "https://page/a", "Type 1 is the most severe."),  # third chunk of d1
        ("c4", "d2", "https://page/a", "Treatment includes nusinersen."),  # third result of page a
        ("c5", "d3", "https://page/a", "About 1 in 10,000 babies."),  # fourth of page a
        ("c6", "d4", "", "SPINAL muscular atrophy is a genetic disorder!"),  # same words as c1 under another id
        ("c7", "d4", "", "Another page entirely."),
        ("c8", "d5", "", "A third source."),
    ]
    assert diversify(items, max_per_doc=2, max_per_page=3) == [0, 2, 4, 7, 8]
    assert diversify(items, max_per_doc=1, max_per_page=0) == [0, 4, 5, 7, 8]
    assert diversify(items, max_per_doc=0, max_per_page=0) == [0, 2, 3, 4, 5, 7, 8]


def _long_answer(n: int, tag: str) -> str:
    return " ".join(f"Spinal muscular atrophy fact {tag} number {i} concerns motor neurons and muscle weakness."
                    for i in range(n))


@pytest.fixture
def sma_index(tmp_path):
    docs = [Document(doc_id=f"medquad:GHR-0000935-{p}", kind="medquad", title=f"{q} spinal muscular atrophy ?",
                     sections=[Section(_long_answer(12, f"g{p}"))], version="1",
                     meta={"collection": "consumer", "url": "https://ghr.nlm.nih.gov/condition/spinal-muscular-atrophy",
                           "focus": "spinal muscular atrophy", "qtype": t})
            for p, q, t in [(1, "What is (are)", "information"), (3, "Is it inherited:", "inheritance"),
                            (4, "What are the genetic changes related to", "genetic changes"),
                            (5, "What are the treatments for", "treatment")]]
    docs += [Document(doc_id=f"medquad:NINDS-0000173-{p}", kind="medquad", title=f"{q} Spinal Muscular Atrophy ?",
                      sections=[Section(_long_answer(3, f"n{p}"))], version="1",
                      meta={"collection": "consumer", "url": "http://www.ninds.nih.gov/disorders/sma/sma.htm",
                            "focus": "Spinal Muscular Atrophy", "qtype": t})
             for p, q, t in [(1, "What is (are)", "information"), (2, "What are the treatments for", "treatment")]]
    docs += [Document(doc_id=f"pmid:{i}", kind="pubmed", title=f"Spinal muscular atrophy study {i}",
                      sections=[Section(_long_answer(8, f"p{i}"))], version="1", meta={"pmid": str(i), "year": 2020})
             for i in range(1, 4)]
    index = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder(max_tokens=48))
    index.catalog.apply(chunk_documents(docs, index))
    ensure_lexical(index)
    yield index
    index.close()


def test_search_lists_each_chunk_once_and_caps_documents(sma_index):
    r = HybridRetriever(sma_index)
    uncapped = r.search("spinal muscular atrophy", k=10, max_per_doc=0, max_per_page=0)
    assert max(sum(p.source["doc_id"] == d for p in uncapped) for d in {p.source["doc_id"] for p in uncapped}) > 2
    got = r.search("spinal muscular atrophy", k=10)
    ids = [p.id for p in got]
    assert len(ids) == len(set(ids)) == 10
    assert len({" ".join(p.text.lower().split()) for p in got}) == 10
    per_doc = {d: sum(p.source["doc_id"] == d for p in got) for d in {p.source["doc_id"] for p in got}}
    per_page = {u: sum(p.url == u for p in got) for u in {p.url for p in got}}
    assert max(per_doc.values()) <= 2 and max(per_page.values()) <= 3
    # the places the caps free go to other sources, best first
    assert len(per_page) >= 4
    scores = [p.score for p in got]
    assert scores == sorted(scores, reverse=True)


def test_caps_are_checked(sma_index):
    r = HybridRetriever(sma_index)
    with pytest.raises(UserError, match="max_per_doc"):
        r.search("spinal muscular atrophy", max_per_doc=-1)
    with pytest.raises(UserError, match="max_per_page"):
        r.search("spinal muscular atrophy", max_per_page="3")
