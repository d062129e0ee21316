"""Question matching (question entailment): the user's question against answered questions.

Ben Abacha & Demner-Fushman (BMC Bioinformatics 2019) answer a consumer question by finding
MedQuAD questions it entails and returning their answers. Here a BM25 index over each MedQuAD
pair's question, focus and focus synonyms ranks the pairs; `HybridRetriever` turns the ranked
pairs into a list of their answer chunks and fuses it with passage retrieval (RRF).

Guideline sections take part the same way, as entries made of the summary's title, the guideline
name, its topics (registry keywords) and the section's heading path, with the last heading (e.g.
"Aspirin") as their focus: a question naming a drug or test finds the section headed by it even
when the section's bullets never repeat the condition.

The index lives beside the passage BM25 index (`<collection>/questions/`) and is rebuilt from the
catalog whenever the catalog's generation moves (a second or two for MedQuAD's 16k pairs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval.catalog import Catalog
from retrieval.knowledge.guidelines import KIND as GUIDELINE
from retrieval.knowledge.medquad import KIND as MEDQUAD
from retrieval.lexical import STOPWORDS, _quiet, _stemmer, tokenize
from retrieval.query_terms import glue_numbers, question_type, words

STOPWORD_SET = frozenset("a an and are as at be but by for if in into is it no not of on or such that the their then "
                         "there these they this to was will with".split())  # bm25s' English list

FORMAT = 6  # bumped when the saved files change (2: the lab guide joins; 3: numbers glued only after kind words;
# 4: acronyms that are also words; 5: capitalised words count; 6: MedlinePlus sections): older indexes are rebuilt
# A synonym in capitals ("GO", "ALL", "ARM") whose lower-case form is a word the NIH answers use this
# often in lower case is an everyday word too: it names its focus only when a message writes it in capitals.
AMBIGUOUS_ACRONYM_USES = 5
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,5}")
CHUNKS_PER_QUESTION = 3  # answer chunks a matched question contributes to the fused list
CANDIDATES = 100  # BM25 candidates re-scored by focus and question type
FOCUS_BONUS = 1.5  # the pair's focus (or a synonym) is named in the query
QTYPE_BONUS = 1.4  # the pair answers the kind of question asked (symptoms, treatment...)
QTYPE_MISMATCH = 0.7  # the query asks for another kind
# A number with the test's name asks what a result means: the lab guide's page before the topic pages
# ("Potassium" in food, "Diabetes") that name the same word.
LAB_VALUE_BONUS = 1.5
_VALUE = re.compile(r"\d")
# An entry whose focus the query names only in part ("toddler" of "Toddler Development") or not at all
# keeps this share of its score plus the rest in proportion to the focus words named: a question is
# about its focus, so "fever in toddler" finds "Fever" before "Toddler Development".
PARTIAL_FOCUS_FLOOR = 0.5
# Words of how people ask (and of their story's time and age), not of what they ask about. Left out of the query terms of question matching:
# the answered questions are written from templates ("What to do for X ?", "Do you have information
# about X", "What I need to know about X"), so "my child has a fever, what should I do" matched every
# "What to do for" pair on "what" and "do" ahead of the fever page. The question type still reads them.
ASKING_WORDS = frozenset("""
what whats how who whom whose why when where which do does did doing done can could should would may might
must shall am been being has have had having get gets got i im ive id me my mine myself we our us you your
yours he she him her his hers they them their it its please thank thanks thankyou hi hello dear help
know knew tell told anyone someone anybody somebody any some about just also very really so from up out
wonder wondering wondered question questions like want wanted need needs needed information info
year years old month months ago since still now lately recently currently day days week weeks
""".split())
# Guideline sections answer these kinds of question (they recommend tests, treatment, prevention).
GUIDELINE_QTYPES = frozenset({"treatment", "exams and tests", "prevention", "complications"})


def is_acronym(phrase: str) -> bool:
    return bool(_ACRONYM.fullmatch(phrase.strip()))


def ambiguous_acronyms(catalog: Catalog, acronyms: set[str]) -> set[str]:
    """The acronyms whose form in lower case or capitalised the consumer answers use as a word
    (`AMBIGUOUS_ACRONYM_USES` times or more): "ALL" (all), "GO" (go), "PAP" (the Pap test), but not
    "COPD" or "HIV"."""
    lower = {a.lower(): a for a in acronyms}
    if not lower:
        return set()
    counts: dict[str, int] = {}
    rows = catalog.db.execute("SELECT c.text FROM chunks c JOIN docs d ON d.doc_id = c.doc_id "
                              "WHERE d.kind IN ('medquad', 'medlineplus') AND d.deleted=0")
    # as a word: lower case or capitalised ("all", "All", "Pap test"), not in capitals
    word = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z0-9]{1,5}(?![A-Za-z0-9])")
    for (text,) in rows:
        for w in word.findall(text):
            w = w.lower()
            if w in lower:
                counts[w] = counts.get(w, 0) + 1
    return {lower[w] for w, n in counts.items() if n >= AMBIGUOUS_ACRONYM_USES}


def focus_key(phrase: str, ambiguous: set[str]) -> str:
    """How a focus phrase is stored: `words()` form, or "@ACRONYM" for an acronym that is also a word."""
    p = phrase.strip()
    return "@" + p if p in ambiguous else words(p)


def names_focus(key: str, q_words: str, query: str) -> bool:
    """Whether the query names a stored focus phrase (an "@" acronym only in capitals, as a word)."""
    if key.startswith("@"):
        return re.search(r"(?<![A-Za-z0-9])" + re.escape(key[1:]) + r"(?![A-Za-z0-9])", query) is not None
    return bool(key.strip()) and key in q_words


def question_text(title: str, meta: dict) -> str:
    """What the question index sees: the question, its focus and the focus synonyms."""
    parts = [title, meta.get("focus") or "", *(meta.get("synonyms") or [])]
    return glue_numbers(" \n".join(p for p in parts if p))


def heading_focus(section: str) -> str:
    """The subject of a section's last heading: 'A > Aspirin (Class I, Level A)' -> 'Aspirin'."""
    last = section.split(" > ")[-1]
    last = re.split(r"\s+[—–-]{1,2}\s+|\s*\(|:", last)[0]
    return last.strip()


def section_text(title: str, section: str, meta: dict) -> str:
    """What the index sees for a guideline section: title, guideline name, topics, heading path."""
    parts = [title, meta.get("guideline") or "", " ".join(meta.get("topics") or []), section]
    return glue_numbers(" \n".join(p for p in parts if p))


def focus_coverage(focus: list[str], q_words: str) -> float:
    """The largest share of one focus phrase's content words that the query names (0-1).

    Args:
        focus: the entry's focus phrases as `words()` strings (focus first, then synonyms).
        q_words: the query as a `words()` string.
    """
    have = set(q_words.split())
    have |= {w[:-1] for w in have if len(w) > 3 and w.endswith("s")}
    best = 0.0
    for f in focus:
        content = [w for w in f.split() if len(w) > 1 and w not in ASKING_WORDS and w not in STOPWORD_SET]
        if content:
            named = sum(1 for w in content if w in have or (len(w) > 3 and w.endswith("s") and w[:-1] in have))
            best = max(best, named / len(content))
    return best


@dataclass
class QuestionHit:
    """One matched question: its document, 1-based rank, score, answer chunk ids, and whether
    the query names its focus (or a synonym) and asks for its question type."""

    doc_id: str
    rank: int
    score: float
    chunks: list[str]
    focus_match: bool = False
    type_match: bool = False
    kind: str = MEDQUAD

    @property
    def confidence(self) -> float:
        """Weight of this match in the fusion: 1, plus 1 for the focus, plus 1 for the question type."""
        return 1.0 + float(self.focus_match) + float(self.type_match)


class QuestionIndex:
    """A loaded question index (BM25 over question + focus + synonyms of answered questions)."""

    def __init__(self, folder: Path):
        import bm25s

        _quiet()
        self.folder = Path(folder)
        state = json.loads((self.folder / "state.json").read_text())
        self.generation = int(state["generation"])
        self.n = int(state["n"])
        self.doc_ids = json.loads((self.folder / "doc_ids.json").read_text())
        self.chunks = json.loads((self.folder / "chunks.json").read_text())
        info = json.loads((self.folder / "info.json").read_text())
        self.qtypes = info["qtypes"]
        self.focus = info["focus"]
        self.kinds = info["kinds"]
        self.years = info["years"]
        self.ambiguous = set(info.get("ambiguous") or [])
        self.bm25 = bm25s.BM25.load(str(self.folder / "bm25"), mmap=False) if self.n else None
        self.stemmer = _stemmer()
        stems = bm25s.tokenize(sorted(ASKING_WORDS), stopwords=None, stemmer=self.stemmer, show_progress=False,
                               return_ids=False)
        self.asking = {t for word in stems for t in word}

    def _allowed(self, kind: str | None, keep) -> "np.ndarray":
        """Mask of the entries of `kind` that `keep` lets through (cached when `keep` has a `key`:
        the mask over 16k entries took 11 ms of every search)."""
        import numpy as np

        key = (kind, getattr(keep, "key", None)) if keep is None or hasattr(keep, "key") else None
        cache = self.__dict__.setdefault("_masks", {})
        if key is not None and key in cache:
            return cache[key]
        mask = np.array([(kind is None or kd == kind) and (keep is None or keep(kd, y))
                         for kd, y in zip(self.kinds, self.years)], dtype=bool)
        if key is not None:
            cache[key] = mask
        return mask

    def search(self, query: str, k: int = 20, qtype: str | None = None,
               keep=None, kind: str | None = None) -> list[QuestionHit]:
        """The k best-matching answered questions.

        Args:
            query: the user's question.
            k: how many matches at most.
            qtype: the question type asked, when the caller knows better than the cue words.
            keep: `keep(kind, year) -> bool` filter on the entries (collections, years).
            kind: only entries of this document kind ("medquad", "guideline").

        BM25 over question + focus + synonyms picks candidates (the query's asking words, "what",
        "do", "my", are left out of its terms); each score is then multiplied by `FOCUS_BONUS` when
        the pair's focus or one of its synonyms appears in the query, else by at most 1 in
        proportion to the focus words the query names (`focus_coverage`), and by `QTYPE_BONUS` /
        `QTYPE_MISMATCH` when the query asks for the pair's question type or another one (cue
        words: "signs" -> symptoms, "first-line" -> treatment...).
        """
        if not self.n or self.bm25 is None:
            return []
        import bm25s

        toks = bm25s.tokenize([glue_numbers(query)], stopwords=STOPWORDS, stemmer=self.stemmer,
                              show_progress=False, return_ids=False)
        terms = [w for w in toks[0] if w in self.bm25.vocab_dict]
        # What is asked about ranks the entries; how it is asked only when nothing else is left.
        terms = [w for w in terms if w not in self.asking] or terms
        if not terms:
            return []
        import numpy as np

        allowed = self._allowed(kind, keep)
        if not allowed.any():
            return []
        docs, scores = self.bm25.retrieve([terms], k=min(max(k, CANDIDATES), self.n), show_progress=False,
                                          weight_mask=allowed.astype(np.float32))
        asked = qtype or question_type(query)
        q_words = words(query)
        value = bool(_VALUE.search(query))
        scored = []
        for i, s in zip(docs[0].tolist(), scores[0].tolist()):
            if s <= 0:
                break
            if not allowed[i]:
                continue
            focus = any(names_focus(f, q_words, query) for f in self.focus[i])
            if focus:
                s *= FOCUS_BONUS
                if value and self.doc_ids[i].startswith("labs:"):
                    s *= LAB_VALUE_BONUS  # "potassium 5.9 on my blood test": the result, not the nutrient
            elif self.focus[i]:
                plain = [f for f in self.focus[i] if not f.startswith("@")]
                s *= PARTIAL_FOCUS_FLOOR + (1 - PARTIAL_FOCUS_FLOOR) * focus_coverage(plain, q_words)
            qt = self.qtypes[i]
            same_type = asked is not None and (qt == asked or (qt == "guideline" and asked in GUIDELINE_QTYPES))
            if asked is not None and qt and qt != "guideline":
                s *= QTYPE_BONUS if same_type else QTYPE_MISMATCH
            elif same_type:
                s *= QTYPE_BONUS
            scored.append((s, i, focus, same_type))
        scored.sort(key=lambda x: (-x[0], self.doc_ids[x[1]]))
        return [QuestionHit(self.doc_ids[i], rank, round(float(s), 6), self.chunks[i], focus, same_type, self.kinds[i])
                for rank, (s, i, focus, same_type) in enumerate(scored[:k], 1)]


def build_question_index(catalog: Catalog, folder: Path) -> int:
    """Rebuild the question index (MedQuAD pairs, guideline sections) of the catalog into `folder` (atomically).

    Returns:
        The number of entries indexed.
    """
    import bm25s

    _quiet()
    generation = catalog.generation
    # entry: (id, text, question type, focus phrases, kind, year, chunk ids)
    # MedlinePlus topics (title, aliases) and the lab guide rank with the MedQuAD pairs, USPSTF statements with the
    # guideline sections: entries carry the kind of the list they rank in.
    pairs = [(doc_id, t, m, chunks) for kind in (MEDQUAD, "labs")
             for doc_id, t, m, chunks in catalog.questions(kind, CHUNKS_PER_QUESTION) if chunks]
    # A MedlinePlus topic headed by questions ("What are the symptoms of colorectal cancer?") is an entry
    # per section, with that question's type, so the symptoms section answers "signs of colon cancer"
    # even when it is not among the topic's first chunks.
    for doc_id, section, t, m, chunks in catalog.sections("medlineplus", CHUNKS_PER_QUESTION):
        if chunks:
            qtype = (question_type(section) if section else None) or m.get("qtype") or ""
            pairs.append((f"{doc_id}#{section}" if section else doc_id, f"{t} {section}".strip() if section else t,
                          {**m, "qtype": qtype}, chunks))
    ambiguous = ambiguous_acronyms(catalog, {s.strip() for _, _, m, _ in pairs for s in m.get("synonyms") or []
                                             if is_acronym(s)})
    entries = [(doc_id, question_text(t, m), m.get("qtype") or "",
                [focus_key(f, ambiguous) for f in [m.get("focus") or "", *(m.get("synonyms") or [])] if f.strip()],
                MEDQUAD, m.get("year") or 0, chunks)
               for doc_id, t, m, chunks in pairs]
    entries += [(f"{doc_id}#{section}", section_text(t, section, m), "guideline",
                 [words(heading_focus(section))] if heading_focus(section) else [], GUIDELINE, m.get("year") or 0, chunks)
                for kind in (GUIDELINE, "uspstf")
                for doc_id, section, t, m, chunks in catalog.sections(kind, CHUNKS_PER_QUESTION) if chunks]
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}-{int(time.time() * 1000)}")
    tmp.mkdir()
    if entries:
        model = bm25s.BM25()
        model.index(tokenize([e[1] for e in entries], _stemmer()), show_progress=False)
        model.save(str(tmp / "bm25"))
    (tmp / "doc_ids.json").write_text(json.dumps([e[0] for e in entries]))
    (tmp / "chunks.json").write_text(json.dumps([e[6] for e in entries]))
    info = {"qtypes": [e[2] for e in entries], "focus": [e[3] for e in entries], "kinds": [e[4] for e in entries],
            "years": [e[5] for e in entries], "ambiguous": sorted(ambiguous)}
    (tmp / "info.json").write_text(json.dumps(info))
    (tmp / "state.json").write_text(json.dumps({"generation": generation, "n": len(entries), "format": FORMAT,
                                                "built_at": time.time()}))
    old = None
    if folder.exists():
        old = folder.with_name(f"{folder.name}.old-{os.getpid()}-{int(time.time() * 1000)}")
        os.replace(folder, old)
    os.replace(tmp, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return len(entries)


def question_generation(folder: Path) -> int | None:
    """Catalog generation the saved question index was built from (None if there is none or it is older)."""
    try:
        state = json.loads((Path(folder) / "state.json").read_text())
        return int(state["generation"]) if state.get("format") == FORMAT else None
    except (OSError, ValueError, KeyError):
        return None
