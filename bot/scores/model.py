"""What a score result holds: its value (or the range it can take), each input with its source, and
the inputs the record does not hold."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# how an input got its value
RECORDED = "recorded"  # read from a resource (or a note line)
ABSENT = "absent"      # a coded list (conditions, medicines, procedures) was searched and holds no match
GIVEN = "given"        # stated by the clinician in the question or a later message
DERIVED = "derived"    # computed by a named rule from other inputs (age from birthDate...)
MISSING = "missing"    # not in the record: never assumed normal


@dataclass
class Input:
    """One score input.

    Attributes:
        key: canonical name (`age`, `urea_mmol`, `heart_failure`...).
        label: what it means in the score.
        value: the value used (None when missing).
        unit: unit of `value`.
        status: RECORDED, ABSENT, GIVEN, DERIVED or MISSING.
        source: `ResourceType/id`, `notes:line N`, `message`, or the list searched.
        date: date of the source (ISO) or None.
        note: how it was read or why it is missing ("no respiratory rate within 1 day of 2024-03-02").
    """

    key: str
    label: str
    value: Any = None
    unit: str | None = None
    status: str = MISSING
    source: str = ""
    date: str | None = None
    note: str = ""
    choices: list | None = None  # values still possible when partly known (ascites recorded, grade not)

    @property
    def known(self) -> bool:
        return self.status != MISSING


@dataclass
class ScoreResult:
    """One score for one case.

    Attributes:
        key, title: registry key and display name.
        status: "computed" (value exact), "range" (missing inputs: `low`..`high`), "not computable"
            (an input with no bounded range is missing) or "refused" (age outside the source's population).
        value: the value when computed (also when the missing inputs cannot change it).
        low, high: the values the score can take over the missing inputs.
        interpretation: clinician text (risk band and what the source says).
        category: short risk category with no treatment advice (what a patient may see).
        inputs: every input with its value and source or MISSING.
        missing: labels of the missing inputs (what to ask for).
        doi, citation: the score's source.
        corrections: where medbot departs from the `open-medicine` calculator, and why.
        loinc: LOINC code of the score's result when one exists, else None.
    """

    key: str
    title: str
    status: str
    value: Any = None
    low: Any = None
    high: Any = None
    unit: str = ""
    interpretation: str = ""
    category: str = ""
    inputs: list[Input] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    doi: str = ""
    citation: str = ""
    corrections: list[str] = field(default_factory=list)
    loinc: tuple[str, str] | None = None
    range_method: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["loinc"] = list(self.loinc) if self.loinc else None
        return out
