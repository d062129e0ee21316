"""The narrative paragraph of a case summary: written by the LLM from the facts, or by a rule.

The LLM sees only the compact facts text (no names or identifiers); whatever it writes is then
checked by `bot.cases.trace.check_text`. The rule narrative uses fact values only, so it always
passes the check; it is the fallback when no LLM is used or the LLM's text is entirely removed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from bot.cases.model import CaseFacts
from bot.cases.render import demographics, facts_text


@lru_cache(maxsize=None)
def _prompt(role: str) -> str:
    name = "narrative_patient.txt" if role == "patient" else "narrative.txt"
    return resources.files("bot.cases").joinpath("prompts", name).read_text(encoding="utf-8").strip()


def narrative_messages(facts: CaseFacts, role: str = "clinician") -> list[dict[str, str]]:
    """Chat messages asking the LLM for the narrative (facts fenced as data)."""
    body = facts_text(facts).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return [{"role": "system", "content": _prompt(role)},
            {"role": "user", "content": f"FACTS\n<<<\n{body}\n>>>\nWrite the narrative paragraph."}]


def llm_narrative(facts: CaseFacts, backend, role: str = "clinician", max_tokens: int = 220) -> str:
    """Ask `backend` (a bot.llm backend) for the narrative; returns its raw text."""
    completion = backend.complete(narrative_messages(facts, role), max_tokens=max_tokens, temperature=0.0)
    return " ".join((completion.text or "").split())


def _names(items, n: int = 5) -> str:
    names = [i.text for i in items[:n]]
    if len(items) > n:
        names.append("others")
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rule_narrative(facts: CaseFacts, role: str = "clinician") -> str:
    """A narrative assembled from the facts alone (always traceable)."""
    who = demographics(facts)
    who = who[0].upper() + who[1:]
    s = []
    if facts.problems:
        s.append(f"{who} with {_names(facts.problems, 8)} on the active problem list.")
    else:
        s.append(f"{who} with no active clinical problem recorded.")
    if facts.medications:
        s.append(f"Current medications: {_names(facts.medications, 6)}.")
    else:
        s.append("No current medication is recorded.")
    if facts.allergies:
        s.append(f"Allergies: {_names(facts.allergies)}.")
    key = [v for v in facts.vitals if v.text in ("Blood pressure", "Heart rate", "Body mass index")]
    if key:
        bits = [f"{v.text.lower()} {v.value}{' ' + v.unit if v.unit else ''}" for v in key]
        when = f" ({key[0].date})" if key[0].date else ""
        s.append(f"Latest recorded {', '.join(bits)}{when}.")
    if facts.imaging:
        when = f" ({facts.imaging[0].date})" if facts.imaging[0].date else ""
        s.append(f"Imaging on record: {facts.imaging[0].text}{when}.")
    if facts.genomics:
        s.append(f"Genomic findings are recorded: {_names(facts.genomics, 3)}.")
    if role == "patient":
        s.append("Please talk to your clinician about any of these points.")
    return " ".join(s)
