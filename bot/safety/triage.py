"""Red-flag triage run on every user message before the LLM answers.

Three steps, cheapest first:

1. **Context** (`bot.safety.triage_context`): questions about a condition in general, essays and
   classes, stories, hypotheticals and past events are not emergencies; a live situation of the
   writer or of someone present is.
2. **Concept rules** (`bot.safety.concepts`): lay words become clinical findings (with synonyms,
   misspellings and negation) and numbers with units become measured findings; a combination of
   findings makes one of the emergency presentations, built from ESI levels 1-2, the red flags of
   `open-medicine`'s differential-diagnosis files and the NHS "call 999" lists. The recent user turns
   count: "it's getting worse" after a chest-pain message adds to the earlier findings.
   Pregnancy, a recent birth and a young baby's age (`bot.safety.maternal_context`) are a context
   that stays over the recent turns and changes what a symptom means: "a headache and blurry
   vision" at 34 weeks is pre-eclampsia. Same-day presentations (reduced fetal movements, a single
   warning sign, a baby not feeding) make the level `urgent`, not `emergency`.
3. **Second opinion** (optional, `bot.safety.classifier`): when the rules find nothing in a message
   about a current situation, a local LLM classifies it with a short fixed prompt, reading the
   pregnancy / baby context as a first line. It can only raise the level, never lower it.

The emergency banner, with the locale's number, always leads the answer. Thoughts of suicide or of
harming oneself or a baby set `crisis`: the banner is then the crisis reply (`bot.safety.crisis`),
with the locale's crisis line. Rules only take milliseconds and import nothing heavy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

from bot.safety.concepts import Presentation, findings, matching_presentations, urgent_presentations
from bot.safety.crisis import crisis_reply
from bot.safety.maternal_context import MaternalContext, maternal_context
from bot.safety.triage_context import CURRENT, continues, situation
from bot.safety.triage_text import normalize

__all__ = ["LEVELS", "TriageResult", "normalize", "triage", "is_general", "emergency_banner", "urgent_banner",
           "emergency_hits", "emergency_reasons"]

LEVELS = ("routine", "urgent", "emergency")
RANK = {lvl: i for i, lvl in enumerate(LEVELS)}
HISTORY_TURNS = 3  # earlier user turns that count towards the current message

URGENT_RULES: list[tuple[str, str]] = [
    ("high fever", r"(fever|temp|temperature) (of |is |at |was )?(10[3-9]|4[0-1]|39\.[5-9])\b|(10[3-9]|3[9]\.[5-9]|4[0-1](\.\d)?) ?(°|deg|degrees|f\b|c\b)|"
                   r"(fever|temperature).{0,40}(for|over|more than) (\d|three|four|five) days"),
    ("severe or worsening pain",
     r"(severe|worst|unbearable|excruciating|agonising|agonizing|terrible|really bad) (pain|headache|stomach ache|"
     r"abdominal pain|tummy pain|back pain|earache|toothache)|pain.{0,30}(getting worse|worse and worse|unbearable)|"
     r"(lower right|right lower|right side of (my|his|her) (tummy|stomach|abdomen)).{0,40}pain|"
     r"pain.{0,40}(lower right|right side of (my|his|her) (tummy|stomach|abdomen))"),
    ("blood in urine, stool or vomit", r"blood in (my |the |his |her )?(urine|stool|vomit|phlegm|sputum|pee|wee|poo|poop)|"
                                      r"(black|tarry|bloody) (stool|stools|diarrh)|(urine|stool) (is |looks )?(red|bloody)"),
    ("spreading infection", r"(red streak|spreading redness|redness (is )?spreading|wound|bite|cellulitis|abscess)"
                            r".{0,60}(spread|hot|pus|fever|swollen|red line|bigger)"),
    ("dehydration", r"(can't keep|not keeping) (anything|any fluids|fluids|water|food) down|"
                    r"vomiting.{0,40}(all day|since yesterday|24 hours|for (two|2|three|3) days)|"
                    r"(no|not) (urine|urinated).{0,20}(since|all day|12 hours|8 hours)"),
    ("possible kidney infection", r"(burn|sting|hurts).{0,30}(urine|urinate|pee|wee).{0,80}(fever|back pain|side pain|shiver)|"
                                  r"(fever|back pain|side pain|pain in (my|the) side|shiver).{0,60}(burn|sting|hurts).{0,20}(urine|pee|wee)|kidney infection"),
    ("possible blood clot", r"(calf|leg)('s | is | has been | became | )(swollen|swelling|hot|red).{0,60}(pain|hurt|tender|"
                            r"after (a )?(flight|surgery|operation)|flew|flight|plane)|(swollen|painful).{0,20}calf"),
    ("eye emergency", r"(eye|vision).{0,40}(painful and (blurr|red)|suddenly blurr|curtain|flashes and floaters|"
                      r"chemical|something in it.{0,20}(hours|won't come out))|chemical (in|splashed).{0,20}eye"),
    ("head injury", r"(hit|banged|bumped|knocked) (my|his|her|their) head.{0,80}(vomit|drowsy|confus|sleepy|headache|"
                    r"blood thinner|warfarin|dizzy)"),
    ("worsening breathing or asthma", r"(asthma|copd|wheez).{0,60}(worse|not improving|more often|every (hour|few hours))|"
                                      r"short of breath.{0,40}(at rest|lying down|getting worse|worse every day)"),
    ("mental health crisis", r"(hearing voices|not slept (for )?(\d|three|four|five) (days|nights)|panic attacks? "
                             r"(every|all) day|can't stop (crying|shaking))"),
    ("animal bite or burn", r"(dog|cat|animal|human) bite|bitten by|(burn|burnt|scald).{0,40}(blister|bigger than|"
                            r"face|hand|child|baby)"),
]

# Numeric or single findings that need a clinician today when no emergency presentation matched.
URGENT_FINDINGS: dict[str, str] = {
    "glucose_high": "high blood sugar (13.9 mmol/L, 250 mg/dL or more)",
    "glucose_low": "low blood sugar (below 3.0 mmol/L, 54 mg/dL)",
    "high_fever": "high fever (40 °C, 104 °F or more)",
    "young_infant_high_fever": "fever of 39 °C or more in a baby of 3 to 6 months",
    "bp_crisis": "very high blood pressure (180/120 or more)",
    "tachycardia": "fast heart rate (over 120 a minute)",
    "testicle_pain": "testicle or groin pain",
}


class Classifier(Protocol):
    """What `triage` needs from a second opinion (see `bot.safety.classifier`)."""

    def predict(self, text: str) -> tuple[str, float, str]:
        """(level, score, reason) for the message (earlier user turns first, one per line)."""


@dataclass
class TriageResult:
    level: str = "routine"
    reasons: list[str] = field(default_factory=list)
    banner: str | None = None
    source: str = "rules"  # rules | classifier | notes
    context: str = CURRENT  # current | general | educational | fiction | hypothetical | past
    notes: list[str] = field(default_factory=list)  # e.g. why the second opinion was skipped
    # thoughts of suicide or of harming oneself or a baby: `banner` is then the crisis reply, and the
    # answer should be that reply alone (no search of the health sources, no "not covered")
    crisis: bool = False

    def to_json(self) -> dict:
        out = {"level": self.level, "reasons": list(self.reasons)}
        if self.crisis:
            out["crisis"] = True
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def emergency_banner(number: str) -> str:
    return (f"**This may be an emergency. Call {number} (emergency services) now**, or go to the nearest "
            f"emergency department. Do not wait for an online answer.")


def urgent_banner() -> str:
    return "**Please contact a doctor or nurse today** (within 24 hours) about this."


_CACHE: dict[int, list[tuple[str, re.Pattern]]] = {}


def _compiled(rules: list[tuple[str, str]]) -> list[tuple[str, re.Pattern]]:
    key = id(rules)
    if key not in _CACHE or len(_CACHE[key]) != len(rules):
        _CACHE[key] = [(reason, re.compile(pattern)) for reason, pattern in rules]
    return _CACHE[key]


def _match(rules: list[tuple[str, str]], text: str) -> list[str]:
    return [reason for reason, pattern in _compiled(rules) if pattern.search(text)]


def is_general(text: str) -> bool:
    """Whether normalised text is not about a current situation (general, educational, fiction, hypothetical, past)."""
    return situation(text) != CURRENT


def emergency_hits(text: str, earlier: Sequence[str] = (), context: MaternalContext | None = None) -> list[Presentation]:
    """Emergency presentations in normalised `text`, with earlier turns when it continues them.

    The pregnancy / after-birth / baby context of the earlier turns always counts (it stays).
    """
    ctx = context if context is not None else maternal_context(text, earlier)
    found = findings(text) | ctx.findings()
    hits = matching_presentations(found)
    if not hits and earlier and (found or continues(text)):
        prior: set[str] = set()
        for e in earlier:
            prior |= findings(e)
        hits = matching_presentations(prior | found)
    return hits


def emergency_reasons(text: str, earlier: Sequence[str] = ()) -> list[str]:
    """Reasons of the emergency presentations in normalised `text`, with earlier turns when it continues them."""
    return [p.reason for p in emergency_hits(text, earlier)]


# "Which painkillers are safe for a headache?": advice about a minor complaint, not a symptom to act on.
_ADVICE = re.compile(r"\b(which|what|is it|are they|can i|is) .{0,40}\b(safe|ok|okay|allowed|recommended)\b")


def _urgent_reasons(text: str, context: str, maternal: MaternalContext | None = None) -> list[str]:
    if _ADVICE.search(text):
        return []
    found = findings(text) | (maternal.findings() if maternal is not None else set())
    return [p.reason for p in urgent_presentations(found)] or _match(URGENT_RULES, text) or _match(URGENT_RULES, context) or [
        reason for name, reason in URGENT_FINDINGS.items() if name in found]


def _second_opinion_text(message: str, earlier_raw: Sequence[str], maternal: MaternalContext | None = None) -> str:
    """The message with up to two earlier user turns, each on its own line, trimmed; a pregnancy or
    baby context first ("Context: pregnant, 34 weeks.")."""
    lines = [" ".join(h.split())[:300] for h in earlier_raw[-2:]] + [" ".join(message.split())[:600]]
    head = maternal.describe() if maternal is not None else ""
    return "\n".join(([head] if head else []) + lines)


def _emergency_result(hits: list[Presentation], emergency_number: str) -> TriageResult:
    """The emergency result; thoughts of suicide or of harming oneself or a baby get the crisis reply."""
    reasons = [p.reason for p in hits]
    if any(p.crisis for p in hits):
        banner = crisis_reply(emergency_number, harmed=any(not p.crisis and "mental health" not in p.groups for p in hits)
                              or any(p.name in _HARM_DONE for p in hits),
                              baby=any(p.name == "thoughts of harming the baby" for p in hits))
        return TriageResult("emergency", reasons, banner, crisis=True)
    return TriageResult("emergency", reasons, emergency_banner(emergency_number))


# Presentations that mean harm already done: with a crisis, the emergency number comes first.
_HARM_DONE = {"intentional overdose", "serious self-harm", "poisoning or overdose"}


_TEMPERATURE = re.compile(r"\b(\d{2,3}(?:[.,]\d)?)\s*(?:°|degrees?|deg)?\s*(c|f|celsius|fahrenheit)\b")
# Findings a child's fever message may carry and still be routine advice (anything else: the rules
# or the second opinion decide).
_FEVER_ONLY = frozenset({"fever", "fever_measured", "infection", "child"})


# "a fever of 39.5", "temp is 101": a number after a fever word, its unit read from its range.
_BARE_TEMPERATURE = re.compile(r"\b(?:fever|temp|temperature)\s+(?:of\s+|is\s+|was\s+|at\s+)?(\d{2,3}(?:[.,]\d)?)\b(?!\s*(?:°|deg|c\b|f\b))")


def _temperatures(text: str) -> list[tuple[float, str]]:
    """Temperatures in the text as (value, "c" | "f"); a bare number after a fever word is Celsius
    from 34 to 43 and Fahrenheit from 93 to 110 (anything else is not read as a temperature)."""
    temps = [(float(v.replace(",", ".")), u[0]) for v, u in _TEMPERATURE.findall(text)]
    for v in _BARE_TEMPERATURE.findall(text):
        t = float(v.replace(",", "."))
        if 34 <= t <= 43 or 93 <= t <= 110:
            temps.append((t, "c" if t <= 43 else "f"))
    return temps


# A lab result asked about ("fasting glucose 115 mg/dl is that diabetes", "my TSH is 8.5"): the rules
# read the numbers that make a lab value urgent or an emergency (blood sugar, potassium, INR).
_LAB_VALUE = re.compile(r"\b(?:glucose|blood sugar|sugar|a1c|hba1c|potassium|sodium|inr|tsh|t4|ldl|hdl|cholesterol|"
                        r"triglycerides?|creatinine|egfr|gfr|h(?:a)?emoglobin|hgb|hb|platelets?|wbc|white (?:blood )?count|"
                        r"alt|ast|vitamin d|ferritin|b12|psa|bilirubin|calcium|magnesium)\b\D{0,25}\d")


def _settled_lab(text: str, maternal) -> bool:
    """A lab value with nothing else the rules know (no symptom, no pregnancy or baby): read whole by
    the rules, not left to the second opinion (it once called "fasting glucose 115 mg/dl is that
    diabetes" an emergency)."""
    return bool(_LAB_VALUE.search(text)) and not findings(text) and not maternal.infant and not maternal.pregnant


def _settled_fever(text: str, maternal) -> bool:
    """A child's (not a baby's) fever below 40 C / 104 F with nothing else: home care and when to call,
    not an emergency (NICE NG143 traffic-light system: temperature alone is an amber/red sign only
    under 6 months, >= 39 C at 3-6 months, >= 38 C under 3 months). The second opinion, which can
    only raise the level, is not asked about it."""
    found = findings(text)
    if "child" not in found or not found <= _FEVER_ONLY or maternal.infant or maternal.pregnant:
        return False
    temps = _temperatures(text)
    if not temps:
        return False
    return all((t < 40.0 if u == "c" else t < 104.0) for t, u in temps)


def triage(message: str, history: Sequence[str] = (), notes: str = "", emergency_number: str = "911",
           classifier: Classifier | None = None) -> TriageResult:
    """Classify one user message in the context of the conversation so far.

    Args:
        message: the new user message.
        history: earlier user messages of the conversation (most recent last); the last three count.
        notes: text of uploaded notes (a note that describes an emergency raises the level to urgent:
            the note may be old, the user is asked to act on it today).
        emergency_number: the locale's emergency number for the banner.
        classifier: optional second opinion consulted when the rules find nothing in a message about
            a current situation; it can only raise the level.

    Returns:
        TriageResult with level `emergency`, `urgent` or `routine`, reasons and banner text; `crisis`
        with the crisis reply as the banner for thoughts of suicide or of harming oneself or a baby.
    """
    text = normalize(message)
    earlier_raw = [h for h in list(history)[-HISTORY_TURNS:] if h and h.strip()]
    # Only earlier turns about a situation now count, for the rules and for the second opinion: a
    # general question before ("What is gout?") is a topic, not a symptom the person has.
    earlier_raw = [h for h in earlier_raw if situation(normalize(h)) == CURRENT]
    earlier = [normalize(h) for h in earlier_raw]
    ctx = situation(text)
    if ctx != CURRENT:
        return TriageResult(context=ctx)
    maternal = maternal_context(text, earlier)
    hits = emergency_hits(text, earlier, maternal)
    if hits:
        return _emergency_result(hits, emergency_number)
    urgent = _urgent_reasons(text, " ".join(earlier + [text]) if continues(text) else text, maternal)
    result = TriageResult("urgent", urgent, urgent_banner()) if urgent else TriageResult()
    if result.level == "routine" and (_settled_fever(text, maternal) or _settled_lab(text, maternal)):
        return result  # the rules have read this one whole: the second opinion is not asked
    note = getattr(classifier, "note", None) if classifier is not None and result.level == "routine" else None
    if note:  # the second opinion could not run: say so
        result.notes.append(note)
    elif classifier is not None and result.level == "routine":  # only when the rules found nothing
        try:
            level, score, why = classifier.predict(_second_opinion_text(message, earlier_raw, maternal))
        except Exception as exc:  # noqa: BLE001 - a failing second opinion must never break a chat turn
            result.notes.append(f"second opinion failed ({type(exc).__name__}): rules only")
            level, score, why = "routine", 0.0, ""
        if RANK.get(level, 0) > RANK[result.level]:
            banner = emergency_banner(emergency_number) if level == "emergency" else urgent_banner()
            return TriageResult(level, [f"{why} (score {score:.2f})"], banner, source="classifier",
                                notes=result.notes)
    if result.level == "routine" and notes:
        note_text = normalize(notes[:20000])
        found = [p.reason for p in matching_presentations(findings(note_text))] + _match(URGENT_RULES, note_text)
        if found:
            return TriageResult("urgent", [f"uploaded notes mention: {r}" for r in found[:3]], urgent_banner(),
                                source="notes")
    return result
