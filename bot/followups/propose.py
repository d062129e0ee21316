"""When to propose a follow-up, for when, and what to ask: deterministic rules, tested with literals.

A proposal is made for a person's own, current problem (not a general question, not an emergency,
which must be acted on now): a triage level of `urgent`, a symptom that should settle, a new
medicine, or a test to recheck. A time window written in the question or the answer ("if it is
not better in 3 days") sets the date; otherwise each kind has its default.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.followups.model import Proposal

_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "fourteen": 14,
        "a couple of": 2, "a few": 3, "a": 1}
_UNIT = {"day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30}
_N = r"(?P<n>\d{1,2}|one|two|three|four|five|six|seven|ten|fourteen|a couple of|a few|a)"
_U = r"(?P<u>days?|weeks?|months?)"
WINDOW = re.compile(
    r"\b(not (getting )?(better|improving|improved|gone|settled|cleared)|no better|doesn't (improve|settle|go away)|"
    r"does not (improve|settle|go away)|persists?|still there|lasts? (longer|more) than|see (a|your) "
    r"(doctor|clinician|gp|nurse|pharmacist)[^.]{0,40}?)\s*(with)?in\s+" + _N + r"\s+" + _U + r"\b", re.I)
RECHECK_IN = re.compile(r"\b(re-?check|repeat(ed)?|again)\b[^.]{0,40}?\bin\s+" + _N + r"\s+" + _U + r"\b", re.I)

# (pattern on the person's message, subject, default days, what would make it urgent)
SYMPTOMS: list[tuple[str, str, int, str]] = [
    (r"headache|migraine|head (hurts|aches|is (pounding|throbbing))", "your headache", 3,
     "a stiff neck, fever, confusion, weakness, trouble speaking or a sudden very severe headache"),
    (r"fever|temperature|feel(ing)? (hot|feverish)", "your fever", 2,
     "a stiff neck, a rash that does not fade under a glass, confusion or trouble breathing"),
    (r"cough", "your cough", 7, "trouble breathing, chest pain or coughing up blood"),
    (r"sore throat|throat (hurts|is sore)|tonsil", "your sore throat", 3,
     "trouble swallowing or breathing, drooling or a muffled voice"),
    (r"ear ?ache|ear (hurts|pain|infection)", "your earache", 3, "swelling behind the ear, a high fever or confusion"),
    (r"\brash\b|hives|itchy skin", "your rash", 3,
     "a rash that does not fade under a glass, swelling of the face or lips, or trouble breathing"),
    (r"diarrh(o)?ea|vomit|throwing up|stomach bug|tummy bug", "your stomach upset", 2,
     "signs of dehydration (very little urine, dizziness), blood in vomit or stool, or severe tummy pain"),
    (r"back (pain|ache|hurts)|backache|sprain|twisted (my )?(ankle|knee|wrist)", "your pain", 7,
     "numbness, weakness, trouble passing urine or pain that stops you sleeping"),
    (r"(burning|stinging|pain) when (i )?(pee|urinate|wee)|\buti\b|urinary", "your urinary symptoms", 2,
     "fever, pain in your back or side, or vomiting"),
    (r"\b(a )?cold\b|\bflu\b|runny nose|blocked nose|sinus", "your cold", 7,
     "trouble breathing, a high fever that does not come down, or chest pain"),
    (r"dizz(y|iness)|light-?headed", "your dizziness", 3, "fainting, chest pain, weakness or trouble speaking"),
]
NEW_MEDICINE = re.compile(
    r"\b(started|starting|began|begun|just got|been prescribed|was prescribed|prescribed|put on)\b\s+"
    r"(taking |on |a |the |some |my )*(new )?([a-z][a-z-]{2,30})", re.I)
_MEDICINE_WORDS = {"medicine", "medication", "medications", "medicines", "pills", "tablets", "tablet", "pill",
                   "prescription", "drug", "drugs", "inhaler", "injections", "antibiotics", "antibiotic"}
_NOT_MEDICINE = {"feeling", "to", "having", "getting", "coughing", "vomiting", "bleeding", "running", "work",
                 "school", "yesterday", "today", "last", "this", "about", "again", "with", "after"}
TEST = re.compile(r"\b(blood test|test results?|lab results?|my (results?|levels?)|re-?check|repeat (the )?test|"
                  r"(cholesterol|sugar|glucose|hba1c|a1c|potassium|sodium|iron|thyroid|tsh|vitamin d|psa|kidney|liver)"
                  r" (level|test|result|was|is|came back))", re.I)
PERSONAL = re.compile(r"\b(i|i'm|i've|me|my|we|our)\b", re.I)


def _days(n: str, unit: str) -> int:
    count = int(n) if n.isdigit() else _NUM[n.lower()]
    return count * _UNIT[unit.lower()]


def window_days(*texts: str) -> int | None:
    """Days in a written time window ("if it is not better in 3 days" -> 3), first text first."""
    for text in texts:
        m = WINDOW.search(text or "")
        if m:
            return _days(m.group("n"), m.group("u"))
    return None


def _symptom(text: str) -> tuple[str, int, str] | None:
    for pattern, subject, days, urgent in SYMPTOMS:
        if re.search(pattern, text, re.I):
            return subject, days, urgent
    return None


def _medicine(text: str) -> str | None:
    for m in NEW_MEDICINE.finditer(text):
        word = m.group(4).lower()
        if word in _NOT_MEDICINE:
            continue
        return "your new medicine" if word in _MEDICINE_WORDS else f"your new medicine ({word})"
    return None


def propose(message: str, answer: str, triage_level: str, today: dt.date) -> Proposal | None:
    """A follow-up proposal for this turn, or None.

    Args:
        message: the person's message.
        answer: medbot's answer (its time window, if any, sets the date).
        triage_level: "routine", "urgent" or "emergency" (no proposal: act now).
        today: the current local date (from the injectable clock).

    Returns:
        Proposal, or None for general questions, emergencies and messages with nothing to follow.
    """
    from bot.safety.triage import is_general, normalize

    text = " ".join((message or "").split())
    if triage_level == "emergency" or not text or is_general(normalize(text)):
        return None
    window = window_days(text, answer)
    symptom = _symptom(text)
    medicine = _medicine(text) if PERSONAL.search(text) else None
    if triage_level == "urgent":
        subject = symptom[0] if symptom else "what you told me"
        urgent = symptom[2] if symptom else "anything that is getting worse"
        return Proposal(_date(today, 1), subject, "did you reach a doctor or nurse, and how is it now?",
                        urgent, "you were advised to contact a clinician today")
    if medicine:
        return Proposal(_date(today, window or 7), medicine, "how are you getting on with it? Any side effects?",
                        "a rash, swelling of the face, lips or tongue, or trouble breathing",
                        "new medicines can have side effects in the first weeks")
    if symptom:
        subject, days, urgent = symptom
        return Proposal(_date(today, window or days), subject, "how is it now?", urgent,
                        f"it should be getting better within {window or days} day{'s' if (window or days) != 1 else ''}")
    if TEST.search(text) and PERSONAL.search(text):
        m = RECHECK_IN.search(text) or RECHECK_IN.search(answer or "")
        days = _days(m.group("n"), m.group("u")) if m else (window or 28)
        return Proposal(_date(today, days), "your test result", "has it been rechecked, and what did it show?",
                        "new symptoms, or a result your clinician called abnormal", "test results often need a recheck")
    return None


def _date(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=max(1, min(days, 365)))).isoformat()
