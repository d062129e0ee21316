"""Whether a triaged message describes a situation happening now (to the writer or someone present).

Messages about a condition in general, for an essay, a class or a story, hypotheticals and past
events ("my grandfather had a stroke in 2010") are not emergencies; a live third party ("my
friend is unconscious") is. Works on text already passed through `triage_text.normalize`.
"""

from __future__ import annotations

import re

CURRENT = "current"

# Leading courtesies stripped before looking for a question word.
_LEAD = re.compile(r"^\s*((thanks|thank you|ok|okay|great|cool|right|hi|hello|hey|so|also|and|quick question)[,.!:;]*\s+)+")
_GENERAL = re.compile(
    r"^\s*(what|which|how (do|does|can|is|are|common|long|often|much|many|should|would|quickly|soon)|why|when (should|do|does|is)|"
    r"is it true|is it normal|can you (explain|summari[sz]e|tell|write|list|describe)|tell me about|explain|define|list|describe|"
    r"are there|is there|does|do|can|should people|who|write|summari[sz]e)\b|"
    r"\b(signs|symptoms|causes|risk factors|warning signs|treatment|treatments|first aid|prevention) (of|for)\b|"
    r"\bin general\b")
_PERSONAL = re.compile(r"\b(i|i'm|i've|me|my|mine|we|we're|our|us|he|he's|she|she's|his|her|him|they're|"
                       r"this (baby|child|man|woman|person) (is|has))\b")
# Questions about what a condition does over time, asked in the first person but not about now.
_CONSEQUENCES = re.compile(r"\b((do|does|will|can) (it |this |that )?(do )?to (my|your|the|our) (body|health|heart|kidneys|eyes|brain)|"
                           r"if (i|you|we) (leave|don't treat|do not treat|ignore|never treat) (it|this|that|them)|"
                           r"left untreated|long[- ]term (effects?|damage|complications?)|in the long run)\b")
_NOW = re.compile(r"\b(right now|now|today|tonight|at the moment|currently|suddenly|just started|for the last|"
                  r"since (this|last|yesterday)|can't breathe|cannot breathe|passed out|unconscious)\b")
_EDUCATIONAL = re.compile(
    r"\b((writing|write|doing|working on|preparing) (an?|my|the) (essay|paper|report|assignment|dissertation|thesis|article|"
    r"presentation|poster|blog|quiz|leaflet)|(essay|dissertation|thesis|coursework|homework|assignment|lesson plan|lecture|seminar)s?|for (a|my|our|the) (school|class|nursing|medical|first aid|psychology|"
    r"biology|health|exam|project|course|module|lecture|students|poster|assignment|homework|training)|(my|our) (students|pupils|class)|"
    r"first aid (course|class|training)|nursing exam|for (an|my) exam|revising|homework|for my students)\b")
_FICTION = re.compile(r"\b(novel|story|screenplay|script|a character|the character|main character|in (a|my|the) (movie|film|book|show|game|play)|"
                      r"fiction|roleplay|role-play)\b")
_HYPOTHETICAL = re.compile(
    r"\b(if (someone|a person|somebody|my|a child|a baby|you|ever|one|people|i ever|he ever|she ever|they ever|my \w+ ever)|"
    r"what (should|do|would|could) (i|you|one|we) do if|what would happen if|in case (of|someone)|just in case|hypothetically|"
    r"how (do|would|can|could) (you|i|one) (tell|know|recogni[sz]e|spot)|should i keep|imagine|suppose|supposing|"
    r"guidelines? (for|on)|protocol for|nhs advice|advice on when)\b")
_PAST = re.compile(
    r"\b(years? ago|(\d+|two|three|four|five|six|ten|several|many) (months|years) ago|last (year|month|summer|winter|spring|autumn|fall)|"
    r"when i was (a )?(child|kid|young|younger|teen|teenager|\d+)|as a (child|kid|baby|teen|teenager)|used to|"
    r"(back )?in (19|20)\d\d|history of|(has|have|had) recovered|fully recovered|survived|was diagnosed|passed away|died (of|from|in)|"
    r"(been|was|is|he's|she's|i'm|i've been) (fine|ok|okay|well|good) (since|now|after)|in a good place now|"
    r"they (said|told|did)|went to (a&e|the er|hospital|the hospital|a and e|casualty)|(doctor|they) said it was|"
    r"last week.{0,60}(was fine|were fine|felt fine|fine after))\b")
# Words that make a past or resolved mention current again.
_NOW = re.compile(r"\b(now|right now|currently|at the moment|this (morning|evening|afternoon)|tonight|today|just now|"
                  r"keeps|still|suddenly|getting worse|worse|again|since (last night|this morning|yesterday)|an hour ago|"
                  r"minutes ago|hours ago|happening)\b")
# A birth given as a time anchor ("had my daughter 2 months ago, now ..."): the birth is past, what follows is not.
_BIRTH_ANCHOR = re.compile(r"\b(had|gave birth to|delivered|since) (my|our|the|a|her)? ?(baby|son|daughter|twins|little one|boy|girl)?"
                           r" ?(\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve) (days?|weeks?|months?) ago\b|"
                           r"\b(baby|son|daughter|twins) (was|were) born (\d+|a|one|two|three|four|five|six|seven|eight|nine|ten) "
                           r"(days?|weeks?|months?) ago\b")
# First-person intent that no framing cancels ("I have to write an essay but I want to kill myself").
_OVERRIDE = re.compile(r"\bi('m| am)? (really )?(want|wanna|going|gonna|plan|planning|will|about) to (die|kill myself|end (it|my life))|"
                       r"\bi('ve| have) (taken|swallowed|cut)\b")


def situation(text: str) -> str:
    """`current`, or why the message is not about a situation now.

    Returns:
        `current` | `general` | `educational` | `fiction` | `hypothetical` | `past`.
    """
    if _OVERRIDE.search(text):
        return CURRENT
    if _EDUCATIONAL.search(text):
        return "educational"
    if _FICTION.search(text):
        return "fiction"
    if _HYPOTHETICAL.search(text):
        return "hypothetical"
    if _PAST.search(_BIRTH_ANCHOR.sub(" ", text)) and not _NOW.search(text):
        return "past"
    stripped = _LEAD.sub("", text)
    if _GENERAL.search(stripped) and not _PERSONAL.search(stripped):
        return "general"
    if _GENERAL.search(stripped) and _CONSEQUENCES.search(stripped) and not _NOW.search(stripped):
        return "general"  # "what does high blood pressure do to my body if I leave it untreated?"
    return CURRENT


def continues(text: str) -> bool:
    """Whether a follow-up message refers back to an ongoing situation ("it's getting worse", "now ...")."""
    return bool(re.search(r"\b(worse|getting worse|now|still|again|more|spreading|not (getting )?better|no better|can't anymore|"
                          r"started|also|and)\b", text))
