"""Agent tools and their registry.

`TOOL_MODULES` maps tool names to `module:Class`; modules import lazily so that a tool whose
heavy dependencies are missing does not break the others. `registry(settings)` builds instances.
"""

from __future__ import annotations

import importlib
from typing import Any

from bot.errors import UserError
from bot.tools.base import Tool, ToolResult

TOOL_MODULES: dict[str, str] = {
    # name -> "module:Class"; each package adds its tool here.
    "segment_image": "bot.tools.segment_image:SegmentImage",
    "search_literature": "bot.tools.search_literature:SearchLiterature",
    "call_variants": "bot.tools.call_variants:CallVariants",
    "lookup_icd10": "bot.tools.lookup_icd10:LookupICD10",
    "summarize_case": "bot.tools.summarize_case:SummarizeCase",
    "make_report": "bot.tools.make_report:MakeReport",
    "pharmacogenomics": "bot.tools.pharmacogenomics:Pharmacogenomics",
    "scores": "bot.tools.scores:Scores",
    "medicines": "bot.tools.medicines:Medicines",
}


def tool_class(name: str) -> type[Tool]:
    try:
        target = TOOL_MODULES[name]
    except KeyError:
        raise UserError(f"unknown tool '{name}' (known: {', '.join(sorted(TOOL_MODULES))})") from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)


class ToolRegistry:
    """Instances of the registered tools for one settings object; makes the LLM tool schemas."""

    def __init__(self, settings=None, names: list[str] | None = None):
        self.settings = settings
        self._names = list(names or TOOL_MODULES)
        self._tools: dict[str, Tool] = {}

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def get(self, name: str) -> Tool:
        if name not in self._names:
            raise UserError(f"unknown tool '{name}' (known: {', '.join(self._names)})")
        if name not in self._tools:
            self._tools[name] = tool_class(name)(self.settings)
        return self._tools[name]

    def schemas(self) -> list[dict[str, Any]]:
        return [self.get(n).schema() for n in self._names]

    def run(self, name: str, args: dict[str, Any]) -> ToolResult:
        return self.get(name).run(**args)


__all__ = ["Tool", "ToolResult", "ToolRegistry", "TOOL_MODULES", "tool_class"]
