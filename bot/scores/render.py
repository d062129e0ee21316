"""Score results as Markdown (clinician), plain text for the LLM, a patient view with no treatment
advice, and FHIR R4 Observations."""

from __future__ import annotations

import re
from typing import Any

from bot.scores.model import MISSING, ScoreResult

# sentences a patient must not see: treatment, tests and care decisions belong to the clinician
TREATMENT = re.compile(r"anticoag|recommend|treat|antibiotic|admission|admit|discharge|ICU|CTPA|ultrasound|d-dimer|"
                       r"pharmacotherapy|psychotherapy|referral|dos(e|ing|age)|consider|warrant|indicated|should|"
                       r"monitor|outpatient|inpatient|hospital", re.I)


def _v(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, bool):
        return "yes" if x else "no"
    return "—" if x is None else str(x)


def headline(r: ScoreResult) -> str:
    """One line: "HAS-BLED >= 2 (at most 4; labile INR and alcohol use not in the record)"."""
    if r.status == "refused":
        return f"{r.title}: not given — {r.reason}"
    if r.status == "not computable":
        return f"{r.title}: cannot be computed — {r.reason}"
    unit = f" {r.unit}" if r.unit and r.unit not in ("points", "criteria") else ""
    if r.status == "range":
        return (f"{r.title} >= {_v(r.low)}{unit} (at most {_v(r.high)}; {', '.join(r.missing)} not in the record)")
    return f"{r.title} = {_v(r.value)}{unit} ({r.category})"


def source_cell(i) -> str:
    if i.status == MISSING:
        return f"**missing** — {i.note}"
    bits = [i.status]
    if i.source:
        bits.append(i.source)
    if i.date:
        bits.append(i.date)
    return ", ".join(bits) + (f" — {i.note}" if i.note else "")


def markdown(results: list[ScoreResult], applicable: list[tuple[str, str]] | None = None) -> str:
    """Clinician Markdown: one section per score with its inputs table."""
    lines = ["## Clinical scores", ""]
    if applicable:
        lines.append("Scores that apply: " + "; ".join(f"{k} ({why})" for k, why in applicable) + ".")
        lines.append("")
    for r in results:
        lines.append(f"### {headline(r)}")
        if r.interpretation:
            lines.append(r.interpretation)
        if r.inputs:
            lines += ["", "| input | value | source |", "|---|---|---|"]
            for i in r.inputs:
                unit = f" {i.unit}" if i.unit and i.value is not None and not isinstance(i.value, bool) else ""
                lines.append(f"| {i.label} | {_v(i.value)}{unit} | {source_cell(i)} |".replace("\n", " "))
        if r.status == "range":
            lines.append("")
            lines.append("Ask for: " + ", ".join(r.missing) + ".")
        if r.corrections:
            lines.append("")
            lines.append("Correction to the open-medicine calculator: " + "; ".join(r.corrections) + ".")
        lines.append("")
        lines.append(f"Source: {r.citation}. DOI: {r.doi}" if not r.doi.startswith("PMID") else f"Source: {r.citation}. {r.doi}")
        lines.append("")
    return "\n".join(lines)


def text(results: list[ScoreResult]) -> str:
    """Compact text for the LLM: headline, interpretation, missing inputs, source."""
    out = []
    for r in results:
        out.append(headline(r))
        if r.status in ("computed", "range"):
            known = "; ".join(f"{i.label} {_v(i.value)}" for i in r.inputs if i.value is not None)
            out.append(f"  inputs: {known}")
            out.append(f"  {r.interpretation}")
        if r.missing:
            out.append(f"  ask for: {', '.join(r.missing)}")
        out.append(f"  source: {r.citation} ({r.doi})")
    return "\n".join(out)


def patient_text(results: list[ScoreResult]) -> str:
    """What a patient may see: the value or range and the risk category, no treatment advice."""
    out = []
    for r in results:
        if r.status == "refused":
            out.append(f"{r.title}: not used for this age.")
        elif r.status == "not computable":
            out.append(f"{r.title}: not enough information in the record to work it out.")
        elif r.status == "range":
            out.append(f"{r.title}: between {_v(r.low)} and {_v(r.high)} ({r.category}); some information is not in the record.")
        else:
            out.append(f"{r.title}: {_v(r.value)} ({r.category}).")
    out.append("Your care team can explain what these numbers mean for you.")
    text_ = "\n".join(out)
    assert not TREATMENT.search(text_), "patient text must hold no treatment advice"
    return text_


def observation(r: ScoreResult, subject: str, effective: str | None) -> dict[str, Any] | None:
    """FHIR R4 Observation of a computed score (LOINC where one exists, else text); None for others."""
    if r.status != "computed" or r.value is None:
        return None
    code: dict[str, Any] = {"text": r.title}
    if r.loinc:
        code["coding"] = [{"system": "http://loinc.org", "code": r.loinc[0], "display": r.loinc[1]}]
    obs: dict[str, Any] = {
        "resourceType": "Observation", "status": "preliminary",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                  "code": "survey", "display": "Survey"}]}],
        "code": code, "subject": {"reference": subject},
        "valueQuantity": {"value": r.value, "unit": r.unit or "{score}"},
        "interpretation": [{"text": r.category}],
        "note": [{"text": f"{r.interpretation} Source: {r.citation}; DOI {r.doi}. Computed by medbot from the record; "
                          "inputs: " + "; ".join(f"{i.label}={_v(i.value)} ({i.source or i.status})" for i in r.inputs)}],
        "derivedFrom": [{"reference": s} for s in sorted({i.source for i in r.inputs if re.match(r"^[A-Z][A-Za-z]+/", i.source or "")})],
    }
    if effective:
        obs["effectiveDateTime"] = effective
    return obs
