"""The bundled lab results guide: parsing, fields, units and conversions, ranges only with a source,
and search over the consumer collection."""

from __future__ import annotations

import re

import pytest

from retrieval.collections import collection_of
from retrieval.config import IndexConfig
from retrieval.errors import UserError
from retrieval.index import LiteratureIndex
from retrieval.knowledge import bundled_sources, ensure_bundled, labs, labs_source
from retrieval.retriever import HybridRetriever
from retrieval_fakes import FakeEmbedder

DOCS = {d.doc_id.split(":", 1)[1]: d for d in labs.documents()}
# The tests the guide must cover (issue list: CBC, BMP/CMP, lipids, A1C and glucose, TSH, INR,
# creatinine and eGFR, liver enzymes, urinalysis), each with the names people use first.
NAMES = {"inr": "INR", "potassium": "potassium", "sodium": "sodium", "glucose": "glucose", "a1c": "A1C", "tsh": "TSH",
         "creatinine": "creatinine", "egfr": "eGFR", "bun": "BUN", "lipid-panel": "cholesterol", "ldl": "LDL", "hdl": "HDL",
         "triglycerides": "triglycerides", "liver-enzymes": "ALT", "alkaline-phosphatase": "ALP", "bilirubin": "bilirubin",
         "albumin": "albumin", "calcium": "calcium", "bicarbonate-chloride": "bicarbonate", "metabolic-panel": "BMP",
         "cbc": "CBC", "hemoglobin": "hemoglobin", "wbc": "white blood cell", "platelets": "platelet",
         "urinalysis": "urinalysis", "uacr": "UACR", "vitamin-d": "vitamin D", "heart-rate": "heart rate"}
SOURCE_NAMES = re.compile(r"NIDDK|NHLBI|ATP III|MedlinePlus|GARD|open-medicine|ACC/AHA|ASH |European Resuscitation|NCI|Office of Dietary Supplements")
RANGE = re.compile(r"\d(?:\.\d+)? (?:to|-) \d|(?:below|above|less than|more than|or above|or below) \d|\d+ or (?:above|below|more)")


def _text(doc) -> str:
    return "\n".join(s.text for s in doc.sections)


def test_guide_covers_the_common_tests_with_their_names_first():
    assert set(NAMES) <= set(DOCS) and len(DOCS) >= 27
    for key, name in NAMES.items():
        doc = DOCS[key]
        first = doc.sections[0].text.split(". ")[0]
        assert name.lower() in doc.title.lower() and name.lower() in first.lower(), (key, doc.title, first)


def test_document_fields():
    for key, doc in DOCS.items():
        assert doc.kind == labs.KIND == "labs" and collection_of(doc.kind) == "consumer"
        m = doc.meta
        assert m["collection"] == "consumer" and m["publisher"] == labs.PUBLISHER and m["year"] == labs.EDITION
        assert m["url"].startswith("https://") and m["sources"] in m["note"] and m["cite_as"].startswith(labs.PUBLISHER)
        assert doc.title.endswith("what your result means") or doc.title.endswith("what your results mean"), doc.title


def test_each_document_has_meaning_units_help_and_clinician_parts():
    for key, doc in DOCS.items():
        names = [s.name for s in doc.sections]
        assert len(names) == 5, (key, names)
        assert re.search(r"high|abnormal", names[1], re.I) and re.search(r"units", names[2], re.I), (key, names)
        assert names[3].startswith("When to get help") and names[4].endswith("for clinicians"), (key, names)
        assert re.search(r"\b(call|contact|go to|get care|talk with)\b", doc.sections[3].text, re.I), key


def test_help_lists_are_a_lead_in_with_items():
    # "...:" lead-in followed by "- item" lines in labs.md becomes "lead: a; b; c.", the shape the
    # MedlinePlus lists have and the answer's "when to get help" keeps whole, item by item (the
    # chunker joins lines with spaces: "- a - b" would reach the answer as one run-on item)
    inr = DOCS["inr"].sections[3].text
    assert "\n- " not in inr and re.search(r":[^.]*; [^.]*\.", inr), inr
    assert sum(1 for d in DOCS.values() if re.search(r"if: [^\n]+; [^\n]+\.", d.sections[3].text)) >= 5
    from bot.answers.sections import unit_lines

    lines = unit_lines("Contact your clinician today if: your potassium is 6.0 mmol/L or more; your potassium is "
                       "below 2.5 mmol/L.", 1)
    assert lines == ["- Contact your clinician today if: [1]", "  - Your potassium is 6.0 mmol/L or more",
                     "  - Your potassium is below 2.5 mmol/L"]


def test_usual_ranges_only_with_a_named_source_otherwise_the_report_range():
    for key, doc in DOCS.items():
        lead = doc.sections[0].text
        if RANGE.search(lead):
            assert SOURCE_NAMES.search(lead), (key, "a range without its source")
        else:
            assert "report shows its own reference range" in lead or "own reference range" in lead, key
    # tests no open source gives a range for say so
    for key in ("bun", "alkaline-phosphatase", "bilirubin", "platelets", "wbc", "bicarbonate-chloride"):
        assert "Your lab report shows its own reference range" in DOCS[key].sections[0].text, key


@pytest.mark.parametrize("key, phrase, value, factor, result, digits", [
    ("glucose", "126 mg/dL is 7.0 mmol/L", 126, 1 / 18.016, 7.0, 1),
    ("glucose", "200 mg/dL is 11.1 mmol/L", 200, 0.0555, 11.1, 1),
    ("glucose", "70 mg/dL is 3.9 mmol/L", 70, 0.0555, 3.9, 1),
    ("lipid-panel", "200 mg/dL is 5.2 mmol/L", 200, 0.02586, 5.2, 1),
    ("ldl", "160 mg/dL is 4.1 mmol/L", 160, 1 / 38.67, 4.1, 1),
    ("ldl", "190 mg/dL is 4.9 mmol/L", 190, 0.02586, 4.9, 1),
    ("hdl", "40 mg/dL is 1.0 mmol/L", 40, 0.02586, 1.0, 1),
    ("triglycerides", "150 mg/dL is 1.7 mmol/L", 150, 1 / 88.57, 1.7, 1),
    ("triglycerides", "500 mg/dL is 5.6 mmol/L", 500, 0.01129, 5.6, 1),
    ("creatinine", "1.0 mg/dL is 88 umol/L", 1.0, 88.4, 88, 0),
    ("calcium", "10.5 mg/dL is 2.6 mmol/L", 10.5, 0.2495, 2.6, 1),
    ("bilirubin", "1.0 mg/dL is 17 umol/L", 1.0, 17.1, 17, 0),
    ("albumin", "3.5 g/dL is 35 g/L", 3.5, 10, 35, 0),
    ("hemoglobin", "12 g/dL is 120 g/L", 12, 10, 120, 0),
])
def test_conversion_examples_agree_with_the_stated_factors(key, phrase, value, factor, result, digits):
    assert phrase in _text(DOCS[key])
    assert round(value * factor, digits) == result


def test_a1c_conversions():
    text = _text(DOCS["a1c"])
    for pct, mmol in ((5.7, 39), (6.5, 48), (7, 53)):
        assert f"{pct:g} % is {mmol} mmol/mol" in text and round(10.93 * pct - 23.5) == mmol
    assert "about 154 mg/dL (8.6 mmol/L)" in text and round(28.7 * 7 - 46.7) == 154 and round(154.2 / 18.016, 1) == 8.6


def test_stated_thresholds_match_their_sources():
    assert "target INR range is 2.0 to 3.0" in DOCS["inr"].sections[0].text
    assert "below 5.7 percent" in DOCS["a1c"].sections[0].text and "5.7 to 6.4 percent" in DOCS["a1c"].sections[0].text
    assert "60 or above: in the normal range" in DOCS["egfr"].sections[0].text
    assert "6.5 mmol/L or more is an emergency" in DOCS["potassium"].sections[3].text
    assert "more than 30 milligrams of albumin for each gram of creatinine" in DOCS["uacr"].sections[0].text


def test_bad_guide_files_are_one_line_errors(tmp_path):
    bad = tmp_path / "labs.md"
    bad.write_text("# A test: what your result means\nid: a\nurl: https://x\n\n## Part\nText.\n")
    with pytest.raises(UserError, match="lacks sources"):
        list(labs.documents(bad))
    bad.write_text("# A: what your result means\nid: a\nsources: s\nurl: https://x\n\n## P\nT.\n"
                   "# B: what your result means\nid: a\nsources: s\nurl: https://x\n\n## P\nT.\n")
    with pytest.raises(UserError, match="repeated id 'a'"):
        list(labs.documents(bad))
    with pytest.raises(UserError, match="cannot read"):
        list(labs.documents(tmp_path / "missing.md"))


def test_guide_is_a_bundled_source_and_package_data():
    kinds = [s.kind for s in bundled_sources()]
    assert "labs" in kinds and kinds.index("labs") < kinds.index("guideline")
    assert labs.data_path().is_file() and (labs.data_path().parent / "SOURCES.md").is_file()
    assert labs.digest() == labs.digest() and labs.digest().endswith(f".text{labs.TEXT_FORMAT}")


@pytest.fixture
def labs_index(tmp_path):
    index = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder())
    out = ensure_bundled(index, [labs_source()])
    assert [o.status for o in out] == ["ok"] and out[0].docs == len(DOCS)
    yield index
    index.close()


@pytest.mark.parametrize("query, expected", [
    ("My INR was 4.2 yesterday, what does that mean?", "labs:inr"),
    ("what does a potassium of 5.8 mean", "labs:potassium"),
    ("my A1C is 6.1 percent", "labs:a1c"),
    ("high TSH result", "labs:tsh"),
    ("my eGFR is 52, is that kidney disease?", "labs:egfr"),
    ("convert cholesterol mmol/L to mg/dL", {"labs:lipid-panel", "labs:ldl", "labs:hdl"}),  # each gives the factor
    ("ALT and AST slightly raised", "labs:liver-enzymes"),
    ("my hemoglobin is 10.5, am i anemic", "labs:hemoglobin"),
    ("my vitamin d is 15 ng/ml is that low", "labs:vitamin-d"),
    ("what is a normal resting heart rate", "labs:heart-rate"),
    ("my blood sugar is 45 what do i do", "labs:glucose"),
])
def test_questions_find_their_lab_page(labs_index, query, expected):
    r = HybridRetriever(labs_index)
    hits = r.search(query, k=3, prefer="patient")
    wanted = {expected} if isinstance(expected, str) else expected
    assert hits[0].source["doc_id"] in wanted, [h.source["doc_id"] for h in hits]
    assert hits[0].collection == "consumer" and hits[0].url.startswith("https://")


def test_same_data_is_not_ingested_twice(labs_index):
    assert [o.status for o in ensure_bundled(labs_index, [labs_source()])] == ["skipped"]


def test_lab_pages_rank_in_the_question_list(labs_index):
    # titles and names rank with the NIH questions, so "My INR was 4.2..." finds the page by its title
    r = HybridRetriever(labs_index)
    hits = r.search("My INR was 4.2 yesterday, what does that mean?", k=3, mode="question")
    assert hits and hits[0].source["doc_id"] == "labs:inr" and "question" in hits[0].ranks


def test_a_value_after_the_test_name_keeps_the_name_a_search_term(labs_index):
    # "potassium 5.9" once became the one token "potassium5.9" and BM25 found nothing
    r = HybridRetriever(labs_index)
    for query, doc in (("potassium 5.9", "labs:potassium"), ("egfr 45", "labs:egfr"), ("hemoglobin 10.5", "labs:hemoglobin")):
        hits = r.search(query, k=3, mode="bm25")
        assert hits and hits[0].source["doc_id"] == doc, (query, [h.source["doc_id"] for h in hits])


def test_lab_pages_carry_their_names_as_focus_and_synonyms():
    m = DOCS["potassium"].meta
    assert m["focus"] == "Potassium blood test"
    assert {"potassium", "serum potassium", "hyperkalemia"} <= {s.lower() for s in m["synonyms"]}
    # one- and two-letter names ("K", "Hb") would match inside other words
    assert all(sum(ch.isalnum() for ch in s) >= labs.MIN_ALIAS for d in DOCS.values() for s in d.meta["synonyms"] or [])
    assert "vitamin D" in DOCS["vitamin-d"].meta["synonyms"]


def test_a_result_with_a_number_finds_the_lab_page_before_the_topic_page(tmp_path):
    # the MedlinePlus "Potassium" topic (potassium in food) names the same word; a value asks about a result
    from retrieval.knowledge import medlineplus, medlineplus_source, medquad

    topic = {"id": "m-1", "title": "Potassium", "aliases": [], "groups": [], "language": "en",
             "url": "https://medlineplus.gov/potassium.html",
             "summary": "Potassium is a mineral that your body needs to work properly. What foods have potassium? "
                        "Leafy greens, fruit and root vegetables have potassium. How much potassium do I need? "
                        "Most adults need about 3,000 mg of potassium a day. Why is potassium important? "
                        "It helps your nerves and muscles work."}
    topics = tmp_path / "medlineplus.jsonl.gz"
    medquad.write_records(medlineplus.parse_bulk({"generatedAt": "2026-09-22T00:00:00Z", "topics": [topic]}), topics)
    index = LiteratureIndex(IndexConfig(home=tmp_path / "home", auto_build=False, auto_fill=False), FakeEmbedder())
    try:
        ensure_bundled(index, [labs_source(), medlineplus_source(topics)])
        r = HybridRetriever(index)
        hits = r.search("potassium 5.9 on my blood test, should i worry", k=3, mode="question")
        assert hits[0].source["doc_id"] == "labs:potassium", [h.source["doc_id"] for h in hits]
    finally:
        index.close()


def test_relevance_gets_a_second_look_with_clinicians_shorthand_spelled_out(labs_index, monkeypatch):
    import numpy as np

    from retrieval import query_terms

    r = HybridRetriever(labs_index)
    query = "afib"
    ps = r.search(query, k=3)
    emb = labs_index.embedder
    _, vecs = r._passage_vectors(ps)
    raw = float(max(np.asarray(vecs) @ emb.embed_query(query)))
    spelled = float(max(np.asarray(vecs) @ emb.embed_query(query_terms.spell_out(query))))
    assert spelled > raw
    r.min_similarity = (raw + spelled) / 2  # covered only when "afib" is read as atrial fibrillation
    assert r.is_relevant(ps)
    for p in ps:
        p.similarity = None
    monkeypatch.setattr(query_terms, "spell_out", lambda q: q)
    assert not r.is_relevant(ps)
