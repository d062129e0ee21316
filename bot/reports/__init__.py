"""Diagnostic reports of a conversation or a case: Markdown, PDF or FHIR R4 DiagnosticReport.

    from bot.reports import write_report
    write_report(settings, conversation_id="ab12", fmt="pdf", out=Path("report.pdf"))
    write_report(settings, case=Path("patient.json"), fmt="fhir", out=Path("report.json"))

Files are written through a temporary file and renamed, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bot.errors import UserError

FORMATS = {"md": "md", "pdf": "pdf", "fhir": "json"}


def build_report(settings, conversation_id: str | None = None, case: Path | None = None, backend=None):
    """The `Report` for a conversation or a case file (exactly one of them).

    Raises:
        UserError: neither or both given, unknown conversation, bad case file.
    """
    from bot.reports.collect import from_case, from_conversation

    if (conversation_id is None) == (case is None):
        raise UserError("a report needs either a conversation id or a case file")
    if conversation_id is not None:
        return from_conversation(settings, conversation_id)
    return from_case(settings, Path(case), backend=backend)


def write_report(settings, conversation_id: str | None = None, fmt: str = "md", out: Path | None = None,
                 case: Path | None = None, backend=None) -> Path:
    """Write a report file and return its path.

    Args:
        settings: bot.config.Settings (the store and the upload size limits).
        conversation_id: the conversation to report on, or
        case: a FHIR bundle / notes file to report on.
        fmt: "md", "pdf" or "fhir" (a FHIR R4 DiagnosticReport as JSON, status preliminary).
        out: output path; default `$MEDBOT_HOME/reports/report-<id>.<ext>`.
        backend: LLM backend for a case narrative (None: rule narrative).

    Returns:
        The written path.

    Raises:
        UserError: bad format, unknown conversation, bad case file, unwritable output folder.
    """
    if fmt not in FORMATS:
        raise UserError(f"unknown report format '{fmt}' (choose md, pdf or fhir)")
    report = build_report(settings, conversation_id=conversation_id, case=case, backend=backend)
    if out is None:
        stem = conversation_id or Path(case).stem
        out = Path(settings.home) / "reports" / f"report-{stem}.{FORMATS[fmt]}"
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder for {out}: {exc.strerror}") from None
    if out.is_dir():
        raise UserError(f"{out} is a folder; give a file path for the report")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "pdf":
            from bot.reports.pdf import write_pdf

            write_pdf(report, tmp)
        else:
            if fmt == "md":
                from bot.reports.markdown import render_markdown

                text = render_markdown(report, out_dir=out.parent)
            else:
                from bot.reports.fhir import render_fhir

                text = render_fhir(report)
            tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


__all__ = ["write_report", "build_report", "FORMATS"]
