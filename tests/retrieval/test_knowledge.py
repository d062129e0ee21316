"""Bundled knowledge: MedQuAD parsing and data file, guideline summaries, collections, question
matching, brand -> generic names, and the search fields that carry them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from knowledge_fixtures import EMPTY_XML, HBP_XML, KIDNEY_XML, STROKE_XML, write_medquad_repo, write_open_medicine
from retrieval.chunking import approx_token_counter, chunk_document
from retrieval.config import IndexConfig
from retrieval.errors import UserError
from retrieval.index import LiteratureIndex
from retrieval.knowledge import ensure_bundled, guideline_source, medquad_source
from retrieval.knowledge import guidelines, medquad
from retrieval.retriever import HybridRetriever
from retrieval_fakes import FakeEmbedder


# --- MedQuAD --------------------------------------------------------------------------------
def test_medquad_pairs_from_literal_xml():
    recs = medquad.parse_document(STROKE_XML)
    # the pair with an empty answer is left out
    assert [r["id"] for r in recs] == ["NIHSeniorHealth-0000066-1", "NIHSeniorHealth-0000066-3", "NIHSeniorHealth-0000066-4"]
    sym = recs[1]
    assert sym["question"] == "What are the symptoms of Stroke ?" and sym["qtype"] == "symptoms"
    assert sym["focus"] == "Stroke" and sym["synonyms"] == ["Brain attack", "CVA"]
    assert sym["url"] == "http://nihseniorhealth.gov/stroke/toc.html"
    assert sym["answer"].split("\n") == [
        "The symptoms come on suddenly:",
        "- numbness or weakness of the face, arm, or leg, especially on one side of the body",
        "- confusion, trouble speaking or understanding",
        "- sudden severe headache with no known cause",
        "Call 911 immediately if you have any of these symptoms."]
    other = medquad.parse_document(KIDNEY_XML)
    assert [(r["id"], r["qtype"], r["focus"]) for r in other] == [("CDC-0000397-2", "prevention", "Kidney Stones")]
    assert medquad.parse_document(EMPTY_XML) == []
    with pytest.raises(ValueError):
        medquad.parse_document("<html><body/></html>")


def test_medquad_repeated_ids_and_file_names(tmp_path):
    seen: set[str] = set()
    a = medquad.parse_document(HBP_XML, seen)
    b = medquad.parse_document(HBP_XML, seen)
    assert [r["id"] for r in b] == ["NHLBI-0000031-1.2", "NHLBI-0000031-5.2"] and len(seen) == 4
    c = medquad.parse_document(HBP_XML, doc_id="0000031_2")
    assert c[0]["id"] == "NHLBI-0000031_2-1" and a[0]["id"] == "NHLBI-0000031-1"


def test_build_script_output_round_trips(tmp_path):
    repo = write_medquad_repo(tmp_path / "MedQuAD")
    out = tmp_path / "mq.jsonl.gz"
    n = medquad.write_records(medquad.parse_repository(repo), out)
    assert n == 6
    again = tmp_path / "again.jsonl.gz"
    medquad.write_records(medquad.parse_repository(repo), again)
    assert out.read_bytes() == again.read_bytes()  # reproducible bytes
    recs = list(medquad.read_records(out))
    assert {r["source"] for r in recs} == {"NIHSeniorHealth", "NHLBI", "CDC"}
    with pytest.raises(UserError, match="no such MedQuAD subset"):
        list(medquad.parse_repository(tmp_path))


def test_medquad_document_fields():
    rec = medquad.parse_document(STROKE_XML)[1]
    doc = medquad.to_document(rec)
    assert doc.doc_id == "medquad:NIHSeniorHealth-0000066-3" and doc.kind == "medquad"
    assert doc.title == "What are the symptoms of Stroke ?"
    assert doc.meta["url"] == "http://nihseniorhealth.gov/stroke/toc.html" and doc.meta["note"] == "NIH, as of 2017"
    assert doc.meta["focus"] == "Stroke" and doc.meta["synonyms"] == ["Brain attack", "CVA"]
    assert doc.meta["qtype"] == "symptoms" and doc.meta["collection"] == "consumer"
    # a list becomes one sentence with its lead-in, so the items keep what they are
    assert doc.sections[0].text.startswith("The symptoms come on suddenly: numbness or weakness of the face, arm, or leg, "
                                           "especially on one side of the body; confusion, trouble speaking")
    assert doc.sections[0].text.endswith("no known cause. Call 911 immediately if you have any of these symptoms.")
    assert doc.version == f"2017.{medquad.TEXT_FORMAT}"


def test_medquad_answer_text_lists():
    assert medquad.answer_text("Common symptoms are\n- fatigue\n- weight gain.\nIt develops slowly") == \
        "Common symptoms are: fatigue; weight gain. It develops slowly."
    # a first item written on its lead-in's line ("... depression. - feeling nervous")
    assert medquad.answer_text("You may have depression. - feeling sad\n- poor sleep") == \
        "You may have depression: feeling sad; poor sleep."
    assert medquad.answer_text("- only\n- items") == "Only; items."
    assert medquad.answer_text("Common symptoms include - feeling empty\n- poor sleep") == \
        "Common symptoms include: feeling empty; poor sleep."
    assert medquad.answer_text("A well-known fact - with a dash inside.") == "A well-known fact - with a dash inside."


def test_medquad_lists_flattened_by_the_crawl_are_restored():
    glued = ("The warning symptoms are:\nChest pain or discomfort.Most heart attacks involve the chest.\n"
             "Upper body discomfort.You may feel pain in the arms.\nAct fast.")
    assert medquad.answer_text(glued) == (
        "The warning symptoms are: Chest pain or discomfort; Upper body discomfort. Chest pain or discomfort: Most "
        "heart attacks involve the chest. Upper body discomfort: You may feel pain in the arms. Act fast.")
    short = "Other symptoms include:\nBreaking out in a cold sweat.\nNausea and vomiting.\nA long closing paragraph " + "x" * 120
    assert medquad.answer_text(short).startswith("Other symptoms include: Breaking out in a cold sweat; Nausea and vomiting.")
    assert medquad.repair_lists("It hurts.See a doctor.") == "It hurts. See a doctor."


def test_bundled_medquad_file_is_package_data():
    from importlib import resources

    path = resources.files("retrieval") / "data" / "medquad.jsonl.gz"
    assert path.is_file()
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    assert set(first) >= {"id", "source", "doc", "pair", "question", "qtype", "focus", "synonyms", "url", "answer"}
    recs = list(medquad.read_records())
    assert len(recs) > 16000 and len({r["id"] for r in recs}) == len(recs)
    assert {r["source"] for r in recs} == set(medquad.SITE_NAMES)
    assert (resources.files("retrieval") / "data" / "MEDQUAD_LICENSE.txt").read_text().count("Attribution 4.0") >= 1


# --- guidelines -----------------------------------------------------------------------------
def test_markdown_sections_keep_heading_path_and_grade():
    from knowledge_fixtures import ACS_MD

    title, sections = guidelines.markdown_sections(ACS_MD)
    assert title == "Antithrombotic Therapy in Acute Coronary Syndromes — ESC 2023"
    names = [s.name for s in sections]
    assert names == ["Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)",
                     "Antiplatelet Therapy > P2Y12 Inhibitors", "Algorithm"]
    aspirin = sections[0].text
    assert aspirin == "Loading dose: 150–300 mg orally. Maintenance dose: 75–100 mg once daily, continued indefinitely."
    p2y12 = sections[1].text
    assert "Ticagrelor — Loading: 180 mg; Maintenance: 90 mg twice daily." in p2y12
    assert "Calculator" not in p2y12 and "calculate_grace" not in p2y12
    assert sections[2].text == "Suspected ACS. → ECG within 10 minutes."


def test_guideline_documents_cite_the_summary_not_the_guideline(tmp_path):
    root = write_open_medicine(tmp_path / "open_medicine")
    docs = list(guidelines.documents(root))
    assert [d.doc_id for d in docs] == ["guideline:esc_acs_2023/antithrombotic_therapy", "guideline:ddx/chest_pain"]
    acs, ddx = docs
    assert acs.kind == "guideline" and acs.meta["url"] == "https://doi.org/10.1093/eurheartj/ehad191"
    assert acs.meta["cite_as"] == ("summary of 2023 ESC Guidelines for the management of acute coronary syndromes "
                                   "(doi:10.1093/eurheartj/ehad191)")
    assert acs.meta["year"] == 2023 and acs.meta["collection"] == "guideline"
    acs_dx = [s for s in ddx.sections if s.name == "Acute Coronary Syndrome (ACS)"][0]
    assert "Red flags: ST changes on ECG; Elevated troponin." in acs_dx.text
    assert "calculate_heart_score" not in acs_dx.text and "Likelihood: must not miss." in acs_dx.text
    assert ddx.meta["cite_as"] == "summary of 2021 AHA/ACC Chest Pain Guideline (doi:10.1016/j.jacc.2021.07.053)"


def test_guideline_chunks_keep_the_grade_with_the_bullets(tmp_path):
    root = write_open_medicine(tmp_path / "open_medicine")
    acs = next(guidelines.documents(root))
    chunks = chunk_document(acs, approx_token_counter, 40)
    aspirin = [c for c in chunks if "75–100 mg" in c.text]
    assert aspirin and all(c.context.endswith("Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)")
                           for c in aspirin)
    assert all(c.section == "Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)" for c in aspirin)
    assert not any("Ticagrelor" in c.text for c in aspirin)


def test_installed_open_medicine_is_read_as_data(monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "open_medicine" or m.startswith("open_medicine.")]:
        monkeypatch.delitem(sys.modules, name)  # other tests (the score calculators) import it on purpose
    root = guidelines.package_root()
    docs = list(guidelines.documents(root))
    summaries = [d for d in docs if not d.doc_id.startswith("guideline:ddx/")]
    assert len({d.doc_id.split("/")[0] for d in summaries}) == 43
    assert len(docs) - len(summaries) == 14
    assert all(d.meta["doi"] for d in docs)
    assert "open_medicine" not in sys.modules


# --- collections, question matching, search fields ------------------------------------------
@pytest.fixture
def knowledge_index(tmp_path):
    repo = write_medquad_repo(tmp_path / "MedQuAD")
    data = tmp_path / "medquad.jsonl.gz"
    medquad.write_records(medquad.parse_repository(repo), data)
    om = write_open_medicine(tmp_path / "open_medicine")
    index = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder())
    outcomes = ensure_bundled(index, [medquad_source(data), guideline_source(om)])
    assert [o.status for o in outcomes] == ["ok", "ok"] and [o.docs for o in outcomes] == [6, 2]
    literature = tmp_path / "lit.jsonl"
    literature.write_text(json.dumps({"id": "x", "text": "Low-dose aspirin after myocardial infarction reduced "
                                      "reinfarction and vascular death in this randomized trial.",
                                      "metadata": {"title": "Aspirin after myocardial infarction", "pmid": "777",
                                                   "year": 1988}}) + "\n")
    from retrieval.ingest import ingest_lexical

    ingest_lexical(index, [literature])
    yield index, data, om
    index.close()


def test_search_fields_per_collection(knowledge_index):
    index, _, _ = knowledge_index
    r = HybridRetriever(index)
    got = {p.collection: p for p in r.search("aspirin stroke blood pressure heart attack", k=20)}
    assert set(got) == {"consumer", "guideline", "literature"}
    c, g, lit = got["consumer"], got["guideline"], got["literature"]
    assert c.url.startswith("http://www.") or c.url.startswith("http://nihseniorhealth")
    assert c.source["note"] == "NIH, as of 2017" and c.title == c.source["title"] and c.source["doc_id"].startswith("medquad:")
    assert g.url.startswith("https://doi.org/10.") and g.source["cite_as"].startswith("summary of ")
    assert lit.url == "https://pubmed.ncbi.nlm.nih.gov/777/" and lit.source["kind"] == "pubmed"
    js = c.to_json()
    assert js["collection"] == "consumer" and js["title"] and js["url"] and js["id"] == c.id


@pytest.mark.parametrize("query, expected", [
    ("warning signs of a stroke", "medquad:NIHSeniorHealth-0000066-3"),
    ("how do you know if someone is having a stroke symptoms", "medquad:NIHSeniorHealth-0000066-3"),
    ("who gets strokes", "medquad:NIHSeniorHealth-0000066-4"),
    ("how is hypertension treated", "medquad:NHLBI-0000031-5"),
    ("what is HBP", "medquad:NHLBI-0000031-1"),
    ("can I avoid getting kidney stones", "medquad:CDC-0000397-2"),
])
def test_question_match_ranks_the_right_pair_first(knowledge_index, query, expected):
    index, _, _ = knowledge_index
    r = HybridRetriever(index)
    assert r.search(query, k=3, mode="question")[0].source["doc_id"] == expected
    best = r.search(query, k=3, prefer="patient")[0]
    assert best.source["doc_id"] == expected and "question" in best.ranks


def test_preference_and_collection_filter(knowledge_index):
    index, _, _ = knowledge_index
    r = HybridRetriever(index)
    q = "aspirin after heart attack"
    assert r.search(q, k=1, prefer="clinician")[0].collection in ("guideline", "literature")
    assert r.search(q, k=1, prefer={"consumer": 0.1, "literature": 0.1})[0].collection == "guideline"
    only = r.search(q, k=10, filters={"collections": ["guideline"]})
    assert only and {p.collection for p in only} == {"guideline"}
    assert {p.collection for p in r.search("stroke", k=10, filters={"collections": "literature"})} <= {"literature"}
    with pytest.raises(UserError, match="unknown collection"):
        r.search(q, filters={"collections": ["news"]})
    with pytest.raises(UserError, match="unknown preference"):
        r.search(q, prefer="nurse")


def test_bundled_data_ingested_once_and_replaced_on_change(knowledge_index):
    index, data, om = knowledge_index
    again = ensure_bundled(index, [medquad_source(data), guideline_source(om)])
    assert [o.status for o in again] == ["skipped", "skipped"]
    recs = [r for r in medquad.read_records(data) if r["source"] != "CDC"]
    medquad.write_records(recs, data)
    out = ensure_bundled(index, [medquad_source(data)])
    assert out[0].status == "ok" and out[0].stats.docs_deleted == 1
    assert "medquad:CDC-0000397-2" not in {d["doc_id"] for d in index.catalog.documents()}
    missing = ensure_bundled(index, [guideline_source(Path(om) / "nowhere")])
    assert missing[0].status == "failed" and missing[0].error


# --- query rewriting ------------------------------------------------------------------------
def test_brand_names_get_their_generic_names():
    from retrieval.drug_names import DrugNames

    names = DrugNames(table={"tylenol": ["Acetaminophen"], "glucophage": ["Metformin"], "tylenol pm": ["Acetaminophen", "Diphenhydramine"]})
    assert names.normalise("Tylenol overdose") == "Tylenol (acetaminophen) overdose"
    assert names.normalise("tylenol PM at night") == "tylenol PM (acetaminophen diphenhydramine) at night"
    assert names.normalise("metformin or Glucophage?") == "metformin or Glucophage?"  # generic already there
    assert names.normalise("what is high blood pressure") == "what is high blood pressure"


def test_installed_drug_dictionary(tmp_path):
    from retrieval.drug_names import DrugNames

    names = DrugNames(cache_dir=tmp_path)
    assert names.normalise("Tylenol overdose") == "Tylenol (acetaminophen) overdose"
    assert names.normalise("Lipitor and grapefruit") == "Lipitor (atorvastatin) and grapefruit"
    assert names.normalise("warning signs of a stroke") == "warning signs of a stroke"
    assert list(tmp_path.glob("drug_names-*.json"))  # cached for the next process
    assert DrugNames(cache_dir=tmp_path).find("advil") == [("advil", ["Ibuprofen"])]


def test_query_terms():
    from retrieval.query_terms import add_synonyms, glue_numbers, question_type

    assert glue_numbers("first-line treatment type 2 diabetes") == "first-line treatment type2 diabetes"
    assert glue_numbers("covid-19 and stage 3 CKD") == "covid19 and stage3 CKD"
    # a value after a test's name is not a kind: the name stays a term
    assert glue_numbers("potassium 5.9, egfr 45, is 10") == "potassium 5.9, egfr 45, is 10"
    # clinicians' shorthand: spelled out for the embedder, added for the lexical lists; a condition ruled out is not searched
    from retrieval.query_terms import drop_negated, spell_out

    q = "first line tx for HTN in a 55yo black pt without CKD"
    assert spell_out(q) == "first line treatment for hypertension in a 55yo black patient without"
    assert "hypertension" in add_synonyms(q) and "kidney" not in add_synonyms(q)
    assert drop_negated("COPD pt, no DM") == "COPD pt, no" and spell_out("notable copd") == "notable chronic obstructive pulmonary disease"
    assert add_synonyms("what is the best treatment") == "what is the best treatment"  # one way: no "tx" added
    assert question_type("warning signs of a stroke") == "symptoms"
    assert question_type("How can I tell if I'm having a heart attack?") == "symptoms"
    assert question_type("first-line treatment type 2 diabetes") == "treatment"
    assert question_type("what is high blood pressure") == "information"
    assert question_type("aspirin after heart attack") is None
    # the words people use for the kind of answer they want
    assert question_type("What triggers asthma attacks?") == "causes"
    assert question_type("What can I take for a migraine?") == "treatment"
    assert question_type("how do i get rid of hiccups") == "treatment"
    assert question_type("how long does a cold last") == "outlook"
    # a result to read is not a question about how a disease is tested for
    assert question_type("potassium 5.9 on my blood test, should i worry") is None
    assert question_type("my TSH is 8.5 what does it mean") is None
    assert question_type("how is diabetes diagnosed") == "exams and tests"
    assert "common cold" in add_synonyms("how long does a cold last") and "common cold" not in add_synonyms("cold hands")
    assert add_synonyms("aspirin after heart attack") == ("aspirin after heart attack myocardial infarction "
                                                          "acute coronary syndrome")
    assert add_synonyms("hypertension in pregnancy") == "hypertension in pregnancy high blood pressure"
    assert add_synonyms("symptoms of an underactive thyroid").endswith(" hypothyroidism")
    assert "otitis media" in add_synonyms("my child has ear infections") and "otitis" not in add_synonyms("ear wax")


def test_drug_mentions_by_brand_or_generic():
    from retrieval.drug_names import DrugNames

    names = DrugNames(table={"tylenol": ["Acetaminophen"], "bayer aspirin": ["Aspirin"]})
    assert names.mentions_drug("is tylenol safe") and names.mentions_drug("aspirin after a heart attack")
    assert not names.mentions_drug("warning signs of a stroke")


def test_guideline_sections_match_by_heading(knowledge_index):
    from retrieval.questions import heading_focus

    assert heading_focus("Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)") == "Aspirin"
    assert heading_focus("P2Y12 Inhibitors — Default Dual Antiplatelet Therapy (DAPT)") == "P2Y12 Inhibitors"
    index, _, _ = knowledge_index
    r = HybridRetriever(index)
    best = r.search("Should aspirin be continued long term after a myocardial infarction?", k=1, prefer="clinician")[0]
    assert best.collection == "guideline" and best.ranks.get("section") == 1
    assert best.source["section"] == "Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)"
    # filters reach the matching lists too
    assert all(p.collection == "consumer" for p in r.search("aspirin", k=5, mode="question", filters={"collections": ["consumer"]}))
    assert r.search("aspirin", k=5, mode="question", filters={"year_min": 2024}) == []


def test_whole_answers_widen_the_best_nih_answers_only(knowledge_index):
    from types import SimpleNamespace

    from retrieval.types import Passage

    index, _, _ = knowledge_index
    stroke = index.catalog.doc_chunk_texts("medquad:NIHSeniorHealth-0000066-3")
    assert len(stroke) == 1 and stroke[0].startswith("The symptoms come on suddenly:")

    chunks = {"medquad:a": ["Symptoms vary from person to person.", "Common symptoms are: sadness; poor sleep."],
              "medquad:long": [f"part {i}." for i in range(9)], "guideline:g": ["Section one.", "Section two."]}
    r = HybridRetriever.__new__(HybridRetriever)
    r.index = SimpleNamespace(catalog=SimpleNamespace(doc_chunk_texts=lambda doc: chunks.get(doc, [])))

    def p(doc, text, collection="consumer"):
        return Passage(id=f"{doc}#{text[:4]}", text=text, score=1.0, similarity=0.5,
                       source={"doc_id": doc, "collection": collection}, collection=collection)

    got = r.whole_answers([p("medquad:a", "Symptoms vary from person to person."), p("guideline:g", "Section one.", "guideline"),
                           p("medquad:a", "Common symptoms are: sadness; poor sleep."), p("medquad:long", "part 3.")])
    assert [x.source["doc_id"] for x in got] == ["medquad:a", "guideline:g", "medquad:long"]  # the sibling chunk is merged
    assert got[0].text == "Symptoms vary from person to person.\nCommon symptoms are: sadness; poor sleep."
    assert got[1].text == "Section one." and got[2].text == "part 3."  # guidelines and very long answers stay
    assert r.whole_answers([p("medquad:x", "a"), p("medquad:y", "b"), p("medquad:z", "c"), p("medquad:a", "d")], top=3)[3].text == "d"
