"""Reports of conversations and cases: Markdown, PDF and a validated FHIR R4 DiagnosticReport."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.errors import InternalError, UserError
from bot.reports import write_report
from bot.reports.fhir import check_diagnostic_report
from bot.reports.pdf import parse_table
from bot.store import Store

MEASUREMENTS = "| Label | Volume (mL) | Max diameter (mm) |\n|---|---|---|\n| lesion | 12.4 | 31.0 |"
VARIANTS = "| Position | Ref | Alt | Genotype |\n|---|---|---|---|\n| 20:50001234 | A | G | 0/1 |"
CITATION = {"id": "PMID:3081859", "title": "Aspirin after myocardial infarction", "journal": "Lancet",
            "year": 1988, "url": "https://pubmed.ncbi.nlm.nih.gov/3081859/"}


@pytest.fixture
def conversation(tmp_path):
    """A stored conversation with segmentation and variant tool outputs, an image and a citation."""
    from PIL import Image

    settings = load_settings()
    store = Store.from_settings(settings)
    cid = store.create(user=settings.user, role="clinician")
    overlay = store.uploads_dir(cid) / "overlay.png"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(overlay)
    store.append(cid, "user", "Segment this MRI and call variants")
    store.append(cid, "assistant", "A 12.4 mL lesion was found [PMID:3081859].\n\nSources: [PMID:3081859] Aspirin\n\n"
                 "_medbot gives general information, not a diagnosis._", {
                     "tool_calls": [{"name": "segment_image", "arguments": {"path": "scan.nii.gz"},
                                     "summary": "lesion 12.4 mL, max diameter 31.0 mm"},
                                    {"name": "call_variants", "arguments": {"vcf": "calls.vcf"},
                                     "summary": "1 variant"}],
                     "tables": {"Measurements": MEASUREMENTS, "Variants": VARIANTS},
                     "files": {"segment_image:overlay": str(overlay)},
                     "citations": [CITATION], "model": "scripted"})
    store.close()
    return settings, cid, overlay


def test_markdown_report_has_every_part(conversation, tmp_path):
    settings, cid, overlay = conversation
    out = write_report(settings, conversation_id=cid, fmt="md", out=tmp_path / "r" / "report.md")
    text = out.read_text(encoding="utf-8")
    for part in ("## Findings", "## Tool outputs", "## Conclusion", "## Citations", "## Disclaimer",
                 "preliminary", MEASUREMENTS, VARIANTS, "lesion 12.4 mL", "[PMID:3081859] Aspirin after myocardial",
                 "A 12.4 mL lesion was found"):
        assert part in text, part
    assert "_medbot gives general" not in text.split("## Conclusion")[1].split("## Citations")[0]
    link = next(l for l in text.splitlines() if l.startswith("!["))
    assert (out.parent / link.split("](")[1].rstrip(")")).resolve() == overlay.resolve()
    assert [p.name for p in out.parent.iterdir()] == ["report.md"]  # no temporary file left


def test_pdf_report_holds_tables_image_and_text(conversation, tmp_path):
    from pypdf import PdfReader

    settings, cid, _ = conversation
    out = write_report(settings, conversation_id=cid, fmt="pdf", out=tmp_path / "report.pdf")
    reader = PdfReader(str(out))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for part in ("Findings", "Measurements", "12.4", "20:50001234", "Conclusion", "Citations", "PMID:3081859",
                 "Disclaimer", "PRELIMINARY"):
        assert part in text, part
    assert sum(len(page.images) for page in reader.pages) == 1


def test_fhir_report_validates_and_is_preliminary(conversation, tmp_path):
    from fhir.resources.R4B.diagnosticreport import DiagnosticReport

    settings, cid, overlay = conversation
    out = write_report(settings, conversation_id=cid, fmt="fhir", out=tmp_path / "report.json")
    obj = json.loads(out.read_text(encoding="utf-8"))
    report = DiagnosticReport.model_validate(obj)
    assert report.status == "preliminary"
    assert obj["code"]["coding"][0] == {"system": "http://loinc.org", "code": "18748-4",
                                        "display": "Diagnostic imaging study"}
    forms = {f["contentType"]: f for f in obj["presentedForm"]}
    md = base64.b64decode(forms["text/markdown; charset=utf-8"]["data"]).decode("utf-8")
    assert MEASUREMENTS in md and "PMID:3081859" in md
    assert base64.b64decode(forms["image/png"]["data"]) == overlay.read_bytes()
    assert "not a diagnosis" in obj["conclusion"]


@pytest.mark.parametrize("change, message", [
    ({"status": "final"}, "preliminary"),
    ({"status": "draft"}, "value set"),
    ({"code": {"coding": [{"system": "http://loinc.org", "code": "0000-0", "display": "x"}]}}, "LOINC"),
    ({"category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "ZZZ"}]}]},
     "v2-0074"),
    ({"issued": "yesterday"}, "does not validate"),
])
def test_fhir_checks_catch_bad_values(conversation, tmp_path, change, message):
    settings, cid, _ = conversation
    obj = json.loads(write_report(settings, conversation_id=cid, fmt="fhir", out=tmp_path / "r.json").read_text())
    obj.update(change)
    with pytest.raises(InternalError, match=message):
        check_diagnostic_report(obj)


def test_case_report_from_a_bundle(rich_bundle, tmp_path):
    from fhir.resources.R4B.diagnosticreport import DiagnosticReport

    settings = load_settings()
    md = write_report(settings, case=rich_bundle, fmt="md", out=tmp_path / "case.md").read_text(encoding="utf-8")
    assert "year-old" in md and "Active problems" in md and "Latest laboratory results" in md
    assert "| Test | Value | Unit | Date |" in md
    obj = json.loads(write_report(settings, case=rich_bundle, fmt="fhir", out=tmp_path / "case.json").read_text())
    DiagnosticReport.model_validate(obj)
    assert obj["code"]["coding"][0]["code"] == "60591-5" and obj["status"] == "preliminary"
    summary_date = md.split("**Record date:** ")[1][:10]
    assert obj["effectiveDateTime"] == summary_date


def test_bad_requests_are_user_errors_and_write_nothing(conversation, tmp_path):
    settings, cid, _ = conversation
    out = tmp_path / "x" / "r.md"
    with pytest.raises(UserError, match="no conversation 'nope'"):
        write_report(settings, conversation_id="nope", fmt="md", out=out)
    with pytest.raises(UserError, match="unknown report format"):
        write_report(settings, conversation_id=cid, fmt="docx", out=out)
    with pytest.raises(UserError, match="either a conversation id or a case file"):
        write_report(settings, fmt="md", out=out)
    store = Store.from_settings(settings)
    empty = store.create(user=settings.user)
    with pytest.raises(UserError, match="no answer to report yet"):
        write_report(settings, conversation_id=empty, fmt="md", out=out)
    assert not out.exists() and (not out.parent.exists() or not any(out.parent.iterdir()))


def test_markdown_table_parser():
    assert parse_table(VARIANTS) == [["Position", "Ref", "Alt", "Genotype"], ["20:50001234", "A", "G", "0/1"]]
    assert parse_table("| a \\| b | c |\n|:--|--:|\n| 1 | 2 |") == [["a \\| b", "c"], ["1", "2"]]
