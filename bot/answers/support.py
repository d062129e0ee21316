"""Is a sentence the LLM wrote backed by the evidence it cites?

Cosine similarity alone cannot see a contradiction ("aspirin is useful after a heart attack" and
"aspirin is not useful after a heart attack" score 0.93 with MiniLM), and no entailment model ships
offline. So a sentence counts as supported only when it is close to the evidence (similarity or
word coverage) AND passes consistency checks against it:

- negation: the sentence and its closest evidence sentence agree on negation;
- numbers: every number (doses, ages, durations, thresholds) appears in the evidence;
- names: every drug and condition name it mentions appears in the evidence;
- direction: a recommendation keeps its direction (use vs avoid, increases vs decreases, more vs less).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

from bot.answers.cite import ANY as _CITE
from bot.answers.text import content_words, stem

Embed = Callable[[Sequence[str]], "object"]  # texts -> unit vectors, shape (n, dim)
Drugs = Callable[[str], "set[str]"]  # text -> generic names of the drugs it names (brands mapped)

MIN_SIMILARITY = 0.62  # cosine to the closest evidence sentence (MiniLM) for a paraphrase to count
MIN_COVERAGE = 0.6  # share of the sentence's content words found in the evidence (without an embedder)

_NEG = re.compile(r"\b(?:not|no|never|none|neither|nor|cannot|without|n't|avoid\w*|stop(?:s|ped|ping)?|quit\w*|lack\w*|fail(?:s|ed)? to|"
                  r"contraindicat\w*|unlikely|ineffective|useless|unnecessary|no longer)\b|n't\b", re.I)
_POS_DIR = re.compile(r"\b(?:recommend\w*|should (?:be )?(?:used?|taken?|start\w*|continu\w*|given)|"
                      r"benefi\w*|effective|useful|helps?|reduc\w*|lower\w*|prevent\w*|improv\w*|indicated|"
                      r"first[- ]line|safe)\b", re.I)
_NEG_DIR = re.compile(r"\b(?:not recommended|avoid\w*|contraindicat\w*|should not|shouldn't|harm\w*|"
                      r"ineffective|no benefit|not (?:useful|effective|beneficial|helpful)|increas\w* (?:the )?risk|"
                      r"dangerous|unsafe|worsen\w*)\b", re.I)
# Word pairs whose swap reverses a claim.
_ANTONYMS = [("increase", "decrease"), ("higher", "lower"), ("more", "less"), ("before", "after"),
             ("raise", "lower"), ("above", "below"), ("over", "under"), ("maximum", "minimum"),
             ("benign", "malignant"), ("acute", "chronic"), ("common", "rare"), ("men", "women"),
             ("children", "adults"), ("daily", "weekly"), ("high", "low"), ("rise", "fall"),
             ("type 1", "type 2"), ("left", "right"), ("short", "long"), ("at least", "at most"),
             ("older", "younger"), ("increase", "reduce"), ("better", "worse"), ("upper", "lower")]
_NUMBER = re.compile(r"(?<![A-Za-z])\d+(?:[.,]\d+)?")


@dataclass
class Verdict:
    """Outcome of the check of one sentence.

    Attributes:
        supported: True when the sentence may be shown.
        reason: "" when supported, else why not ("negation", "number 50", "name warfarin",
            "direction", "antonym", "unsupported").
        best: the closest evidence sentence (what replaces the sentence when it fails).
        similarity: cosine (or word coverage without an embedder) to `best`.
    """

    supported: bool
    reason: str
    best: str | None
    similarity: float


def negated(text: str, shared_with: str = "") -> bool:
    """Odd number of negation cues (double negation cancels). A cue whose phrase (the cue and the
    word after it: "no reason", "not all") also appears in `shared_with` is quoted from it, not a
    claim of its own, and does not count."""
    other = " ".join(shared_with.lower().split())
    n = 0
    for m in _NEG.finditer(text):
        after = re.match(r"\s*([A-Za-z]+)", text[m.end():])
        phrase = f"{m.group(0).lower()} {after.group(1).lower()}" if after else ""
        if other and phrase and re.search(rf"\b{re.escape(phrase)}\b", other):
            continue
        n += 1
    return n % 2 == 1


def direction(text: str) -> int:
    """+1 a positive recommendation/effect, -1 a negative one, 0 neither or both."""
    neg = bool(_NEG_DIR.search(text))
    pos = bool(_POS_DIR.search(_NEG_DIR.sub(" ", text)))  # "not recommended" is not also "recommended"
    if neg and not pos:
        return -1
    if pos and not neg:
        return 1 if not negated(text) else -1
    return 0


def numbers(text: str) -> set[str]:
    """Numbers in the text, normalised ("1,000" -> "1000", "2.50" -> "2.5")."""
    out = set()
    for m in _NUMBER.findall(_CITE.sub("", text)):
        raw = m.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", m) else m.replace(",", ".")
        try:
            val = float(raw)
        except ValueError:
            continue
        out.add(f"{val:g}")
    return out


@lru_cache(maxsize=1)
def _condition_terms() -> frozenset[str]:
    """Stems of disease words (from ICD-10-CM titles, shipped as package data)."""
    try:
        text = resources.files("bot.answers").joinpath("data/condition_terms.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return frozenset()
    return frozenset(stem(w) for w in text.split() if w and not w.startswith("#"))


def _names(text: str, drugs: Drugs | None) -> set[str]:
    words = content_words(text)
    return ({f"drug:{d}" for d in (drugs(text) if drugs else ())}
            | {f"cond:{w}" for w in words if w in _condition_terms()})


# Clause boundaries: "but", semicolons (list items), "although"..., sentence ends, and a sentence
# glued to a list item without its full stop ("... may cause constipation It's not important ...").
_CLAUSE = re.compile(r",?\s+but\s+|;\s+|,\s+(?:although|though|whereas|while|however)\s+|(?<=[.!?])\s+|"
                     r"(?<=[a-z])\s+(?=(?:It|It's|This|That|These|There|They|You|Your|If|When)\b)")


def closest_clause(sentence: str, evidence: str) -> str:
    """The clause of `evidence` that shares most words with `sentence` ("X is not spread, but Y can
    spread" has two claims; a sentence restating the first is compared with the first)."""
    clauses = [c for c in _CLAUSE.split(evidence) if c and c.strip()]
    if len(clauses) < 2:
        return evidence
    words = content_words(sentence)
    return max(clauses, key=lambda c: len(words & content_words(c)))


def _antonym_clash(sentence: str, evidence: str) -> bool:
    s, e = sentence.lower(), evidence.lower()
    for a, b in _ANTONYMS:
        ra, rb = re.compile(rf"\b{a}\w*"), re.compile(rf"\b{b}\w*")
        if (ra.search(s) and not ra.search(e) and rb.search(e) and not rb.search(s)) or \
           (rb.search(s) and not rb.search(e) and ra.search(e) and not ra.search(s)):
            return True
    return False


def _coverage(sentence: str, evidence: str) -> float:
    """Share of the sentence's content words found in the evidence (lay/clinical synonyms count)."""
    from retrieval.query_terms import add_synonyms

    words = content_words(sentence)
    if not words:
        return 1.0
    return len(words & content_words(add_synonyms(evidence))) / len(words)


def check_support(sentence: str, evidence: Sequence[str], embed: Embed | None = None,
                  min_similarity: float = MIN_SIMILARITY, drugs: Drugs | None = None) -> Verdict:
    """Check one sentence against the evidence sentences it rests on.

    Args:
        sentence: a sentence the LLM wrote (inline citation labels are ignored).
        evidence: the cited evidence sentences (or all selected ones when it cites none).
        embed: text encoder returning unit vectors; None uses word coverage only.
        min_similarity: cosine to the closest evidence sentence needed to count as a paraphrase.
        drugs: finds the drugs a text names (`retrieval.drug_names.DrugNames.generics_in`); None
            skips the drug-name check.

    Returns:
        The verdict; `best` is the closest evidence sentence.
    """
    clean = " ".join(_CITE.sub("", sentence).split())
    evidence = [e for e in evidence if e and e.strip()]
    if not evidence:
        return Verdict(False, "no evidence", None, 0.0)
    if not content_words(clean):  # "Yes." / "In short:" carry no claim of their own
        return Verdict(True, "", None, 1.0)
    covs = [_coverage(clean, e) for e in evidence]
    if embed is not None:
        import numpy as np

        vecs = np.asarray(embed([clean, *evidence]), dtype=np.float32)
        sims = [float(x) for x in vecs[1:] @ vecs[0]]
        i = max(range(len(evidence)), key=lambda j: sims[j])
        close = sims[i] >= min_similarity or (sims[i] >= min_similarity - 0.12 and covs[i] >= MIN_COVERAGE)
        score = sims[i]
    else:
        i = max(range(len(evidence)), key=lambda j: covs[j])
        close = covs[i] >= MIN_COVERAGE
        score = covs[i]
    best, everything = evidence[i], " ".join(evidence)
    if not close and _coverage(clean, everything) < 0.8:
        return Verdict(False, "unsupported", best, score)
    clause = closest_clause(clean, best)
    if negated(clean, best) != negated(clause, clean):
        return Verdict(False, "negation", best, score)
    d_s, d_e = direction(clean), direction(best)
    if d_s and d_e and d_s != d_e:
        return Verdict(False, "direction", best, score)
    if _antonym_clash(clean, best):
        return Verdict(False, "antonym", best, score)
    extra_numbers = numbers(clean) - numbers(everything)
    if extra_numbers:
        return Verdict(False, f"number {sorted(extra_numbers)[0]}", best, score)
    extra_names = _names(clean, drugs) - _names(everything, drugs)
    if extra_names:
        return Verdict(False, f"name {sorted(extra_names)[0].split(':', 1)[1]}", best, score)
    return Verdict(True, "", best, score)
