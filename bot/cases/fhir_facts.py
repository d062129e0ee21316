"""Deterministic facts from a FHIR R4 Bundle (as Synthea writes it): no LLM, no names or identifiers.

Every `Item` records the `ResourceType/id` it came from. Numbers are copied from the resource and
only rounded for display (`format_number`); the age is derived from `Patient.birthDate` and the
summary date by a recorded rule.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path
from typing import Any, Iterable

from bot.cases.classify import clean_display, is_social, semantic_tag
from bot.cases.model import CaseFacts, Derived, Item
from bot.errors import UserError

# Observations shown as vital signs whatever their category (LOINC).
VITAL_LOINC = {
    "85354-9": "Blood pressure", "8480-6": "Systolic blood pressure", "8462-4": "Diastolic blood pressure",
    "8867-4": "Heart rate", "9279-1": "Respiratory rate", "8310-5": "Body temperature",
    "2708-6": "Oxygen saturation", "59408-5": "Oxygen saturation", "29463-7": "Body weight",
    "8302-2": "Body height", "39156-5": "Body mass index", "72514-3": "Pain severity",
}
ACTIVE_CONDITION = {"active", "recurrence", "relapse"}
NOT_REAL = {"entered-in-error", "refuted"}
MAX_LABS = 25
MAX_PROCEDURES = 10
ROUNDING_RULE = "quantities are rounded for display: 2 decimals below 10, otherwise 1 decimal; whole numbers as integers"
_GENOMIC = re.compile(r"\b(genes?|genetic|genomic|genotype|variants?|alleles?|mutations?|hgvs)\b", re.I)
_ROUTINE_PROCEDURE = re.compile(r"\b(screening|assessment|reconciliation|review|questionnaire|education|"
                                r"counsel(l)?ing|referral)\b", re.I)


def format_number(value: float | int) -> str:
    """Display form of a quantity (the recorded rounding rule `ROUNDING_RULE`)."""
    v = float(value)
    if v.is_integer():
        return str(int(v))
    places = 2 if abs(v) < 10 else 1
    return f"{round(v, places):.{places}f}"


def load_bundle(path: Path, max_bytes: int | None = None) -> dict[str, Any]:
    """Read and check a FHIR Bundle (or a single Patient) from a JSON file.

    Raises:
        UserError: missing file, over the size limit, malformed JSON, not a Bundle, unknown
            resource types, no Patient.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"not a file: {path.name}")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise UserError(f"{path.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for JSON files")
    try:
        obj = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path.name}: malformed JSON at line {exc.lineno} column {exc.colno}") from None
    return check_bundle(obj, path.name)


def check_bundle(obj: Any, name: str = "bundle") -> dict[str, Any]:
    """Validate the shape of a parsed bundle; a bare Patient becomes a one-entry Bundle.

    Raises:
        UserError: not a Bundle, unknown resource types, no Patient or several patients.
    """
    if isinstance(obj, dict) and obj.get("resourceType") == "Patient":
        obj = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": obj}]}
    if not isinstance(obj, dict) or obj.get("resourceType") != "Bundle":
        raise UserError(f"{name}: not a FHIR Bundle (resourceType must be 'Bundle')")
    entries = obj.get("entry") or []
    if not isinstance(entries, list):
        raise UserError(f"{name}: Bundle.entry must be a list")
    unknown: set[str] = set()
    patients = 0
    for i, e in enumerate(entries):
        res = e.get("resource") if isinstance(e, dict) else None
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            raise UserError(f"{name}: entry {i} has no resource with a resourceType")
        rtype = res["resourceType"]
        if not is_known_type(rtype):
            unknown.add(rtype)
        patients += rtype == "Patient"
    if unknown:
        raise UserError(f"{name}: unknown FHIR R4 resource type(s): {', '.join(sorted(unknown))}")
    if patients == 0:
        raise UserError(f"{name}: the bundle has no Patient resource")
    if patients > 1:
        raise UserError(f"{name}: the bundle has {patients} Patient resources; summarize one patient at a time")
    return obj


@functools.lru_cache(maxsize=None)
def is_known_type(rtype: str) -> bool:
    """Whether `rtype` names a FHIR R4 resource (checked against fhir.resources.R4B).

    Checked by name (the type fhir.resources declares, and its module), without building the pydantic
    model class: building one class per resource type took most of a second per bundle.
    """
    import importlib.util

    from fhir.resources.R4B import fhirtypes

    model = getattr(getattr(fhirtypes, f"{rtype}Type", None), "_model_klass", None)
    if not isinstance(model, str) or not model.startswith("fhir.resources.R4B."):
        return False
    return importlib.util.find_spec(model.rsplit(".", 1)[0]) is not None


def _date(value: Any) -> str | None:
    if not isinstance(value, str) or len(value) < 4:
        return None
    return value[:10]


def _display(cc: dict[str, Any] | None) -> str:
    if not cc:
        return ""
    for c in cc.get("coding") or []:
        if c.get("display"):
            return c["display"]
    return cc.get("text") or ""


def _code(cc: dict[str, Any] | None) -> str:
    if not cc:
        return ""
    for c in cc.get("coding") or []:
        if c.get("code"):
            return f"{c.get('system', '')}|{c['code']}"
    return cc.get("text") or ""


def _status(cc: dict[str, Any] | None) -> str | None:
    return (cc or {}).get("coding", [{}])[0].get("code") if cc else None


def _ref(res: dict[str, Any]) -> str:
    return f"{res['resourceType']}/{res.get('id', '?')}"


_DATE_FIELDS = ("effectiveDateTime", "issued", "authoredOn", "performedDateTime", "onsetDateTime",
                "recordedDate", "occurrenceDateTime", "started", "date", "abatementDateTime")


def resource_dates(res: dict[str, Any]) -> Iterable[str]:
    """Clinical dates carried by a resource (used to find the summary date)."""
    for f in _DATE_FIELDS:
        d = _date(res.get(f))
        if d:
            yield d
    for f in ("period", "performedPeriod", "effectivePeriod"):
        p = res.get(f) or {}
        for k in ("start", "end"):
            d = _date(p.get(k))
            if d:
                yield d


def completed_years(birth: dt.date, on: dt.date) -> int:
    """Age in completed years on a date (the recorded age rule)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _parse_date(s: str) -> dt.date:
    parts = s.split("-")
    y, m, d = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1
    return dt.date(y, m, d)


def extract_facts(bundle: dict[str, Any], as_of: str | None = None) -> CaseFacts:
    """Extract the summary facts from a checked bundle (see `check_bundle`).

    Args:
        bundle: a FHIR R4 Bundle dict with exactly one Patient.
        as_of: summary date (YYYY-MM-DD); default: the latest clinical date in the bundle.

    Returns:
        CaseFacts with problems, medications, allergies, vitals, labs, procedures, imaging and
        genomic findings, each item carrying its source resource.
    """
    resources = [e["resource"] for e in bundle.get("entry", [])]
    by_url: dict[str, dict[str, Any]] = {}
    for e in bundle.get("entry", []):
        r = e["resource"]
        if e.get("fullUrl"):
            by_url[e["fullUrl"]] = r
        by_url[_ref(r)] = r
    patient = next(r for r in resources if r["resourceType"] == "Patient")

    if as_of:
        try:
            _parse_date(as_of)
        except (ValueError, IndexError):
            raise UserError(f"--as-of must be a date YYYY-MM-DD, not '{as_of}'") from None
        rule = "summary date given by the user"
    else:
        dates = [d for r in resources if r["resourceType"] != "Patient" for d in resource_dates(r)]
        as_of = max(dates) if dates else None
        rule = "latest clinical date recorded in the bundle"
    facts = CaseFacts(kind="fhir", as_of=as_of, as_of_rule=rule)
    facts.sex = patient.get("gender")
    deceased = _date(patient.get("deceasedDateTime"))
    facts.deceased = deceased
    birth = patient.get("birthDate")
    ref_date = deceased or as_of
    if birth and ref_date:
        try:
            age = completed_years(_parse_date(birth), _parse_date(ref_date))
        except (ValueError, IndexError):
            age = None
        if age is not None and age >= 0:
            facts.age_years = age
            facts.derived.append(Derived(
                "age_years", str(age), "completed years from Patient.birthDate to "
                + ("Patient.deceasedDateTime" if deceased else "the summary date"),
                {"source": _ref(patient), "to": ref_date}))

    _conditions(facts, resources)
    _medications(facts, resources, by_url)
    _allergies(facts, resources)
    _observations(facts, resources)
    _procedures(facts, resources)
    _imaging(facts, resources)
    if birth:  # the date of birth identifies a patient: dates equal to it are shown as "at birth"
        for section in ("problems", "social", "medications", "allergies", "vitals", "labs", "procedures",
                        "imaging", "genomics"):
            for item in getattr(facts, section):
                if item.date and item.date == birth[:10]:
                    item.date, item.at_birth = None, True
    for section, n in facts.omitted.items():
        facts.derived.append(Derived(f"{section}_not_shown", str(n), f"count of {section} left out for length"))
    return facts


def _conditions(facts: CaseFacts, resources: list[dict[str, Any]]) -> None:
    seen: dict[str, Item] = {}
    for r in resources:
        if r["resourceType"] != "Condition":
            continue
        if _status(r.get("clinicalStatus")) not in ACTIVE_CONDITION or _status(r.get("verificationStatus")) in NOT_REAL:
            continue
        display = _display(r.get("code"))
        if not display:
            continue
        onset = _date(r.get("onsetDateTime")) or _date((r.get("onsetPeriod") or {}).get("start")) or _date(r.get("recordedDate"))
        key = _code(r.get("code")) or display
        prev = seen.get(key)
        if prev is None or (onset and (prev.date is None or onset < prev.date)):
            seen[key] = Item(clean_display(display), date=onset, source=_ref(r),
                             detail=semantic_tag(display))
    for item in sorted(seen.values(), key=lambda i: (i.date or "", i.text)):
        display = f"{item.text} ({item.detail})" if item.detail else item.text
        (facts.social if is_social(display) else facts.problems).append(item)


def _medication_name(r: dict[str, Any], by_url: dict[str, dict[str, Any]]) -> str:
    name = _display(r.get("medicationCodeableConcept"))
    if not name and r.get("medicationReference"):
        med = by_url.get(r["medicationReference"].get("reference", ""))
        name = _display((med or {}).get("code")) or r["medicationReference"].get("display", "")
    return name


def _medications(facts: CaseFacts, resources: list[dict[str, Any]], by_url) -> None:
    current: dict[str, Item] = {}
    for r in resources:
        rtype = r["resourceType"]
        if rtype == "MedicationRequest":
            if r.get("status") != "active" or r.get("intent") not in (None, "order", "plan", "original-order",
                                                                       "instance-order", "filler-order"):
                continue
            date = _date(r.get("authoredOn"))
        elif rtype == "MedicationStatement":
            if r.get("status") not in ("active", "intended"):
                continue
            date = _date(r.get("effectiveDateTime")) or _date((r.get("effectivePeriod") or {}).get("start")) \
                or _date(r.get("dateAsserted"))
        else:
            continue
        name = _medication_name(r, by_url)
        if not name:
            continue
        dosage = "; ".join(d.get("text") for d in r.get("dosageInstruction") or r.get("dosage") or [] if d.get("text"))
        key = name.lower()
        prev = current.get(key)
        if prev is None or (date and (prev.date is None or date > prev.date)):
            current[key] = Item(name, date=date, source=_ref(r), detail=dosage or None)
    facts.medications = sorted(current.values(), key=lambda i: i.text.lower())


def _allergies(facts: CaseFacts, resources: list[dict[str, Any]]) -> None:
    seen: dict[str, Item] = {}
    for r in resources:
        if r["resourceType"] != "AllergyIntolerance":
            continue
        status = _status(r.get("clinicalStatus"))
        if status not in (None, "active") or _status(r.get("verificationStatus")) in NOT_REAL:
            continue
        name = _display(r.get("code"))
        if not name:
            continue
        bits = [", ".join(r.get("category") or [])]
        if r.get("criticality"):
            bits.append(f"criticality {r['criticality']}")
        reactions = [_display(m) for rx in r.get("reaction") or [] for m in rx.get("manifestation") or []]
        if reactions:
            bits.append("reaction: " + ", ".join(x for x in reactions if x))
        detail = "; ".join(b for b in bits if b) or None
        seen.setdefault(name.lower(), Item(clean_display(name), date=_date(r.get("recordedDate")),
                                           source=_ref(r), detail=detail))
    facts.allergies = sorted(seen.values(), key=lambda i: i.text.lower())


def _loinc(r: dict[str, Any]) -> str | None:
    for c in (r.get("code") or {}).get("coding") or []:
        if c.get("system") == "http://loinc.org":
            return c.get("code")
    return None


def _categories(r: dict[str, Any]) -> set[str]:
    return {c.get("code") for cat in r.get("category") or [] for c in cat.get("coding") or []}


def _observations(facts: CaseFacts, resources: list[dict[str, Any]]) -> None:
    vitals: dict[str, Item] = {}
    labs: dict[str, Item] = {}
    genomic: dict[str, Item] = {}
    for r in resources:
        if r["resourceType"] != "Observation" or r.get("status") in ("entered-in-error", "cancelled"):
            continue
        date = _date(r.get("effectiveDateTime")) or _date((r.get("effectivePeriod") or {}).get("start")) \
            or _date(r.get("issued"))
        name = _display(r.get("code"))
        if not name:
            continue
        loinc = _loinc(r)
        item = _observation_item(r, name, date)
        if _GENOMIC.search(name) or "GE" in _categories(r):
            if item is None:
                continue
            target = genomic
        elif loinc in VITAL_LOINC or "vital-signs" in _categories(r):
            if item is None:
                continue
            if loinc in VITAL_LOINC:
                item.text = VITAL_LOINC[loinc]
            target = vitals
        elif "laboratory" in _categories(r):
            # quantities only: survey answers filed as "laboratory" are not lab results
            if item is None or item.unit is None or item.unit.startswith("{#"):
                continue
            target = labs
        else:
            continue
        key = loinc or name
        prev = target.get(key)
        if prev is None or (date or "") > (prev.date or ""):
            target[key] = item
    # a blood-pressure panel makes separate systolic/diastolic rows redundant
    panel = vitals.get("85354-9")
    if panel is not None:
        for k in ("8480-6", "8462-4"):
            if k in vitals and vitals[k].date == panel.date:
                del vitals[k]
    order = list(VITAL_LOINC)
    ranked = sorted(vitals.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[1].text))
    facts.vitals = [item for _, item in ranked]
    lab_items = sorted(labs.values(), key=lambda i: (-_ordinal(i.date), i.text.lower()))
    facts.labs = lab_items[:MAX_LABS]
    if len(lab_items) > MAX_LABS:
        facts.omitted["labs"] = len(lab_items) - MAX_LABS
    facts.genomics = sorted(genomic.values(), key=lambda i: (-_ordinal(i.date), i.text))


def _ordinal(date: str | None) -> int:
    try:
        return _parse_date(date).toordinal() if date else 0
    except (ValueError, IndexError):
        return 0


def _quantity(q: dict[str, Any] | None) -> tuple[str, str | None] | None:
    if not q or not isinstance(q.get("value"), (int, float)):
        return None
    return format_number(q["value"]), q.get("unit") or q.get("code")


def _observation_item(r: dict[str, Any], name: str, date: str | None) -> Item | None:
    q = _quantity(r.get("valueQuantity"))
    if q:
        return Item(name, date=date, value=q[0], unit=q[1], source=_ref(r))
    comps = [(_display(c.get("code")), _quantity(c.get("valueQuantity"))) for c in r.get("component") or []]
    comps = [(n, q) for n, q in comps if q]
    if comps:
        value = "/".join(q[0] for _, q in comps)
        units = {q[1] for _, q in comps}
        return Item(name, date=date, value=value, unit=units.pop() if len(units) == 1 else None, source=_ref(r),
                    detail=", ".join(n for n, _ in comps) if len(comps) > 1 else None)
    text = _display(r.get("valueCodeableConcept")) or (r.get("valueString") if isinstance(r.get("valueString"), str) else None)
    if text:
        return Item(name, date=date, value=text, source=_ref(r))
    return None


def _procedures(facts: CaseFacts, resources: list[dict[str, Any]]) -> None:
    seen: dict[str, Item] = {}
    for r in resources:
        if r["resourceType"] != "Procedure" or r.get("status") not in (None, "completed", "in-progress"):
            continue
        name = _display(r.get("code"))
        if not name or is_social(name) or semantic_tag(name) == "regime/therapy" or _ROUTINE_PROCEDURE.search(name):
            continue
        date = _date(r.get("performedDateTime")) or _date((r.get("performedPeriod") or {}).get("start"))
        key = name.lower()
        prev = seen.get(key)
        if prev is None or (date or "") > (prev.date or ""):
            seen[key] = Item(clean_display(name), date=date, source=_ref(r))
    items = sorted(seen.values(), key=lambda i: (-_ordinal(i.date), i.text))
    facts.procedures = items[:MAX_PROCEDURES]
    if len(items) > MAX_PROCEDURES:
        facts.omitted["procedures"] = len(items) - MAX_PROCEDURES


def _imaging(facts: CaseFacts, resources: list[dict[str, Any]]) -> None:
    for r in resources:
        if r["resourceType"] != "ImagingStudy":
            continue
        parts = []
        for s in r.get("series") or []:
            modality = (s.get("modality") or {}).get("display") or (s.get("modality") or {}).get("code")
            site = clean_display((s.get("bodySite") or {}).get("display") or "")
            parts.append(" of ".join(x for x in (modality, site) if x))
        text = "; ".join(p for p in parts if p) or r.get("description") or "Imaging study"
        facts.imaging.append(Item(text, date=_date(r.get("started")), source=_ref(r), detail=r.get("description")))
    for r in resources:
        if r["resourceType"] == "DiagnosticReport" and r.get("conclusion") and (
                {"RAD", "GE"} & {c.get("code") for cat in r.get("category") or [] for c in cat.get("coding") or []}):
            target = facts.genomics if "GE" in _categories(r) else facts.imaging
            target.append(Item(_display(r.get("code")) or "Report", date=_date(r.get("effectiveDateTime")),
                               source=_ref(r), detail=r["conclusion"]))
    facts.imaging.sort(key=lambda i: (-_ordinal(i.date), i.text))
