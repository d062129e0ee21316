"""Read: the sources an answer is written from, numbered, whole where they fit.

The model reads the best passages whole (an NIH answer, a guideline section with its heading and
grade), not a handful of sentences cut out of them, within a character budget that keeps prompt
processing inside the latency budget (about 400 tokens at 44-70 tokens/s on 2 cores). A passage
longer than its share keeps the units the selection chose and the ones around them, in reading
order; a list stays one unit ("Symptoms include: a; b; c.").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from bot.answers.cite import label
from bot.answers.text import split_sentences

#: Characters of source text the model reads (about 400 tokens: first words 10.8 s p50 on 2 cores; 1,200 gave
#: 8.8 s but the model then often missed a list further down the page: docs/answers.md).
READ_BUDGET = 1600
#: At most this many sources are read.
MAX_SOURCES = 3


@dataclass
class Source:
    """One numbered source the answer is written from.

    Attributes:
        n: its number in the answer ("[1]").
        passage: the search result (text, source fields).
        text: what the model reads of it (whole, or the units that fit its share).
        units: its sentences and lists, in reading order (what the check compares against).
    """

    n: int
    passage: Any
    text: str
    units: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return label(self.passage.source)

    @property
    def source(self) -> dict[str, Any]:
        return self.passage.source

    @property
    def title(self) -> str:
        s = self.passage.source
        return str(s.get("title") or s.get("cite_as") or "")

    def heading(self) -> str:
        """What the model sees above the text: number, title, section (with its grade), publisher."""
        s = self.passage.source
        head = f"[{self.n}] {self.title}"
        if s.get("section") and str(s["section"]) not in head:
            head += f" > {s['section']}"
        who = s.get("cite_as") or s.get("publisher") or s.get("journal")
        return head + (f" ({who})" if who and str(who) not in head else "")


def read_sources(passages: Sequence[Any], chosen: Sequence[str] = (), budget: int | None = None,
                 max_sources: int = MAX_SOURCES) -> list[Source]:
    """The passages the model reads, numbered from 1 in the order given.

    Args:
        passages: on-topic passages, best first (one per document is enough: the caller widens
            an NIH answer to the whole answer).
        chosen: units the selection picked (they are kept when a passage must be cut).
        budget: characters of text in all (None: `READ_BUDGET`); the first source gets up to two
            thirds of it.
        max_sources: at most this many passages.

    Returns:
        The sources, each with its text and units; passages of the same document appear once.
    """
    budget = READ_BUDGET if budget is None else budget
    out: list[Source] = []
    seen: set[str] = set()
    left = budget
    picked = set(chosen)
    for p in passages:
        if len(out) >= max_sources or left < 200:
            break
        key = label(p.source)
        if key in seen:
            continue
        seen.add(key)
        units = split_sentences(p.text)
        if not units:
            continue
        share = left if len(out) else min(left, int(budget * 2 / 3))
        text_units = _fit(units, picked, share)
        text = " ".join(text_units)
        left -= len(text)
        out.append(Source(len(out) + 1, p, text, units))
    return out


def _fit(units: list[str], picked: set[str], budget: int) -> list[str]:
    """The units that fit in `budget` characters: chosen ones first, then the next ones in reading
    order after each chosen unit, then from the top; returned in reading order."""
    if sum(len(u) + 1 for u in units) <= budget:
        return units
    order = [i for i, u in enumerate(units) if u in picked]
    order += [i + 1 for i in order if i + 1 < len(units)]
    order += list(range(len(units)))
    keep: set[int] = set()
    used = 0
    for i in dict.fromkeys(order):
        cost = len(units[i]) + 1
        if used + cost > budget:
            if not keep and units[i]:  # at least part of the best unit
                return [units[i][: max(0, budget - 1)].rsplit(" ", 1)[0] + "…"]
            continue
        keep.add(i)
        used += cost
    return [units[i] for i in sorted(keep)]
