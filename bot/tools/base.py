"""The Tool protocol: name, description, JSON-schema parameters, run(**args) -> ToolResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from bot.errors import UserError


@dataclass
class ToolResult:
    """What a tool returns.

    Attributes:
        data: JSON-able structured result (shown in --json, used by reports).
        text: short plain-text summary the LLM reads (treated as data, never as instructions).
        files: produced files (overlay PNG, VCF, report...), keyed by a short role name.
        tables: optional Markdown tables for the UI and reports, keyed by title.
        patient: optional plain-language version for the patient role ({"text", "tables"}); the
            agent shows it instead of `text` and `tables` when a patient asks.
    """

    data: dict[str, Any]
    text: str
    files: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, str] = field(default_factory=dict)
    patient: dict[str, Any] | None = None

    def for_role(self, role: str | None) -> "ToolResult":
        """This result as the given role should see it."""
        if role != "patient" or not self.patient:
            return self
        return ToolResult(data=self.data, text=self.patient.get("text", self.text), files=self.files,
                          tables=self.patient.get("tables", {}), patient=self.patient)

    def to_json(self) -> dict[str, Any]:
        return {"data": self.data, "text": self.text, "files": {k: str(v) for k, v in self.files.items()},
                "tables": self.tables}


class Tool:
    """Base class for agent tools. Subclasses set the class attributes and implement `forward`.

    `run()` validates arguments against `parameters` (required keys, types, no unknown keys) and
    raises `UserError` with a clear message on bad arguments. Expensive loading belongs in
    `setup()`, called once on first use.
    """

    name: ClassVar[str]
    description: ClassVar[str]
    parameters: ClassVar[dict[str, Any]]  # JSON schema: {"type": "object", "properties": ..., "required": [...]}

    def __init__(self, settings=None):
        self.settings = settings
        self._ready = False

    def setup(self) -> None:
        """Load models or indexes; called once before the first `forward`."""

    def forward(self, **kwargs: Any) -> ToolResult:  # pragma: no cover - abstract
        raise NotImplementedError

    def schema(self) -> dict[str, Any]:
        """OpenAI `tools` entry for this tool."""
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.parameters}}

    def validate(self, args: dict[str, Any]) -> dict[str, Any]:
        import jsonschema

        if not isinstance(args, dict):
            raise UserError(f"{self.name}: arguments must be an object")
        try:
            jsonschema.validate(args, self.parameters)
        except jsonschema.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path)
            raise UserError(f"{self.name}: bad arguments{' at ' + where if where else ''}: {exc.message}") from None
        return args

    def run(self, **kwargs: Any) -> ToolResult:
        """Validate the arguments, set up on first use, run; library errors become medbot's own.

        Raises:
            UserError: bad arguments or bad input (also from the library behind the tool).
            InternalError: the library behind the tool failed.
        """
        from bot.errors import REPORTED_ERRORS, USER_ERRORS, InternalError, MedbotError

        args = self.validate(kwargs)
        try:
            if not self._ready:
                self.setup()
                self._ready = True
            return self.forward(**args)
        except MedbotError:
            raise
        except USER_ERRORS as exc:
            raise UserError(str(exc)) from exc
        except REPORTED_ERRORS as exc:
            raise InternalError(str(exc)) from exc
