"""Render case facts as Markdown (for people) and as compact text (for the narrative prompt).

Headings carry no digits, so every number or date in the output comes from a fact.
"""

from __future__ import annotations

from bot.cases.model import CaseFacts, Item

SECTIONS = [
    ("problems", "Active problems"),
    ("social", "Social and administrative entries"),
    ("medications", "Current medications"),
    ("allergies", "Allergies"),
    ("vitals", "Latest vital signs"),
    ("labs", "Latest laboratory results"),
    ("procedures", "Procedures (most recent first)"),
    ("imaging", "Imaging"),
    ("genomics", "Genomic findings"),
]
_DATE_WORD = {"problems": "onset", "social": "since", "medications": "last ordered", "allergies": "recorded",
              "procedures": "performed", "imaging": "", "genomics": ""}


def _esc(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("*", "\\*")


def demographics(facts: CaseFacts) -> str:
    """'62-year-old female' style line (age derived, sex from the record)."""
    parts = []
    if facts.age_years is not None:
        parts.append(f"{facts.age_years}-year-old")
    parts.append(facts.sex or "patient of unrecorded sex")
    line = " ".join(parts)
    if facts.deceased:
        line += f", deceased {facts.deceased}"
    return line


def _bullet(section: str, item: Item) -> str:
    line = _esc(item.text)
    if item.value:
        line += f": {_esc(item.value)}{' ' + _esc(item.unit) if item.unit else ''}"
    if item.detail and section not in ("problems", "social"):
        line += f" ({_esc(item.detail)})"
    word = _DATE_WORD.get(section, "")
    if item.date:
        line += f" — {word + ' ' if word else ''}{item.date}"
    elif item.at_birth:
        line += " — since birth" if word == "since" else f" — {word + ' ' if word else ''}at birth"
    return f"- {line}"


def _table(items: list[Item]) -> str:
    rows = ["| Test | Value | Unit | Date |", "|---|---|---|---|"]
    for i in items:
        rows.append(f"| {_esc(i.text)} | {_esc(i.value)} | {_esc(i.unit)} | {i.date or ('at birth' if i.at_birth else '')} |")
    return "\n".join(rows)


def facts_markdown(facts: CaseFacts) -> str:
    """The facts part of a summary as Markdown."""
    out = ["## Case summary", ""]
    head = f"**Patient:** {demographics(facts)}"
    if facts.as_of:
        head += f" (summary date {facts.as_of}: {facts.as_of_rule}"
        head += "; age from the date of birth to that date)" if facts.age_years is not None else ")"
    out += [head, ""]
    for key, title in SECTIONS:
        items: list[Item] = getattr(facts, key)
        if not items and key in ("social", "imaging", "genomics", "procedures"):
            continue
        out.append(f"### {title}")
        if not items:
            out.append("- none recorded")
        elif key in ("vitals", "labs"):
            out.append(_table(items))
        else:
            out.extend(_bullet(key, i) for i in items)
        if facts.omitted.get(key):
            out.append(f"\n_{facts.omitted[key]} older or less recent entries not shown._")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def facts_text(facts: CaseFacts) -> str:
    """Compact plain-text facts for the narrative prompt (no identifiers)."""
    lines = [f"Patient: {demographics(facts)}" + (f"; summary date {facts.as_of}" if facts.as_of else "")]
    for key, title in SECTIONS:
        if key == "social":
            continue
        items: list[Item] = getattr(facts, key)
        if not items:
            continue
        shown = []
        for i in items[:12]:
            s = i.text
            if i.value:
                s += f" {i.value}{' ' + i.unit if i.unit else ''}"
            if i.date:
                s += f" ({i.date})"
            elif i.at_birth:
                s += " (at birth)"
            shown.append(s)
        lines.append(f"{title}: " + "; ".join(shown))
    return "\n".join(lines)
