"""The record a score reads: every condition (resolved ones too: history counts), every observation
with its date and unit, current medicines and procedures, each with the resource it came from.

`bot.cases` keeps only what a summary shows (active problems, latest values); scores need the
history, so this reads the bundle again with the same helpers and the same summary-date rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import UserError

ACTIVE = {"active", "recurrence", "relapse"}
NOT_REAL = {"entered-in-error", "refuted"}


@dataclass
class Entry:
    """One coded entry of the record.

    Attributes:
        kind: "condition", "observation", "medication" or "procedure".
        text: display text.
        codes: "SNOMED:code", "ICD10:code", "LOINC:code", "RXNORM:code" (plus answer codes for observations).
        date: ISO date (onset, effective, authored or performed).
        end: abatement date for conditions.
        active: clinical status active (conditions) or status active (medications).
        value: number or text of an observation.
        unit: unit as written.
        source: `ResourceType/id` or `notes:line N`.
    """

    kind: str
    text: str
    codes: set[str] = field(default_factory=set)
    date: str | None = None
    end: str | None = None
    active: bool = True
    value: Any = None
    unit: str | None = None
    source: str = ""


@dataclass
class ScoreRecord:
    """Everything the scores read from one case."""

    kind: str  # "fhir" | "notes" | "none"
    as_of: str | None = None
    as_of_rule: str = ""
    age: int | None = None
    age_source: str = ""
    age_note: str = ""
    sex: str | None = None
    sex_source: str = ""
    conditions: list[Entry] = field(default_factory=list)
    observations: list[Entry] = field(default_factory=list)
    medications: list[Entry] = field(default_factory=list)
    procedures: list[Entry] = field(default_factory=list)
    has_problem_list: bool = False
    has_medication_list: bool = False
    has_procedure_list: bool = False


def _system(url: str) -> str:
    url = (url or "").lower()
    if "snomed" in url:
        return "SNOMED"
    if "icd-10" in url or "icd10" in url:
        return "ICD10"
    if "loinc" in url:
        return "LOINC"
    if "rxnorm" in url:
        return "RXNORM"
    return "OTHER"


def _codes(cc: dict[str, Any] | None) -> set[str]:
    return {f"{_system(c.get('system', ''))}:{c['code']}" for c in (cc or {}).get("coding") or [] if c.get("code")}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def from_bundle(bundle: dict[str, Any], as_of: str | None = None) -> ScoreRecord:
    """Read a checked FHIR R4 bundle (see `bot.cases.fhir_facts.check_bundle`).

    Args:
        bundle: the bundle, one Patient.
        as_of: summary date; default the latest clinical date in the bundle (the summaries' rule).
    """
    from bot.cases.fhir_facts import (_date, _display, _medication_name, _parse_date, _ref, completed_years,
                                      resource_dates)

    resources = [e["resource"] for e in bundle.get("entry", [])]
    by_url: dict[str, dict[str, Any]] = {}
    for e in bundle.get("entry", []):
        if e.get("fullUrl"):
            by_url[e["fullUrl"]] = e["resource"]
        by_url[_ref(e["resource"])] = e["resource"]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    if as_of:
        try:
            _parse_date(as_of)
        except (ValueError, IndexError):
            raise UserError(f"--as-of must be a date YYYY-MM-DD, not '{as_of}'") from None
        rule = "summary date given by the user"
    else:
        dates = [d for r in resources if r["resourceType"] != "Patient" for d in resource_dates(r)]
        as_of = max(dates) if dates else dt.date.today().isoformat()
        rule = "latest clinical date recorded in the bundle" if dates else "today (the bundle holds no clinical date)"
    rec = ScoreRecord(kind="fhir", as_of=as_of, as_of_rule=rule)
    if patient.get("gender") in ("male", "female"):
        rec.sex, rec.sex_source = patient["gender"], f"{_ref(patient)} (gender)"
    birth = patient.get("birthDate")
    if birth:
        try:
            rec.age = completed_years(_parse_date(birth), _parse_date(as_of))
            rec.age_source = f"{_ref(patient)} (birthDate)"
            rec.age_note = f"completed years from birthDate to {as_of} ({rule})"
        except (ValueError, IndexError):
            rec.age = None
    for r in resources:
        rtype = r["resourceType"]
        if rtype == "Condition":
            rec.has_problem_list = True
            if (r.get("verificationStatus") or {}).get("coding", [{}])[0].get("code") in NOT_REAL:
                continue
            status = (r.get("clinicalStatus") or {}).get("coding", [{}])[0].get("code")
            onset = _date(r.get("onsetDateTime")) or _date((r.get("onsetPeriod") or {}).get("start")) \
                or _date(r.get("recordedDate"))
            if onset and onset > as_of:
                continue
            end = _date(r.get("abatementDateTime"))
            rec.conditions.append(Entry("condition", _display(r.get("code")), _codes(r.get("code")), onset, end,
                                        active=status in ACTIVE and not (end and end <= as_of), source=_ref(r)))
        elif rtype == "Observation":
            if r.get("status") in ("entered-in-error", "cancelled"):
                continue
            date = _date(r.get("effectiveDateTime")) or _date((r.get("effectivePeriod") or {}).get("start")) \
                or _date(r.get("issued"))
            if date and date > as_of:
                continue
            parts = [(r.get("code"), r)] + [(c.get("code"), c) for c in r.get("component") or []]
            for code, holder in parts:
                q = holder.get("valueQuantity") or {}
                value: Any = _num(q.get("value"))
                codes = _codes(code)
                if value is None and holder.get("valueCodeableConcept"):
                    value = _display(holder["valueCodeableConcept"])
                    codes |= {f"ANSWER:{c}" for c in (_codes(holder["valueCodeableConcept"]))}
                if value is None:
                    continue
                rec.observations.append(Entry("observation", _display(code), codes, date, value=value,
                                              unit=q.get("unit") or q.get("code"), source=_ref(r)))
        elif rtype in ("MedicationRequest", "MedicationStatement"):
            rec.has_medication_list = True
            active = r.get("status") in ("active", "intended") and r.get("intent") not in ("proposal",)
            date = _date(r.get("authoredOn")) or _date(r.get("effectiveDateTime")) \
                or _date((r.get("effectivePeriod") or {}).get("start"))
            if date and date > as_of:
                continue
            rec.medications.append(Entry("medication", _medication_name(r, by_url), set(), date, active=active,
                                         source=_ref(r)))
        elif rtype == "Procedure":
            rec.has_procedure_list = True
            if r.get("status") not in (None, "completed", "in-progress"):
                continue
            date = _date(r.get("performedDateTime")) or _date((r.get("performedPeriod") or {}).get("start"))
            if date and date > as_of:
                continue
            rec.procedures.append(Entry("procedure", _display(r.get("code")), _codes(r.get("code")), date, source=_ref(r)))
    return rec


def from_notes(text: str) -> ScoreRecord:
    """Read free-text notes (headed sections and vital signs, see `bot.cases.notes_facts`)."""
    from bot.cases.notes_facts import extract_notes_facts
    from bot.scores.freetext import parse_values

    facts = extract_notes_facts(text)
    rec = ScoreRecord(kind="notes", as_of=facts.as_of, as_of_rule=facts.as_of_rule)
    if facts.age_years is not None:
        rec.age, rec.age_source, rec.age_note = facts.age_years, "notes", "age as stated in the notes"
    if facts.sex in ("male", "female"):
        rec.sex, rec.sex_source = facts.sex, "notes"
    rec.has_problem_list = bool(facts.problems)
    rec.has_medication_list = bool(facts.medications)
    rec.conditions = [Entry("condition", i.text, set(), i.date, source=i.source) for i in facts.problems]
    rec.medications = [Entry("medication", i.text, set(), i.date, source=i.source) for i in facts.medications]
    rec.procedures = [Entry("procedure", i.text, set(), i.date, source=i.source) for i in facts.procedures]
    for n, line in enumerate(text.splitlines(), start=1):
        for key, (value, unit, span) in parse_values(line).items():
            rec.observations.append(Entry("observation", span, {f"CANON:{key}"}, rec.as_of, value=value, unit=unit,
                                          source=f"notes:line {n}"))
    return rec


def from_file(settings, path: Path, as_of: str | None = None) -> ScoreRecord:
    """Read a FHIR bundle (.json) or notes file with the summaries' size limits and checks.

    Raises:
        UserError: missing, oversized or malformed file (as for `medbot summarize`).
    """
    from bot.cases import _limit_bytes, detect_case_kind
    from bot.cases.fhir_facts import load_bundle
    from bot.cases.notes_facts import read_notes

    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if detect_case_kind(path) == "fhir":
        return from_bundle(load_bundle(path, _limit_bytes(settings, "json")), as_of=as_of)
    rec = from_notes(read_notes(path, _limit_bytes(settings, "text")))
    if as_of:
        rec.as_of, rec.as_of_rule = as_of, "summary date given by the user"
    return rec


def from_text(text: str, as_of: str | None = None) -> ScoreRecord:
    """A FHIR bundle given as a JSON string, or notes."""
    import json

    from bot.cases.fhir_facts import check_bundle

    stripped = (text or "").lstrip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UserError(f"malformed JSON at line {exc.lineno} column {exc.colno}") from None
        return from_bundle(check_bundle(obj, "text"), as_of=as_of)
    return from_notes(text)


def empty() -> ScoreRecord:
    """No record: every input must be given in the message."""
    return ScoreRecord(kind="none", as_of=dt.date.today().isoformat(), as_of_rule="today (no record)")
