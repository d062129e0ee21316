"""Agent tool `make_report`: a diagnostic report (Markdown, PDF or FHIR) of a conversation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.tools.base import Tool, ToolResult

EXTENSIONS = {"md": "md", "pdf": "pdf", "fhir": "json"}


class MakeReport(Tool):
    name = "make_report"
    description = ("Write a preliminary diagnostic report of the conversation: findings, tool outputs "
                   "(measurements, overlay images, variant tables), conclusion, citations and disclaimer, "
                   "as Markdown (md), PDF (pdf) or a FHIR R4 DiagnosticReport (fhir).")
    parameters = {
        "type": "object",
        "properties": {
            "conversation_id": {"type": "string", "minLength": 1, "description": "the conversation to report"},
            "format": {"type": "string", "enum": ["md", "pdf", "fhir"], "description": "report format (default md)"},
        },
        "required": ["conversation_id"],
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Good calls for the shared tool test (stores a small conversation under MEDBOT_HOME)."""
        from bot.store import Store

        store = Store.from_settings(settings)
        cid = store.create(user=settings.user, role="clinician")
        store.append(cid, "user", "ICD code for asthma")
        store.append(cid, "assistant", "Asthma is coded J45 in ICD-10-CM.", {
            "tool_calls": [{"name": "lookup_icd10", "arguments": {"query": "asthma"}, "summary": "J45: Asthma"}],
            "tables": {"ICD-10-CM codes": "| Code | Description |\n|---|---|\n| J45 | Asthma |"},
            "citations": [], "files": {}})
        store.close()
        return [{"conversation_id": cid}, {"conversation_id": cid, "format": "fhir"},
                {"conversation_id": cid, "format": "pdf"}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Schema-valid calls that must fail with a clear UserError."""
        return [{"conversation_id": "no-such-conversation"}]

    def forward(self, conversation_id: str, format: str = "md") -> ToolResult:  # noqa: A002 - schema name
        from bot.config import load_settings
        from bot.reports import write_report
        from bot.store import Store

        settings = self.settings or load_settings()
        store = Store.from_settings(settings)
        try:
            store.get(conversation_id, settings.user)  # UserError for unknown ids, before any file is made
            out = store.uploads_dir(conversation_id) / f"report-{conversation_id}.{EXTENSIONS[format]}"
        finally:
            store.close()
        path = write_report(settings, conversation_id=conversation_id, fmt=format, out=out)
        return ToolResult(data={"conversation_id": conversation_id, "format": format, "path": str(path),
                                "status": "preliminary"},
                          text=f"Preliminary {format} report written: {path.name} (needs clinician review).",
                          files={"report": path})
