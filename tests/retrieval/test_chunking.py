from retrieval.chunking import approx_token_counter, chunk_document, chunk_id, split_sentences
from retrieval.types import Document, Section


def test_split_sentences_keeps_abbreviations_initials_and_decimals():
    text = ("Smith et al. reported 2.5 mg doses. Bleeding was rare, e.g. 0.4% vs. 0.3% in controls. "
            "J. Doe disagreed! Was it real? Yes.")
    assert split_sentences(text) == [
        "Smith et al. reported 2.5 mg doses.",
        "Bleeding was rare, e.g. 0.4% vs. 0.3% in controls.",
        "J. Doe disagreed!",
        "Was it real?",
        "Yes.",
    ]


def test_split_sentences_edge_cases():
    assert split_sentences("") == []
    assert split_sentences("   no final period here ") == ["no final period here"]
    assert split_sentences('He said "stop." Then left.') == ['He said "stop."', "Then left."]
    assert split_sentences("See Fig. 2 for details. Done.") == ["See Fig. 2 for details.", "Done."]


def _doc(n_sentences=30, kind="pubmed"):
    body = " ".join(f"Sentence number {i} talks about aspirin and the heart." for i in range(n_sentences))
    return Document(doc_id="pmid:1", kind=kind, title="Aspirin trial", sections=[Section(text=body, name="Results")])


def test_chunks_fit_the_token_limit_and_keep_whole_sentences():
    doc = _doc()
    chunks = chunk_document(doc, approx_token_counter, max_tokens=40)
    assert len(chunks) > 3
    for c in chunks:
        assert c.ntok <= 40
        assert approx_token_counter([c.indexed_text])[0] + 2 <= 40
        assert c.text.startswith("Sentence") or c.text.startswith("Results: Sentence")
        assert c.text.endswith("heart.")
        assert c.context == "Aspirin trial"
    joined = " ".join(c.text for c in chunks)
    assert joined == "Results: " + doc.sections[0].text
    assert [c.ord for c in chunks] == list(range(len(chunks)))


def test_chunk_ids_are_content_hashes():
    a = chunk_document(_doc(), approx_token_counter, 40)
    b = chunk_document(_doc(), approx_token_counter, 40)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)
    assert a[0].id == chunk_id("pmid:1", "Aspirin trial", a[0].text)


def test_other_documents_break_at_sections_and_pages():
    doc = Document(doc_id="file:x", kind="file", title="Guide",
                   sections=[Section(text="First page text. More.", page=1), Section(text="Second page.", page=2),
                             Section(text="Heading text here.", name="Dosage", page=2)])
    chunks = chunk_document(doc, approx_token_counter, 200)
    assert [(c.page, c.section, c.context) for c in chunks] == [
        (1, "", "Guide | page 1"), (2, "", "Guide | page 2"), (2, "Dosage", "Guide | Dosage | page 2")]


def test_overlong_sentence_is_cut_to_fit():
    words = " ".join(f"word{i}" for i in range(300)) + "."
    doc = Document(doc_id="pmid:2", kind="pubmed", title="T", sections=[Section(text=words)])
    chunks = chunk_document(doc, approx_token_counter, 50)
    assert all(c.ntok <= 50 for c in chunks)
    assert " ".join(c.text for c in chunks) == words


def test_title_only_document_is_one_chunk():
    doc = Document(doc_id="pmid:3", kind="pubmed", title="Bile acid metabolism in rat liver")
    chunks = chunk_document(doc, approx_token_counter, 50)
    assert len(chunks) == 1 and chunks[0].text == "Bile acid metabolism in rat liver" and chunks[0].context == ""
