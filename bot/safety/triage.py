"""Red-flag triage run on every user message before the LLM answers.

Rules match emergencies described in the first person or about someone present ("my dad", "my
child"); general questions about a condition ("what are the signs of a stroke?") and past events
stay routine. The emergency banner, with the locale's number, always leads the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LEVELS = ("routine", "urgent", "emergency")

# (reason, pattern) — patterns are matched on lower-cased text.
EMERGENCY_RULES: list[tuple[str, str]] = [
    ("possible heart attack: chest pain with sweating, breathlessness or arm/jaw pain",
     r"(chest (pain|pressure|tightness)|pain in (my|his|her) chest|crushing chest).{0,80}"
     r"(sweat|clammy|short of breath|can'?t breathe|left arm|jaw|nause|faint)"
     r"|(sweat|clammy).{0,60}(chest (pain|pressure|tightness))"),
    ("possible stroke: face droop, arm weakness or speech trouble",
     r"(face|mouth|smile) (is )?(droop|drooping|sagging|crooked)|slurr(ed|ing) (speech|words)|"
     r"can'?t (lift|raise|move) (my|his|her|one) (arm|leg)|sudden(ly)? (numb|weak).{0,30}(one side|left side|right side|arm|face)|"
     r"(one side|half) of (my|his|her) (face|body).{0,20}(numb|weak|droop)"),
    ("possible anaphylaxis: swelling of throat or tongue, trouble breathing after an allergen",
     r"(throat|tongue|lips?) (is |are )?(swelling|swollen|closing)|anaphyla|"
     r"(bee sting|stung|peanut|nut|shellfish|allerg).{0,60}(can'?t breathe|trouble breathing|hard to breathe|wheez|swell)"),
    ("suicidal intent or self-harm",
     r"(kill|hurt|harm) (my ?self|myself)|end (my|it all)|(want|going|plan(ning)?) to die|suicid|"
     r"take all (my|the) pills|don'?t want to (live|be alive)|better off dead|cut(ting)? myself"),
    ("severe bleeding",
     r"(bleeding|blood).{0,40}(won'?t|will not|doesn'?t|does not|can'?t) stop|(lots of|so much|pouring|spurting|gushing) blood|"
     r"bleeding (heavily|a lot|badly)|vomit(ing)? blood|coughing up blood"),
    ("breathing difficulty",
     r"(can'?t|cannot|can not|struggling to|hard to) (breathe|breath|catch (my|his|her) breath)|"
     r"(lips|face) (are |is |turning )?(blue|grey|gray)|choking"),
    ("possible poisoning or overdose",
     r"overdos|(swallowed|drank|ate|took) (a (whole )?bottle|too many|bleach|poison|antifreeze|all (of )?(my|the))"),
    ("unresponsive or seizure",
     r"(unconscious|unresponsive|won'?t wake up|not waking up|passed out and|seizure (that )?(won'?t|will not) stop|"
     r"fitting for|not breathing)"),
]

URGENT_RULES: list[tuple[str, str]] = [
    ("high fever", r"fever (of )?(10[3-9]|4[0-9])|(10[3-9]|4[0-9](\.\d)?) ?(°|deg|f\b|c\b)"),
    ("worsening or severe pain", r"(severe|worst|unbearable|excruciating) (pain|headache|stomach ache|abdominal pain)"),
    ("blood in urine or stool", r"blood in (my |the )?(urine|pee|stool|poo|poop)"),
    ("pregnancy concern", r"pregnan.{0,60}(bleeding|cramp|pain|reduced movement|not moving)"),
    ("infection spreading", r"(red streak|spreading redness|wound).{0,40}(spread|hot|pus|fever)"),
]

# Questions about a condition in general, not a person's current state.
_GENERAL = re.compile(r"^\s*(what|which|how (do|does|can|is|are|common)|why|when should|is it true|can you explain|"
                      r"tell me about|explain|define|list)\b|\b(signs|symptoms|causes|risk factors|warning signs) of\b")
_PERSONAL = re.compile(r"\b(i|i'm|im|i am|my|me|we|our|he|she|his|her|my (son|daughter|child|baby|dad|mum|mom|wife|husband))\b")
_PAST = re.compile(r"\b(years? ago|last (year|month)|when i was|used to|had a .{0,20} (in|back in) (19|20)\d\d|history of)\b")


@dataclass
class TriageResult:
    level: str = "routine"
    reasons: list[str] = field(default_factory=list)
    banner: str | None = None

    def to_json(self) -> dict:
        return {"level": self.level, "reasons": list(self.reasons)}


def emergency_banner(number: str) -> str:
    return (f"**This may be an emergency. Call {number} (emergency services) now**, or go to the nearest "
            f"emergency department. Do not wait for an online answer.")


def urgent_banner() -> str:
    return "**Please contact a doctor or nurse today** (within 24 hours) about this."


def _match(rules: list[tuple[str, str]], text: str) -> list[str]:
    return [reason for reason, pattern in rules if re.search(pattern, text)]


def triage(message: str, history: list[str] | tuple[str, ...] = (), notes: str = "",
           emergency_number: str = "911") -> TriageResult:
    """Classify one user message in the context of the conversation so far.

    Args:
        message: the new user message.
        history: earlier user messages of the conversation (most recent last).
        notes: text of uploaded notes.
        emergency_number: the locale's emergency number for the banner.

    Returns:
        TriageResult with level `emergency`, `urgent` or `routine`, reasons and banner text.
    """
    text = " ".join(message.lower().split())
    context = " ".join(" ".join(history[-2:]).lower().split() + [text])
    general = bool(_GENERAL.search(text)) and not _PERSONAL.search(text)
    past = bool(_PAST.search(text))
    if general or past:
        return TriageResult()
    reasons = _match(EMERGENCY_RULES, text) or _match(EMERGENCY_RULES, context)
    if reasons:
        return TriageResult("emergency", reasons, emergency_banner(emergency_number))
    reasons = _match(URGENT_RULES, text) or _match(URGENT_RULES, context + " " + notes.lower())
    if reasons:
        return TriageResult("urgent", reasons, urgent_banner())
    return TriageResult()
