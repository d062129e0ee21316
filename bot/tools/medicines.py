"""Agent tool `medicines`: same-as, together, how much and what-is answers quoted from FDA labels.

Adapts `retrieval.medicines` (deterministic, no LLM): the text is a ready-to-show cited Markdown
answer; `data` holds the verdict and every quote with its product, section and DailyMed link.
`plan(message)` gives the tool's arguments for a chat message, or None when it is not a medicine
question.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.tools.base import Tool, ToolResult


def plan(message: str) -> dict[str, Any] | None:
    """Arguments for the `medicines` tool when the message is a medicine question, else None."""
    from retrieval.medicines import plan as _plan

    return _plan(message)


class Medicines(Tool):
    name = "medicines"
    description = ("Medicines from FDA drug labels, answered word for word with citations: 'same_as' (brand or "
                   "generic, combination products), 'together' (two medicines, or a medicine and alcohol; answered "
                   "only when a label names the other), 'how_much' (the label's own directions) and 'what_is' "
                   "(uses, how to take, maximum dose, side effects, warnings, interactions, pregnancy).")
    parameters = {
        "type": "object",
        "properties": {
            "question": {"type": "string", "enum": ["same_as", "together", "how_much", "what_is"],
                         "description": "the shape of the question"},
            "drugs": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2,
                      "description": "medicine names as asked (brand or generic), or 'alcohol' with 'together'"},
            "focus": {"type": "string",
                      "enum": ["uses", "how_to_take", "max_daily", "side_effects", "warnings", "interactions",
                               "pregnancy"],
                      "description": "with 'what_is': only this part of the card"},
            "effect": {"type": "string",
                       "description": "with focus 'side_effects': the effect asked about, e.g. 'tendon', 'gain weight'"},
        },
        "required": ["question", "drugs"],
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        return [{"question": "same_as", "drugs": ["Augmentin", "amoxicillin"]},
                {"question": "together", "drugs": ["ibuprofen", "warfarin"]},
                {"question": "together", "drugs": ["Zyrtec", "Benadryl"]},
                {"question": "how_much", "drugs": ["ibuprofen"]},
                {"question": "what_is", "drugs": ["warfarin"], "focus": "pregnancy"}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        return [{"question": "together", "drugs": ["ibuprofen"]},
                {"question": "what_is", "drugs": ["notadrugname"]},
                {"question": "how_much", "drugs": ["alcohol"]}]

    def forward(self, question: str, drugs: list[str], focus: str | None = None, effect: str | None = None,
                **_: Any) -> ToolResult:
        from retrieval.errors import UserError as RetrievalUserError
        from retrieval.medicines import answer

        try:
            res = answer(question, list(drugs), focus=focus, effect=effect)
        except RetrievalUserError as exc:
            raise UserError(str(exc)) from None
        return ToolResult(data=res.data, text=res.markdown, patient={"text": res.markdown, "tables": {}})
