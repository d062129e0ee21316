"""The narrative paragraph of a case summary: written by the LLM from the facts, or by a rule.

The LLM sees only the compact facts text (no names or identifiers); whatever it writes is then
checked by `bot.cases.trace.check_text`. The rule narrative uses fact values only, so it always
passes the check; it is the fallback when no LLM is used or the LLM's text is entirely removed.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import re
import time
from typing import Callable

from bot.cases.model import CaseFacts, Item
from bot.cases.render import demographics

MAX_TOKENS = 160  # 3 to 5 sentences; every token costs about a tenth of a second on 2 CPU cores
MAX_SENTENCES = 5  # the prompt asks for 3 to 5: generation stops once 5 are complete
# what the narrative speaks of (the prompt asks for these); each digit is a token for the model, so
# the prompt names the section's common date once and leaves out procedures and imaging
_PROMPT_SECTIONS = (("problems", "Active problems", 8, True), ("medications", "Current medications", 8, False),
                    ("allergies", "Allergies", 5, False), ("vitals", "Latest vital signs", 5, True),
                    ("labs", "Latest laboratory results", 6, True), ("genomics", "Genomic findings", 3, False))
# LOINC long-name parts that say how a test is measured, not what it is ("[Mass/volume]", "in Blood")
_HOW = re.compile(r"\s*\[[^\]]*\]|\s+(?:in|by|of) (?:Serum or Plasma|Blood|Serum|Plasma|Urine|Automated count)\b.*$", re.I)
# the measurements a short narrative names (the model otherwise lists every vital sign)
_KEY_VITALS = ("Blood pressure", "Heart rate", "Respiratory rate", "Oxygen saturation", "Body mass index")


@lru_cache(maxsize=None)
def _prompt(role: str) -> str:
    name = "narrative_patient.txt" if role == "patient" else "narrative.txt"
    return resources.files("bot.cases").joinpath("prompts", name).read_text(encoding="utf-8").strip()


def _item(i: Item, date: bool, key: str = "") -> str:
    s = (_HOW.sub("", i.text).strip() or i.text) if key == "labs" else i.text
    if i.value:
        s += f" {i.value}{' ' + i.unit if i.unit else ''}"
    if date and i.date:
        s += f" ({i.date[:4]})" if key == "problems" else f" ({i.date})"  # onset year: a traceable year
    return s


def prompt_facts(facts: CaseFacts) -> str:
    """The facts the narrative is written from: demographics, problems, medicines, allergies, latest
    measurements (a section's shared date written once, lab names without how they are measured,
    onset years). Half the tokens of `render.facts_text`: prompt evaluation is much of a summary's
    time on a CPU, and every digit of a date is a token."""
    lines = [f"Patient: {demographics(facts)}" + (f"; summary date {facts.as_of}" if facts.as_of else "")]
    for key, title, limit, dated in _PROMPT_SECTIONS:
        items: list[Item] = [i for i in getattr(facts, key) if not (key == "vitals" and i.text not in _KEY_VITALS)]
        if not items:
            continue
        shown = items[:limit]
        dates = [i.date for i in shown if i.date]
        common = max(set(dates), key=dates.count) if key != "problems" and dated and dates else None
        if common and dates.count(common) < 2:
            common = None
        head = title if not common else f"{title} ({common})" if dates.count(common) == len(shown) \
            else f"{title} ({common} unless noted)"
        lines.append(f"{head}: " + "; ".join(_item(i, dated and i.date != common, key) for i in shown)
                     + ("; others" if len(items) > limit else ""))
    return "\n".join(lines)


def narrative_messages(facts: CaseFacts, role: str = "clinician") -> list[dict[str, str]]:
    """Chat messages asking the LLM for the narrative (facts fenced as data)."""
    body = prompt_facts(facts).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return [{"role": "system", "content": _prompt(role)},
            {"role": "user", "content": f"FACTS\n<<<\n{body}\n>>>\nWrite the narrative paragraph."}]


def llm_narrative(facts: CaseFacts, backend, role: str = "clinician", max_tokens: int = MAX_TOKENS) -> str:
    """Ask `backend` (a bot.llm backend) for the narrative; returns its raw text."""
    completion = backend.complete(narrative_messages(facts, role), max_tokens=max_tokens, temperature=0.0)
    return " ".join((completion.text or "").split())


def stream_narrative(facts: CaseFacts, backend, role: str, index, action: str = "remove",
                     emit: Callable[[str], None] | None = None, max_tokens: int = MAX_TOKENS
                     ) -> tuple[list[str], list[dict[str, str]], dict[str, float]]:
    """Stream the narrative and check each sentence as soon as the next one begins.

    A sentence is final once text follows its end, so the result is the same as checking the
    whole text at the end (`trace.check_text`); a sentence that passes is shown at once.

    Args:
        facts: the case facts.
        backend: a bot.llm backend with `stream`.
        role: "clinician" or "patient".
        index: the `trace.TraceIndex` of the facts.
        action: "remove" untraceable sentences, or "flag" them in place.
        emit: called with each kept sentence (and a separating space).
        max_tokens: generation limit.

    Returns:
        (kept sentences, flags, timings) where timings hold prompt_s (to the first token),
        generation_s, check_s and chunks.
    """
    from bot.cases.trace import check_text, iso_dates, split_sentences

    out = emit or (lambda _text: None)
    kept: list[str] = []
    flags: list[dict[str, str]] = []
    timing = {"prompt_s": 0.0, "generation_s": 0.0, "check_s": 0.0, "chunks": 0}
    done = 0
    buf = ""

    def take(sentences: list[str]) -> None:
        t = time.perf_counter()
        for sentence in sentences:
            text, more = check_text(sentence, index, action=action)
            flags.extend(more)
            text = iso_dates(text, index)
            if text:
                out(("" if not kept else " ") + text)
                kept.append(text)
        timing["check_s"] += time.perf_counter() - t

    messages = narrative_messages(facts, role)
    timing["prompt_chars"] = len(messages[1]["content"])
    t0 = time.perf_counter()
    first = None
    finish = None
    stream = backend.stream(messages, max_tokens=max_tokens, temperature=0.0)
    for chunk in stream:
        finish = chunk.finish_reason or finish
        if not chunk.text:
            continue
        if first is None:
            first = time.perf_counter()
        timing["chunks"] += 1
        buf += chunk.text
        sentences = split_sentences(" ".join(buf.split()))
        if len(sentences) - 1 > done:
            take(sentences[done:-1])
            done = len(sentences) - 1
        if done >= MAX_SENTENCES:
            finish = "sentences"
            break
    if hasattr(stream, "close"):
        stream.close()  # stops the generation
    end = time.perf_counter()
    rest = split_sentences(" ".join(buf.split()))[done:]
    if finish != "stop" and rest and not rest[-1].rstrip().endswith((".", "!", "?")):
        rest = rest[:-1]  # a sentence cut short by the token limit (or after the last one kept)
    take(rest[: max(0, MAX_SENTENCES - done)])
    first = first or end
    timing["prompt_s"] = round(first - t0, 3)
    timing["generation_s"] = round(end - first, 3)
    timing["check_s"] = round(timing["check_s"], 4)
    timing["finish"] = finish or ""
    return kept, flags, timing


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
