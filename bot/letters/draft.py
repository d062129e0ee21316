"""Draft a plain-language letter to a patient from a case's facts, every number and date traceable.

The letter is built like a case summary: the facts (with their provenance) come from the record,
an optional LLM writes the opening paragraph from the compact facts, and the traceability check
(`bot.cases.trace`) removes any sentence of that paragraph whose numbers or dates are not in the
record. The rest of the letter is assembled from the facts; every line of it is checked as well, so
a rendering bug cannot add an untraceable number either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from bot.cases.model import CaseFacts, Item
from bot.letters.plain import plain_name, plain_test, plain_unit

KEY_VITALS = ("Blood pressure", "Heart rate", "Body mass index", "Body weight", "Body temperature",
              "Oxygen saturation")
MAX_LABS = 6


@dataclass
class Letter:
    """A drafted letter.

    Attributes:
        markdown: the whole letter as Markdown.
        opening_source: "llm" or "rule" (who wrote the opening paragraph).
        flags: numbers/dates removed from the LLM paragraph (or found untraceable in the letter).
        origins: every number and date of the letter with where it comes from.
    """

    markdown: str
    opening_source: str
    flags: list[dict[str, str]] = field(default_factory=list)
    origins: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"letter": self.markdown, "opening_source": self.opening_source, "flags": self.flags,
                "origins": self.origins}


@lru_cache(maxsize=None)
def _prompt() -> str:
    return resources.files("bot.letters").joinpath("prompts", "letter.txt").read_text(encoding="utf-8").strip()


def letter_messages(facts: CaseFacts) -> list[dict[str, str]]:
    """Chat messages asking the LLM for the opening paragraph (facts fenced as data)."""
    from bot.cases.render import facts_text

    body = facts_text(facts).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return [{"role": "system", "content": _prompt()},
            {"role": "user", "content": f"FACTS\n<<<\n{body}\n>>>\nWrite the opening paragraph of the letter."}]


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def rule_opening(facts: CaseFacts) -> str:
    """An opening paragraph assembled from the facts alone (always traceable)."""
    s = []
    if facts.problems:
        names = [plain_name(p.text) for p in facts.problems[:5]]
        many = len(facts.problems) > 1
        s.append(f"Your record lists {'health problems' if many else 'a health problem'} that your care team is "
                 f"following" + (f", including {_join(names)}." if len(facts.problems) > 5 else f": {_join(names)}."))
    else:
        s.append("Your record lists no active health problem.")
    if facts.medications:
        s.append(f"You have {'one current medicine' if len(facts.medications) == 1 else 'current medicines'} "
                 "on record, listed below.")
    return " ".join(s)


def _measure(item: Item) -> str:
    unit = plain_unit(item.unit)
    value = f"{item.value}{' ' + unit if unit else ''}" if item.value else ""
    when = f" (measured {item.date})" if item.date else ""
    name = plain_test(item.text)
    return f"- {name}: {value}{when}" if value else f"- {name}{when}"


def _body(facts: CaseFacts, opening: str, emergency: str) -> list[str]:
    out = ["# A letter about your health record", ""]
    if facts.as_of:
        out += [f"Record date: {facts.as_of}", ""]
    out += ["Dear patient,", "",
            "This letter explains in plain words what your health record shows, what to do, and when to come "
            "back. It was drafted by medbot from your record; please check anything unclear with your clinician.",
            "", "## What was found", "", opening, ""]
    if facts.problems:
        out.append("Health problems on your record:")
        for p in facts.problems:
            out.append(f"- {plain_name(p.text)}" + (f", noted since {p.date}" if p.date else ""))
        out.append("")
    vitals = [v for v in facts.vitals if v.text in KEY_VITALS]
    labs = facts.labs[:MAX_LABS]
    if vitals or labs:
        out.append("Your latest measurements:")
        out += [_measure(v) for v in vitals + labs]
        out.append("")
    out += ["## What to do", ""]
    if facts.medications:
        out.append("Keep taking your medicines as prescribed unless your clinician tells you otherwise:")
        for m in facts.medications:
            out.append(f"- {m.text}" + (f" ({m.detail})" if m.detail else ""))
        out.append("")
    else:
        out += ["No current medicine is on your record: tell your clinician about any you take.", ""]
    if facts.allergies:
        out.append("Tell every doctor, nurse and pharmacist that you are allergic to: "
                   + _join([plain_name(a.text) for a in facts.allergies]) + ".")
        out.append("")
    out += ["Bring this letter and your medicines to your next appointment.", "",
            "## When to come back", "",
            "- Keep your next planned review; if you have no date for it, ask your practice for one.",
            "- Come back sooner if a problem gets worse, a medicine gives you side effects, or something new "
            "worries you.",
            f"- In an emergency, call {emergency} (emergency services).", "",
            "_Drafted by medbot from your health record; not a diagnosis. Your clinician should review it._", ""]
    return out


def draft_letter(facts: CaseFacts, backend=None, emergency: str = "911") -> Letter:
    """Draft the letter for `facts`.

    Args:
        facts: from `bot.cases.facts_from_file` / `facts_from_text`.
        backend: an LLM backend for the opening paragraph; None uses the rule paragraph.
        emergency: the locale's emergency number (the only number not taken from the record).

    Returns:
        Letter whose Markdown holds no number or date that is not traceable.
    """
    from bot.cases.trace import TraceIndex, check_text, find_tokens

    index = TraceIndex.from_facts(facts)
    index.add_number(emergency, "emergency number of the configured locale")
    flags: list[dict[str, str]] = []
    source, opening = "rule", ""
    if backend is not None:
        raw = backend.complete(letter_messages(facts), max_tokens=200, temperature=0.0).text or ""
        opening, flags = check_text(" ".join(raw.split()), index)
        source = "llm"
    if not opening.strip():
        if backend is not None:
            flags.append({"token": "", "sentence": "", "action": "LLM paragraph empty after the check; rule paragraph used"})
        opening, more = check_text(rule_opening(facts), index)
        flags += more
        source = "rule"
    lines = _body(facts, opening, emergency)
    origins: list[dict[str, str]] = []
    kept: list[str] = []
    for line in lines:
        tokens = find_tokens(line)
        bad = [t for t in tokens if index.origin(t, line) is None]
        if bad:  # cannot happen with the facts' own values; dropped rather than shown unverified
            flags += [{"token": t.text, "sentence": line, "action": "removed"} for t in bad]
            continue
        origins += [{"token": t.text, "origin": index.origin(t, line)} for t in tokens]
        kept.append(line)
    return Letter("\n".join(kept), source, flags, origins)
