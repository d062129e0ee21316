"""Check: every sentence the model writes is tested against the sources it cites before it is shown.

Sentences are cut from the token stream as they complete, so the answer still streams. A sentence
citing `[2]` is checked against the units of source 2 (all sources when it cites none or a number
that does not exist); one the check passes is shown with its citation, one it fails is replaced by
the closest source unit when that says something not yet shown, or dropped. A yes/no answer keeps
its claim in the same sentence ("Yes, shingles is contagious [1]."): the claim is checked, and a
"No" must sit on a negative claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from bot.answers.cite import ANY, LABEL, NUMBERS, keep_numbers, numbers_in
from bot.answers.read import Source
from bot.answers.support import _CLAUSE, Verdict, check_support, negated
from bot.answers.text import content_words, split_sentences

# The end of a sentence in a token stream: . ! or ? with any citations after it, then a space.
_END = re.compile(rf"(?<=[.!?])(?:\s*(?:{ANY.pattern}))*\s+(?=\S)")
#: Cosine (MiniLM) a yes/no claim needs to its closest source unit (the unit alone, without its
#: title): a "Yes, X" answer must restate what a source says, not merely sit near it. "You can get
#: the flu from the flu vaccine" is 0.78 from "Flu vaccines can either be shots or nasal sprays";
#: true restatements scored 0.83-0.93 ("there is a vaccine for shingles" / "The shingles vaccine is
#: available in pharmacies...": 0.83).
YES_NO_SIMILARITY = 0.80
_ABOUT_SOURCES = re.compile(r"^\W*(?:sources?|references?|citations?)\b\s*:?", re.I)
_HEADING_LINE = re.compile(r"^\s*(?:SOURCES\b.*|\[\d{1,2}\][^.!?]*)$")
_YES_NO = re.compile(r"^\s*(yes|no)\b[,.:;!]?\s*", re.I)


@dataclass
class CheckStats:
    """What the check did to the model's sentences."""

    sentences: int = 0
    supported: int = 0
    replaced: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # stand-ins not yet shown: no sentence of the model held

    def to_json(self) -> dict[str, Any]:
        return {"llm_sentences": self.sentences, "supported": self.supported, "replaced": self.replaced,
                "dropped": [{"sentence": d["sentence"], "why": d["why"]} for d in self.dropped]}


def in_context(source: Source, unit: str) -> str:
    """A unit with what its source says it is about (title, section heading): "Maintenance dose:
    75-100 mg" under "Aspirin (Class I)" is about aspirin."""
    s = source.source
    if s.get("collection") == "literature":
        return unit
    about = list(dict.fromkeys(str(x) for x in (s.get("guideline"), s.get("title"), s.get("section")) if x))
    return f"{' > '.join(about)}: {unit}" if about else unit


def stream_sentences(chunks: Iterable[str]) -> Iterator[str]:
    """Whole sentences out of a token stream, with the citations that follow them; a last sentence
    cut off by the token limit (no end mark) is not given."""
    buf = ""
    for piece in chunks:
        buf += piece
        while (m := _END.search(buf)) is not None:
            sentence, buf = buf[:m.start() + len(m.group(0).rstrip())].strip(), buf[m.end():]
            yield sentence
    if re.search(r"(?:[.!?]|\])\s*$", buf):
        yield buf.strip()


def _tidy(sentence: str, n_sources: int) -> str:
    """Citations written before the sentence move after it; numbers of no source are removed;
    raw labels the model copied are removed (it cites by number)."""
    sentence = LABEL.sub("", re.sub(r"<<<|>>>|‹‹‹|›››", " ", sentence))
    lines = [ln for ln in sentence.split("\n") if ln.strip()]
    while len(lines) > 1 and _HEADING_LINE.match(lines[0]):  # a source's heading copied from the prompt
        lines.pop(0)
    sentence = " ".join(" ".join(lines).split())
    lead = re.match(rf"^((?:\s*(?:{NUMBERS.pattern}))+)\s*(.+)$", sentence, re.S)
    if lead:
        body = lead.group(lead.lastindex).rstrip()
        end = body[-1] if body[-1:] in ".!?" else "."
        sentence = f"{body.rstrip('.!?')} {lead.group(1).strip()}{end}"
    sentence = keep_numbers(sentence, range(1, n_sources + 1))
    sentence = re.sub(r"\s*((?:\[\d{1,2}\])+)\s*([.!?])$", r" \1\2", sentence.strip())  # "claim [1]." spacing
    return re.sub(r"\s+([.!?])$", r"\1", sentence)


def check_sentence(sentence: str, sources: Sequence[Source], embed=None, drugs=None,
                   question: str = "") -> tuple[Verdict, str]:
    """The verdict on one written sentence, and the sentence as it would be shown (cited).

    A "Yes, X is Y" answer must find in its sources every word it takes from the question: "Yes,
    shingles is contagious" is not backed by a page that never says contagious, however close in
    meaning "Shingles is very common" is.

    Returns:
        (verdict, sentence with its citation: the number of the source whose unit backs it).
    """
    cited = [s for s in sources if s.n in numbers_in(sentence)] or list(sources)
    units = [(s, u) for s in cited for u in s.units]
    claim = _YES_NO.sub("", sentence)
    answer_word = (_YES_NO.match(sentence).group(1).lower() if _YES_NO.match(sentence) else "")
    verdict = check_support(claim, [in_context(s, u) for s, u in units], embed=embed, drugs=drugs)
    first_clause = _CLAUSE.split(ANY.sub("", claim))[0]  # "No, X is not Y, but Z is": the answer is about X
    if verdict.supported and answer_word == "no" and not negated(first_clause) and content_words(claim):
        verdict = Verdict(False, "polarity", verdict.best, verdict.similarity)  # "No, X is Y." claims X is Y
    if (verdict.supported and answer_word == "yes" and negated(first_clause) and content_words(claim)
            and not (question and negated(question))):  # "Yes, shingles is not contagious." says yes and no
        verdict = Verdict(False, "polarity", verdict.best, verdict.similarity)
    if verdict.supported and _LISTY.search(ANY.sub("", claim)):  # a list: every item must come from the sources
        new = _new_words(claim, [in_context(s, u) for s, u in units], question)
        if new:
            verdict = Verdict(False, f"new item {new[0]}", verdict.best, verdict.similarity)
    if verdict.supported and answer_word and embed is not None:
        import numpy as np

        bare = [u for _, u in units]  # without the title: "Flu Shot: <unit>" sits nearer any flu claim
        vecs = np.asarray(embed([ANY.sub("", claim), *bare]), dtype=np.float32)
        closest = float(max(vecs[1:] @ vecs[0])) if bare else 0.0
        if closest < YES_NO_SIMILARITY:
            verdict = Verdict(False, "yes/no claim not stated", verdict.best, closest)
    if verdict.supported and answer_word and question:
        from retrieval.query_terms import add_synonyms

        said = content_words(add_synonyms(" ".join(f"{in_context(s, u)}" for s, u in units)))
        missing = sorted((content_words(ANY.sub("", claim)) & content_words(question)) - said)
        if missing:
            verdict = Verdict(False, f"unsupported {missing[0]}", verdict.best, verdict.similarity)
    shown = sentence
    if verdict.supported and not numbers_in(sentence) and verdict.best is not None:
        src = next((s for s, u in units if in_context(s, u) == verdict.best), None)
        if src is not None:
            body = sentence.rstrip()
            end = body[-1] if body[-1:] in ".!?" else "."
            shown = f"{body.rstrip('.!?')} [{src.n}]{end}"
    return verdict, shown


_LISTY = re.compile(r",[^.]*\b(?:and|or)\b|,[^.]*,")
# Words that join a list to its sentence ("symptoms such as", "can cause", "include"): not items.
_LIST_GLUE = content_words("""try trying make making learn learning way ways take taking use using keep keeping
cause causes caused causing include includes including such common commonly most more other
others also usually often sometimes may might can could help helps feel feeling have having get getting sign signs symptom
symptoms thing things like well various several many some type types kind kinds factor factors trigger triggers triggered
lead leads problem problems happen occur""")


_ITEM_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_LEAD_VERB = re.compile(r"^.*\b(?:include|includes|including|are|is|such as|like|causes?|mean|means)\b\s*", re.I)
_TAIL_VERB = re.compile(r"\s+\b(?:can|may|might|could|are|is|will|cause|causes|trigger|triggers|lead|leads|help|helps)\b.*$",
                        re.I)


def _new_words(sentence: str, evidence: Sequence[str], question: str = "") -> list[str]:
    """The items of a list-like sentence that share no word with the sources or the question (an item
    added to the sources' list: "... dust mites and peanuts" when the list has no peanuts), each
    given by its first word. The first item is read after its verb ("symptoms include X"), the last
    before its verb ("X can trigger ...")."""
    from retrieval.query_terms import add_synonyms

    said = content_words(add_synonyms(" ".join(evidence) + " " + question))
    items = [i for i in _ITEM_SPLIT.split(ANY.sub("", sentence).rstrip(" .!?")) if i.strip()]
    if len(items) < 2:
        return []
    items[0] = _LEAD_VERB.sub("", items[0])
    items[-1] = _TAIL_VERB.sub("", items[-1])
    new = []
    for item in items:
        words = content_words(item) - _LIST_GLUE
        if words and not words & said:
            new.append(sorted(words)[0])
    return new


def checked_sentences(chunks: Iterable[str], sources: Sequence[Source], stats: CheckStats, embed: Callable | None = None,
                      drugs: Callable | None = None, shown: list[str] | None = None,
                      question: str = "", stand_ins_share_a_word: bool = True) -> Iterator[str]:
    """The model's sentences one by one as they complete, each only if its sources back it.

    A sentence that fails is replaced by the closest source unit (cited) when that unit is not
    already shown and (with `stand_ins_share_a_word`: a patient's question in everyday words)
    shares a word with the question, else dropped; both count in `stats`. `shown` collects what was given. Stand-ins
    follow the model's first supported sentence; when none is supported they are left in
    `stats.held` (the caller says first that the sources do not answer directly).
    """
    shown = [] if shown is None else shown
    by_context = {in_context(s, u): (s, u) for s in sources for u in s.units}
    for raw in stream_sentences(chunks):
        sentence = _tidy(raw, len(sources))
        if not re.search(r"[A-Za-z]{3}", ANY.sub("", sentence)) or _ABOUT_SOURCES.match(sentence):
            continue  # no words, or a line about the sources ("Sources: [1] and [2].") rather than a claim
        stats.sentences += 1
        verdict, cited = check_sentence(sentence, sources, embed, drugs, question)
        if verdict.supported:
            stats.supported += 1
            if _repeats(sentence, shown):
                continue  # backed, but said already ("If it is too high, ..." written three times)
            shown.append(cited)
            yield cited
            yield from stats.held
            stats.held.clear()
            continue
        stats.dropped.append({"sentence": sentence, "why": verdict.reason, "best": verdict.best})
        hit = by_context.get(verdict.best or "") if not _YES_NO.match(sentence) else None  # a failed yes/no has no stand-in
        unit = clean_unit(hit[1]) if hit else ""
        # A stand-in that shares no word with the question only sat near the failed claim ("Some
        # tests give results in 15-20 minutes" for how long the flu is contagious): dropped.
        # A clinician's terse question ("first-hour actions" for sepsis) shares few words with the
        # guideline's sentences ("Obtain blood cultures before administering antibiotics").
        off_question = stand_ins_share_a_word and bool(question) and not content_words(unit) & content_words(question)
        if unit and len(unit) <= MAX_REPLACEMENT and not _repeats(unit, shown) and not off_question:
            stats.replaced += 1
            quote = f"{unit.rstrip()} [{hit[0].n}]"
            shown.append(quote)
            stats.held.append(quote)
        if stats.supported and stats.held:
            yield from stats.held
            stats.held.clear()


#: A source unit longer than this (a whole list) does not stand in for a failed sentence of the
#: direct answer: the key points show the lists.
MAX_REPLACEMENT = 240


def clean_unit(unit: str) -> str:
    """A source unit as it may be shown: without a page heading glued to it or a list said twice;
    "" for a heading, a question or a fragment."""
    from bot.answers.select import strip_glued_heading
    from bot.answers.text import drop_repeated_tail, leans_back

    text = drop_repeated_tail(strip_glued_heading(unit)).strip()
    if not text or text.endswith("?") or text.split()[0].islower() or leans_back(text):
        return ""  # a heading, a question, a fragment, or a sentence that leans on the one before it
    return text


def _repeats(text: str, shown: Sequence[str], limit: float = 0.6) -> bool:
    words = content_words(ANY.sub("", text))
    for other in shown:
        o = content_words(ANY.sub("", other))
        if words and o and len(words & o) / len(words | o) > limit:
            return True
        if words and words <= o:
            return True
    return False


def repeats(text: str, shown: Sequence[str], limit: float = 0.6) -> bool:
    """Whether `text` restates something already shown (most of its words are there)."""
    return _repeats(text, shown, limit)


def check_free_answer(text: str, sources: Sequence[Source], embed=None, drugs=None) -> tuple[str, int]:
    """A freely written answer (a model that chose its own tools) with each sentence checked:
    an unbacked sentence is replaced by the closest source unit, or dropped when that is shown."""
    out: list[str] = []
    replaced = 0
    for paragraph in text.split("\n"):
        kept: list[str] = []
        for sentence in split_sentences(paragraph) if paragraph.strip() else []:
            if "[removed:" in sentence:  # the injection guard's own marker
                kept.append(sentence)
                continue
            verdict, cited = check_sentence(_tidy(sentence, len(sources)), sources, embed, drugs)
            if verdict.supported:
                kept.append(cited)
                continue
            replaced += 1
            hit = next(((s, u) for s in sources for u in s.units if in_context(s, u) == verdict.best), None)
            if hit and not _repeats(hit[1], kept + out):
                kept.append(f"{hit[1]} [{hit[0].n}]")
        out.append(" ".join(kept) if kept else "")
    return "\n".join(out).strip(), replaced
