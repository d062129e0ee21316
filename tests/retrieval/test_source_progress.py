"""Progress source by source: the fill keeps a per-kind tally as it writes; status, doctor and the web chat speak of sources."""

from __future__ import annotations

import json

from retrieval_fakes import FakeEmbedder

from retrieval.catalog import Catalog
from retrieval.types import Chunk, Document

# kind -> (documents, chunks per document)
KINDS = {"medquad": (3, 2), "uspstf": (1, 1), "pubmed": (4, 2)}


def _home(tmp_path):
    """A home whose one collection holds NIH answers, a USPSTF statement and MEDLINE abstracts (no vectors)."""
    from retrieval.config import IndexConfig
    from retrieval.index import LiteratureIndex

    home = tmp_path / "home"
    cfg = IndexConfig(home=home, store="embedded", auto_build=False, auto_fill=False)
    index = LiteratureIndex(cfg, FakeEmbedder())
    items = []
    for kind, (docs, per) in KINDS.items():
        for d in range(docs):
            doc_id = f"{kind}:{d}"
            items.append((Document(doc_id, kind, f"{kind} title {d}", version="1"),
                          [Chunk(f"{doc_id}#{i}", doc_id, i, f"{kind} text {d} part {i} about blood pressure", "", 8)
                           for i in range(per)]))
    index.catalog.apply(items)
    index.close()
    return home, cfg


def _hold_fill(home, current: str, eta_s: float):
    """Pretend the home's fill runs (its lock held, its status files written) and return the lock."""
    from retrieval.dense_fill import FillLock

    base = home / "literature"
    lock = FillLock(base / "fill.lock")
    assert lock.acquire()
    (base / "fill.json").write_text(json.dumps({"state": "running", "order": [current], "current": current}))
    (base / "local" / current / "fill_status.json").write_text(json.dumps({"state": "running", "rate": 20.0, "eta_s": eta_s}))
    return lock


def _fill(cfg, n: int):
    """Embed the next `n` passages (bundled knowledge first) with a fresh index, as a new fill run would."""
    from retrieval.dense_fill import fill_dense
    from retrieval.index import LiteratureIndex

    index = LiteratureIndex(cfg, FakeEmbedder())
    try:
        assert fill_dense(index, batch_size=2, block=2, max_chunks=n).state == "stopped"
    finally:
        index.close()


def test_the_fill_keeps_a_tally_per_kind_as_it_writes(tmp_path):
    from retrieval.index import LiteratureIndex
    from retrieval.source_progress import count_kinds, read_tally

    _, cfg = _home(tmp_path)
    _fill(cfg, 6)
    _fill(cfg, 1)  # a second run starts from the tally the first left
    index = LiteratureIndex(cfg, FakeEmbedder())
    try:
        tally = read_tally(index.layout.root)
        assert tally["generation"] == index.catalog.generation
        assert tally["kinds"] == count_kinds(index.catalog)
        # the bundled knowledge first: the NIH answers and USPSTF are done before any abstract
        assert tally["kinds"]["medquad"] == {"documents": 3, "chunks": 6, "embedded": 6}
        assert tally["kinds"]["uspstf"] == {"documents": 1, "chunks": 1, "embedded": 1}
        assert tally["kinds"]["pubmed"] == {"documents": 4, "chunks": 8, "embedded": 0}
    finally:
        index.close()


def test_status_words_source_by_source(tmp_path, monkeypatch):
    import retrieval.source_progress as sp
    from retrieval.dense_fill import home_status, status_line

    home, cfg = _home(tmp_path)
    _fill(cfg, 6)
    _fill(cfg, 1)
    assert status_line(home) == ("Index: NIH consumer answers 6/6 · USPSTF 1/1 · MEDLINE abstracts 0/8"
                                 " · fill stopped: `medbot index start`")

    # read from the tally, not counted: the catalog is not scanned while the tally agrees with it
    def no_scan(catalog):
        raise AssertionError("counted the catalog although the tally agrees with it")

    monkeypatch.setattr(sp, "count_kinds", no_scan)
    lock = _hold_fill(home, "knowledge", eta_s=2400)
    try:
        line = status_line(home)
        st = home_status(home)
    finally:
        lock.release()
    assert line == "Index: NIH consumer answers 6/6 · USPSTF 1/1 · MEDLINE abstracts 0/8 (filling, about 40 min left)"
    pubmed = st["sources"][-1]
    assert (pubmed["label"], pubmed["state"], pubmed["done"], pubmed["total"]) == ("MEDLINE abstracts", "filling", 0, 8)


def test_knowledge_is_filled_first_and_the_rest_is_queued(tmp_path):
    from retrieval.dense_fill import status_line

    home, _ = _home(tmp_path)
    lock = _hold_fill(home, "knowledge", eta_s=600)  # the one-time count seeds the tally (nothing embedded yet)
    try:
        line = status_line(home)
    finally:
        lock.release()
    # 7 of the 15 pending passages are bundled knowledge, filled first: 7/15 of the 10 minutes left
    assert line == ("Index: NIH consumer answers 0/6 (filling) · USPSTF 0/1 (filling, about 5 min left for both)"
                    " · MEDLINE abstracts 0/8 (queued)")


def test_an_existing_home_is_counted_once_then_read_from_its_tally(tmp_path, monkeypatch):
    import retrieval.source_progress as sp
    from retrieval.dense_fill import home_status

    home, _ = _home(tmp_path)
    tally = home / "literature" / "local" / "knowledge" / sp.TALLY_FILE
    assert not tally.exists()  # a home built before the tally existed
    calls = []
    real = sp.count_kinds
    monkeypatch.setattr(sp, "count_kinds", lambda cat: calls.append(1) or real(cat))
    first = home_status(home)["sources"]
    assert tally.is_file() and len(calls) == 1
    assert home_status(home)["sources"] == first and len(calls) == 1  # read, not counted again
    # vectors dropped behind the tally's back (`index rebuild`): it no longer agrees, so it is counted again
    cat = Catalog(home / "literature" / "local" / "knowledge" / "catalog.sqlite3")
    cat.mark_embedded(["pubmed:0#0"])
    assert [s["done"] for s in home_status(home)["sources"]] == [0, 0, 1] and len(calls) == 2
    # an ingest (new generation) is counted again too
    cat.apply([(Document("uspstf:9", "uspstf", "new", version="1"), [Chunk("uspstf:9#0", "uspstf:9", 0, "t", "", 1)])])
    cat.close()
    assert [s["total"] for s in home_status(home)["sources"]] == [6, 2, 8] and len(calls) == 3


def test_web_chat_and_doctor_speak_of_sources(tmp_path, monkeypatch):
    from bot.commands.doctor import source_check
    from bot.config import load_settings
    from bot.ui.index_words import retriever_words, sources_words
    from retrieval.dense_fill import home_status
    from retrieval.index import LiteratureIndex
    from retrieval.retriever import HybridRetriever

    home, cfg = _home(tmp_path)
    monkeypatch.setenv("MEDBOT_HOME", str(home))
    settings = load_settings()
    check = source_check(settings)
    assert (check.group, check.name, check.status) == ("index", "sources", "warn")
    assert check.detail == "NIH consumer answers 0/6 · USPSTF 0/1 · MEDLINE abstracts 0/8"
    assert "medbot index start" in check.fix

    text = sources_words(home_status(home), keyword_ready=True)
    assert text.splitlines()[2:5] == ["- NIH consumer answers 0/6", "- USPSTF 0/1", "- MEDLINE abstracts 0/8"]
    assert "not being built now" in text and len(text.splitlines()) == 7  # sources only, no store collection
    assert "being prepared, not searchable yet" in sources_words(home_status(home), keyword_ready=False)

    from retrieval.ingest import ensure_lexical

    index = LiteratureIndex(cfg, FakeEmbedder())
    try:
        assert "- USPSTF: being prepared, not searchable yet" in retriever_words(HybridRetriever(index), home)
        ensure_lexical(index)  # the keyword index
        words = retriever_words(HybridRetriever(index), home)
    finally:
        index.close()
    assert "- NIH consumer answers 0/6" in words and "- MEDLINE abstracts 0/8" in words

    lock = _hold_fill(home, "knowledge", eta_s=60)
    try:
        assert source_check(settings).status == "ok"
        assert "- MEDLINE abstracts 0/8 (queued)" in sources_words(home_status(home), keyword_ready=True)
    finally:
        lock.release()
