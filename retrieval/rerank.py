"""Rerank and thin out a fused result list (pure).

Question-entailment rerank: a consumer message is answered by the answered question it entails
(Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019), and what a message must name for that is
the question's focus ("fever", "spinal muscular atrophy") or one of its synonyms, and it helps
when it asks the same kind of question. The fused lists rank by rank positions only, so a long
message whose words happen to hit many passages can bury the page about the thing it names; the
rerank looks again at the top candidates and weighs each by how fully the message names its
document's focus and whether it asks its question type, moving candidates only among the places
their collection holds (the caller's preference between collections stands).

Diversity: a result list holds each passage once (the best-scored copy) and at most a few
chunks of one document and of one page, so that the top 10 is not one long answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from retrieval.query_terms import glue_numbers, question_type

RERANK_DEPTH = 30  # fused candidates looked at again
ENTAILMENT_WEIGHT = 1.0  # score x (1 + weight x entailment)
TYPE_SHARE = 0.3  # entailment added when the message asks the candidate's question type
MAX_PER_DOC = 2  # chunks of one document in a result list
MAX_PER_PAGE = 3  # results of one page (URL): the pairs of one NIH page, the chunks of one paper

_WORD = re.compile(r"[a-z0-9]+")
# bm25s' English stopwords and the words of how people ask (see retrieval.questions.ASKING_WORDS).
_STOP = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their then there "
                  "these they this to was will with".split())


@dataclass
class Candidate:
    """What the rerank knows of one fused result.

    Attributes:
        id: chunk id.
        score: fused score (after any collection preference).
        focus: the phrases the document is about: its focus and synonyms (MedQuAD, MedlinePlus,
            lab guide); empty for guideline sections and the literature, which the rerank leaves
            in their order.
        qtype: the document's question type ("treatment", "symptoms"...) or "".
        group: the candidate's collection; the rerank moves candidates only within their group.
    """

    id: str
    score: float
    focus: list[str] = field(default_factory=list)
    qtype: str = ""
    group: str = ""


def _stem():
    import Stemmer

    return Stemmer.Stemmer("english").stemWord


def _content(text: str, stem) -> list[str]:
    from retrieval.questions import ASKING_WORDS

    return [stem(w) for w in _WORD.findall(glue_numbers(text).lower())
            if len(w) > 1 and w not in _STOP and w not in ASKING_WORDS]


def entailment(message: str, candidates: Sequence[Candidate], qtype: str | None = None) -> list[float]:
    """How far the message entails each candidate's question (0 = not at all, 1.3 at most).

    The best focus phrase counts by the share of its content words the message names (stemmed),
    squared when it is named only in part; `TYPE_SHARE` is added when the message names the
    focus and asks the candidate's question type.

    Args:
        message: the user's words.
        candidates: the results to weigh.
        qtype: the question type asked, when the caller knows better than the cue words.
    """
    stem = _stem()
    have = set(_content(message, stem))
    asked = qtype or question_type(message)
    out = []
    for c in candidates:
        best = 0.0
        for phrase in c.focus:
            words = _content(phrase, stem)
            if words:
                named = sum(1 for w in words if w in have) / len(words)
                # Half a focus named ("Toddler" of "Toddler Health") is weak evidence: squared.
                best = max(best, named if named == 1.0 else named * named)
        if best and asked and c.qtype == asked:
            best += TYPE_SHARE
        out.append(best)
    return out


def rerank(message: str, candidates: Sequence[Candidate], depth: int = RERANK_DEPTH,
           weight: float = ENTAILMENT_WEIGHT, qtype: str | None = None) -> list[tuple[str, float]]:
    """The candidates (best first) with the first `depth` reordered by `score x (1 + weight x entailment)`
    within their group.

    The places each group (collection) holds in the list stay as the fused list and the caller's
    preference gave them: a clinician's guideline places go to the guideline sections that best
    match, never to a consumer page the message names. Each place keeps its score, so scores
    still fall down the list.

    Returns:
        (id, score) best first; candidates below `depth` keep their places. Ties keep the input order.
    """
    head, tail = list(candidates[:depth]), list(candidates[depth:])
    ent = entailment(message, head, qtype)
    queues: dict[str, list[tuple[float, int]]] = {}
    for i, (c, e) in enumerate(zip(head, ent)):
        queues.setdefault(c.group, []).append((c.score * (1.0 + weight * e), i))
    for q in queues.values():
        q.sort(key=lambda t: (-t[0], t[1]))
    taken = {g: 0 for g in queues}
    out = []
    for c in head:  # each place goes to the best remaining candidate of the group that held it
        _, i = queues[c.group][taken[c.group]]
        taken[c.group] += 1
        out.append((head[i].id, c.score))
    return out + [(c.id, c.score) for c in tail]


def diversify(items: Sequence[tuple[str, str, str, str]], max_per_doc: int = MAX_PER_DOC,
              max_per_page: int = MAX_PER_PAGE) -> list[int]:
    """Indexes of the items to keep, in order: each chunk id once, each text once (compared by its
    words, case and punctuation aside), at most `max_per_doc` per document and `max_per_page` per page.

    Args:
        items: (chunk id, document id, page, text) best first; page is the document's URL, or ""
            (then the document is its own page); text is what counts as the same passage (the
            retriever passes title line and body).
        max_per_doc: chunks of one document (0 = no limit).
        max_per_page: results sharing one page (0 = no limit).
    """
    keep: list[int] = []
    ids: set[str] = set()
    texts: set[str] = set()
    per_doc: dict[str, int] = {}
    per_page: dict[str, int] = {}
    for n, (cid, doc, page, text) in enumerate(items):
        norm = " ".join(_WORD.findall(text.lower()))
        page = page or doc
        if cid in ids or (norm and norm in texts):
            continue
        if max_per_doc and per_doc.get(doc, 0) >= max_per_doc:
            continue
        if max_per_page and per_page.get(page, 0) >= max_per_page:
            continue
        ids.add(cid)
        if norm:
            texts.add(norm)
        per_doc[doc] = per_doc.get(doc, 0) + 1
        per_page[page] = per_page.get(page, 0) + 1
        keep.append(n)
    return keep
