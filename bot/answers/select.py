"""Select the sentences that answer a question from the best-matching passages.

Each passage is split into sentences (list items stay with their lead-in line), every sentence is
scored against the question (embedding cosine when an embedder is given, word overlap otherwise,
plus how well the passage as a whole, title included, matches), and the best ones are kept with
their citation label, in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import re

from bot.answers.text import content_words, drop_repeated_tail, split_sentences, subject_words
from bot.answers.cite import label

Embed = Callable[[Sequence[str]], Any]
_ACT_NOW = re.compile(r"\b(call 911|call 999|call 112|emergency (room|department|services|care)|ambulance|"
                      r"get (medical )?help (right away|immediately)|seek (immediate|urgent|emergency))", re.I)
# Sentences about the page rather than the question ("symptoms vary from person to person", "see the
# list below", "watch the video"): they match a question's words and say nothing.
_META = re.compile(r"\b(listed below|the following list|(watch|see) the video|click here|learn more|^here are\b|"
                   r"vary (?:\w+ ){0,2}(from person to person|depending (on|upon) the (person|individual)))", re.I)
# "Secondary High Blood Pressure.", "Complications of High Blood Pressure." (small joining words allowed)
_HEADING = re.compile(r"^(?:(?:[A-Z][\w'-]*|of|and|or|the|for|to|in|with|a|an|at|on)\s+){0,5}[A-Z][\w'-]*\.?$")
# Words of a page's subject that say who it is for or how it is told, not that it is another condition.
_NOT_ANOTHER = frozenset(content_words(
    "adult adults child children kids teen teens teenagers women men older seniors elderly baby babies infant infants "
    "toddler toddlers newborn newborns pregnancy pregnant people person patients family need know about information "
    "facts overview basics health care living coping what tips guide test tests testing level levels result results")
    | subject_words("a an of in and the for with my your about"))
# A web page's furniture ("(Click the table on the right to see the stages ...") is not an answer.
_FURNITURE = re.compile(r"\bclick (?:here|the|on)\b|\bthe (?:table|box|chart|video) (?:on the|to the) (?:right|left)\b|"
                        r"\buse the (?:buttons?|scroll bar)\b|\b(?:replay|pause) the animation\b", re.I)
# The publisher line an NIH page ends with ("NIH: National Institute of General Medical Sciences."): not an answer.
_PUBLISHER = re.compile(r"^(?:NIH:\s*)?(?:(?:[A-Z][\w.'-]*|of|and|on|for|the|in)[\s,]+){1,12}(?:[A-Z][\w.'-]*)\.?$")
# A page heading glued to the sentence after it ("Common Signs of Stroke These are warning signs..."):
# capitalised words (and small joining words) followed by a word that opens a sentence.
_GLUED_HEADING = re.compile(
    r"^((?:[A-Z\"'][\w'\"-]*|or|and|of|the|a|an|to|in|for|with|your|you)(?:\s+(?:[A-Z\"'][\w'\"-]*|or|and|of|the|a|an|"
    r"to|in|for|with|your|you)){1,7})\s+(?=(?:The|These|This|That|Some|Sometimes|Most|Many|If|When|You|Your|A|An|It|"
    r"There|Other|Not|All|Each|Every|Any|In|For|During|After|Before|Although|While|Because|Even|People|Children|"
    r"[A-Z][a-z]+ing)\b\s+[a-z])")


def strip_glued_heading(sentence: str) -> str:
    """The sentence without a page heading glued in front of it (the heading's words must all be
    capitalised or small joining words, and its last word capitalised)."""
    m = _GLUED_HEADING.match(sentence)
    if not m or not re.search(r"[A-Z\"'][\w'\"-]*$", m.group(1)) or not m.group(1)[0].isupper():
        return sentence
    return sentence[m.end():]


# Words that say what a question asks, not what it is about: a passage sharing only these with the
# question ("first-line therapy" of gout for "first-line treatment of anaphylaxis") is off topic.
QUESTION_WORDS = content_words("""treat treats treated treating treatment treatments therapy therapies therapeutic
first-line second-line first second line lines initial best preferred recommend recommended recommendation
recommendations guideline guidelines manage managed managing management option options choice approach
symptom symptoms sign signs warning cause causes caused diagnosis diagnose diagnosed test tests testing
prevent prevention avoid risk risks factor factors dose doses dosing drug drugs medicine medicines medication
medications take taking start stop long-term term short-long know need needs happen happens work works
effect effects side safe safety common normal help helps cure cured what's difference mean means long
acute acutely
disease diseases condition conditions disorder disorders problem problems illness patient patients adult
adults child children""")

SAME_MEANING = 0.5  # dense similarity at which a passage is on topic without sharing a topic word
TOPIC_HEADED = ("consumer", "guideline")  # collections whose titles and sections name the topic
NAMED_FLOOR = 0.3  # dense similarity a passage headed by the question's topic needs to count as relevant

# Which collections a reader's role is best served by (a small nudge; retrieval already ranks by role).
_ROLE_BONUS = {"patient": {"consumer": 0.03}, "clinician": {"guideline": 0.05}}


@dataclass
class Evidence:
    """One selected sentence.

    Attributes:
        text: the sentence as written in the source.
        label: its citation label (`PMID:123`, `DOC:...`).
        rank: rank of its passage in the search results (0 = best).
        order: position of the sentence in its passage.
        score: selection score (higher is better).
        source: the passage's source fields (title, url, collection, section...).
    """

    text: str
    label: str
    rank: int
    order: int
    score: float
    source: dict[str, Any] = field(default_factory=dict)


def _overlap(question_words: set[str], text: str) -> float:
    if not question_words:
        return 0.0
    return len(question_words & content_words(text)) / len(question_words)


def select_evidence(question: str, passages: Sequence[Any], embed: Embed | None = None, max_sentences: int = 5,
                    per_passage: int = 3, max_passages: int = 3, min_score: float = 0.33,
                    prefer: str | None = None, also_about: Sequence[str] = ()) -> list[Evidence]:
    """The sentences of `passages` that best answer `question`, in reading order.

    Args:
        question: the user's question.
        passages: search results (objects with `text`, `source`, optional `similarity`), best first.
        embed: text encoder returning unit vectors (rows); None scores by word overlap.
        max_sentences: at most this many sentences in all.
        per_passage: at most this many from one passage.
        max_passages: sentences come from at most this many passages.
        min_score: sentences scoring below this are never selected; none above it = not covered.
        prefer: the reader's role ("patient": NIH consumer text, "clinician": guideline summaries
            get a small bonus).
        also_about: more names of what the question is about (the generic names of the brands it
            names: a page on atorvastatin answers a question on Lipitor).

    Returns:
        Selected sentences ordered by passage rank, then position; empty when nothing answers.
        A passage that shares none of the question's topic words (its content words other than
        QUESTION_WORDS, and `also_about`) in its text, title or section gives no sentence, unless
        its meaning is close to the question's (dense similarity >= SAME_MEANING: other words for
        the same thing) or another part of its document is on topic.
    """
    qwords = content_words(question)
    cands: list[tuple[int, int, str, Any]] = []
    for rank, p in enumerate(passages):
        for order, sent in enumerate(split_sentences(p.text)):
            sent = _list_head(drop_repeated_tail(strip_glued_heading(sent)))
            if (sent.rstrip().endswith("?") or len(sent) > 700 or _HEADING.match(sent) or _PUBLISHER.match(sent)
                    or _FURNITURE.search(sent) or sent.split()[0].islower()):
                continue  # a restated question, an overlong run-on, a heading or a fragment is not an answer
            cands.append((rank, order, sent, p))
    if not cands:
        return []
    topic = topic_words(question, also_about)
    if topic:  # passages that share only "what is asked" words with the question are about something else
        about = [bool(topic & content_words(" ".join([str(p.text), str(p.source.get("title") or ""),
                                                      str(p.source.get("section") or "")])))
                 or float(getattr(p, "similarity", None) or 0.0) >= SAME_MEANING
                 for p in passages]
        # When a page's subject is named whole ("Fever" for "my 2 yr old has a fever"), a page whose subject
        # shares a word but adds one the question does not name ("Typhoid Fever", "Toddler Development")
        # is about another condition.
        # Subjects are compared word for word, short words included: "Q Fever" is not "Fever", "Hepatitis B"
        # is not "Hepatitis". Words that name who or how ("Kidney Stones in Adults", "What I need to know
        # about Kidney Stones") are not another condition, and a lab guide page ("Potassium blood test") is
        # the result asked about.
        from retrieval.query_terms import add_synonyms

        subject = subject_words(add_synonyms(question)) | subject_words(" ".join(also_about))
        focus = [subject_words(str(p.source.get("focus") or "")) for p in passages]
        if any(f and f <= subject for f in focus):
            about = [ok and not (f and f & subject and (f - subject - _NOT_ANOTHER) and p.source.get("kind") != "labs")
                     for ok, f, p in zip(about, focus, passages)]
        # a part of a document that is on topic is on topic too (a DKA guideline's potassium section)
        on_topic_docs = {_document(p.source) for p, ok in zip(passages, about) if ok}
        about = [ok or _document(p.source) in on_topic_docs for p, ok in zip(passages, about)]
        cands = [c for c in cands if about[c[0]]]
        if not cands:
            return []
    titles = [str(p.source.get("title") or "") for p in passages]
    if embed is not None:
        import numpy as np

        texts = [f"{_context(c[3].source)}: {c[2]}" if _context(c[3].source) else c[2] for c in cands]
        vecs = np.asarray(embed([question, *titles, *texts]), dtype=np.float32)
        q, tv, sv = vecs[0], vecs[1:1 + len(titles)], vecs[1 + len(titles):]
        title_sim = [float(x) for x in tv @ q]
        sent_sim = [float(x) for x in sv @ q]
    else:
        title_sim = [_overlap(qwords, t) for t in titles]
        sent_sim = [_overlap(qwords, c[2]) for c in cands]
    scored = []
    topical = [max(float(getattr(p, "similarity", None) or 0.0), title_sim[i]) for i, p in enumerate(passages)]
    # How well each passage's own text matches (its title can match a shared word: "my child's UTI").
    body = [float(p.similarity) if getattr(p, "similarity", None) is not None else topical[i]
            for i, p in enumerate(passages)]
    best_body = max(body)
    for (rank, order, sent, p), sim in zip(cands, sent_sim):
        psim = topical[rank]
        score = 0.6 * sim + 0.25 * psim + 0.15 * _overlap(qwords, sent) - 0.01 * rank
        if body[rank] < best_body - 0.2:  # a page about something else ("my child's UTI" for "is my child dehydrated")
            score -= 0.1
        if _ACT_NOW.search(sent):  # what to do now (call 911, go to the emergency room) matters most
            score += 0.08
        if _META.search(sent) and ":" not in sent:
            score -= 0.12
        score += _ROLE_BONUS.get(prefer or "", {}).get(str(p.source.get("collection")), 0.0)
        scored.append(Evidence(sent, label(p.source), rank, order, round(score, 4), dict(p.source)))
    scored.sort(key=lambda e: -e.score)
    chosen: list[Evidence] = []
    off_topic = {i for i, b in enumerate(body) if b < best_body - 0.2}
    for ev in scored:
        if ev.score < min_score or len(chosen) >= max_sentences:
            break
        same = [c for c in chosen if c.rank == ev.rank]
        ranks = {c.rank for c in chosen}
        if len(same) >= per_passage or (ev.rank not in ranks and len(ranks) >= max_passages):
            continue
        words = content_words(ev.text)
        if any(len(words & content_words(c.text)) / max(1, len(words | content_words(c.text))) > 0.6 for c in chosen):
            continue  # near-duplicate of a sentence already kept
        chosen.append(ev)
    if sum(c.rank not in off_topic for c in chosen) >= 2:  # another page's sentences only when the on-topic pages say too little
        chosen = [c for c in chosen if c.rank not in off_topic]
    _keep_act_now(chosen, scored, max_sentences, min_score)
    return sorted(chosen, key=lambda e: (e.rank, e.order))


def _context(source: dict[str, Any]) -> str:
    """What a sentence is read in the context of: its guideline section, or the topic of its NIH page
    ("Appendicitis: The main symptom is pain in the abdomen" answers "symptoms of appendicitis")."""
    return str(source.get("section") or source.get("focus") or "")


def topic_words(question: str, also_about: Sequence[str] = ()) -> set[str]:
    """What the question is about: its content words other than QUESTION_WORDS, plus `also_about`
    (the generic names of the brands it names), and the other terms of the lay/clinical groups it
    mentions ("burnt" is about burns, "stung by a bee" about insect stings)."""
    from retrieval.query_terms import add_synonyms

    return (content_words(add_synonyms(question)) - QUESTION_WORDS) | content_words(" ".join(also_about))


def names_topic(question: str, passages: Sequence[Any], floor: float = NAMED_FLOOR,
                also_about: Sequence[str] = ()) -> bool:
    """Whether a passage is headed by what the question is about: a topic word of the question in
    its title or section ("Medication Classes for Type 2 Diabetes > Metformin" for "side effects of
    metformin"), with a dense similarity of at least `floor`. Only NIH pages and guideline
    summaries count: their headings name a topic, a paper's title names anything. Such a passage
    covers the question even when its similarity is below the general relevance threshold."""
    topic = topic_words(question, also_about)
    if not topic:
        return False
    for p in passages:
        sim = getattr(p, "similarity", None)
        if p.source.get("collection") in TOPIC_HEADED and sim is not None and sim >= floor:
            heading = " ".join([str(p.source.get("title") or ""), str(p.source.get("section") or "")])
            if topic & content_words(heading):
                return True
    return False


def _document(source: dict[str, Any]) -> str:
    """The document a passage belongs to: a guideline summary's file for its sections
    ("guideline:ada_dka_hhs_2024/insulin" -> "guideline:ada_dka_hhs_2024"), an NIH page for its
    question-answer pairs ("medquad:NIDDK-0000223-5" -> "medquad:NIDDK-0000223"), else the document."""
    doc = str(source.get("doc_id") or source.get("pmid") or id(source))
    if doc.startswith("guideline:") and "/" in doc:
        return doc.rsplit("/", 1)[0]
    if doc.startswith("medquad:"):
        return re.sub(r"-\d+$", "", doc)
    return doc


def _list_head(sentence: str, limit: int = 700) -> str:
    """A long "lead-in: a; b; c; ..." list cut after the items that fit in `limit` characters."""
    if len(sentence) <= limit or ": " not in sentence or "; " not in sentence:
        return sentence
    lead, _, rest = sentence.partition(": ")
    kept: list[str] = []
    for item in rest.split("; "):
        if kept and len(lead) + 2 + len("; ".join([*kept, item])) + 1 > limit:
            break
        kept.append(item)
    return f"{lead}: {'; '.join(kept).rstrip('.')}." if kept else sentence


def _keep_act_now(chosen: list[Evidence], scored: list[Evidence], max_sentences: int, min_score: float) -> None:
    """Make room for the best "call 911 / go to the emergency room" sentence of a chosen passage.

    What to do now is the one sentence a reader must not miss (a stroke page's "call 911
    immediately"); it often scores below the symptom list it follows. Only passages already
    chosen (on topic) are looked at; the lowest-scoring other sentence gives way.
    """
    if not chosen or any(_ACT_NOW.search(c.text) for c in chosen):
        return
    ranks = {c.rank for c in chosen}
    act = next((e for e in scored if e.rank in ranks and _ACT_NOW.search(e.text) and e.score >= min_score - 0.1), None)
    if act is None:
        return
    if len(chosen) >= max_sentences:
        chosen.remove(min(chosen[1:] or chosen, key=lambda c: c.score))
    chosen.append(act)
