"""MedlinePlus health topics and USPSTF recommendations: parsing, bundled data, MedQuAD replacement,
ingestion and matching (small literal fixtures; no downloads)."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from retrieval.config import IndexConfig
from retrieval.index import LiteratureIndex
from retrieval.knowledge import ensure_bundled, medlineplus_source, uspstf_source
from retrieval.knowledge import medlineplus, medquad, uspstf
from retrieval.knowledge import _medquad_documents
from retrieval.retriever import HybridRetriever
from retrieval_fakes import FakeEmbedder

RELEASE = {"generatedAt": "2026-09-22T23:03:53Z", "sourceUrl": "https://medlineplus.gov/xml/x.zip"}
BELLY = {"id": "medlineplus-3061", "title": "Abdominal Pain", "aliases": ["Bellyache"],
         "groups": ["Digestive System", "Symptoms"], "url": "https://medlineplus.gov/abdominalpain.html",
         "language": "en",
         "summary": "Your abdomen extends from below your chest to your groin. Call your health care provider if "
                    "mild pain lasts a week or more . Get medical help immediately if: You have abdominal pain that "
                    "is sudden and sharp You also have pain in your chest, neck or shoulder You're vomiting blood or "
                    "have blood in your stool"}
ACNE = {"id": "medlineplus-124", "title": "Acne", "aliases": ["Pimples", "Zits"], "groups": ["Skin, Hair and Nails"],
        "url": "https://medlineplus.gov/acne.html", "language": "en",
        "summary": "Acne is a common skin disease that causes pimples. It can cause scars . If you have acne: Clean "
                   "your skin gently Try not to touch your skin Avoid the sun Treatments for acne include medicines "
                   "and creams. NIH: National Institute of Arthritis and Musculoskeletal and Skin Diseases"}
AFM = {"id": "medlineplus-7207", "title": "Acute Flaccid Myelitis", "aliases": ["AFM"], "groups": [],
       "url": "https://medlineplus.gov/acuteflaccidmyelitis.html", "language": "en",
       "summary": "What is acute flaccid myelitis (AFM)? AFM is a neurologic disease . There are two main types: "
                  "acute and chronic. What are the symptoms of acute flaccid myelitis (AFM)? Most people with AFM "
                  "will suddenly have: Arm or leg weakness A loss of muscle tone Some people also have other "
                  "symptoms, including: Drooping eyelids Slurred speech Sometimes AFM can weaken the muscles. "
                  "Can acute flaccid myelitis (AFM) be prevented? You can lower the risk by: Washing your hands "
                  "often Staying home when sick Centers for Disease Control and Prevention"}
SPANISH = dict(BELLY, id="es-1", language="es", url="https://medlineplus.gov/spanish/x.html")


# --- MedlinePlus parsing ----------------------------------------------------------------------
def test_source_line_is_cut_and_kept():
    assert medlineplus.split_source("Acne is common. NIH: National Institute of Arthritis") == (
        "Acne is common.", "NIH: National Institute of Arthritis")
    assert medlineplus.split_source("You can: Wash hands Stay home when sick Centers for Disease Control and "
                                    "Prevention") == ("You can: Wash hands Stay home when sick",
                                                      "Centers for Disease Control and Prevention")
    # a summary without a source line (or one ending in an ordinary list item) is left whole
    text = "Get help if: You can't move your bowels, especially if you're also vomiting"
    assert medlineplus.split_source(text) == (text, None)


def test_flattened_lists_get_their_items_back():
    rec = medlineplus.parse_topic(BELLY)
    lines = rec["sections"][0]["text"].split("\n")
    assert lines[0].endswith("a week or more. Get medical help immediately if:")
    assert lines[1:] == ["- You have abdominal pain that is sudden and sharp",
        "- You also have pain in your chest, neck or shoulder", "- You're vomiting blood or have blood in your stool"]
    acne = medlineplus.parse_topic(ACNE)
    assert acne["source_org"] == "NIH: National Institute of Arthritis and Musculoskeletal and Skin Diseases"
    lines = acne["sections"][0]["text"].split("\n")
    # the sentence after the list is prose again; link gaps ("scars .") are closed
    assert lines == ["Acne is a common skin disease that causes pimples. It can cause scars. If you have acne:",
                     "- Clean your skin gently", "- Try not to touch your skin", "- Avoid the sun",
                     "Treatments for acne include medicines and creams."]


def test_question_headings_sections_and_lists_after_lists():
    rec = medlineplus.parse_topic(AFM)
    assert rec["source_org"] == "Centers for Disease Control and Prevention"
    names = [s["name"] for s in rec["sections"]]
    assert names == ["What is acute flaccid myelitis (AFM)?", "What are the symptoms of acute flaccid myelitis (AFM)?",
                     "Can acute flaccid myelitis (AFM) be prevented?"]
    # "two main types: acute and chronic." stays a sentence
    assert rec["sections"][0]["text"] == "AFM is a neurologic disease. There are two main types: acute and chronic."
    assert rec["sections"][1]["text"].split("\n") == [
        "Most people with AFM will suddenly have:", "- Arm or leg weakness", "- A loss of muscle tone",
        "Some people also have other symptoms, including:", "- Drooping eyelids", "- Slurred speech",
        "Sometimes AFM can weaken the muscles."]
    assert rec["sections"][2]["text"].split("\n")[1:] == ["- Washing your hands often", "- Staying home when sick"]


def test_a_question_heading_right_after_a_flattened_list_starts_its_section():
    sepsis = {"id": "m-1", "title": "Sepsis", "aliases": [], "groups": [], "url": "https://medlineplus.gov/sepsis.html",
              "language": "en",
              "summary": "Who is more likely to develop sepsis? Certain people are more likely to develop it: Adults 65 "
                         "or older Pregnant women Children younger than one What are the symptoms of sepsis? Sepsis can "
                         "cause: Rapid breathing Confusion Fever What affects exposure? It depends on: How it enters "
                         "your body How long you are exposed Can sepsis be prevented? Yes, by preventing infections."}
    names = [s["name"] for s in medlineplus.parse_topic(sepsis)["sections"]]
    # the list item "How it enters your body" opens no heading; the question after the list does
    assert names == ["Who is more likely to develop sepsis?", "What are the symptoms of sepsis?",
                     "What affects exposure?", "Can sepsis be prevented?"]


def test_items_of_the_2017_page_are_sure_boundaries():
    text = "Risk factors include: Having certain genetic disorders, such as Down syndrome Being over age 70"
    assert medlineplus.restore_lists(text).split("\n")[1:] == [
        "- Having certain genetic disorders, such as Down syndrome", "- Being over age 70"]
    glued = "You may need: Blood tests Complete blood count Chest X-ray"
    assert medlineplus.restore_lists(glued, known=["Blood tests Complete blood count"]).split("\n")[1:] == [
        "- Blood tests Complete blood count", "- Chest X-ray"]


def test_topic_document_fields_and_list_units():
    recs = list(medlineplus.parse_bulk(dict(RELEASE, topics=[BELLY, ACNE, SPANISH])))
    assert [r["title"] for r in recs] == ["Abdominal Pain", "Acne"]  # English only
    doc = medlineplus.to_document(recs[0])
    assert doc.doc_id == "medlineplus:abdominalpain.html" and doc.kind == "medlineplus" and doc.title == "Abdominal Pain"
    m = doc.meta
    assert m["collection"] == "consumer" and m["url"] == "https://medlineplus.gov/abdominalpain.html"
    assert m["note"] == "MedlinePlus, September 2026" and m["year"] == 2026 and m["synonyms"] == ["Bellyache"]
    assert m["cite_as"].startswith("Courtesy of MedlinePlus from the National Library of Medicine")
    assert m["focus"] == "Abdominal Pain" and m["publisher"] == medlineplus.PUBLISHER
    # the items stay one sentence with their lead-in
    assert doc.sections[0].text.endswith(
        "Get medical help immediately if: You have abdominal pain that is sudden and sharp; You also have pain in "
        "your chest, neck or shoulder; You're vomiting blood or have blood in your stool.")
    acne = medlineplus.to_document(recs[1])
    assert "source: NIH: National Institute of Arthritis" in acne.meta["cite_as"]


def test_page_keys_match_old_and_new_hosts():
    assert medlineplus.page_key("https://www.nlm.nih.gov/medlineplus/acne.html") == "acne.html"
    assert medlineplus.page_key("https://medlineplus.gov/acne.html") == "acne.html"
    assert medlineplus.page_key("https://medlineplus.gov/ency/article/000001.htm") is None
    assert medlineplus.page_key("https://www.cancer.gov/acne.html") is None and medlineplus.page_key(None) is None


# --- USPSTF ---------------------------------------------------------------------------------
STATEMENTS = [
    {"id": "U1", "title": "Breast Cancer: Screening -- Women aged 40 to 74 years", "grade": "B", "age_min": 40,
     "recommendation": "The USPSTF recommends biennial screening mammography for women aged 40 to 74 years."},
    {"id": "U2", "title": "Breast Cancer: Screening -- Women 75 years or older", "grade": "I",
     "recommendation": "The USPSTF concludes that the current evidence is insufficient.See the Practice "
                       "Considerations section for more."},
    {"id": "U3", "title": "Speech and Language Delay and Disorders in Children: Screening -- Children", "grade": "I",
     "recommendation": "The USPSTF concludes that the current evidence is insufficient."},
]


def test_statements_are_dated_or_left_out():
    recs, dropped = uspstf.parse_statements(STATEMENTS)
    assert [(r["id"], r["grade"], r["year"]) for r in recs] == [("U1", "B", 2024), ("U2", "I", 2024)]
    assert recs[1]["text"] == "The USPSTF concludes that the current evidence is insufficient."  # pointer dropped
    assert "age_min" not in recs[0]  # the source's own additions are not used
    assert dropped == {"Speech and Language Delay and Disorders in Children: Screening": 1}
    with pytest.raises(ValueError):
        uspstf.parse_statements([{"id": "x", "title": "T: S -- P", "grade": "E", "recommendation": "text"}])


def test_statement_documents_keep_grade_with_text():
    recs, _ = uspstf.parse_statements(STATEMENTS)
    (doc,) = list(uspstf.to_documents(recs))
    assert doc.doc_id == "uspstf:breast-cancer-screening" and doc.kind == "uspstf"
    assert [s.name for s in doc.sections] == ["Women aged 40 to 74 years (Grade B)", "Women 75 years or older (Grade I)"]
    m = doc.meta
    assert m["collection"] == "guideline" and m["year"] == 2024 and m["note"] == "USPSTF, 2024"
    assert m["cite_as"] == "US Preventive Services Task Force. Breast Cancer: Screening. Recommendation statement, 2024."


# --- bundled data files ---------------------------------------------------------------------
def test_bundled_data_files_parse_and_carry_their_licence():
    data = resources.files("retrieval") / "data"
    topics = list(medlineplus.read_records())
    assert topics and all(t["url"].startswith("https://medlineplus.gov/") and t["release"] == "2026-09-22"
                          and t["release_label"] == "September 2026" and t["sections"] for t in topics)
    lic = " ".join((data / "MEDLINEPLUS_LICENSE.txt").read_text(encoding="utf-8").split())
    assert "Courtesy of MedlinePlus from the National Library of Medicine" in lic and "2026-09-22" in lic
    statements = list(uspstf.read_records())
    assert len(statements) >= 130 and all(r["grade"] in uspstf.GRADES and r["topic"] in uspstf.YEARS
                                          and r["year"] == uspstf.YEARS[r["topic"]] for r in statements)
    assert not any("50 to 74" in r["text"] for r in statements if r["topic"] == "Breast Cancer: Screening")
    lic = " ".join((data / "USPSTF_LICENSE.txt").read_text(encoding="utf-8").split())
    assert "public domain" in lic.lower() and "U.S. Preventive Services Task Force" in lic
    docs = list(medlineplus.documents()) + list(uspstf.documents())
    assert all(d.meta["cite_as"] and d.meta["year"] and d.meta["note"] for d in docs)


def test_medquad_pairs_of_replaced_pages_are_gone():
    replaced = medlineplus.replaced_pages()
    assert "abdominalpain.html" in replaced
    old = [r for r in medquad.read_records() if r["source"] == "MPlusHealthTopics"]
    gone = {f"medquad:{r['id']}" for r in old if medlineplus.page_key(r["url"]) in replaced}
    kept = {f"medquad:{r['id']}" for r in old} - gone
    assert gone and kept
    ids = {d.doc_id for d in _medquad_documents()}
    assert not ids & gone and kept <= ids
    assert len(ids) == sum(1 for _ in medquad.read_records()) - len(gone)


# --- ingestion, re-ingestion and matching ---------------------------------------------------
@pytest.fixture
def small_index(tmp_path):
    topics = tmp_path / "medlineplus.jsonl.gz"
    medquad.write_records(medlineplus.parse_bulk(dict(RELEASE, topics=[BELLY, ACNE, AFM])), topics)
    statements = tmp_path / "uspstf.jsonl.gz"
    medquad.write_records(uspstf.parse_statements(STATEMENTS)[0], statements)
    index = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder())
    yield index, topics, statements
    index.close()


def test_lay_words_find_the_topic_and_changes_reingest_only_what_changed(small_index):
    index, topics, statements = small_index
    out = ensure_bundled(index, [medlineplus_source(topics), uspstf_source(statements)])
    assert [(o.status, o.docs) for o in out] == [("ok", 3), ("ok", 1)]
    r = HybridRetriever(index)
    for query, doc in (("bellyache", "medlineplus:abdominalpain.html"), ("zits", "medlineplus:acne.html")):
        best = r.search(query, k=3)[0]
        assert best.source["doc_id"] == doc and best.collection == "consumer" and "question" in best.ranks
    rec = r.search("screening mammography for women aged 40", k=3, filters={"collections": ["guideline"]})[0]
    assert rec.source["doc_id"] == "uspstf:breast-cancer-screening" and "(Grade B)" in rec.source["section"]
    assert rec.source["note"] == "USPSTF, 2024"
    # same data: nothing to do; one topic changed: only its chunks are replaced
    assert [o.status for o in ensure_bundled(index, [medlineplus_source(topics)])] == ["skipped"]
    changed = dict(ACNE, summary=ACNE["summary"].replace("Avoid the sun", "Avoid the sun and tanning beds"))
    medquad.write_records(medlineplus.parse_bulk(dict(RELEASE, topics=[BELLY, changed, AFM])), topics)
    (again,) = ensure_bundled(index, [medlineplus_source(topics)])
    st = again.stats
    assert again.status == "ok" and st.docs_replaced == 1 and st.docs_unchanged == 2
    assert 0 < st.chunks_added <= 2
    # a topic the new release drops is deleted
    medquad.write_records(medlineplus.parse_bulk(dict(RELEASE, topics=[BELLY, changed])), topics)
    (last,) = ensure_bundled(index, [medlineplus_source(topics)])
    assert last.stats.docs_deleted == 1
    assert "medlineplus:acuteflaccidmyelitis.html" not in {d["doc_id"] for d in index.catalog.documents()}


def test_a_topic_section_headed_by_a_question_answers_that_kind_of_question(small_index):
    # the "prevented" section of a topic is matched for a prevention question, not only the topic's first chunks
    index, topics, statements = small_index
    ensure_bundled(index, [medlineplus_source(topics)])
    r = HybridRetriever(index)
    best = r.search("how can i prevent afm", k=1, mode="question")[0]
    assert best.source["doc_id"] == "medlineplus:acuteflaccidmyelitis.html"
    assert best.source["section"].startswith("Can acute flaccid myelitis (AFM) be prevented")
    sym = r.search("symptoms of acute flaccid myelitis", k=1, mode="question")[0]
    assert sym.source["section"].startswith("What are the symptoms")
