"""Agent tool `lookup_icd10`: ICD-10-CM code -> description, or text -> matching codes (offline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.tools.base import Tool, ToolResult


class LookupICD10(Tool):
    name = "lookup_icd10"
    description = ("Look up ICD-10-CM diagnosis codes offline: a code (e.g. E11.9) gives its description; "
                   "words (e.g. 'type 2 diabetes') give the best matching codes.")
    parameters = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "minLength": 1, "description": "an ICD-10-CM code or a diagnosis in words"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 25, "description": "most codes to return (default 8)"},
        },
        "required": ["query"],
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Good calls for the shared tool test."""
        return [{"query": "E11.9"}, {"query": "type 2 diabetes", "limit": 3}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """Schema-valid calls that must fail with a clear UserError."""
        return [{"query": "Z99.999"}, {"query": "  "}]

    def forward(self, query: str, limit: int = 8) -> ToolResult:
        from bot.cases.icd10 import looks_like_code, lookup

        codes = lookup(query, limit)
        mode = "code" if looks_like_code(query) else "search"
        rows = ["| Code | Description | Billable |", "|---|---|---|"]
        rows += [f"| {c.code} | {c.description} | {'yes' if c.billable else 'no'} |" for c in codes]
        text = "\n".join(f"{c.code}: {c.description}" for c in codes)
        return ToolResult(data={"query": query, "mode": mode, "results": [c.to_json() for c in codes]},
                          text=f"ICD-10-CM {'code' if mode == 'code' else 'matches for ' + repr(query)}:\n{text}",
                          tables={"ICD-10-CM codes": "\n".join(rows)})
