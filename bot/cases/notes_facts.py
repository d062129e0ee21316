"""Deterministic facts from free-text clinical notes (headed sections, bullet lists, vital signs).

Recognised headings (case-insensitive, ending in ':'): problems/diagnoses/assessment,
medications/meds, allergies, vitals, labs, procedures/surgical history, imaging, genetics and
social history. Items are bullets or comma/semicolon lists; each keeps its line number as source.
Names and identifiers are never copied: only items under these headings and recognised vitals.
"""

from __future__ import annotations

import re
from pathlib import Path

from bot.cases.model import CaseFacts, Derived, Item
from bot.cases.trace import find_tokens
from bot.errors import UserError

HEADINGS: dict[str, str] = {
    "problems": "problems", "problem list": "problems", "active problems": "problems", "diagnoses": "problems",
    "diagnosis": "problems", "assessment": "problems", "past medical history": "problems", "pmh": "problems",
    "medications": "medications", "current medications": "medications", "meds": "medications",
    "allergies": "allergies", "vitals": "vitals", "vital signs": "vitals", "labs": "labs",
    "laboratory": "labs", "lab results": "labs", "procedures": "procedures", "surgical history": "procedures",
    "imaging": "imaging", "radiology": "imaging", "genetics": "genomics", "genomics": "genomics",
    "genetic testing": "genomics", "social history": "social",
}
_HEAD = re.compile(r"^\s*(?:#+\s*)?([A-Za-z][A-Za-z ]{1,30}?)\s*:\s*(.*)$")
_AGE_SEX = re.compile(r"(?<!\d)(\d{1,3})[- ]?(?:year|yr|y)[- ]?(?:s[- ])?old\s+(man|woman|male|female|boy|girl)\b", re.I)
_AGE = re.compile(r"^\s*age\s*:\s*(\d{1,3})\b", re.I | re.M)
_SEX = re.compile(r"^\s*(?:sex|gender)\s*:\s*(male|female|m|f|other|unknown)\b", re.I | re.M)
_VITALS = [
    ("Blood pressure", re.compile(r"\b(?:BP|blood pressure)\s*:?\s*(\d{2,3}/\d{2,3})\s*(mm ?Hg)?", re.I), "mm[Hg]"),
    ("Heart rate", re.compile(r"\b(?:HR|heart rate|pulse)\s*:?\s*(\d{2,3})\s*(bpm|/min)?", re.I), "/min"),
    ("Respiratory rate", re.compile(r"\b(?:RR|respiratory rate)\s*:?\s*(\d{1,2})\s*(/min|breaths/min)?", re.I), "/min"),
    ("Body temperature", re.compile(r"\b(?:T|temp|temperature)\s*:?\s*(\d{2,3}(?:\.\d)?)\s*(°?\s?[CF])\b", re.I), None),
    ("Oxygen saturation", re.compile(r"\b(?:SpO2|O2 sat|oxygen saturation|sats?)\s*:?\s*(\d{2,3})\s*(%)", re.I), "%"),
    ("Body weight", re.compile(r"\b(?:weight|wt)\s*:?\s*(\d{1,3}(?:\.\d)?)\s*(kg|lb|lbs)\b", re.I), None),
]
_SEX_WORD = {"man": "male", "boy": "male", "male": "male", "m": "male", "woman": "female", "girl": "female",
             "female": "female", "f": "female", "other": "other", "unknown": "unknown"}


def read_notes(path: Path, max_bytes: int | None = None) -> str:
    """Read a UTF-8 notes file.

    Raises:
        UserError: missing, too large, not text, or empty.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"not a file: {path.name}")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise UserError(f"{path.name} is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for text files")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{path.name}: not UTF-8 text") from None
    if not text.strip():
        raise UserError(f"{path.name}: the notes are empty")
    return text


def _split_items(text: str) -> list[str]:
    text = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", text).strip()
    if not text:
        return []
    parts = re.split(r"\s*;\s*|,\s+(?=[A-Za-z])", text) if len(text) < 300 else [text]
    return [p.strip(" .") for p in parts if p.strip(" .")]


def _item(text: str, line_no: int) -> Item:
    dates = [t.value for t in find_tokens(text) if t.kind == "date" and "|" not in t.value]
    return Item(text, date=dates[0] if dates else None, source=f"notes:line {line_no}")


def extract_notes_facts(text: str) -> CaseFacts:
    """Facts from notes text; the summary date is the latest full date written in the notes.

    Raises:
        UserError: text that is empty or holds no recognisable clinical content.
    """
    if not text or not text.strip():
        raise UserError("the notes are empty")
    facts = CaseFacts(kind="notes", as_of=None, as_of_rule="latest date written in the notes")
    m = _AGE_SEX.search(text)
    if m:
        facts.age_years, facts.sex = int(m.group(1)), _SEX_WORD[m.group(2).lower()]
    else:
        if (a := _AGE.search(text)):
            facts.age_years = int(a.group(1))
        if (s := _SEX.search(text)):
            facts.sex = _SEX_WORD[s.group(1).lower()]
    if facts.age_years is not None:
        facts.derived.append(Derived("age_years", str(facts.age_years), "age as stated in the notes"))
    section: str | None = None
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head = _HEAD.match(line)
        if head and head.group(1).strip().lower() in HEADINGS:
            section = HEADINGS[head.group(1).strip().lower()]
            rest = head.group(2)
        elif head and head.group(1).strip().lower() not in HEADINGS and not line.lstrip().startswith(("-", "*", "•")):
            section = None
            continue
        else:
            rest = line
        if section is None or section == "vitals":
            continue
        target = getattr(facts, section)
        target.extend(_item(p, n) for p in _split_items(rest))
    for n, line in enumerate(text.splitlines(), start=1):
        for name, rx, unit in _VITALS:
            for vm in rx.finditer(line):
                u = unit or vm.group(2).replace(" ", "")
                facts.vitals.append(Item(name, value=vm.group(1), unit=u, source=f"notes:line {n}"))
    seen = set()
    facts.vitals = [v for v in facts.vitals if not (v.text in seen or seen.add(v.text))]
    dates = sorted(t.value for t in find_tokens(text) if t.kind == "date" and len(t.value) == 10)
    facts.as_of = dates[-1] if dates else None
    if not any(getattr(facts, k) for k in ("problems", "medications", "allergies", "vitals", "labs", "procedures",
                                             "imaging", "genomics")) and facts.age_years is None:
        raise UserError("no clinical content found in the notes (expected headings such as 'Problems:' "
                        "or 'Medications:', or vital signs)")
    return facts
