"""Traceability: every number and date in a summary must come from the facts or a recorded rule.

`TraceIndex.from_facts` collects the numbers and dates of the extracted facts (each copied from a
source resource or note line) plus derived values (age, counts). `check_text` finds every number
and date in a text, keeps sentences whose tokens are all traceable and removes (or flags) the
others. Pure functions, tested with literal inputs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bot.cases.model import CaseFacts

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)?(?!\d)")
MDY_DATE = re.compile(_MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?!\d)", re.I)
DMY_DATE = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"\.?,?\s+(\d{4})(?!\d)", re.I)
MONTH_YEAR = re.compile(_MONTH + r"\.?\s+(\d{4})(?!\d)", re.I)
SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?![\d/])")
# A number is a run of digits not glued to letters (so "SmolLM2" or "B12" are names, not numbers).
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w])")
UNIT_AFTER = re.compile(r"\s?([A-Za-z%][A-Za-z0-9%/\[\]{}*^_.]*|%|/[A-Za-z]+)")


@dataclass
class Token:
    kind: str  # "date" | "number"
    text: str
    value: str  # ISO date, or the number's text
    start: int
    end: int


def find_tokens(text: str) -> list[Token]:
    """Every date and number in `text` (dates first; numbers inside dates are not counted twice)."""
    tokens: list[Token] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add_date(m: re.Match, iso: str | list[str]) -> None:
        if not free(m.start(), m.end()):
            return
        for value in ([iso] if isinstance(iso, str) else iso):
            tokens.append(Token("date", m.group(0), value, m.start(), m.end()))
        taken.append((m.start(), m.end()))

    for m in ISO_DATE.finditer(text):
        add_date(m, f"{m.group(1)}-{m.group(2)}-{m.group(3)}")
    for m in MDY_DATE.finditer(text):
        add_date(m, f"{int(m.group(3)):04d}-{_MONTHS[m.group(1)[:3].lower()]:02d}-{int(m.group(2)):02d}")
    for m in DMY_DATE.finditer(text):
        add_date(m, f"{int(m.group(3)):04d}-{_MONTHS[m.group(2)[:3].lower()]:02d}-{int(m.group(1)):02d}")
    for m in MONTH_YEAR.finditer(text):
        add_date(m, f"{int(m.group(2)):04d}-{_MONTHS[m.group(1)[:3].lower()]:02d}")
    for m in SLASH_DATE.finditer(text):
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
        # ambiguous order: a slash date counts as one token with both readings (either may match)
        add_date(m, "|".join(sorted({f"{y:04d}-{a:02d}-{b:02d}", f"{y:04d}-{b:02d}-{a:02d}"})))
    for m in NUMBER.finditer(text):
        if free(m.start(), m.end()):
            tokens.append(Token("number", m.group(0), m.group(0), m.start(), m.end()))
    # a date token with two readings was added twice only when unambiguous; dedupe by span
    out, seen = [], set()
    for t in sorted(tokens, key=lambda t: t.start):
        if (t.start, t.end, t.value) not in seen:
            seen.add((t.start, t.end, t.value))
            out.append(t)
    return out


def unit_after(text: str, end: int) -> str | None:
    """The unit-like word right after a number ("250 MG" -> "MG"), without closing punctuation."""
    m = UNIT_AFTER.match(text, end)
    if not m:
        return None
    return m.group(1).rstrip(".,;:)") or None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return None


@dataclass
class TraceIndex:
    """The numbers and dates a summary may contain, with where each came from."""

    numbers: dict[Decimal, str] = field(default_factory=dict)
    dates: dict[str, str] = field(default_factory=dict)
    units: set[str] = field(default_factory=set)  # units written in the facts
    pairs: set[tuple[Decimal, str]] = field(default_factory=set)  # (number, unit) written together

    def add_text(self, text: str | None, origin: str) -> None:
        """Index every number and date written in a source string."""
        if not text:
            return
        for t in find_tokens(text):
            if t.kind == "date":
                for v in t.value.split("|"):
                    self.add_date(v, origin)
            else:
                d = _decimal(t.value)
                if d is not None:
                    self.numbers.setdefault(d, origin)
                    unit = unit_after(text, t.end)
                    if unit:
                        self.add_pair(t.value, unit)

    def add_date(self, iso: str, origin: str) -> None:
        self.dates.setdefault(iso, origin)
        year, *rest = iso.split("-")
        self.dates.setdefault(year, origin)
        if rest:
            self.dates.setdefault(f"{year}-{rest[0]}", origin)

    def add_number(self, value: str, origin: str) -> None:
        d = _decimal(value)
        if d is not None:
            self.numbers.setdefault(d, origin)

    def add_pair(self, value: str, unit: str) -> None:
        d = _decimal(value)
        if d is not None and unit:
            self.units.add(unit.lower())
            self.pairs.add((d, unit.lower()))

    def origin(self, token: Token, text: str | None = None) -> str | None:
        """Where a token comes from, or None when it is not traceable."""
        if token.kind == "date":
            for v in token.value.split("|"):
                if v in self.dates:
                    return self.dates[v]
            return None
        d = _decimal(token.value)
        if d is None:
            return None
        if text is not None:  # "250 kg": a number written with a known unit must match a (value, unit) pair
            unit = unit_after(text, token.end)
            if unit and unit.lower() in self.units and (d, unit.lower()) not in self.pairs:
                return None
        if d in self.numbers:
            return self.numbers[d]
        if len(token.value) == 4 and token.value in self.dates:  # a year of a source date
            return self.dates[token.value]
        return None

    @classmethod
    def from_facts(cls, facts: CaseFacts) -> "TraceIndex":
        """Index the facts' numbers and dates and the derived values (each with its origin)."""
        idx = cls()
        for section in ("problems", "social", "medications", "allergies", "vitals", "labs", "procedures",
                        "imaging", "genomics"):
            for item in getattr(facts, section):
                for text in (item.text, item.value, item.unit, item.detail):
                    idx.add_text(text, item.source)
                if item.value and item.unit:
                    for part in item.value.split("/"):
                        idx.add_pair(part, item.unit)
                if item.date:
                    idx.add_date(item.date, item.source)
        if facts.as_of:
            idx.add_date(facts.as_of, f"summary date ({facts.as_of_rule})")
        if facts.deceased:
            idx.add_date(facts.deceased, "Patient.deceasedDateTime")
        for d in facts.derived:
            idx.add_number(d.value, f"derived: {d.rule}")
        return idx


def untraceable(text: str, index: TraceIndex) -> list[Token]:
    """Tokens of `text` that the index cannot trace."""
    return [t for t in find_tokens(text) if index.origin(t, text) is None]


def split_sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\"'])", text.strip()) if s.strip()]


def check_text(text: str, index: TraceIndex, action: str = "remove") -> tuple[str, list[dict[str, str]]]:
    """Remove (or flag) every sentence holding a number or date the index cannot trace.

    Args:
        text: narrative text.
        index: allowed numbers and dates.
        action: "remove" drops such sentences; "flag" keeps them with the token marked `[unverified: X]`.

    Returns:
        (checked text, flags) where each flag is {token, sentence, action}.
    """
    flags: list[dict[str, str]] = []
    kept: list[str] = []
    for sentence in split_sentences(text):
        bad = untraceable(sentence, index)
        if not bad:
            kept.append(sentence)
            continue
        for t in bad:
            flags.append({"token": t.text, "sentence": sentence, "action": "removed" if action == "remove" else "flagged"})
        if action == "flag":
            out = sentence
            for t in sorted(bad, key=lambda t: -t.start):
                out = out[:t.start] + f"[unverified: {t.text}]" + out[t.end:]
            kept.append(out)
    return " ".join(kept), flags


def iso_dates(text: str, index: TraceIndex) -> str:
    """Write the full dates of a checked text as the facts do (ISO, "February 23, 2002" ->
    "2002-02-23"), so that a reader, and a check that knows only ISO dates, sees the record's form.
    An ambiguous slash date takes the reading the index traces; dates it cannot trace stay as written."""
    out = text
    for t in sorted((t for t in find_tokens(text) if t.kind == "date"), key=lambda t: -t.start):
        readings = [v for v in t.value.split("|") if len(v) == 10 and v in index.dates]
        if not readings or t.text == readings[0] or len(set(readings)) > 1:
            continue
        out = out[:t.start] + readings[0] + out[t.end:]
    return out
