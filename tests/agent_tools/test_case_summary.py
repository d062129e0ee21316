"""Case summaries of Synthea bundles: completeness and traceability, checked independently."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bot.cases import facts_from_file, facts_from_text, summarize_facts, summarize_file
from bot.cases.classify import clean_display, semantic_tag
from bot.cases.eval_suite import split_scores, untraceable_summary
from bot.config import load_settings
from bot.errors import UserError
from bot.llm.scripted import ScriptedBackend

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
ISO = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")


def _walk(obj, numbers: set, strings: list):
    if isinstance(obj, dict):
        for v in obj.values():
            _walk(v, numbers, strings)
    elif isinstance(obj, list):
        for v in obj:
            _walk(v, numbers, strings)
    elif isinstance(obj, bool):
        return
    elif isinstance(obj, (int, float)):
        numbers.add(Decimal(str(obj)))
    elif isinstance(obj, str):
        strings.append(obj)


def bundle_vocabulary(bundle: dict) -> tuple[set[Decimal], set[str], set[Decimal]]:
    """(numeric values, dates, numbers written inside strings) of a raw bundle."""
    numbers: set[Decimal] = set()
    strings: list[str] = []
    _walk(bundle, numbers, strings)
    dates = {m for s in strings for m in ISO.findall(s)}
    in_text = {Decimal(m) for s in strings for m in NUMBER.findall(ISO.sub(" ", s))}
    return numbers, dates, in_text


def untraceable_tokens(text: str, bundle: dict, derived: list[dict]) -> list[str]:
    """Numbers/dates of `text` that are neither in the bundle nor derived (nor a rounding of a bundle value)."""
    numbers, dates, in_text = bundle_vocabulary(bundle)
    years = {d[:4] for d in dates}
    allowed_derived = {Decimal(d["value"]) for d in derived}
    bad = []
    for d in ISO.findall(text):
        if d not in dates:
            bad.append(d)
    for tok in NUMBER.findall(ISO.sub(" ", text)):
        v = Decimal(tok)
        if v in in_text or v in numbers or v in allowed_derived or tok in years:
            continue
        places = len(tok.split(".")[1]) if "." in tok else 0
        if places and any(round(n, places) == v for n in numbers):
            continue  # the recorded display-rounding rule
        bad.append(tok)
    return bad


def active(bundle: dict, rtype: str):
    for e in bundle["entry"]:
        r = e["resource"]
        if r["resourceType"] != rtype:
            continue
        if rtype == "Condition" and r["clinicalStatus"]["coding"][0]["code"] == "active":
            yield r
        if rtype == "MedicationRequest" and r["status"] == "active":
            yield r


def section(markdown: str, title: str) -> str:
    m = re.search(rf"### {re.escape(title)}\n(.*?)(?=\n### |\Z)", markdown, re.S)
    return m.group(1) if m else ""


def test_every_active_condition_and_medication_is_listed(synthea_bundles):
    settings = load_settings()
    total_conditions = total_meds = 0
    for path in synthea_bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        summary = summarize_file(settings, path)
        md = summary.markdown
        problems = section(md, "Active problems")
        for cond in active(bundle, "Condition"):
            display = cond["code"]["coding"][0]["display"]
            name = clean_display(display)
            assert name in md, f"{path.name}: active condition missing: {display}"
            if semantic_tag(display) == "disorder":
                assert name in problems, f"{path.name}: disorder not among active problems: {display}"
                total_conditions += 1
        meds = section(md, "Current medications")
        for req in active(bundle, "MedicationRequest"):
            name = req["medicationCodeableConcept"]["coding"][0]["display"]
            assert name in meds, f"{path.name}: current medication missing: {name}"
            total_meds += 1
        # social and administrative entries are kept apart from clinical problems
        assert "Medication review due" not in problems
        assert "employment" not in problems.lower()
    assert total_conditions >= 10 and total_meds >= 10  # the fixture really exercises both


def test_no_number_or_date_without_a_source(synthea_bundles):
    settings = load_settings()
    for path in synthea_bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        summary = summarize_file(settings, path)
        derived = [d for d in summary.to_json()["facts"]["derived"]]
        rest, scores = split_scores(summary.markdown)
        assert untraceable_tokens(rest, bundle, derived) == [], path.name  # facts and narrative: the bundle only
        assert untraceable_summary(summary, bundle) == [], path.name
        assert summary.flags == []


def test_no_names_or_identifiers(synthea_bundles):
    settings = load_settings()
    for path in synthea_bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
        text = json.dumps(summarize_file(settings, path).to_json()["summary"])
        for name in patient["name"]:
            for part in name.get("given", []) + [name.get("family", "")]:
                assert part not in text
        for ident in patient.get("identifier", []):
            assert ident["value"] not in text
        assert patient["birthDate"] not in text  # the age is shown, not the date of birth
        for tel in patient.get("telecom", []):
            assert tel["value"] not in text


def test_age_is_derived_by_the_recorded_rule(rich_bundle):
    bundle = json.loads(rich_bundle.read_text(encoding="utf-8"))
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    facts = facts_from_file(load_settings(), rich_bundle, as_of="2025-01-01")
    by, bm, bd = map(int, patient["birthDate"].split("-"))
    expected = 2025 - by - ((1, 1) < (bm, bd))
    assert facts.age_years == expected
    rule = next(d for d in facts.derived if d.name == "age_years")
    assert rule.value == str(expected) and "birthDate" in rule.rule and rule.inputs["to"] == "2025-01-01"
    assert f"{expected}-year-old" in summarize_facts(facts).markdown


def test_llm_narrative_with_made_up_numbers_is_cleaned(rich_bundle):
    facts = facts_from_file(load_settings(), rich_bundle)
    problem = facts.problems[0].text
    llm = ScriptedBackend([f"The patient has {problem}. Her HbA1c was 9.7 % on 2031-02-03. "
                           f"She is {facts.age_years} years old."], supports_tools=False)
    summary = summarize_facts(facts, backend=llm)
    assert summary.narrative_source == "llm"
    assert problem in summary.narrative and f"{facts.age_years} years old" in summary.narrative
    assert "9.7" not in summary.narrative and "2031" not in summary.narrative
    assert {f["token"] for f in summary.flags} == {"9.7", "2031-02-03"}
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "<<<" in prompt and problem in prompt
    # the LLM sees no identifiers either
    bundle = json.loads(rich_bundle.read_text(encoding="utf-8"))
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"][0]["family"] not in prompt and patient["birthDate"] not in prompt


def test_fully_untraceable_llm_text_falls_back_to_rule_narrative(rich_bundle):
    facts = facts_from_file(load_settings(), rich_bundle)
    summary = summarize_facts(facts, backend=ScriptedBackend(["Seen 14 times since 1901."], supports_tools=False))
    assert summary.narrative_source == "rule" and "1901" not in summary.markdown
    assert any("rule narrative used" in f["action"] for f in summary.flags)


def test_flag_mode_marks_instead_of_removing(rich_bundle):
    facts = facts_from_file(load_settings(), rich_bundle)
    summary = summarize_facts(facts, backend=ScriptedBackend(["Weight 250 kg."], supports_tools=False), action="flag")
    assert "[unverified: 250]" in summary.narrative


NOTES = """Clinic note 2024-03-02
Name: John Example   MRN 99887766
58-year-old man seen for follow-up of diabetes.
Problems:
- Type 2 diabetes mellitus (since 2015-06-01)
- Essential hypertension
Medications: metformin 500 mg twice daily; lisinopril 10 mg daily
Allergies: penicillin (rash)
Vitals: BP 142/88 mmHg, HR 76 bpm, SpO2 97 %
Plan: recheck in 3 months.
"""


def test_notes_are_summarized_without_identifiers(tmp_path):
    p = tmp_path / "note.txt"
    p.write_text(NOTES, encoding="utf-8")
    s = summarize_file(load_settings(), p)
    f = s.facts
    assert (f.age_years, f.sex, f.as_of) == (58, "male", "2024-03-02")
    assert [i.text for i in f.medications] == ["metformin 500 mg twice daily", "lisinopril 10 mg daily"]
    assert f.problems[0].date == "2015-06-01" and f.allergies[0].text == "penicillin (rash)"
    vit = {v.text: v.value for v in f.vitals}
    assert vit == {"Blood pressure": "142/88", "Heart rate": "76", "Oxygen saturation": "97"}
    assert "John" not in s.markdown and "99887766" not in s.markdown
    assert s.flags == []
    # the same through text
    assert [i.text for i in facts_from_text(NOTES).problems] == [i.text for i in f.problems]


@pytest.mark.parametrize("content, message", [
    ('{"resourceType": "Bundle", "entry": [', "malformed JSON"),
    ('{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Condition"}}]}',
     "no Patient"),
    ('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}, '
     '{"resource": {"resourceType": "Spaceship"}}]}', "unknown FHIR R4 resource type(s): Spaceship"),
    ('{"resourceType": "Observation"}', "not a FHIR Bundle"),
    ('[1, 2]', "not a FHIR Bundle"),
])
def test_bad_bundles_are_user_errors(tmp_path, content, message):
    p = tmp_path / "case.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=re.escape(message)):
        facts_from_file(load_settings(), p)


def test_size_limit_is_enforced(tmp_path):
    settings = load_settings({"safety": {"max_upload_mb": {"json": 0.001, "text": 0.001}}})
    p = tmp_path / "big.json"
    p.write_text('{"resourceType": "Bundle", "entry": []}' + " " * 5000, encoding="utf-8")
    with pytest.raises(UserError, match="over the 0 MB limit|over the"):
        facts_from_file(settings, p)
    n = tmp_path / "big.txt"
    n.write_text(NOTES * 50, encoding="utf-8")
    with pytest.raises(UserError, match="limit for text"):
        facts_from_file(settings, n)


def test_chat_answer_about_a_case_can_be_checked(rich_bundle):
    from bot.cases import check_answer, facts_from_json

    facts = facts_from_file(load_settings(), rich_bundle)
    data = summarize_facts(facts).to_json()
    json.dumps(data)
    assert facts_from_json(data["facts"]) == facts
    med = facts.medications[0].text
    text, flags = check_answer(f"She takes {med}. Her LDL was 412 mg/dL in 2040.", data["facts"])
    assert text == f"She takes {med}." and {f["token"] for f in flags} == {"412", "2040"}
