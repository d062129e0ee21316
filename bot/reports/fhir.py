"""Render a `Report` as a FHIR R4 DiagnosticReport, validated with fhir.resources.R4B.

fhir.resources does not enforce value sets, so `check_diagnostic_report` checks the status
(R4 `diagnostic-report-status`; a machine-drafted report must be `preliminary`), the LOINC code
and the v2-0074 category itself.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from bot.errors import InternalError
from bot.reports.markdown import render_markdown
from bot.reports.model import REPORT_CODES, Report

STATUS_VALUES = {"registered", "partial", "preliminary", "final", "amended", "corrected", "appended",
                 "cancelled", "entered-in-error", "unknown"}
LOINC = "http://loinc.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
V2_0074_CODES = {"AU", "BG", "BLB", "CG", "CH", "CP", "CT", "CTH", "CUS", "EC", "EN", "GE", "HM", "ICU", "IMM",
                 "LAB", "MB", "MCB", "MYC", "NMR", "NMS", "NRS", "OSL", "OT", "OTH", "OUS", "PF", "PHR", "PHY",
                 "PT", "RAD", "RC", "RT", "RUS", "RX", "SP", "SR", "TX", "VR", "VUS", "XRC"}
_VALID_CODES = {(code, display) for code, display, _ in REPORT_CODES.values()}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def to_fhir(report: Report) -> dict[str, Any]:
    """The DiagnosticReport as a JSON-able dict (Markdown and images as presentedForm)."""
    code, display, section = REPORT_CODES.get(report.kind, REPORT_CODES["general"])
    forms = [{"contentType": "text/markdown; charset=utf-8", "language": "en", "title": report.title,
              "data": _b64(render_markdown(report).encode("utf-8"))}]
    for img in report.images:
        ctype = "image/png" if img.path.suffix.lower() == ".png" else "image/jpeg"
        forms.append({"contentType": ctype, "title": img.title, "data": _b64(img.path.read_bytes())})
    conclusion = report.conclusion.strip() or "No conclusion drafted."
    obj: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": uuid.uuid4().hex,
        "status": "preliminary",
        "category": [{"coding": [{"system": V2_0074, "code": section}]}],
        "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": report.title},
        "effectiveDateTime": report.effective or report.created,
        "issued": report.created,
        "conclusion": f"{conclusion}\n\n{report.disclaimer}",
        "presentedForm": forms,
    }
    if report.subject:
        obj["subject"] = {"display": report.subject}
    observations: list[dict[str, Any]] = []
    if report.pharmacogenomics:
        observations += pgx_observations(report.pharmacogenomics, obj["effectiveDateTime"])
    if report.scores:
        from bot.cases.scores import observations as score_observations

        observations += score_observations(report.scores, report.scores_subject, obj["effectiveDateTime"])
    if observations:
        obj["contained"] = observations
        obj["result"] = [{"reference": f"#{o['id']}", "display": o["code"]["text"]} for o in observations]
    return obj


def pgx_observations(pgx: dict[str, Any], effective: str) -> list[dict[str, Any]]:
    """One preliminary Observation per typed gene: diplotype as the value, gene and phenotype as components."""
    out = []
    for g in pgx.get("genes", []):
        if not g.get("diplotype"):
            continue
        components = [{"code": {"coding": [{"system": LOINC, "code": "48018-6", "display": "Gene studied [ID]"}]},
                       "valueCodeableConcept": {"text": g["gene"]}}]
        if g.get("phenotype"):
            components.append({"code": {"coding": [{"system": LOINC, "code": "53040-2",
                                                    "display": "Genetic variation's effect on drug metabolism"}]},
                               "valueCodeableConcept": {"text": g["phenotype"]}})
        obs: dict[str, Any] = {
            "resourceType": "Observation",
            "id": "pgx-" + "".join(c if c.isalnum() or c in "-." else "-" for c in g["gene"]),
            "status": "preliminary",
            "category": [{"coding": [{"system": OBS_CATEGORY, "code": "laboratory"}]}],
            "code": {"coding": [{"system": LOINC, "code": "84413-4", "display": "Genotype display name"}],
                     "text": f"{g['gene']} diplotype"},
            "effectiveDateTime": effective,
            "valueCodeableConcept": {"text": g["diplotype"]},
            "component": components,
        }
        notes = [f"status: {g['status']}"] + ([g["reason"]] if g.get("reason") else [])
        if g.get("diplotype_basis") == "most_likely":
            notes.append("most likely of " + ", ".join(g.get("candidates", [])))
        notes.append(f"CPIC tables: {pgx.get('table_version', '')}; build {pgx.get('build')}")
        obs["note"] = [{"text": n} for n in notes]
        out.append(obs)
    return out


def check_diagnostic_report(obj: dict[str, Any]) -> None:
    """Validate a DiagnosticReport dict: R4B structure plus status, code and category value sets.

    Raises:
        InternalError: the report does not validate (a bug in medbot, not bad user input).
    """
    from fhir.resources.R4B.diagnosticreport import DiagnosticReport
    from pydantic import ValidationError

    try:
        DiagnosticReport.model_validate(obj)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InternalError(f"DiagnosticReport does not validate: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    if obj.get("status") not in STATUS_VALUES:
        raise InternalError(f"DiagnosticReport.status '{obj.get('status')}' is not in the R4 value set")
    if obj["status"] != "preliminary":
        raise InternalError("a machine-drafted DiagnosticReport must have status 'preliminary'")
    codings = obj.get("code", {}).get("coding") or []
    if not any(c.get("system") == LOINC and (c.get("code"), c.get("display")) in _VALID_CODES for c in codings):
        raise InternalError("DiagnosticReport.code must be one of medbot's LOINC report codes")
    for res in obj.get("contained") or []:
        if res.get("resourceType") == "Observation" and res.get("status") != "preliminary":
            raise InternalError("a machine-drafted Observation must have status 'preliminary'")
    for cat in obj.get("category") or []:
        for c in cat.get("coding") or []:
            if c.get("system") == V2_0074 and c.get("code") not in V2_0074_CODES:
                raise InternalError(f"DiagnosticReport.category '{c.get('code')}' is not in v2-0074")


def render_fhir(report: Report) -> str:
    """The validated DiagnosticReport as JSON text."""
    obj = to_fhir(report)
    check_diagnostic_report(obj)
    return json.dumps(obj, ensure_ascii=False, indent=2)
