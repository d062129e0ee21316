"""Turn selected evidence into answer text, ask the LLM for a rewrite, and check it as it streams."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from bot.answers.select import Evidence
from bot.answers.support import Verdict, check_support
from bot.answers.text import content_words

_CITE = re.compile(r"\[((?:PMID|DOC):[^\]]+)\]")
_NUMBERED = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
_END = re.compile(r"(?<=[.!?])(?:\s*\[(?:(?:PMID|DOC):[^\]]+|\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\])*\s+(?=\S)")
#: Most tokens the LLM may write for its restatement (2-3 short sentences; ~10 tokens/s on 2 cores).
REWRITE_MAX_TOKENS = 120
#: Characters of selected evidence the LLM reads (prompt processing, ~30 tokens/s, is the slow part).
REWRITE_CONTEXT_CHARS = 1200


def source_line(ev: Evidence) -> str:
    """Where a guideline sentence comes from: 'summary of <guideline> (DOI), <section>'."""
    s = ev.source
    if s.get("collection") != "guideline":
        return ""
    if s.get("cite_as"):
        section = s.get("section") or ""
        return f"{s['cite_as']}, {section}" if section and section not in s["cite_as"] else str(s["cite_as"])
    name = s.get("guideline") or s.get("title") or "guideline"
    doi = s.get("doi")
    section = s.get("section") or ""
    head = f"summary of {name}" + (f" (doi:{doi})" if doi else "")
    return f"{head}, {section}" if section and section not in name else head


def evidence_markdown(evidence: Sequence[Evidence], role: str) -> str:
    """The selected sentences as a cited list, grouped by source in reading order."""
    title = "What the sources say" if role == "patient" else "Evidence"
    lines = [f"**{title}**"]
    for ev in evidence:
        where = source_line(ev)
        prefix = f"_{where}:_ " if where and role == "clinician" else ""
        lines.append(f"- {prefix}{ev.text} [{ev.label}]")
    return "\n".join(lines)


def rewrite_evidence(evidence: Sequence[Evidence], budget: int = REWRITE_CONTEXT_CHARS) -> list[Evidence]:
    """The selected sentences the LLM reads: the best-scoring ones (at least one) within `budget`
    characters, in their reading order. The reader sees all of them above the restatement."""
    keep: set[int] = set()
    used = 0
    for i in sorted(range(len(evidence)), key=lambda i: -evidence[i].score):
        if keep and used + len(evidence[i].text) > budget:
            continue
        keep.add(i)
        used += len(evidence[i].text)
    return [ev for i, ev in enumerate(evidence) if i in keep]


def rewrite_messages(system: str, question: str, evidence: Sequence[Evidence], earlier: str = "") -> list[dict[str, str]]:
    """The LLM's whole context: a short system prompt, the numbered sentences and the question
    (after the earlier question when this one is a follow-up).

    Sentences are cited by number ("[2]"), not by their labels: a label such as
    "[DOC:medquad:NIHSeniorHealth-0000066-3]" costs 15 tokens to read and as many to write back.
    `relabel` turns the numbers back into labels."""
    numbered = "\n".join(f"[{i}] {ev.text}" for i, ev in enumerate(evidence, 1))
    user = f"SENTENCES:\n{numbered}\n\n" + (f"EARLIER QUESTION: {earlier}\n" if earlier else "") + f"QUESTION: {question}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def relabel(sentence: str, evidence: Sequence[Evidence]) -> str:
    """The LLM's sentence with "[2]" / "[1, 3]" replaced by the labels of those sentences
    (numbers outside the list are removed; the check then uses every sentence)."""
    def sub(m: re.Match) -> str:
        labels = []
        for n in re.split(r"\s*[,;]\s*", m.group(1)):
            if 1 <= int(n) <= len(evidence) and evidence[int(n) - 1].label not in labels:
                labels.append(evidence[int(n) - 1].label)
        return "".join(f"[{x}]" for x in labels)

    out = _NUMBERED.sub(sub, sentence)
    out = re.sub(r"(\[(?:PMID|DOC):[^\]]+\])(?:\s*\1)+", r"\1", out)  # "[DOC:a][DOC:a]" -> "[DOC:a]"
    return re.sub(r"\s+([.!?])$", r"\1", out.strip())


def in_context(ev: Evidence) -> str:
    """The sentence with what its source says it is about (title, section heading): "Maintenance dose:
    75-100 mg" under "Aspirin (Class I)" is about aspirin."""
    s = ev.source
    if s.get("collection") == "literature":
        return ev.text
    about = list(dict.fromkeys(str(x) for x in (s.get("guideline") or s.get("cite_as"), s.get("title"), s.get("section"))
                               if x))
    return f"{' > '.join(about)}: {ev.text}" if about else ev.text


@dataclass
class RewriteStats:
    """What the support check did to the LLM's rewrite."""

    sentences: int = 0
    supported: int = 0
    dropped: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"llm_sentences": self.sentences, "supported": self.supported,
                "dropped": [{"sentence": d["sentence"], "why": d["why"]} for d in self.dropped]}


def checked_sentences(chunks: Iterable[str], evidence: Sequence[Evidence], embed: Callable | None,
                      stats: RewriteStats, drugs: Callable | None = None) -> Iterator[str]:
    """Yield the LLM's sentences one by one as they complete, each only if the evidence backs it.

    A sentence is checked against the evidence sentences it cites (all of them when it cites none
    or cites a label that is not among them). A sentence that claims nothing ("Yes.") is shown only
    together with a supported sentence after it.
    """
    pending: list[str] = []
    for sentence in _sentences(chunks):
        for kept in _check_one(relabel(sentence, evidence), evidence, embed, stats, drugs):
            if not content_words(_CITE.sub("", kept)):
                pending.append(kept)
                continue
            yield " ".join([*pending, kept])
            pending = []


def _sentences(chunks: Iterable[str]) -> Iterator[str]:
    buf = ""
    for piece in chunks:
        buf += piece
        while True:
            m = _END.search(buf)
            if not m:
                break
            sentence, buf = buf[:m.start() + len(m.group(0).rstrip())].strip(), buf[m.end():]
            yield sentence
    if re.search(r"(?:[.!?]|\])\s*$", buf):  # a last sentence cut off by the token limit is not shown
        yield buf.strip()


def _check_one(sentence: str, evidence: Sequence[Evidence], embed, stats: RewriteStats, drugs=None) -> Iterator[str]:
    lead = re.match(r"^((?:\s*\[(?:PMID|DOC):[^\]]+\])+)\s*(.+)$", sentence, re.S)
    if lead:  # a label written before its sentence goes after it
        body = lead.group(2).rstrip()
        sentence = f"{body[:-1] if body[-1:] in '.!?' else body} {lead.group(1).strip()}{body[-1] if body[-1:] in '.!?' else '.'}"
    if not re.search(r"[A-Za-z]{3}", sentence):
        return
    stats.sentences += 1
    labels = set(_CITE.findall(sentence))
    cited = [in_context(ev) for ev in evidence if ev.label in labels] or [in_context(ev) for ev in evidence]
    verdict: Verdict = check_support(sentence, cited, embed=embed, drugs=drugs)
    if verdict.supported:
        stats.supported += 1
        if not labels:  # every shown sentence is cited: the evidence sentence that backs it
            by_text = {in_context(ev): ev.label for ev in evidence}
            if verdict.best in by_text:
                body = sentence.rstrip()
                end = body[-1] if body[-1:] in ".!?" else "."
                sentence = f"{body.rstrip('.!?')} [{by_text[verdict.best]}]{end}"
        yield sentence
    else:
        stats.dropped.append({"sentence": sentence, "why": verdict.reason, "best": verdict.best})
