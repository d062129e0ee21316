"""Pregnancy, after-birth and young-baby context: what a symptom means depends on who has it and when.

"A headache and blurry vision" is a routine complaint in general but a warning sign of
pre-eclampsia at 34 weeks or a week after a birth; "one-sided pain and feeling faint" is a possible
ectopic pregnancy after a missed period or a positive test; a temperature of 38 °C is an emergency
in a baby under 3 months. The context is read from the message and from the recent turns (it
stays: "I'm 33 weeks" two turns earlier still counts) and becomes *context findings* that the
concept rules (`bot.safety.maternal_concepts`) combine with the symptoms, and one line the second
opinion reads before the message.

Works on text already passed through `triage_text.normalize`. Only regular expressions: no imports
beyond the standard library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

__all__ = ["MaternalContext", "maternal_context", "CONTEXT_FINDINGS"]

_WORDS = {"one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "few": 3, "couple of": 2, "couple": 2}
_N = r"(\d{1,2}|one|a|an|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|few|couple of)"
_UNIT_DAYS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30.4}

# Context findings this module can produce (the concept rules may name them).
CONTEXT_FINDINGS = frozenset({
    "pregnant", "pregnant_early", "pregnant_not_early", "gestation_early", "gestation_mid", "gestation_viable",
    "gestation_20plus", "gestation_unknown", "preterm", "term", "postpartum", "postpartum_12w", "postpartum_year", "infant",
    "infant_u3m", "newborn", "day_one", "child"})

_NOT_PREGNANT = re.compile(r"\b(not|never been|can't be|isn't|wasn't|no longer|trying to (get|be)|want to (get|be)|"
                           r"hoping to (get|be)|could i be|am i|when i was|before i (was|got)|while i was|if i (get|got|were|was))"
                           r" (pregnant|expecting)\b")
_PREGNANT = re.compile(
    r"\bpregnan(t|cy)\b|\bexpecting (a baby|twins|triplets|my (first|second|third|fourth)|our|a little|baby)\b|"
    r"\b(i'm|i am|we're|we are|she's|she is|(wife|partner|girlfriend|daughter|sister) is) expecting\b(?! (it|that|this|the|to|a call|"
    r"you|him|her|them|results?|news|more|some|an?))|^expecting\b|\bweeks (gone|along)\b|\bbaby bump\b|\bmy bump\b|\b(1st|2nd|3rd|first|"
    r"second|third) trimester\b|\bgestation\b|\bantenatal\b|\bmy waters\b|\bthe baby('s| is| has| hasn't| isn't)? (kick|mov)")
_EARLY = re.compile(
    r"\b(missed|missing|skipped) (my |a |her )?period\b|\b(my |her )?period (is|was|'s) (late|overdue)\b|\blate period\b|"
    r"\bpositive (pregnancy |home )?test\b|\btest (was|is|came back|came up|showed|turned) (positive|pregnant)\b|"
    r"\b(test|tests) (was |were )?positive\b|\bjust found out (i'm|i am|she's|she is|we're) (pregnant|expecting)\b|\bi might be pregnant\b|"
    r"\b(i|she) (could|may|might) be pregnant\b")
_OTHER_TEST = re.compile(r"\b(covid|flu|strep|lateral flow|pcr|std|sti|chlamydia|gonorrh|hiv|drug|antigen|blood) test|"
                         r"tested positive for|positive for (covid|flu)")
# "I'm 34 weeks", "34 wks, ...", "my wife is 36 weeks", "36 weeks pregnant", "expecting twins, 32 weeks"
_WEEKS = re.compile(
    r"(?:^|[,.;!?]\s*|\b(?:i'm|i am|im|she's|she is|(?:wife|partner|girlfriend|daughter|sister) is|now|currently|at|about|almost|"
    r"nearly|just over|just under|over)\s+(?:about |almost |nearly |just over |just under |over )?|\bpregnant,?\s+(?:at\s+)?|"
    r"\bexpecting[^,.;!?]{0,20},\s*)(\d{1,2})\s?(?:\+\d\s?)?(?:weeks?|wks?|wk)\b(?!\s+(?:old|ago|after|since|postpartum|"
    r"post|of (?:a |the )?(?:cough|pain|symptoms|this|it)|later|now|on|off|"
    r"(?:of|for) (?:treatment|antibiotics)|into (?:my|the) (?:course|treatment)))|"
    r"\b(\d{1,2})\s?(?:weeks?|wks?|wk)\s+(?:pregnant|gone|along|gestation|with (?:my|our|twins|a baby))\b|"
    r"\bpregnan\w*[^,.;!?]{0,25}?\b(\d{1,2})\s?(?:weeks?|wks?|wk)\b(?!\s+(?:old|ago))")
_NOT_GESTATION = re.compile(r"\b(for|last|past|every|in|over the last|the last|within) (\d{1,2}) ?(weeks?|wks?)\b")

_POSTPARTUM_AGO = re.compile(
    r"\b(?:had|gave birth to|delivered|birth to|welcomed) (?:my|our|the|a|her|his|their)? ?(?:baby|son|daughter|twins|little one|boy|girl)?"
    r" ?(?:boy |girl )?" + _N + r" (hour|day|week|month)s? ago\b|"
    r"\b(?:gave birth|had (?:the|my|our|her|a) (?:baby|son|daughter|twins)|delivered|had (?:my|her|a) (?:c[- ]?section|caesarean)|"
    r"the birth|giving birth|birth|delivery|c[- ]?section|caesarean)\s+(?:was\s+)?" + _N + r" (hour|day|week|month)s? ago\b|"
    r"\b" + _N + r" (hour|day|week|month)s? (?:postpartum|post[- ]partum|postnatal|post-natal|after (?:the birth|birth|giving birth|"
    r"delivery|having (?:the|my|a|her) baby|(?:my|the|her|a) (?:c[- ]?section|caesarean|delivery)|the baby (?:came|was born|arrived))|"
    r"since (?:the birth|giving birth|having (?:the|my|a) baby|the baby (?:came|was born|arrived)))\b")
_POSTPARTUM = re.compile(
    r"\b(postpartum|post[- ]partum|postnatal|post-natal|after (giving birth|the birth|having (the|my|a|her) baby|my (c[- ]?section|"
    r"caesarean|delivery))|since (giving birth|the birth|having (the|my|a|her) baby|the baby (came|arrived|was born))|"
    r"(just|recently) (had (the|my|a|her) baby|given birth|gave birth|delivered)|(gave|given) birth (yesterday|today|this morning|"
    r"last night|last week)|baby (was|came) (born|out) (this morning|today|yesterday|last night)|"
    r"(wife|partner|girlfriend|she) (delivered|gave birth|had (the|our|a) baby)|(had|delivered|gave birth to) (the|my|our|a|her) "
    r"(baby|son|daughter|twins|little one|boy|girl) (yesterday|today|this morning|last night|last week|on \w+day))\b")
_BABY_AGE = re.compile(
    r"\b" + _N + r"[- ](hour|day|week|wk|month|mth)s?[- ]old\b|"
    r"\b(?:baby|son|daughter|newborn|infant|he|she|twins|boy|girl)(?:'s| is| was)? (?:only |just )?" + _N
    + r" (hour|day|week|month)s? old\b|"
    r"\b(?:baby|son|daughter|newborn|infant)(?: is)? \(?" + _N + r" (day|week|month)s?\b\)?(?!\s*ago)")
_DAY_ONE = re.compile(
    r"\b(born|delivered|arrived) (this morning|today|tonight|last night|an hour ago|a few hours ago|(\d{1,2}) hours ago)|"
    r"\b(less than|under|not yet) (a day|24 hours|one day) old|\b(\d{1,2}|a few) hours? old\b|\b(a|one|1)[- ]day[- ]old\b|"
    r"\bfirst day (of life|home)\b|\bborn yesterday\b")
_NEWBORN = re.compile(r"\b(newborn|new born|new-born|neonate|just been born|first week)\b")
_FETAL = re.compile(r"\b(mov\w*|kick\w*|bump|waters|midwife|contractions?|scan|labour|labor|placenta|movements?)\b")
_INFANT = re.compile(r"\b(baby|babies|infant|newborn|new born|little one|bub)\b")


def _num(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS.get(word, 1)


def _days(n: str, unit: str) -> float:
    return _num(n) * _UNIT_DAYS[unit[0]]


@dataclass(frozen=True)
class MaternalContext:
    """Who the symptoms belong to and when: pregnancy and its week, days after a birth, a baby's age.

    Attributes:
        pregnant: the writer (or the person described) is, or may be, pregnant.
        weeks: week of pregnancy when stated (None: not stated).
        early: signs of an early pregnancy (a missed or late period, a positive test) or weeks < 14.
        postpartum_days: days since a birth (None: no birth mentioned; 14 when no time is given).
        infant_days: the baby's age in days (None: no baby's age; a newborn without an age counts 14).
        infant: a baby is the subject of the message.
    """

    pregnant: bool = False
    weeks: int | None = None
    early: bool = False
    postpartum_days: float | None = None
    infant_days: float | None = None
    infant: bool = False

    def findings(self) -> set[str]:
        """Context findings the concept rules combine with symptom findings."""
        out: set[str] = set()
        if self.pregnant:
            out.add("pregnant")
            w = self.weeks
            if w is not None:
                out.add("gestation_early" if w < 14 else "gestation_viable" if w >= 24 else "gestation_mid")
                out.add("preterm" if w < 37 else "term")
                if w >= 20:
                    out.add("gestation_20plus")
            if self.early or (w is not None and w < 14):
                out.add("pregnant_early")
            elif w is None:  # week not stated: neither stage can be ruled out
                out |= {"pregnant_early", "pregnant_not_early", "gestation_unknown"}
            if w is not None and w >= 14:
                out.add("pregnant_not_early")
        if self.postpartum_days is not None:
            d = self.postpartum_days
            if d <= 42:
                out.add("postpartum")
            if d <= 84:
                out.add("postpartum_12w")
            if d <= 366:
                out.add("postpartum_year")
        if self.infant or self.infant_days is not None:
            out |= {"infant", "child"}
            d = self.infant_days
            if d is not None and d < 91:
                out.add("infant_u3m")
            if d is not None and d <= 28:
                out.add("newborn")
            if d is not None and d <= 1.0:
                out.add("day_one")
        return out

    def describe(self) -> str:
        """One line for the second opinion ('' when there is no such context)."""
        parts = []
        if self.pregnant:
            parts.append(f"pregnant, {self.weeks} weeks" if self.weeks is not None else
                         "early pregnancy (missed period or positive test)" if self.early else "pregnant")
        if self.postpartum_days is not None:
            d = self.postpartum_days
            parts.append("gave birth less than a day ago" if d < 1 else "gave birth yesterday" if d < 1.5 else
                         f"gave birth about {round(d)} days ago"
                         if d < 14 else f"gave birth about {round(d / 7)} weeks ago")
        if self.infant_days is not None:
            d = self.infant_days
            parts.append("a newborn under 24 hours old" if d <= 1 else f"a baby about {round(d)} days old" if d < 28
                         else f"a baby about {round(d / 7)} weeks old" if d < 91 else f"a baby about {round(d / 30.4)} months old")
        elif self.infant:
            parts.append("a baby")
        return ("Context: " + "; ".join(parts) + ".") if parts else ""


@lru_cache(maxsize=2048)
def _read(text: str) -> MaternalContext:
    """The context stated in one normalised message."""
    pregnant = bool(_PREGNANT.search(text)) and not _NOT_PREGNANT.search(text)
    early = bool(_EARLY.search(text)) and not _OTHER_TEST.search(text)
    weeks = None
    for m in _WEEKS.finditer(text):
        if _NOT_GESTATION.search(text[max(0, m.start() - 20):m.end()]):
            continue
        weeks = int(next(g for g in m.groups() if g))
        break
    if weeks is not None and not 2 <= weeks <= 43:
        weeks = None
    postpartum = None
    m = _POSTPARTUM_AGO.search(text)
    if m:
        n, unit = next((m.group(i), m.group(i + 1)) for i in range(1, len(m.groups()), 2) if m.group(i))
        postpartum = _days(n, unit)
    elif _POSTPARTUM.search(text):
        postpartum = 0.5 if re.search(r"\b(today|this morning|last night|tonight)\b", text) else \
            1.0 if "yesterday" in text else 14.0
    infant_days = None
    m = _BABY_AGE.search(text)
    if m:
        n, unit = next((m.group(i), m.group(i + 1)) for i in range(1, len(m.groups()), 2) if m.group(i))
        infant_days = _days(n, unit)
    if _DAY_ONE.search(text):
        infant_days = min(infant_days if infant_days is not None else 1.0, 1.0)
    elif infant_days is None and _NEWBORN.search(text):
        infant_days = 14.0
    infant = infant_days is not None or bool(_INFANT.search(text) and not pregnant and postpartum is None)
    if weeks is not None and not pregnant and postpartum is None and infant_days is None and (
            not _INFANT.search(text) or _FETAL.search(text)):
        pregnant = True  # "34 wks, seeing zigzag lights": a bare week count in this position is a pregnancy
    if early and not _NOT_PREGNANT.search(text):
        pregnant = True
    if pregnant and postpartum is not None and weeks is None:
        pregnant = False  # "since the birth ... pregnancy" talks about the pregnancy that ended
    return MaternalContext(pregnant, weeks if pregnant else None, early and pregnant, postpartum, infant_days, infant)


def _merge(ctx: MaternalContext, old: MaternalContext) -> MaternalContext:
    """`ctx` with what it leaves unstated taken from an earlier turn's context."""
    pregnant, weeks, early, post = ctx.pregnant, ctx.weeks, ctx.early, ctx.postpartum_days
    if not pregnant and post is None:
        pregnant, weeks, early, post = old.pregnant, old.weeks, old.early, old.postpartum_days
    elif pregnant and weeks is None and old.pregnant:
        weeks, early = old.weeks, early or old.early
    infant_days = ctx.infant_days if ctx.infant_days is not None else old.infant_days
    return MaternalContext(pregnant, weeks, early, post, infant_days, ctx.infant or old.infant)


def maternal_context(text: str, earlier: Sequence[str] = ()) -> MaternalContext:
    """The context of a message: what it states, completed by what recent turns stated (latest first).

    Args:
        text: the normalised message.
        earlier: normalised earlier user turns about a current situation (oldest first).
    """
    ctx = _read(text)
    for prior in reversed(list(earlier)):
        ctx = _merge(ctx, _read(prior))
    return ctx
