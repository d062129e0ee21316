"""Ingest + hybrid search against both Chroma modes (embedded, and a server when one is given)."""

import json
import shutil

import pytest

from retrieval.errors import UserError
from retrieval.dense_fill import fill_dense
from retrieval.index import LiteratureIndex
from retrieval.ingest import IngestOptions, ingest_lexical, run_ingest
from retrieval.retriever import HybridRetriever
from retrieval_fakes import FakeEmbedder


@pytest.fixture
def built(store_mode, make_settings, corpus):
    settings = make_settings(chroma_url=store_mode)
    index = LiteratureIndex(settings, FakeEmbedder())
    report = run_ingest(index, IngestOptions(paths=[corpus / "pubmed19n0001.xml", corpus / "guideline.md",
                                                    corpus / "notes.jsonl", corpus / "trial.nxml"]))
    assert not report.failed
    return settings, index, report


def test_search_returns_cited_passages(built):
    settings, index, report = built
    assert report.dense["state"] == "done" and report.dense["done"] == report.dense["total"] > 8
    r = HybridRetriever(index, min_similarity=0.2)
    ps = r.search("aspirin after myocardial infarction", k=3)
    top = ps[0]
    assert top.source["pmid"] == "1001" and top.source["kind"] == "pubmed"
    assert top.source["journal"] == "The Lancet" and top.source["year"] == 1988
    assert top.ranks.get("dense") and top.ranks.get("bm25")
    assert top.similarity is not None and top.similarity > 0.2
    assert top.score >= ps[1].score and r.is_relevant(ps)
    file_hit = r.search("chew aspirin while waiting for the ambulance", k=5)
    assert any(p.source["kind"] == "file" and p.source["path"].endswith("guideline.md") for p in file_hit)
    pmc = r.search("oral rehydration solution diarrhoea children", k=1)[0]
    assert pmc.source["kind"] == "pmc" and pmc.source["pmid"] == "2001" and pmc.source["pmcid"] == "PMC3001"
    json.dumps([p.to_json() for p in ps])


def test_filters_on_year_and_publication_type(built):
    _, index, _ = built
    r = HybridRetriever(index)
    ps = r.search("aspirin myocardial infarction heart", k=10, filters={"year_min": 1990})
    assert ps and all(p.source.get("year", 0) >= 1990 for p in ps)
    assert "1001" not in {p.source.get("pmid") for p in ps}
    ps = r.search("heart disease trial", k=10, filters={"pub_types": ["randomized controlled trial"]})
    assert {p.source["pmid"] for p in ps} <= {"1001", "1002"} and ps
    ps = r.search("digoxin", k=5, filters={"year_max": 1980})
    assert [p.source["pmid"] for p in ps][:1] == ["1006"]
    with pytest.raises(UserError, match="unknown filter"):
        r.search("x", filters={"journal": "x"})
    with pytest.raises(UserError, match="after year_max"):
        r.search("x", filters={"year_min": 2000, "year_max": 1990})


def test_bad_queries(built):
    r = HybridRetriever(built[1])
    with pytest.raises(UserError, match="empty query"):
        r.search("   ")
    with pytest.raises(UserError, match="k must be"):
        r.search("aspirin", k=0)
    assert r.search("the of and", k=3) == [] or all(p.ranks.get("bm25") is None for p in r.search("the of and", k=3))


def test_reingest_adds_nothing_and_update_file_wins(built, corpus):
    settings, index, _ = built
    before = index.store.count()
    again = run_ingest(index, IngestOptions(paths=[corpus / "pubmed19n0001.xml"]))
    assert [f.status for f in again.files] == ["skipped"] and index.store.count() == before
    # the same content under another file name: nothing new either
    shutil.copy(corpus / "pubmed19n0001.xml", corpus / "copy_pubmed19n0001.xml")
    run_ingest(index, IngestOptions(paths=[corpus / "copy_pubmed19n0001.xml"]))
    assert index.store.count() == before == index.catalog.counts()["chunks"]
    old_1003 = set(index.catalog.chunks_of("pmid:1003"))
    run_ingest(index, IngestOptions(paths=[corpus / "pubmed19n0900.xml"]))
    ids_store = set(index.store.iter_ids())
    assert ids_store == index.catalog.all_chunk_ids()
    assert not (old_1003 & ids_store) and not index.catalog.chunks_of("pmid:1005")
    r = HybridRetriever(index)
    assert "1005" not in {p.source.get("pmid") for p in r.search("inhaled budesonide asthma children", k=10)}
    top = r.search("metformin vitamin B12 deficiency", k=1)[0]
    assert top.source["pmid"] == "1003" and "Vitamin B12" in top.text
    assert r.search("varenicline nicotine patch", k=1)[0].source["pmid"] == "1009"


def test_partial_dense_index_still_serves_hybrid(store_mode, make_settings, corpus):
    settings = make_settings(chroma_url=store_mode)
    index = LiteratureIndex(settings, FakeEmbedder())
    ingest_lexical(index, [corpus / "pubmed19n0001.xml"])
    r = HybridRetriever(index)
    st = r.status()
    assert st["dense_done"] == 0 and st["bm25_docs"] == st["dense_total"] > 0 and not st["dense_complete"]
    ps = r.search("aspirin myocardial infarction", k=3)
    assert ps[0].source["pmid"] == "1001" and ps[0].ranks == {"bm25": 1}
    assert all(p.similarity is None for p in ps)  # no vectors yet
    assert r.is_relevant(ps) is True  # embeds the passages on demand and fills in similarity
    emb = index.embedder
    expected = float(emb.embed([f"{ps[0].source['title']}\n{ps[0].text}"])[0] @ emb.embed_query("aspirin myocardial infarction"))
    assert abs(ps[0].similarity - expected) < 1e-5
    assert "query" not in ps[0].to_json()
    fill_dense(index, block=4, max_chunks=4)
    assert index.catalog.counts()["embedded"] == 4 == index.store.count()
    st = HybridRetriever(index).status()
    assert st["dense_done"] == 4 and st["fill_state"] == "stopped"
    fill_dense(index, block=4)
    assert HybridRetriever(index).status()["dense_complete"]


def test_new_files_show_up_in_an_open_retriever(store_mode, make_settings, corpus):
    index = LiteratureIndex(make_settings(chroma_url=store_mode), FakeEmbedder())
    run_ingest(index, IngestOptions(paths=[corpus / "pubmed19n0001.xml"]))
    r = HybridRetriever(index)
    assert all(p.source.get("pmid") != "1009" for p in r.search("varenicline smoking", k=3))
    run_ingest(index, IngestOptions(paths=[corpus / "pubmed19n0900.xml"]))
    assert r.search("varenicline smoking", k=1)[0].source["pmid"] == "1009"


def test_other_embedder_is_refused_naming_the_builder(store_mode, make_settings, corpus):
    from retrieval.store import VectorStore, make_client

    settings = make_settings(chroma_url=store_mode)
    index = LiteratureIndex(settings, FakeEmbedder())
    run_ingest(index, IngestOptions(paths=[corpus / "hygiene.txt"]))
    with pytest.raises(UserError, match="built with embedder 'fake:hashed-words'.*`medbot index rebuild`"):
        LiteratureIndex(settings, FakeEmbedder(name="fake:other"))
    client = make_client(index.layout.chroma_path, index.layout.chroma_url)
    with pytest.raises(UserError, match="built with embedder 'fake:hashed-words', not the configured 'fake:other'.*`medbot index rebuild`"):
        VectorStore(client, settings.retrieval.collection, "fake:other", {"dim": 256})
    with pytest.raises(UserError, match="built with embedder"):
        VectorStore(client, settings.retrieval.collection, "fake:hashed-words", {"dim": 128, "max_tokens": 64})


def test_unreachable_server_is_a_user_error(make_settings):
    settings = make_settings(chroma_url="http://127.0.0.1:9")
    index = LiteratureIndex(settings, FakeEmbedder())
    with pytest.raises(UserError, match="cannot reach the Chroma server"):
        index.store.count()


def test_langchain_wrapper(built):
    from langchain_core.retrievers import BaseRetriever

    from retrieval.langchain import MedbotLangChainRetriever

    lc = MedbotLangChainRetriever(retriever=HybridRetriever(built[1]), k=2)
    assert isinstance(lc, BaseRetriever)
    docs = lc.invoke("statin cholesterol coronary")
    assert len(docs) == 2 and docs[0].metadata["pmid"] == "1002" and docs[0].metadata["chunk_id"]


def test_parallel_reading_gives_the_same_catalog(make_settings, corpus, monkeypatch):
    files = [corpus / "pubmed19n0001.xml", corpus / "pubmed19n0900.xml", corpus / "trial.nxml", corpus / "broken.xml"]
    (corpus / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle>")
    seq = LiteratureIndex(make_settings(), FakeEmbedder())
    rep_seq = ingest_lexical(seq, files)
    monkeypatch.setattr("retrieval.ingest.PARALLEL_MIN_BYTES", 0)
    par = LiteratureIndex(make_settings(), FakeEmbedder())
    rep_par = ingest_lexical(par, files)
    assert [(f.status, f.docs, f.chunks) for f in rep_par.files] == [(f.status, f.docs, f.chunks) for f in rep_seq.files]
    assert rep_par.files[-1].status == "failed" and "corrupt XML" in rep_par.files[-1].error
    assert par.catalog.all_chunk_ids() == seq.catalog.all_chunk_ids() and rep_par.bm25_docs == rep_seq.bm25_docs
    again = ingest_lexical(par, files)
    assert [f.status for f in again.files] == ["skipped", "skipped", "skipped", "failed"]
