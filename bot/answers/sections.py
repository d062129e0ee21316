"""The parts of an answer after the direct answer, taken from the sources' own words.

Patient: **Key points** (the sources' own list, kept whole, or their best sentences), **When to get
help** (their red flags), **What you can do** (their self-care sentences; never a dose). Each part
appears only where the sources say something, and a part that restates what is already shown is
left out. Clinician: **Recommendations** (guideline sentences with their grade), then **Evidence**.
All quoted, so all backed by construction; each line carries its source number.
"""

from __future__ import annotations

import re
from typing import Sequence

from bot.answers.check import repeats
from bot.answers.select import Evidence
from bot.answers.text import content_words, leans_back

_HELP = re.compile(r"\b(call 911|call 999|call 112|emergency (room|department|services|care)|ambulance|"
                   r"(get|seek) (medical )?(help|care|attention)|(see|call|contact|talk to|tell) (a|your) "
                   r"(doctor|health ?care (provider|professional)|provider|nurse|pharmacist)|"
                   r"go to the (hospital|emergency))", re.I)
# The sentences that tell a person to act (call, see, seek, go): preferred over ones that only name
# the emergency room.
_ACT = re.compile(r"\b(call 911|call 999|call 112|call (your|a) (doctor|provider|health ?care provider|nurse)|"
                  r"(see|contact|talk to|tell) (a|your) (doctor|provider|health ?care (provider|professional))|"
                  r"seek (medical|emergency|immediate|urgent)|get (medical |emergency )?help|"
                  r"go to (the|an|a) (hospital|emergency|urgent))", re.I)
_SELF_CARE = re.compile(r"\b(you can(?! (also )?(injure|get|catch|develop|have|spread|pass|be))|you should|try to|it (may )?helps? to|drink (plenty|lots|more|enough|extra|fluids|water|liquids)|"
                        r"get (plenty of )?rest|(?<!the )rest\b(?! of\b)|resting|icing|elevat\w* (it|the|your)|avoid\w*|eat(ing)? (a |more |less |plenty |healthy |small |regular |well|foods?|fruits?|vegetables|fiber)|exercise|be (more )?active|quit smoking|"
                        r"stop smoking|lose weight|wash (your )?hands|apply|over-the-counter|home (care|remedies|"
                        r"treatment)|keep (a|your)|limit\w*|cut (back|down)|get enough sleep|stay hydrated)\b", re.I)
_DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|g|ml|mL|units?|tablets?|capsules?|teaspoons?)\b", re.I)
_ASKS_TO_ACT = re.compile(r"\b(what (can|should|do) (i|we) (do|put|use|take|give|try)|what to do|how (can|do) i (stop|prevent|treat|feel|get rid|"
                          r"help|manage|cope|lower|reduce|keep)|prevent\w*|treat\w*|manage\w*|help|relie\w*|"
                          r"home remed\w*|self[- ]care|cope|avoid|should (i|we) (go|see|call|take|give)|"
                          r"do (i|we) need)\b", re.I)
_SPECIAL = {"a child": re.compile(r"\b(child|children|kid|kids|son|daughter|toddler|baby|babies|infant|newborn|"
                                  r"\d+[- ]?(year|month|week)[- ]?old)\b", re.I),
            "pregnancy or breastfeeding": re.compile(r"\b(pregnan\w*|expecting a baby|breast ?feed\w*|"
                                                     r"nursing (my|a) baby)\b", re.I)}
_SPECIAL_SOURCE = {"a child": re.compile(r"\b(child|children|kids?|infant|baby|babies|toddler|pediatric|"
                                         r"paediatric)\b", re.I),
                   "pregnancy or breastfeeding": re.compile(r"\b(pregnan\w*|breast ?feed\w*|lactat\w*)\b", re.I)}
# A sentence that leans on the one before it ("This is the most disabling stage of gout.") says
# nothing on its own in a list of key points.
MAX_ITEMS = 8
MAX_WORDS_PER_LINE = 45


def bullets(ev: Evidence, n: int) -> list[str]:
    """A selected unit as answer lines: a list ("lead: a; b; c.") becomes its lead and items."""
    return unit_lines(ev.text, n)


def unit_lines(text: str, n: int) -> list[str]:
    """A source unit as answer lines, cited [n]: a list ("lead: a; b; c.") becomes a bullet with its
    items under it; anything else one line."""
    text = text.strip()
    lead, sep, rest = text.partition(": ")
    if sep and rest.count("; ") >= 1:
        items = [i.strip().rstrip(".") for i in rest.split("; ") if i.strip()][:MAX_ITEMS]
        return [f"- {lead.rstrip(':')}: [{n}]"] + [f"  - {i[0].upper() + i[1:]}" for i in items]
    return [f"{_short(text)} [{n}]"]


def _short(text: str) -> str:
    words = text.split()
    return text if len(words) <= MAX_WORDS_PER_LINE else " ".join(words[:MAX_WORDS_PER_LINE]).rstrip(",;:") + " …"


def patient_sections(question: str, evidence: Sequence[Evidence], units: Sequence[tuple[int, str]],
                     number: dict[str, int], shown: list[str]) -> list[str]:
    """Key points, when to get help and what you can do, as markdown blocks.

    Args:
        question: the (resolved) question.
        evidence: the selected units, best first by score.
        units: (source number, unit) of everything read, in reading order (red flags and self-care
            come from these).
        number: source label -> its number.
        shown: what is on screen so far (grows as blocks are added).
    """
    blocks: list[str] = []
    key: list[str] = []
    for ev in sorted(evidence, key=lambda e: -e.score):
        n = number.get(ev.label)
        if n is None or _HELP.search(ev.text) or repeats(ev.text, shown) or leans_back(ev.text):
            continue
        if _DOSE.search(ev.text) and ev.source.get("collection") == "guideline":
            continue  # prescribing text ("Starting dose: 500 mg once or twice daily") is for clinicians
        lines = bullets(ev, n)
        key.append("\n".join(lines) if len(lines) > 1 else f"- {lines[0]}")
        shown.append(ev.text)
        if len(key) >= 3:
            break
    if key:
        blocks.append("**Key points**\n" + "\n".join(key))
    help_lines = _pick(units, _ACT, shown, 2)
    help_lines += _pick(units, _HELP, shown, 2 - len(help_lines))
    if help_lines:
        blocks.append("**When to get help**\n" + "\n".join(help_lines))
    if _ASKS_TO_ACT.search(question):
        care = _pick([(n, u) for n, u in units if not _DOSE.search(u) and not _HELP.search(u)], _SELF_CARE, shown, 3)
        if care:
            blocks.append("**What you can do**\n" + "\n".join(care))
    for who, pattern in _SPECIAL.items():
        if pattern.search(question) and not any(_SPECIAL_SOURCE[who].search(u) for _, u in units):
            blocks.append(f"_These sources give no specific advice for {who}: ask a doctor, nurse or pharmacist "
                          "who knows the situation._")
    return blocks


def clinician_sections(evidence: Sequence[Evidence], number: dict[str, int], shown: list[str]) -> list[str]:
    """Recommendations (guideline sentences with their guideline and grade), then the other evidence."""
    recs: dict[str, list[str]] = {}  # guideline and section -> its sentences, named once
    other = []
    for ev in evidence:
        n = number.get(ev.label)
        if n is None or repeats(ev.text, shown) or leans_back(ev.text):
            continue
        if ev.source.get("collection") == "guideline":
            recs.setdefault(source_line(ev), []).append(f"{_short(ev.text)} [{n}]")
        else:
            other.append(f"- {_short(ev.text)} [{n}]")
        shown.append(ev.text)
    blocks = []
    if recs:
        lines = []
        for where, said in recs.items():
            lines += [f"- _{where}:_ {said[0]}"] if len(said) == 1 else [f"- _{where}:_"] + [f"  - {x}" for x in said]
        blocks.append("**Recommendations**\n" + "\n".join(lines))
    if other:
        blocks.append("**Evidence**\n" + "\n".join(other))
    return blocks


def source_line(ev: Evidence) -> str:
    """Where a guideline sentence comes from: 'summary of <guideline> (DOI), <section>'."""
    s = ev.source
    if s.get("collection") != "guideline":
        return ""
    section = str(s.get("section") or "")
    if s.get("cite_as"):
        return f"{s['cite_as']}, {section}" if section and section not in str(s["cite_as"]) else str(s["cite_as"])
    name = str(s.get("guideline") or s.get("title") or "guideline")
    head = f"summary of {name}" + (f" (doi:{s['doi']})" if s.get("doi") else "")
    return f"{head}, {section}" if section and section not in name else head


def _pick(units: Sequence[tuple[int, str]], pattern: re.Pattern, shown: list[str], limit: int) -> list[str]:
    out: list[str] = []
    for n, unit in units:
        if len(out) >= limit:
            break
        if not pattern.search(unit) or unit.rstrip().endswith("?") or len(content_words(unit)) < 3:
            continue
        if repeats(unit, shown):
            continue
        lines = unit_lines(unit, n)
        out.append("\n".join(lines) if len(lines) > 1 else f"- {lines[0]}")
        shown.append(unit)
    return out
