"""The store's collection is named for what it holds; a home built under the old name keeps it, vectors and all."""

from __future__ import annotations

from retrieval_fakes import FakeEmbedder

FILES = ["pubmed19n0001.xml", "hygiene.txt"]


def _cfg(home, **kw):
    from retrieval.config import IndexConfig

    return IndexConfig(home=home, store="embedded", auto_build=False, auto_fill=False, **kw)


def _ingest(cfg, corpus, emb):
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import ingest_lexical

    index = LiteratureIndex(cfg, emb)
    try:
        ingest_lexical(index, [corpus / f for f in FILES])
        return index.layout.collection, index.catalog.counts()["chunks"]
    finally:
        index.close()


def _chroma_names(home) -> list[str]:
    from retrieval.store import make_client

    client = make_client(home / "literature" / "chroma")
    names = sorted(getattr(c, "name", c) for c in client.list_collections())
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return names


def test_a_fresh_home_names_its_collection_for_what_it_holds(tmp_path, corpus):
    from bot.config import load_settings
    from retrieval.config import DEFAULT_COLLECTION
    from retrieval.dense_fill import fill_home
    from retrieval.index import layout_for

    home = tmp_path / "home"
    assert DEFAULT_COLLECTION == "knowledge" and load_settings().retrieval.collection == "knowledge"
    emb = FakeEmbedder()
    name, chunks = _ingest(_cfg(home), corpus, emb)
    assert name == "knowledge" and layout_for(_cfg(home)).collection == "knowledge"
    assert (home / "literature" / "local" / "knowledge" / "catalog.sqlite3").is_file()
    assert not (home / "literature" / "local" / "medline").exists()
    res = fill_home(_cfg(home), embedder=emb)
    assert res["state"] == "done" and res["collections"]["knowledge"]["done"] == chunks > 0
    assert _chroma_names(home) == ["knowledge"]


def test_a_home_with_the_old_medline_collection_keeps_answering_and_filling(tmp_path, corpus, monkeypatch):
    from bot.config import load_settings
    from retrieval.dense_fill import fill_dense, fill_home, home_status
    from retrieval.index import LiteratureIndex, layout_for
    from retrieval.retriever import HybridRetriever

    home = tmp_path / "home"
    emb = FakeEmbedder()
    old = _cfg(home, collection="medline")  # what the release before the rename wrote
    _, chunks = _ingest(old, corpus, emb)
    index = LiteratureIndex(old, emb)
    first = fill_dense(index, batch_size=4, block=4, max_chunks=4)
    ids_before = sorted(index.store.iter_ids())
    index.close()
    assert first.state == "stopped" and len(ids_before) == 4 < chunks

    # Opened with today's defaults (no collection named): the old collection is used as it is.
    assert layout_for(_cfg(home)).collection == "medline"
    monkeypatch.setenv("MEDBOT_HOME", str(home))
    monkeypatch.setenv("MEDBOT_RETRIEVAL__STORE", "embedded")
    settings = load_settings()
    assert settings.retrieval.collection == "knowledge" and layout_for(settings).collection == "medline"
    index = LiteratureIndex(settings, emb)
    try:
        assert index.upgraded is None
        assert sorted(index.store.iter_ids()) == ids_before  # nothing re-embedded, nothing lost
        assert index.catalog.counts()["embedded"] == 4
        hits = HybridRetriever(index).search("aspirin myocardial infarction", k=3)
        assert hits and hits[0].source.get("pmid") == "1001"
    finally:
        index.close()

    res = fill_home(_cfg(home), embedder=emb)  # the fill resumes in the same collection
    assert res["state"] == "done" and list(res["collections"]) == ["medline"]
    assert res["collections"]["medline"]["done"] == chunks
    assert not (home / "literature" / "local" / "knowledge").exists()
    assert _chroma_names(home) == ["medline"]
    index = LiteratureIndex(_cfg(home), emb)
    try:
        assert set(ids_before) <= set(index.store.iter_ids()) and index.store.count() == chunks
        hit = HybridRetriever(index).search("aspirin myocardial infarction", k=3)[0]
        assert hit.ranks.get("dense")
    finally:
        index.close()
    words = [s["label"] for s in home_status(home)["sources"]]
    assert words == ["MEDLINE abstracts", "your files"]  # the status speaks of sources, not "medline"


def test_a_name_set_on_purpose_is_used_as_given(tmp_path, corpus):
    from retrieval.index import layout_for

    home = tmp_path / "home"
    _ingest(_cfg(home, collection="medline"), corpus, FakeEmbedder())
    assert layout_for(_cfg(home, collection="papers")).collection == "papers"
    assert layout_for(_cfg(home, collection="medline")).collection == "medline"
    assert layout_for(_cfg(tmp_path / "empty")).collection == "knowledge"


def test_an_external_servers_old_collection_is_kept_too(tmp_path):
    from retrieval.index import layout_for

    home = tmp_path / "home"
    old = home / "literature" / "server-db.example-8000" / "medline"
    old.mkdir(parents=True)
    (old / "catalog.sqlite3").touch()
    layout = layout_for(_cfg(home, chroma_url="http://db.example:8000"))
    assert (layout.collection, layout.root) == ("medline", old)
    assert layout_for(_cfg(home)).collection == "knowledge"  # the home's own store holds no old collection
