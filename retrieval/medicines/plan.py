"""Recognise a medicine question in a chat message and give the `medicines` tool's arguments."""

from __future__ import annotations

import re

from retrieval.medicines.names import ALCOHOL_WORDS, Names

_SAME = re.compile(r"(?i)\b(same (thing |drug |medicine )?as|(?<!at )the same\b(?! time)|generic (name|version|form|of|for)|"
                   r"brand (name|of)|what(?:'?s| is) in\b|ingredients?|equivalent|another name|difference between|"
                   r"is \w+ (?:a |an )?(?:generic|brand)|\bvs\.?(?=\s)|\bversus\b)")
_TOGETHER = re.compile(r"(?i)\b(together|same time|at once|combine|combining|mix|mixing|with (my|the|a|an)?\s*\w+|"
                       r"and\b.*\b(ok|okay|safe)|interact\w*|while (taking|on)|on \w+.{0,30}\b(drink|alcohol|wine|beer))")
_HOW_MUCH = re.compile(r"(?i)\b(how (much|many|often)|dose|dosage|dosing|max(imum)?\b|how long between|"
                       r"\d+\s?(mg|ml|tablets?|pills?|caplets?)\b.{0,20}\b(at once|a day|per day|in a day)|"
                       r"can i (take|give) \d+|too much|overdose)")
_SIDE = re.compile(r"(?i)side[ -]?effects?|make you|cause|adverse|"
                   # a symptom since starting a medicine: "ankles swollen since i started amlodipine",
                   # "muscle pain on atorvastatin normal??"
                   r"\b(since|after) (i )?(start\w*|began|beginning|switch\w*)|"
                   r"\b(pain|ache|aches|swollen|swelling|rash|cough|dizz\w*|nause\w*|tired|itch\w*|weight)\b.{0,40}\b(on|from)\s+\w+")
_PREG = re.compile(r"(?i)pregnan|breast-?feed|nursing|lactat")
_WARN = re.compile(r"(?i)warning|dangerous|risks?\b")
_USES = re.compile(r"(?i)what (is|are) \w+ (used )?for|used for|what does \w+ (do|treat)|"
                   r"^\s*is \S+ (?:a|an)\b.{0,40}\b(?:med|meds|medicine|medication|drug|pill)s?\b")
_WHAT = re.compile(r"(?i)\bwhat(?:'?s| is| are)\b|tell me about|info(rmation)? (on|about)")

# Words of how a side-effect question is asked, not of the effect itself.
_NOT_EFFECT = frozenset("""
a an the my me i im i'm you your it its is are was be been being am do does did can could will would should
cause causes causing caused side effect effects make makes made give gives giving get gets getting got from of on
since after start started starting began take taking took taken normal is that this with and or to any what
there have has had so much many some lot really very just still feel feeling felt problem problems issue issues
trouble bad worse symptom symptoms sign signs happen happens common usual usually possible mg ml pill pills tablet
tablets dose med meds medicine medication drug drugs new now when while also like anyone else ok okay safe
""".split())
_NAMES: Names | None = None


def effect_words(message: str, drugs: list[str]) -> str | None:
    """The effect a side-effect question names ("tendon" of "can cipro cause tendon problems"), or None
    when it asks for side effects in general ("side effects of prednisone 20 mg")."""
    named = {w for d in drugs for w in re.findall(r"[a-z0-9']+", d.lower())}
    words = [w for w in re.findall(r"[a-z][a-z']+", message.lower())
             if w not in _NOT_EFFECT and w not in named and w not in ALCOHOL_WORDS and len(w) >= 3]
    return " ".join(dict.fromkeys(words)) or None


def _names() -> Names:
    global _NAMES
    if _NAMES is None:
        _NAMES = Names()
    return _NAMES


def plan(message: str, names: Names | None = None) -> dict | None:
    """Tool arguments for a medicine question, or None when the message is not one.

    Recognises brand and generic names (common typos of known names tolerated) and four shapes:
    same-as ("Is Augmentin the same as amoxicillin?"), together ("Can I take Zyrtec and Benadryl at the
    same time?", "tylenol with alcohol"), how much ("How many ibuprofen can I take?") and what is
    (side effects, pregnancy, warnings, uses, or the whole card).

    Returns:
        {"question": shape, "drugs": [names as asked], "focus"?: field} or None.
    """
    if not message or not message.strip():
        return None
    names = names or _names()
    meds = names.find(message, limit=2)
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", message)}
    alcohol = sorted(words & ALCOHOL_WORDS)
    if not meds:
        return None
    drugs = [m.query for m in meds]
    if len(meds) == 1 and alcohol and (_TOGETHER.search(message) or re.search(r"(?i)\b(can|is it|ok|safe)\b", message)):
        return {"question": "together", "drugs": [drugs[0], "alcohol"]}
    if len(meds) == 2:
        if _SAME.search(message) or re.match(r"(?i)^\s*is\s+\S+\s+(the same|a|an)?\s*\S+\s*\??\s*$", message):
            return {"question": "same_as", "drugs": drugs}
        if _HOW_MUCH.search(message) and not _TOGETHER.search(message):
            return {"question": "how_much", "drugs": drugs[:1]}
        return {"question": "together", "drugs": drugs}
    if _SAME.search(message):
        return {"question": "same_as", "drugs": drugs}
    if _HOW_MUCH.search(message):
        return {"question": "how_much", "drugs": drugs}
    for pat, focus in ((_SIDE, "side_effects"), (_PREG, "pregnancy"), (_WARN, "warnings"), (_USES, "uses")):
        if pat.search(message):
            out = {"question": "what_is", "drugs": drugs, "focus": focus}
            effect = effect_words(message, drugs) if focus == "side_effects" else None
            if effect:
                out["effect"] = effect
            return out
    if _WHAT.search(message) or len(message.split()) <= 4:
        return {"question": "what_is", "drugs": drugs}
    return None
