"""Agent tool `scores`: clinical scores from the case (FHIR bundle or notes) and stated values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.tools.base import Tool, ToolResult


class Scores(Tool):
    name = "scores"
    description = ("Clinical scores from an uploaded case (FHIR R4 bundle or notes) and/or values stated in the "
                   "message: CHA2DS2-VASc, CHA2DS2-VA, HAS-BLED, CURB-65, CRB-65, PSI, Wells PE/DVT, PERC, eGFR "
                   "(CKD-EPI 2021), Cockcroft-Gault, MELD-Na, Child-Pugh, FIB-4, NEWS2, qSOFA, GCS, HEART, Centor, "
                   "PHQ-9, GAD-7. Without a score name, picks the scores that apply. Each input is traced to the "
                   "record or listed missing (never assumed normal): a score with missing inputs comes as a range "
                   "and names what to ask for.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "uploaded FHIR bundle (.json) or notes (.txt) file"},
            "text": {"type": "string", "description": "notes or a FHIR bundle as text, when there is no file"},
            "score": {"type": "array", "items": {"type": "string"},
                      "description": "score names (e.g. CHA2DS2-VASc, CURB-65); omit to pick those that apply"},
            "question": {"type": "string", "description": "the clinician's question (helps pick scores)"},
            "inputs": {"type": "object", "additionalProperties": {"type": ["number", "boolean", "string"]},
                       "description": "values stated by the clinician, by input name (age, urea_mmol, rr, sbp, dbp, "
                                      "confusion, labile_inr, alcohol...), replacing the record's"},
            "role": {"type": "string", "enum": ["clinician", "patient"], "description": "reader of the result"},
            "as_of": {"type": "string", "description": "summary date YYYY-MM-DD (default: latest date in the record)"},
        },
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        folder = Path(settings.home) / "conversations" / "tool-example"
        folder.mkdir(parents=True, exist_ok=True)
        bundle = folder / "scores-bundle.json"
        bundle.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
            {"resource": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-03-01"}},
            {"resource": {"resourceType": "Condition", "id": "af", "clinicalStatus": {"coding": [{"code": "active"}]},
                          "code": {"coding": [{"system": "http://snomed.info/sct", "code": "49436004",
                                               "display": "Atrial fibrillation (disorder)"}]}, "onsetDateTime": "2020-01-01"}},
            {"resource": {"resourceType": "Encounter", "id": "e1", "status": "finished", "class": {"code": "AMB"},
                          "period": {"start": "2024-02-01T10:00:00Z"}}}]}), encoding="utf-8")
        return [{"path": str(bundle)}, {"path": str(bundle), "score": ["HAS-BLED"], "role": "patient"},
                {"score": ["CURB-65"], "inputs": {"age": 72, "confusion": True, "urea_mmol": 8, "rr": 32, "sbp": 85, "dbp": 50}}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        return [{"score": ["no-such-score"], "inputs": {"age": 70}}, {"score": ["CURB-65"], "inputs": {"bogus": 1}},
                {"path": str(Path(settings.home) / "missing.json")}, {}]

    def forward(self, path: str | None = None, text: str | None = None, score: list[str] | None = None,
                question: str | None = None, inputs: dict[str, Any] | None = None, role: str = "clinician",
                as_of: str | None = None) -> ToolResult:
        from bot.scores import record, score_case
        from bot.scores.render import markdown, patient_text, text as result_text

        if path is not None and text is not None:
            raise UserError("scores needs 'path' (an uploaded file) or 'text', not both")
        if path is not None:
            from bot.tools.summarize_case import resolve_input

            rec = record.from_file(self.settings, resolve_input(self.settings, path), as_of=as_of)
        elif text is not None:
            rec = record.from_text(text, as_of=as_of)
        elif inputs or score:
            rec = record.empty()
        else:
            raise UserError("scores needs a case ('path' or 'text') or stated 'inputs' with a 'score'")
        results, why = score_case(rec, names=score, question=question, inputs=inputs)
        if not results:
            msg = "No score applies to this case from its conditions; name one (e.g. CHA2DS2-VASc, eGFR)."
            return ToolResult(data={"scores": [], "applicable": [], "as_of": rec.as_of}, text=msg,
                              patient={"text": msg, "tables": {}})
        data = {"scores": [r.to_json() for r in results], "applicable": [{"score": k, "why": w} for k, w in why],
                "as_of": rec.as_of, "as_of_rule": rec.as_of_rule}
        from bot.cases.scores import patient_reference

        data["report"] = {"kind": "scores", "scores": data["scores"], "as_of": rec.as_of,
                          "subject": patient_reference(rec)}  # the diagnostic report's scores section
        table = markdown(results, why)
        return ToolResult(data=data, text=result_text(results)[:4000], tables={"Clinical scores": table},
                          patient={"text": patient_text(results), "tables": {}})
