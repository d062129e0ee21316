"""Clinical scores inside a case summary: the scores that apply to the case, each with its value
(or range), interpretation, inputs traced to the record (value, source resource, date) and DOI.

The clinician sees the interpretation; a patient sees the value or range and a risk category only,
never treatment text ("anticoagulation is recommended"), in Markdown and in JSON alike.
"""

from __future__ import annotations

import re
from typing import Any

from bot.scores.model import ScoreResult

NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")


def case_scores(rec) -> list[ScoreResult]:
    """The scores that apply to a case (its conditions, recorded questionnaires, creatinine).

    Args:
        rec: a `bot.scores.record.ScoreRecord` read from the same file as the facts.

    Returns:
        One result per applicable score, in catalogue order (empty when none applies).
    """
    from bot.scores import score_case

    results, _ = score_case(rec)
    return results


def patient_reference(rec) -> str | None:
    """`Patient/<id>` of a score record (the subject of the scores' FHIR Observations), or None for notes."""
    ref = (rec.age_source or rec.sex_source or "").split(" ", 1)[0]
    return ref if ref.startswith("Patient/") else None


def _v(x: Any) -> str:
    from bot.scores.render import _v as value_text

    return value_text(x)


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _input_row(i) -> str:
    unit = f" {i.unit}" if i.unit and i.value is not None and not isinstance(i.value, bool) else ""
    source = i.source or i.status
    how = f"{i.status}, {source}" if i.source else i.status
    note = f" — {i.note}" if i.note and i.status not in ("recorded",) else ""
    return f"| {_cell(i.label)} | {_cell(_v(i.value) + unit)} | {_cell(how + note)} | {i.date or ''} |"


def _doi_line(r: ScoreResult) -> str:
    if not r.doi:
        return f"Source: {r.citation}."
    ref = r.doi if r.doi.startswith("PMID") else f"DOI {r.doi}"
    return f"Source: {r.citation}; {ref}."


def clinician_markdown(results: list[ScoreResult]) -> str:
    """The scores section for a clinician: headline, interpretation, inputs table, source and DOI."""
    from bot.scores.render import headline

    if not results:
        return ""
    out = ["## Clinical scores", ""]
    for r in results:
        out.append(f"### {headline(r)}")
        if r.interpretation and r.status not in ("refused",):
            out.append(r.interpretation)
        known = [i for i in r.inputs if i.known]
        if known and r.status != "refused":
            out += ["", "| Input | Value | Source | Date |", "|---|---|---|---|"]
            out += [_input_row(i) for i in known]
        if r.missing and r.status != "refused":
            out += ["", ("Ask for: " if r.status == "range" else "Not in the record: ") + ", ".join(r.missing) + "."]
        out += ["", _doi_line(r), ""]
    return "\n".join(out).rstrip() + "\n"


def patient_markdown(results: list[ScoreResult]) -> str:
    """The scores section for a patient: value or range and risk category, no treatment text."""
    from bot.scores.render import patient_text

    if not results:
        return ""
    lines = [f"- {line}" if i < len(results) else line for i, line in enumerate(patient_text(results).splitlines())]
    return "## Your scores\n\n" + "\n".join(lines[:-1]) + "\n\n" + lines[-1] + "\n"


def scores_markdown(results: list[ScoreResult], role: str = "clinician") -> str:
    """The scores section of a summary for `role` ("" when no score applies)."""
    return patient_markdown(results) if role == "patient" else clinician_markdown(results)


def scores_json(results: list[ScoreResult], role: str = "clinician") -> list[dict[str, Any]]:
    """Scores as JSON: everything for a clinician; for a patient no interpretation or corrections
    (they hold treatment text), only value or range, risk category, inputs and the source."""
    from bot.scores.render import TREATMENT

    if role != "patient":
        return [r.to_json() for r in results]
    out = []
    for r in results:
        inputs = [{"label": i.label, "value": i.value, "unit": i.unit, "status": i.status, "source": i.source,
                   "date": i.date} for i in r.inputs]
        category = "" if TREATMENT.search(r.category or "") else r.category
        out.append({"key": r.key, "title": r.title, "status": r.status, "value": r.value, "low": r.low,
                    "high": r.high, "unit": r.unit, "category": category, "inputs": inputs,
                    "doi": r.doi, "citation": r.citation, "loinc": list(r.loinc) if r.loinc else None})
    return out


def published_numbers(results: list[ScoreResult]) -> dict[str, str]:
    """Numbers a scores section may hold that are not copied from the record, each with its origin:
    score values and ranges (computed by the score's rule) and the numbers of the score's published
    text (interpretation bands, criteria thresholds, citation). Record values are traced separately."""
    out: dict[str, str] = {}
    for r in results:
        for x in (r.value, r.low, r.high):
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                out.setdefault(f"{x:g}", f"{r.title}: computed by the score's rule")
        published = [r.title, r.interpretation, r.category, r.citation, r.doi, r.reason, *r.corrections, *r.missing]
        published += [i.label for i in r.inputs]
        for text in published:
            for tok in NUMBER.findall(text or ""):
                out.setdefault(tok, f"{r.title}: published text ({r.citation})")
        for i in r.inputs:
            if i.status in ("derived", "given") and isinstance(i.value, (int, float)) and not isinstance(i.value, bool):
                out.setdefault(f"{i.value:g}", f"{r.title}: {i.label} {i.status} ({i.note or i.source})")
            for tok in NUMBER.findall(i.note or ""):
                # notes quote record values and the search windows ("within 1 day(s)", "209 recorded conditions")
                out.setdefault(tok, f"{r.title}: {i.label} ({i.note})")
    return out


def score_from_json(data: dict[str, Any]) -> ScoreResult:
    """Rebuild a `ScoreResult` from `ScoreResult.to_json()` (a tool result kept with a conversation)."""
    import dataclasses

    from bot.scores.model import Input

    known = {f.name for f in dataclasses.fields(ScoreResult)}
    kw = {k: v for k, v in data.items() if k in known}
    input_fields = {f.name for f in dataclasses.fields(Input)}
    kw["inputs"] = [Input(**{k: v for k, v in i.items() if k in input_fields}) for i in kw.get("inputs") or []]
    kw["loinc"] = tuple(kw["loinc"]) if kw.get("loinc") else None
    return ScoreResult(**kw)


def observations(results: list[ScoreResult], subject: str | None, effective: str | None) -> list[dict[str, Any]]:
    """Preliminary FHIR R4 Observations of the computed scores (LOINC where one exists, else code
    text), with ids for containing them in a DiagnosticReport; ranges and refused scores have none."""
    from bot.scores.render import observation

    out = []
    for r in results:
        obs = observation(r, subject or "", effective)
        if obs is None:
            continue
        obs["id"] = "score-" + re.sub(r"[^A-Za-z0-9.-]", "-", r.key)
        if not subject:
            obs.pop("subject", None)
        out.append(obs)
    return out
