"""Text normalisation for triage: lower case, unified apostrophes, contractions and misspellings fixed.

Lay synonyms are not rewritten here: the concept findings (`bot.safety.concepts`) hold them.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

# Contractions without apostrophes and frequent misspellings (whole words only).
_SPELLING: dict[str, str] = {
    "cant": "can't", "cannot": "can't", "can not": "can't", "couldnt": "can't", "couldn't": "can't",
    "could not": "can't", "unable to": "can't", "wont": "won't", "will not": "won't", "dont": "don't",
    "do not": "don't", "doesnt": "doesn't", "does not": "doesn't", "isnt": "isn't", "is not": "isn't",
    "hasnt": "hasn't", "has not": "hasn't", "havent": "haven't", "have not": "haven't", "wasnt": "wasn't",
    "didnt": "didn't", "did not": "didn't", "arent": "aren't", "are not": "aren't", "wouldnt": "won't",
    "im": "i'm", "i am": "i'm", "ive": "i've", "i have": "i've", "hes": "he's", "he is": "he's", "shes": "she's",
    "she is": "she's", "its": "it's", "it is": "it's", "theyre": "they're", "whats": "what's", "thats": "that's",
    "breath": "breathe", "breth": "breathe", "brethe": "breathe", "breate": "breathe", "breahte": "breathe",
    "brething": "breathing", "breating": "breathing", "breathin": "breathing", "breatheing": "breathing",
    "chesst": "chest", "chset": "chest", "ches": "chest", "hart": "heart", "atack": "attack",
    "attak": "attack", "stroak": "stroke", "strok": "stroke", "suiside": "suicide", "sucide": "suicide",
    "suicde": "suicide", "sucidal": "suicidal", "unconcious": "unconscious",
    "unconsious": "unconscious", "unconcsious": "unconscious", "bleding": "bleeding", "bleedin": "bleeding",
    "bleedng": "bleeding", "swalowed": "swallowed", "swollowed": "swallowed", "swallowd": "swallowed",
    "siezure": "seizure", "seisure": "seizure", "seizur": "seizure", "sezure": "seizure",
    "alergic": "allergic", "allergik": "allergic", "anafylaxis": "anaphylaxis", "anaphalaxis": "anaphylaxis",
    "pregant": "pregnant", "pregnent": "pregnant", "prenant": "pregnant", "vomitting": "vomiting",
    "vommiting": "vomiting", "tounge": "tongue", "tung": "tongue", "slured": "slurred", "slurrd": "slurred",
    "numbe": "numb", "meningitus": "meningitis", "menengitis": "meningitis", "sepsys": "sepsis",
    "tempreture": "temperature", "temprature": "temperature", "temp": "temperature", "feaver": "fever", "fevr": "fever",
    "epi pen": "epipen", "epi-pen": "epipen", "overdosed": "overdose", "od'd": "overdose", "od": "overdose",
    "overdoes": "overdose", "overdoze": "overdose", "gonna": "going to", "wanna": "want to", "ppl": "people",
    "u": "you", "ur": "your", "yr": "year", "yrs": "years", "testical": "testicle", "testicals": "testicles",
    "dizy": "dizzy", "diabetic": "diabetic", "mins": "minutes", "min": "minutes", "hrs": "hours",
    "pls": "please", "plz": "please", "hurting": "hurting", "uncounscious": "unconscious",
}
_SPELLING_RE = re.compile(r"(?<![\w'])(" + "|".join(sorted((re.escape(k) for k in _SPELLING), key=len, reverse=True))
                          + r")(?![\w'])")

# Words the findings depend on; other long words within a small edit distance are corrected to them.
_VOCAB = sorted(set("""breathe breathing breathless chest pressure tightness crushing squeezing sweating
clammy unconscious unresponsive seizure bleeding suicide suicidal overdose swallowed pregnant allergic
anaphylaxis swelling swollen tongue throat drooping slurred numbness weakness meningitis sepsis fever
confused confusion vomiting headache poison bleach collapsed choking wheezing gasping purple rash stiff
floppy temperature shivering mottled miscarriage contractions unbearable excruciating severe testicle
scrotum glucose diabetic unresponsive hallucinating""".split()))


def _correct_word(m: re.Match) -> str:
    word = m.group(0)
    if word in _VOCAB:
        return word
    return _close(word) or word


@lru_cache(maxsize=4096)
def _close(word: str) -> str | None:
    hits = difflib.get_close_matches(word, _VOCAB, n=1, cutoff=0.86)
    return hits[0] if hits else None


def normalize(text: str) -> str:
    """Lower-case, unify apostrophes and spacing, fix common misspellings and contractions."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = " ".join(text.split())
    text = _SPELLING_RE.sub(lambda m: _SPELLING[m.group(1)], text)
    return re.sub(r"[a-z]{6,}", _correct_word, text)
