"""Fact extraction from a small literal bundle: every section and rule, checked exactly."""

from __future__ import annotations

from bot.cases import summarize_facts
from bot.cases.classify import is_social
from bot.cases.fhir_facts import check_bundle, extract_facts, format_number
from bot.cases.trace import TraceIndex, check_text, find_tokens


def _cc(display, code="1", system="http://snomed.info/sct"):
    return {"coding": [{"system": system, "code": code, "display": display}]}


BUNDLE = {"resourceType": "Bundle", "type": "collection", "entry": [
    {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient", "id": "p", "gender": "female",
                                            "birthDate": "1950-06-15", "deceasedDateTime": "2020-06-14T08:00:00Z",
                                            "name": [{"family": "Doe", "given": ["Jane"]}]}},
    {"resource": {"resourceType": "Condition", "id": "c1", "clinicalStatus": {"coding": [{"code": "active"}]},
                  "code": _cc("Heart failure (disorder)", "84114007"), "onsetDateTime": "2015-03-01T00:00:00Z"}},
    {"resource": {"resourceType": "Condition", "id": "c2", "clinicalStatus": {"coding": [{"code": "resolved"}]},
                  "code": _cc("Pneumonia (disorder)", "233604007"), "onsetDateTime": "2019-01-01"}},
    {"resource": {"resourceType": "Condition", "id": "c3", "clinicalStatus": {"coding": [{"code": "active"}]},
                  "code": _cc("Full-time employment (finding)", "160903007"), "onsetDateTime": "1970-01-01"}},
    {"resource": {"resourceType": "Condition", "id": "c4", "clinicalStatus": {"coding": [{"code": "active"}]},
                  "verificationStatus": {"coding": [{"code": "entered-in-error"}]},
                  "code": _cc("Asthma (disorder)", "195967001"), "onsetDateTime": "2001-01-01"}},
    {"fullUrl": "urn:uuid:m1", "resource": {"resourceType": "Medication", "id": "m1", "code": _cc("Furosemide 40 MG Oral Tablet", "313988")}},
    {"resource": {"resourceType": "MedicationRequest", "id": "r1", "status": "active", "intent": "order",
                  "medicationReference": {"reference": "urn:uuid:m1"}, "authoredOn": "2019-05-02",
                  "dosageInstruction": [{"text": "1 tablet daily"}]}},
    {"resource": {"resourceType": "MedicationRequest", "id": "r2", "status": "stopped", "intent": "order",
                  "medicationCodeableConcept": _cc("Amoxicillin 500 MG"), "authoredOn": "2019-01-01"}},
    {"resource": {"resourceType": "MedicationStatement", "id": "s1", "status": "active",
                  "medicationCodeableConcept": _cc("Aspirin 81 MG"), "effectiveDateTime": "2018-02-03"}},
    {"resource": {"resourceType": "AllergyIntolerance", "id": "a1", "clinicalStatus": {"coding": [{"code": "active"}]},
                  "category": ["medication"], "criticality": "high", "code": _cc("Penicillin"),
                  "reaction": [{"manifestation": [_cc("Urticaria")]}], "recordedDate": "1990-04-04"}},
    {"resource": {"resourceType": "Observation", "id": "o1", "status": "final",
                  "category": [{"coding": [{"code": "vital-signs"}]}],
                  "code": _cc("Blood pressure panel", "85354-9", "http://loinc.org"), "effectiveDateTime": "2020-06-01",
                  "component": [{"code": _cc("Systolic", "8480-6", "http://loinc.org"), "valueQuantity": {"value": 128, "unit": "mm[Hg]"}},
                                {"code": _cc("Diastolic", "8462-4", "http://loinc.org"), "valueQuantity": {"value": 82.25, "unit": "mm[Hg]"}}]}},
    {"resource": {"resourceType": "Observation", "id": "o2", "status": "final",
                  "category": [{"coding": [{"code": "laboratory"}]}],
                  "code": _cc("NT-proBNP", "33762-6", "http://loinc.org"), "effectiveDateTime": "2020-05-30",
                  "valueQuantity": {"value": 1834.456, "unit": "pg/mL"}}},
    {"resource": {"resourceType": "Observation", "id": "o3", "status": "final",
                  "category": [{"coding": [{"code": "laboratory"}]}],
                  "code": _cc("NT-proBNP", "33762-6", "http://loinc.org"), "effectiveDateTime": "2019-05-30",
                  "valueQuantity": {"value": 900, "unit": "pg/mL"}}},
    {"resource": {"resourceType": "Observation", "id": "o4", "status": "final",
                  "category": [{"coding": [{"code": "laboratory"}]}],
                  "code": _cc("TTR gene variant analysis", "1", "http://loinc.org"), "effectiveDateTime": "2020-01-10",
                  "valueString": "p.Val142Ile heterozygous"}},
    {"resource": {"resourceType": "ImagingStudy", "id": "i1", "status": "available", "started": "2020-02-02T10:00:00Z",
                  "series": [{"uid": "1.2", "modality": {"code": "US", "display": "Ultrasound"},
                              "bodySite": {"display": "Heart structure (body structure)"}}]}},
    {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "AMB"},
                  "period": {"start": "2020-06-10T09:00:00Z", "end": "2020-06-10T10:00:00Z"}}},
]}


def test_every_section_is_extracted_with_its_source():
    f = extract_facts(check_bundle(BUNDLE))
    assert (f.sex, f.deceased, f.as_of) == ("female", "2020-06-14", "2020-06-10")
    assert f.age_years == 69  # completed years from 1950-06-15 to the date of death 2020-06-14
    assert [(i.text, i.date, i.source) for i in f.problems] == [("Heart failure", "2015-03-01", "Condition/c1")]
    assert [i.text for i in f.social] == ["Full-time employment"]
    assert [(i.text, i.detail, i.date) for i in f.medications] == [
        ("Aspirin 81 MG", None, "2018-02-03"), ("Furosemide 40 MG Oral Tablet", "1 tablet daily", "2019-05-02")]
    assert [(i.text, i.detail) for i in f.allergies] == [("Penicillin", "medication; criticality high; reaction: Urticaria")]
    assert [(i.text, i.value, i.unit) for i in f.vitals] == [("Blood pressure", "128/82.2", "mm[Hg]")]
    assert [(i.text, i.value, i.date, i.source) for i in f.labs] == [("NT-proBNP", "1834.5", "2020-05-30", "Observation/o2")]
    assert [(i.text, i.value) for i in f.genomics] == [("TTR gene variant analysis", "p.Val142Ile heterozygous")]
    assert [(i.text, i.date) for i in f.imaging] == [("Ultrasound of Heart structure", "2020-02-02")]


def test_summary_is_traceable_and_anonymous():
    s = summarize_facts(extract_facts(check_bundle(BUNDLE)))
    assert s.flags == []
    for word in ("Jane", "Doe", "1950-06-15", "Pneumonia", "Asthma", "Amoxicillin"):
        assert word not in s.markdown
    assert "69-year-old female, deceased 2020-06-14" in s.markdown
    assert "### Genomic findings" in s.markdown and "### Imaging" in s.markdown


def test_rules_and_tokens():
    assert [format_number(v) for v in (73.0, 37.7316, 1.0222, 410.03, 0.5)] == ["73", "37.7", "1.02", "410.0", "0.50"]
    assert is_social("Medication review due (situation)") and not is_social("Migraine (disorder)")
    assert not is_social("Prediabetes (finding)") and is_social("Not in labor force (finding)")
    toks = [(t.kind, t.value) for t in find_tokens("On March 3, 2020 BP 120/80; seen 2020-06-10, HbA1c 6.5 %, B12 ok")]
    assert toks == [("date", "2020-03-03"), ("number", "120"), ("number", "80"), ("date", "2020-06-10"),
                    ("number", "6.5")]
    idx = TraceIndex()
    idx.add_text("Body weight 81.3 kg (2020-06-10)", "Observation/x")
    text, flags = check_text("Weight 81.3 kg. Weight 90 kg. Seen June 10, 2020. Seen in 2021.", idx)
    assert text == "Weight 81.3 kg. Seen June 10, 2020." and [f["token"] for f in flags] == ["90", "2021"]
