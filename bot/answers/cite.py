"""The one citation grammar of medbot's answers.

Internally a source is named by its label: `[PMID:123]` for a MEDLINE citation, `[DOC:<id>]` for
anything else (an NIH answer, a guideline section, a medicine label, a user file). A person reads
numbers instead: `[1]`, `[2]`, with a numbered source list under the answer (title, publisher,
date, link). The labels stay in `--json`, the audit log and the reports.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

#: One raw label: "[PMID:123]", "[DOC:medquad:NIDDK-0000223-5]".
LABEL = re.compile(r"\[((?:PMID|DOC):\s*[A-Za-z0-9_.:\-/]+)\]")
#: One numbered citation: "[2]", "[1, 3]", "[1][2]" is two of them.
NUMBERS = re.compile(r"\[(\d{1,2}(?:\s*[,;]\s*\d{1,2})*)\]")
#: Any citation, raw or numbered (what a sentence splitter must keep with its sentence).
ANY = re.compile(rf"{LABEL.pattern}|{NUMBERS.pattern}")


def label(source: Mapping[str, Any]) -> str:
    """The label of a passage's source: `PMID:123` or `DOC:<id>`."""
    if source.get("pmid"):
        return f"PMID:{source['pmid']}"
    return f"DOC:{source.get('doc_id') or source.get('id')}"


def labels_in(text: str) -> list[str]:
    """The raw labels a text cites, in order, each once."""
    return list(dict.fromkeys(re.sub(r"\s+", "", m) for m in LABEL.findall(text)))


def numbers_in(text: str) -> list[int]:
    """The source numbers a text cites, in order, each once ("[1, 3] ... [2]" -> [1, 3, 2])."""
    out: list[int] = []
    for group in NUMBERS.findall(text):
        for n in re.split(r"\s*[,;]\s*", group):
            if int(n) not in out:
                out.append(int(n))
    return out


def strip(text: str) -> str:
    """The text without any citation, raw or numbered."""
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"  +", " ", ANY.sub("", text))).strip()


def numbered(text: str, numbers: Mapping[str, int]) -> str:
    """Raw labels replaced by their numbers ("[DOC:a]" -> "[1]"); a label without a number is removed."""
    def sub(m: re.Match) -> str:
        n = numbers.get(re.sub(r"\s+", "", m.group(1)))
        return f"[{n}]" if n else ""

    out = LABEL.sub(sub, text)
    out = re.sub(r"(\[\d{1,2}\])(?:\s*\1)+", r"\1", out)  # "[1][1]" -> "[1]"
    return re.sub(r" +([.,;:!?])", r"\1", out)


def keep_numbers(text: str, allowed: Iterable[int]) -> str:
    """Numbered citations limited to `allowed` ("[1, 7]" -> "[1]" when there is no source 7)."""
    ok = set(allowed)

    def sub(m: re.Match) -> str:
        kept = [n for n in re.split(r"\s*[,;]\s*", m.group(1)) if int(n) in ok]
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    return re.sub(r" +([.,;:!?])", r"\1", NUMBERS.sub(sub, text))


def source_entry(n: int, source: Mapping[str, Any]) -> str:
    """One line of the numbered source list: "[1] Heart Attack — MedlinePlus Health Topics (NIH, as of
    2017) — <https://...>"; a guideline gives its citation ("summary of <guideline> (doi:...)")."""
    title = str(source.get("title") or source.get("cite_as") or "untitled source")
    parts = [f"[{n}] {title}"]
    who = source.get("cite_as") or source.get("publisher") or ", ".join(
        str(x) for x in (source.get("journal"), source.get("year")) if x)
    if who and str(who) not in title:
        parts.append(str(who))
    if source.get("section") and source.get("collection") == "guideline" and str(source["section"]) not in title:
        parts.append(str(source["section"]))
    if source.get("note") and str(source["note"]) not in " ".join(parts):
        parts.append(str(source["note"]))
    url = source.get("url") or (f"https://pubmed.ncbi.nlm.nih.gov/{source['pmid']}/" if source.get("pmid") else "")
    if url:
        parts.append(f"<{url}>")
    return " — ".join(parts)


def source_list(sources: Iterable[tuple[int, Mapping[str, Any]]]) -> str:
    """The numbered source list shown under an answer."""
    lines = [source_entry(n, s) for n, s in sources]
    return "**Sources**\n" + "\n".join(f"{line}  " for line in lines) if lines else ""


def reading_line(sources: Iterable[Mapping[str, Any]]) -> str:
    """What the terminal shows while the model reads: "Reading: [1] Heart Attack · [2] ..."."""
    return "Reading: " + " · ".join(f"[{s['n']}] {s['title']}" for s in sources)
