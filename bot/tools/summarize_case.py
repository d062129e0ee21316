"""Agent tool `summarize_case`: a traceable case summary from a FHIR bundle, notes file or text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.tools.base import Tool, ToolResult

_EXAMPLE_NOTES = """Clinic note 2024-03-02
58-year-old woman seen for follow-up.
Problems: type 2 diabetes mellitus (2015-06-01); essential hypertension
Medications: metformin 500 mg twice daily; lisinopril 10 mg daily
Allergies: penicillin
BP 142/88 mmHg, HR 76 bpm, SpO2 97 %
"""


def resolve_input(settings, path: str) -> Path:
    """The file a tool may read: it must exist and, with settings, lie under MEDBOT_HOME (uploads).

    Raises:
        UserError: missing file or a path outside the data folder.
    """
    p = Path(path).expanduser()
    if not p.is_file():
        raise UserError(f"no such file: {p.name or path}")
    if settings is not None:
        home = Path(settings.home).resolve()
        if home not in p.resolve().parents:
            raise UserError(f"{p.name}: tools read only uploaded files (under the medbot data folder)")
    return p


class SummarizeCase(Tool):
    name = "summarize_case"
    description = ("Summarize a patient case from an uploaded FHIR R4 bundle or clinical notes (path), or from "
                   "pasted notes (text): age and sex, active problems with onset dates, current medications, "
                   "allergies, latest vitals and labs with dates and units, procedures, imaging and genomic "
                   "findings, and the clinical scores that apply (value, interpretation, inputs with their source and "
                   "date, DOI). Every number and date is traceable to the record.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "uploaded FHIR bundle (.json) or notes (.txt) file"},
            "text": {"type": "string", "description": "free-text notes, when there is no file"},
            "role": {"type": "string", "enum": ["clinician", "patient"], "description": "reader of the summary"},
        },
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Good calls for the shared tool test (writes a small notes file under MEDBOT_HOME)."""
        folder = Path(settings.home) / "conversations" / "tool-example"
        folder.mkdir(parents=True, exist_ok=True)
        notes = folder / "notes.txt"
        notes.write_text(_EXAMPLE_NOTES, encoding="utf-8")
        bundle = folder / "bundle.json"
        bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "male", "birthDate": "1970-01-15"}},
            {"resource": {"resourceType": "Condition", "id": "c1", "clinicalStatus": {"coding": [{"code": "active"}]},
                          "code": {"coding": [{"display": "Asthma (disorder)"}]}, "onsetDateTime": "2001-04-02"}},
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished",
                          "class": {"code": "AMB"}, "period": {"start": "2024-02-01T10:00:00Z"}}}]}), encoding="utf-8")
        return [{"path": str(notes)}, {"path": str(bundle), "role": "patient"}, {"text": _EXAMPLE_NOTES}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Schema-valid calls that must fail with a clear UserError."""
        folder = Path(settings.home) / "conversations" / "tool-example"
        folder.mkdir(parents=True, exist_ok=True)
        broken = folder / "broken.json"
        broken.write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
        return [{}, {"path": str(folder / "missing.json")}, {"path": str(broken)}, {"text": "hello"},
                {"path": str(broken), "text": "both"}]

    def forward(self, path: str | None = None, text: str | None = None, role: str = "clinician") -> ToolResult:
        from bot.cases import RULES, case_from_file, case_from_text, summarize_facts
        from bot.cases.render import facts_text
        from bot.cases.scores import case_scores, patient_reference
        from bot.scores.render import patient_text, text as scores_text

        if (path is None) == (text is None):
            raise UserError("summarize_case needs either 'path' (an uploaded file) or 'text' (notes), not both")
        if path is not None:
            facts, rec = case_from_file(self.settings, resolve_input(self.settings, path))
        else:
            facts, rec = case_from_text(text)
        scores = case_scores(rec)
        summary = summarize_facts(facts, backend=None, role=role, scores=scores)
        data = summary.to_json()
        data["rules"] = RULES
        # the LLM gets the compact facts (small models have small contexts); people get the full summary table
        scored = scores_text(scores) if role != "patient" else patient_text(scores) if scores else ""
        text = f"{facts_text(facts)}\nNarrative: {summary.narrative}" + (f"\nClinical scores:\n{scored}" if scored else "")
        tables = {"Case summary": summary.markdown}
        patient = None
        if scores:  # what a patient sees: value or range and risk category, no treatment text
            patient_view = summary if role == "patient" else summarize_facts(facts, role="patient", scores=scores)
            patient = {"text": f"{patient_view.narrative}\n{patient_text(scores)}",
                       "tables": {"Case summary": patient_view.markdown}}
        if scores and role != "patient":  # the diagnostic report's scores section (reports are for clinicians)
            data["report"] = {"kind": "scores", "scores": [r.to_json() for r in scores], "as_of": rec.as_of,
                              "subject": patient_reference(rec)}
        return ToolResult(data=data, text=text[:4000], tables=tables, patient=patient)
