"""MedlinePlus health topics (NLM, September 2026): plain-language summaries with lay synonyms.

The NLM publishes its health-topic summaries as a bulk XML file. The copy read here was processed
to JSON (title, summary, aliases such as "Bellyache" or "Zits", groups, URL), which flattened the
summaries' lists into running text ("Get medical help immediately if: You have abdominal pain that
is sudden and sharp You also have pain in your chest..."). `parse_topic` restores what it can:

- the trailing line naming the summary's source ("NIH: National Institute of ...", "Centers for
  Disease Control and Prevention") is cut from the text and kept as `source_org`;
- a list after a "...:" lead-in becomes "- item" lines: items are split where a word ends and the
  next starts with a capital letter, and where an item of the 2017 version of the same page (as
  MedQuAD kept it, with its list breaks) starts or ends;
- "What is ...?" / "How is ... diagnosed?" questions start sections named by them.

`scripts/build_medlineplus.py` writes the records to `retrieval/data/medlineplus.jsonl.gz`;
`documents` turns each topic into one `Document` (kind "medlineplus", collection "consumer"), whose
list items are joined to their lead-in as MedQuAD answers are ("Get medical help immediately if: a;
b; c."). MedQuAD's 2017 copies of the same pages are replaced by URL (`page_key`).
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from retrieval.knowledge.pages import page_key  # noqa: F401 - part of this module's API
from retrieval.types import Document, Section

DATA_FILE = "medlineplus.jsonl.gz"
KIND = "medlineplus"
#: How records become documents; a change re-ingests the topics in every home.
TEXT_FORMAT = "1"
PUBLISHER = "MedlinePlus, National Library of Medicine"
CREDIT = "Courtesy of MedlinePlus from the National Library of Medicine"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
# Words that name an organisation in a summary's trailing source line.
_ORG_WORDS = re.compile(r"\b(Administration|Agency|Centers?|Institutes?|Department|Office|Services?|Library|"
                        r"Council|Foundation|Association|Academy|Society|Program|Commission|Bureau|Prevention)\b")
_CONNECTORS = {"and", "of", "for", "on", "the", "in", "&"}
# A question that opens a part of the summary ("What causes acute flaccid myelitis (AFM)?").
# A question used as a heading: after a sentence's end, or after the last item of a flattened list
# ("... Children younger than one What are the symptoms of sepsis? Sepsis can ...": a word, then a
# capitalised question word, the question, and a capital after it).
_QW = r"(?:What|How|Who|Why|When|Where|Can|Is|Are|Does|Do|Should|Which)"
# the question's words: never another capitalised question word (a list item "How it enters your body" before it)
_QBODY = rf"(?:(?!\b{_QW}\b)[^.!?:]){{3,160}}\?"
_QUESTION = re.compile(rf"(?:(?<=^)|(?<=[.!?:] )|(?<=[a-z0-9)] )(?={_QW}\b{_QBODY}\s+[A-Z]))({_QW}\b{_QBODY})\s+")
# Between list items: a word (or %, ")", a digit) ends and the next item starts with a capital.
_ITEM_BREAK = re.compile(r"(?<=[a-z0-9%)'’\]])\s+(?=(?:[A-Z][a-z'’]|[A-Z]{2,}|A |I )\S*)")
# A capital after these words continues the item ("such as Down syndrome", "called Lyme disease").
_NO_BREAK_AFTER = {"a", "an", "the", "as", "of", "and", "or", "with", "to", "in", "for", "by", "from", "on", "at",
                   "than", "like", "called", "named", "your", "their", "his", "her", "is", "are", "include",
                   "including", "type", "vs", "via", "about", "into", "over", "under", "after", "before"}


def split_source(summary: str) -> tuple[str, str | None]:
    """(summary without its trailing source line, that source or None).

    The line is "NIH: <institute>" or an organisation's name in title case ("Centers for Disease
    Control and Prevention") at the very end, after the last sentence or list item.
    """
    text = " ".join(summary.split())
    m = re.search(r"(?:^|(?<=[\s.!?]))NIH: [A-Z][^.!?:]*$", text)
    if m:
        return text[:m.start()].rstrip(), m.group(0).strip()
    words = text.split(" ")
    i = len(words)
    while i > 0:
        w = words[i - 1]
        if w[:1].isupper() or w == "U.S." or (w in _CONNECTORS and i < len(words)):
            i -= 1
            continue
        break
    while i < len(words) and words[i] in _CONNECTORS:
        i += 1
    tail = " ".join(words[i:])
    if tail and len(words) - i >= 2 and _ORG_WORDS.search(tail) and not re.search(r"[.!?]$", tail):
        return " ".join(words[:i]).rstrip(), tail
    return text, None


def _tidy(text: str) -> str:
    """Spaces left where links were cut ('diabetes .' -> 'diabetes.')."""
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\(\s+", "(", text)
    return re.sub(r"\s+\)", ")", text)


def _known_breaks(span: str, items: Iterable[str]) -> tuple[set[int], list[tuple[int, int]]]:
    """Offsets in `span` where a known item starts or ends, and the (start, end) of each found item."""
    cuts: set[int] = set()
    inside: list[tuple[int, int]] = []
    for item in items:
        item = item.strip().rstrip(".;")
        if len(item) < 4:
            continue
        for m in re.finditer(re.escape(item), span):
            start, end = m.start(), m.end()
            if start > 0 and not span[start - 1].isspace():
                continue
            cuts.update({start, end})
            inside.append((start, end))
    return cuts, inside


def _split_items(span: str, known: Iterable[str] = ()) -> list[tuple[int, str]]:
    """(offset, item) of a flattened list (text after its lead-in's colon, before the next sentence)."""
    cuts, inside = _known_breaks(span, known)
    for m in _ITEM_BREAK.finditer(span):
        before = span[:m.start()].split(" ")[-1].lower().strip(",")
        if before in _NO_BREAK_AFTER:
            continue
        if any(s < m.start() and m.end() < e for s, e in inside):
            continue  # inside an item the 2017 page kept whole
        if re.match(r"[A-Z]{2,}\b", span[m.end():]) and len(span[max(cuts | {0}, key=lambda c: c if c <= m.start() else -1):m.start()].split()) < 2:
            continue  # "Sometimes AFM can..." : an acronym after a lone word goes on the sentence
        cuts.add(m.end())
    bounds = [0] + sorted(c for c in cuts if 0 < c < len(span)) + [len(span)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        piece = span[a:b].strip().rstrip(",;")
        if piece:
            out.append((a, piece))
    return out


def restore_lists(text: str, known: Iterable[str] = ()) -> str:
    """Put flattened lists back on "- item" lines under their "...:" lead-in.

    After each colon, the text up to the next sentence end is the list. The last piece before a
    sentence end is prose that follows the list ("Avoid the sun Treatments for acne include
    medicines and creams." -> item "Avoid the sun", then the sentence), unless the text ends there.

    Args:
        text: one part of a summary (no source line).
        known: list items of an earlier version of the page, used as sure boundaries.
    """
    known = list(known)
    out: list[str] = []
    pos = 0
    for m in re.finditer(r":\s+(?=[A-Z0-9])", text):
        if m.start() < pos:
            continue
        # The list runs to the next sentence end, or to the next lead-in's colon (a list after a list).
        end_m = re.search(r"[.!?](?=\s|$)|:\s", text[m.end():])
        stop = m.end() + end_m.start() if end_m else len(text)
        span = text[m.end():stop]
        pieces = _split_items(span, known)
        if len(pieces) < 2 and end_m is not None:
            continue  # "There are two main types of bronchitis: acute and chronic." is a sentence
        resume = stop
        if end_m is not None:
            resume = m.end() + pieces.pop()[0]  # the last piece starts the sentence after the list
            if not pieces:
                continue
        out.append(text[pos:m.start()].strip() + ":")
        out.extend(f"- {p}" for _, p in pieces)
        pos = resume
    rest = text[pos:].strip()
    if rest:
        out.append(rest)
    return "\n".join(x for x in out if x.strip())


def split_questions(text: str) -> list[tuple[str, str]]:
    """(question heading or "", text) parts of a summary that asks questions as headings."""
    parts: list[tuple[str, str]] = []
    name, last = "", 0
    for m in _QUESTION.finditer(text):
        body = text[last:m.start()].strip()
        if body:
            parts.append((name, body))
        name, last = m.group(1).strip(), m.end()
    body = text[last:].strip()
    if body:
        parts.append((name, body))
    return parts


def parse_topic(raw: dict[str, Any], known_items: Iterable[str] = ()) -> dict[str, Any]:
    """One topic of the processed bulk file as a record.

    Args:
        raw: {"id", "title", "summary", "aliases", "groups", "url", "language"}.
        known_items: list items of the 2017 version of the page (MedQuAD), as boundary hints.

    Returns:
        {id, title, url, aliases, groups, source_org, sections: [{name, text}]}; list items are
        "- item" lines under their "...:" lead-in.

    Raises:
        ValueError: no title, summary or URL.
    """
    title, summary, url = (raw.get("title") or "").strip(), raw.get("summary") or "", (raw.get("url") or "").strip()
    if not title or not summary.strip() or not url:
        raise ValueError(f"topic {raw.get('id')!r}: no title, summary or url")
    text, org = split_source(summary)
    known = list(known_items)
    sections = [{"name": name, "text": restore_lists(_tidy(body), known)} for name, body in split_questions(_tidy(text))]
    return {"id": str(raw.get("id") or page_key(url) or title), "title": title, "url": url,
            "aliases": [a.strip() for a in raw.get("aliases") or [] if a and a.strip()],
            "groups": [g.strip() for g in raw.get("groups") or [] if g and g.strip()],
            "source_org": org, "sections": [s for s in sections if s["text"]]}


def release_of(generated_at: str) -> tuple[str, int, str]:
    """('2026-09-22', 2026, 'September 2026') from the bulk file's date."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", generated_at or "")
    if not m:
        raise ValueError(f"no release date in {generated_at!r}")
    year, month = int(m.group(1)), int(m.group(2))
    return m.group(0), year, f"{_MONTHS[month - 1]} {year}"


def parse_bulk(data: dict[str, Any], known: dict[str, list[str]] | None = None) -> Iterator[dict[str, Any]]:
    """Records of a processed bulk file ({generatedAt, sourceUrl, topics: [...]}), English topics only.

    Each record carries the release ("2026-09-22") and its label ("September 2026"). A topic whose
    summary is empty in the file (2 of 1,017 in September 2026: "Electromagnetic Fields", "Lactose
    Intolerance") is left out; MedQuAD's 2017 copy of its page then stays.
    """
    release, _, label = release_of(data.get("generatedAt") or "")
    known = known or {}
    for raw in data.get("topics") or []:
        if (raw.get("language") or "en") != "en" or not (raw.get("summary") or "").strip():
            continue
        rec = parse_topic(raw, known.get(page_key(raw.get("url")) or "", []))
        rec.update(release=release, release_label=label)
        yield rec


def data_path():
    """The bundled data file (an importlib.resources Traversable)."""
    return resources.files("retrieval") / "data" / DATA_FILE


def read_records(path=None) -> Iterator[dict[str, Any]]:
    """Records of a MedlinePlus JSON-lines file (default: the bundled one).

    Raises:
        UserError: the file is missing or not valid JSON lines.
    """
    src = data_path() if path is None else Path(path)
    from retrieval.knowledge.records import read_gz_jsonl

    yield from read_gz_jsonl(src, "MedlinePlus")


def digest(path=None) -> str:
    """sha256 of the data file plus the text format: what `ensure_bundled` remembers."""
    src = data_path() if path is None else Path(path)
    return hashlib.sha256(src.read_bytes()).hexdigest() + f".text{TEXT_FORMAT}"


def replaced_pages(path=None) -> frozenset[str]:
    """The MedlinePlus pages (`page_key`) this data file holds: their 2017 MedQuAD copies give way."""
    return frozenset(k for rec in read_records(path) if (k := page_key(rec.get("url"))))


def to_document(rec: dict[str, Any]) -> Document:
    """One topic as a document: title = the topic, one section per question heading."""
    from retrieval.knowledge.medquad import answer_text

    label = rec.get("release_label") or ""
    year = int(rec["release"][:4]) if rec.get("release") else None
    org = rec.get("source_org")
    note = f"MedlinePlus, {label}" if label else "MedlinePlus"
    cite = f"{CREDIT} ({rec['title']}, {label})" if label else f"{CREDIT} ({rec['title']})"
    meta = {"collection": "consumer", "url": rec.get("url") or None, "focus": rec["title"],
            "synonyms": rec.get("aliases") or None, "groups": rec.get("groups") or None, "publisher": PUBLISHER,
            "source_org": org, "note": note, "year": year, "cite_as": cite + (f"; source: {org}" if org else "")}
    sections = [Section(text=answer_text(s["text"]), name=s.get("name") or "") for s in rec.get("sections") or []]
    return Document(doc_id=f"medlineplus:{page_key(rec.get('url')) or rec['id']}", kind=KIND, title=rec["title"],
                    sections=[s for s in sections if s.text], meta={k: v for k, v in meta.items() if v is not None},
                    version=f"{rec.get('release', '')}.{TEXT_FORMAT}")


def documents(path=None) -> Iterator[Document]:
    """Documents of a MedlinePlus data file (default: the bundled one)."""
    for rec in read_records(path):
        yield to_document(rec)
