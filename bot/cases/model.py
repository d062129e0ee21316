"""Typed facts of one case, each traceable to the source resource (or note line) it came from.

Everything a summary shows is built from these records; `CaseSummary` adds the narrative and the
result of the traceability check.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Item:
    """One fact: a label, an optional date and value, and where it came from.

    Attributes:
        text: what is shown (a coded display name, a medication, a lab name...).
        date: ISO date (YYYY-MM-DD) taken from the source, or None.
        value: the value as shown (already rounded by `format_number`), or None.
        unit: the unit as written in the source, or None.
        source: `ResourceType/id` of the source resource, or `notes:LINE` for free text.
        detail: extra shown text taken from the source (e.g. a dosage instruction).
        at_birth: the source date equals the date of birth, which is not shown (an identifier).
    """

    text: str
    date: str | None = None
    value: str | None = None
    unit: str | None = None
    source: str = ""
    detail: str | None = None
    at_birth: bool = False


@dataclass
class Derived:
    """A value that is not copied from the source but computed by a named rule."""

    name: str
    value: str
    rule: str
    inputs: dict[str, str] = field(default_factory=dict)


@dataclass
class CaseFacts:
    """Deterministically extracted facts of one patient (no names or identifiers)."""

    kind: str  # "fhir" | "notes"
    as_of: str | None  # the summary date (ISO)
    as_of_rule: str = ""
    sex: str | None = None
    age_years: int | None = None
    deceased: str | None = None
    problems: list[Item] = field(default_factory=list)
    social: list[Item] = field(default_factory=list)  # social and administrative entries
    medications: list[Item] = field(default_factory=list)
    allergies: list[Item] = field(default_factory=list)
    vitals: list[Item] = field(default_factory=list)
    labs: list[Item] = field(default_factory=list)
    procedures: list[Item] = field(default_factory=list)
    imaging: list[Item] = field(default_factory=list)
    genomics: list[Item] = field(default_factory=list)
    derived: list[Derived] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)  # section -> items left out for length

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CaseSummary:
    """A finished summary: facts, narrative, Markdown text and the traceability report.

    Attributes:
        facts: the extracted facts.
        narrative: the narrative after the traceability check.
        narrative_source: "llm" or "rule".
        markdown: the whole summary as Markdown (facts then narrative).
        flags: untraceable numbers/dates found and what was done with them.
        scores: clinical scores that apply to the case (`bot.scores.ScoreResult`), each with its
            inputs traced to the record; empty for a case without a score record.
        role: the reader ("clinician" or "patient"); a patient never sees treatment text.
        timings: seconds spent per stage (facts, model_load, prompt, generation, check) and the
            number of generated chunks, for profiling.
        model: name of the LLM that was asked for the narrative, or None.
        model_is_demo: that LLM is the small demo model.
    """

    facts: CaseFacts
    narrative: str
    narrative_source: str
    markdown: str
    flags: list[dict[str, str]] = field(default_factory=list)
    scores: list[Any] = field(default_factory=list)
    role: str = "clinician"
    timings: dict[str, float] = field(default_factory=dict)
    model: str | None = None
    model_is_demo: bool = False

    def to_json(self) -> dict[str, Any]:
        from bot.cases.scores import scores_json

        return {"facts": self.facts.to_json(), "narrative": self.narrative,
                "narrative_source": self.narrative_source, "summary": self.markdown, "flags": self.flags,
                "scores": scores_json(self.scores, self.role), "timings": self.timings}
