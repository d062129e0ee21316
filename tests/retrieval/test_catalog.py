from retrieval.catalog import Catalog
from retrieval.chunking import approx_token_counter, chunk_document
from retrieval.types import Document, Section


def _doc(pmid, text, version, deleted=False):
    return Document(doc_id=f"pmid:{pmid}", kind="pubmed", title=f"Title {pmid}", sections=[Section(text=text)] if text else [],
                    meta={"pmid": pmid, "year": 2000, "pub_types": ["Review"]}, version=version, deleted=deleted)


def _items(*docs):
    return [(d, [] if d.deleted else chunk_document(d, approx_token_counter, 64)) for d in docs]


def test_reapplying_the_same_documents_adds_nothing(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    st = cat.apply(_items(_doc("1", "Aspirin helps. It is cheap.", "a")), file_digest="f1")
    assert st.docs_added == 1 and st.chunks_added == 1
    gen = cat.generation
    st2 = cat.apply(_items(_doc("1", "Aspirin helps. It is cheap.", "a")))
    assert st2.chunks_added == 0 and st2.docs_unchanged == 1 and cat.generation == gen
    assert cat.counts()["chunks"] == 1 and cat.file_done("f1") and not cat.file_done("f2")


def test_newest_version_wins_whatever_the_order(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply(_items(_doc("1", "New text about statins.", "21-1298|20200101")))
    st = cat.apply(_items(_doc("1", "Old text about digoxin.", "20-0014|20100101")))
    assert st.docs_older_skipped == 1
    (row,) = cat.chunk_rows(cat.chunks_of("pmid:1")).values()
    assert "statins" in row["text"]
    st = cat.apply(_items(_doc("1", "Newest text about metformin.", "21-1300|20210101")))
    assert st.docs_replaced == 1 and st.chunks_removed == 1
    (row,) = cat.chunk_rows(cat.chunks_of("pmid:1")).values()
    assert "metformin" in row["text"] and cat.counts()["chunks"] == 1


def test_deletion_removes_and_blocks_older_versions(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply(_items(_doc("5", "Asthma text.", "19-0001|20180101")))
    st = cat.apply(_items(_doc("5", "", "19-0900|99999999", deleted=True)))
    assert st.docs_deleted == 1 and cat.counts() ["chunks"] == 0 and cat.counts()["docs"] == 0
    st = cat.apply(_items(_doc("5", "Asthma text.", "19-0001|20180101")))
    assert st.docs_older_skipped == 1 and cat.counts()["chunks"] == 0


def test_embedded_flags_and_pending_in_id_order(tmp_path):
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply(_items(_doc("1", "Short.", "a"), _doc("2", "A much longer text with many more words in it.", "a")))
    pend = cat.pending(10)
    assert [p[0] for p in pend] == sorted(p[0] for p in pend) and len(pend) == 2
    cat.mark_embedded([pend[0][0]])
    assert cat.counts()["embedded"] == 1
    cat.set_embedded_exactly({pend[1][0], "not-a-chunk"})
    assert [p[0] for p in cat.pending(10)] == [pend[0][0]]
