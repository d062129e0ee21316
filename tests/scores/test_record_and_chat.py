"""Inputs traced from a FHIR bundle; free text with units; the chat plan; recompute after a follow-up;
patient text without treatment advice; CLI exit codes."""

from __future__ import annotations

import json

from bot.cli import main
from bot.scores import record, score_case
from bot.scores.intent import plan
from bot.scores.model import ABSENT, MISSING, RECORDED
from bot.scores.render import TREATMENT, patient_text


def _bundle(tmp_path):
    entries = [
        {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-06-15"},
        {"resourceType": "Condition", "id": "af", "clinicalStatus": {"coding": [{"code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436004", "display": "Atrial fibrillation"}]},
         "onsetDateTime": "2019-01-01"},
        {"resourceType": "Condition", "id": "stroke", "clinicalStatus": {"coding": [{"code": "resolved"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "230690007", "display": "Stroke"}]},
         "onsetDateTime": "2015-03-01", "abatementDateTime": "2015-05-01"},
        {"resourceType": "Condition", "id": "pre", "clinicalStatus": {"coding": [{"code": "active"}]},
         "code": {"coding": [{"system": "http://snomed.info/sct", "code": "15777000", "display": "Prediabetes"}]},
         "onsetDateTime": "2018-01-01"},
        {"resourceType": "MedicationRequest", "id": "asa", "status": "active", "intent": "order", "authoredOn": "2023-01-01",
         "medicationCodeableConcept": {"coding": [{"display": "Aspirin 81 MG Oral Tablet"}]}},
        {"resourceType": "Observation", "id": "bp", "status": "final", "effectiveDateTime": "2024-03-01",
         "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]},
         "component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
                        "valueQuantity": {"value": 150, "unit": "mm[Hg]"}},
                       {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
                        "valueQuantity": {"value": 85, "unit": "mm[Hg]"}}]},
        {"resourceType": "Observation", "id": "cr", "status": "final", "effectiveDateTime": "2024-03-01",
         "code": {"coding": [{"system": "http://loinc.org", "code": "14682-9"}]},
         "valueQuantity": {"value": 88.4, "unit": "umol/L"}},
    ]
    p = tmp_path / "af.json"
    p.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in entries]}))
    return p


def test_cha2ds2_vasc_inputs_are_traced_and_history_counts(tmp_path):
    rec = record.from_file(None, _bundle(tmp_path))
    assert rec.as_of == "2024-03-01" and rec.age == 73
    (r,), why = score_case(rec, names=["CHA2DS2-VASc"])
    inputs = {i.key: i for i in r.inputs}
    assert inputs["stroke_tia_te"].value is True and inputs["stroke_tia_te"].source == "Condition/stroke"  # resolved counts
    assert inputs["diabetes"].status == ABSENT  # prediabetes is not diabetes
    assert inputs["age"].source.startswith("Patient/p1")
    assert r.value == 1 + 2 + 1  # age 65-74, stroke, female
    assert ("cha2ds2_vasc", "Atrial fibrillation (Condition/af)") in why


def test_has_bled_lists_missing_inputs_and_converts_creatinine(tmp_path):
    rec = record.from_file(None, _bundle(tmp_path))
    (r,), _ = score_case(rec, names=["has-bled"])
    inputs = {i.key: i for i in r.inputs}
    assert inputs["bleeding_drugs"].value is True and inputs["bleeding_drugs"].source == "MedicationRequest/asa"
    assert inputs["hasbled_renal"].value is False and "Observation/cr" in inputs["hasbled_renal"].source  # 1 mg/dL
    assert inputs["labile_inr"].status == ABSENT  # not on warfarin
    assert inputs["alcohol"].status == MISSING and inputs["hasbled_liver"].status == MISSING
    assert r.status == "range" and r.low == 3 and r.high == 5  # stroke, age > 65, drugs; + liver, alcohol
    assert all(i.status in (RECORDED, ABSENT, MISSING, "derived") for i in r.inputs)


def test_curb65_from_free_text_with_units():
    args = plan("calculate CURB-65: 72 years, confused, urea 8 mmol/L, RR 32, BP 85/50", has_case=False)
    assert args["score"] == ["curb65"]
    assert args["inputs"]["urea_mmol"] == 8 and args["inputs"]["rr"] == 32 and args["inputs"]["sbp"] == 85
    (r,), _ = score_case(record.empty(), names=args["score"], inputs=args["inputs"])
    assert r.status == "computed" and r.value == 5


def test_bun_in_mg_dl_is_converted():
    args = plan("CURB-65 please: 70 yo, not confused, BUN 21 mg/dL, RR 18, BP 130/80", has_case=False)
    assert abs(args["inputs"]["urea_mmol"] - 7.5) < 0.01 and args["inputs"]["confusion"] is False


def test_which_scores_apply_and_named_question(tmp_path):
    assert plan("which scores apply?", has_case=True) == {"question": "which scores apply?"}
    assert plan("What is her CHA2DS2-VASc?", has_case=True)["score"] == ["cha2ds2_vasc"]
    assert plan("what is the capital of France?", has_case=True) is None
    # Everyday words and lab names that are also score names ask for no score.
    assert plan("what is a normal resting heart rate", has_case=False) is None
    assert plan("any news on a cure for diabetes? what is it", has_case=False) is None
    assert plan("what does egfr 45 mean on my kidney test", has_case=False) is None
    assert plan("what is his HEART score", has_case=False)["score"] == ["heart"]
    assert plan("what is his NEWS?", has_case=True)["score"] == ["news2"]
    assert plan("what is her eGFR?", has_case=True)["score"] == ["ckd_epi"]


def test_follow_up_inputs_recompute_the_score(tmp_path):
    rec = record.from_file(None, _bundle(tmp_path))
    first = plan("What is her HAS-BLED?", has_case=True)
    (r1,), _ = score_case(rec, names=first["score"], inputs=first.get("inputs"))
    assert r1.status == "range"
    follow = plan("She drinks 2 drinks per week and has no liver disease, no cirrhosis", has_case=True, previous=first)
    assert follow["score"] == ["has_bled"] and follow["inputs"]["alcohol_per_week"] == 2
    follow["inputs"]["hasbled_liver"] = False  # stated by the clinician through the tool's inputs
    (r2,), _ = score_case(rec, names=follow["score"], inputs=follow["inputs"])
    assert r2.status == "computed" and r2.value == 3


def test_patient_text_has_no_treatment_advice(tmp_path):
    rec = record.from_file(None, _bundle(tmp_path))
    results, _ = score_case(rec, names=["CHA2DS2-VASc", "HAS-BLED", "eGFR"])
    assert any(TREATMENT.search(r.interpretation) for r in results)  # the clinician text does hold it
    assert not TREATMENT.search(patient_text(results))


def test_cli_json_and_errors(tmp_path, capsys):
    path = _bundle(tmp_path)
    assert main(["scores", str(path), "--score", "eGFR", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    egfr = out["scores"][0]
    assert egfr["status"] == "computed" and egfr["loinc"][0] == "98979-8"
    assert main(["scores", str(path), "--score", "nope"]) == 2
    assert "unknown score" in capsys.readouterr().err
    assert main(["scores", str(tmp_path / "missing.json")]) == 2
