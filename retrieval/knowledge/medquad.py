"""MedQuAD consumer-health answers (NIH, crawled 2017; CC BY 4.0): XML parsing and documents.

MedQuAD (Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019) holds question-answer pairs from
NIH websites. Subsets 1-9 keep their answers; `scripts/build_medquad.py` parses them with
`parse_document` into the compact `retrieval/data/medquad.jsonl.gz` shipped in the package, and
`documents` turns that file into one `Document` per pair (kind "medquad", collection "consumer").
"""

from __future__ import annotations

import gzip
import json
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

DATA_FILE = "medquad.jsonl.gz"
KIND = "medquad"
#: How answers are turned into text; a change re-ingests the bundled pairs in every home.
TEXT_FORMAT = "4"
AS_OF = "NIH, as of 2017"
CRAWL_YEAR = 2017
# The nine subsets whose answers survive (10-12 had them removed for copyright).
SUBSETS = ("1_CancerGov_QA", "2_GARD_QA", "3_GHR_QA", "4_MPlus_Health_Topics_QA", "5_NIDDK_QA", "6_NINDS_QA",
           "7_SeniorHealth_QA", "8_NHLBI_QA_XML", "9_CDC_QA")
SITE_NAMES = {
    "CancerGov": "National Cancer Institute (cancer.gov)", "GARD": "Genetic and Rare Diseases Information Center",
    "GHR": "Genetics Home Reference", "MPlusHealthTopics": "MedlinePlus Health Topics",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke", "NIHSeniorHealth": "NIHSeniorHealth",
    "NHLBI": "National Heart, Lung, and Blood Institute", "CDC": "Centers for Disease Control and Prevention",
}

_BULLET = re.compile(r"\s{2,}-\s+|^\s*-\s+")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_answer(text: str) -> str:
    """Normalise an answer's whitespace; inline "    - item" bullets become their own "- item" lines."""
    lines: list[str] = []
    for raw in text.replace("\r", "\n").split("\n"):
        parts = _BULLET.split(raw)
        for i, part in enumerate(parts):
            part = _SPACES.sub(" ", part).strip()
            if not part:
                continue
            bullet = i > 0 or bool(_BULLET.match(raw))
            lines.append(f"- {part}" if bullet else part)
    return "\n".join(lines)


def parse_document(xml_text: str | bytes, seen: set[str] | None = None, doc_id: str | None = None) -> list[dict[str, Any]]:
    """The answered question-answer pairs of one MedQuAD XML file, as records.

    Args:
        xml_text: the file's content (a `<Document id source url>` element).
        seen: ids already given: a repeated id gets ".2", ".3"...
        doc_id: the document id to use (the file name: a few CancerGov files share the id attribute).

    Returns:
        One record per pair with an answer: id ("<source>-<document id>-<pair>"), source, doc, pair,
        question (as written), qtype, focus, synonyms, url, answer (cleaned).

    Raises:
        ValueError: not a MedQuAD document.
    """
    root = ET.fromstring(xml_text)
    # Most files are <Document id source url>; a few use <DiseaseFile fid source> or <doc docid corpus>.
    source = root.get("source") or root.get("corpus")
    doc = doc_id or root.get("id") or root.get("fid") or root.get("docid")
    if not source or not doc:
        raise ValueError("not a MedQuAD document (no id and source attributes)")
    url = root.get("url") or ""
    focus = " ".join((root.findtext("Focus") or root.findtext("doctitle-focus") or "").split())
    synonyms = [" ".join(s.text.split()) for s in root.iter("Synonym") if s.text and s.text.strip()]
    out: list[dict[str, Any]] = []
    seen = set() if seen is None else seen
    for pair in root.iter("QAPair"):
        q = pair.find("Question")
        answer = clean_answer(pair.findtext("Answer") or "")
        question = " ".join((q.text or "").split()) if q is not None else ""
        if not answer or not question:
            continue
        pid = pair.get("pid") or str(len(out) + 1)
        rid = f"{source}-{doc}-{pid}"
        n = 2
        while rid in seen:
            rid = f"{source}-{doc}-{pid}.{n}"
            n += 1
        seen.add(rid)
        out.append({"id": rid, "source": source, "doc": doc, "pair": pid, "question": question,
                    "qtype": (q.get("qtype") or "") if q is not None else "", "focus": focus, "synonyms": synonyms,
                    "url": url, "answer": answer})
    return out


def parse_repository(root: Path, subsets: Iterable[str] = SUBSETS) -> Iterator[dict[str, Any]]:
    """Records of every XML file of the given subsets of a MedQuAD checkout, in a stable order."""
    root = Path(root)
    seen: set[str] = set()
    for name in subsets:
        folder = root / name
        if not folder.is_dir():
            raise UserError(f"{folder}: no such MedQuAD subset folder")
        for f in sorted(folder.glob("*.xml")):
            yield from parse_document(f.read_bytes(), seen, doc_id=f.stem)


def write_records(records: Iterable[dict[str, Any]], path: Path) -> int:
    """Write records as gzipped JSON lines (no name, mtime 0: the same input gives the same bytes)."""
    n = 0
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        for rec in records:
            gz.write((json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
            n += 1
    return n


def data_path():
    """The bundled data file (an importlib.resources Traversable)."""
    return resources.files("retrieval") / "data" / DATA_FILE


def read_records(path=None) -> Iterator[dict[str, Any]]:
    """Records of a MedQuAD JSON-lines file (default: the bundled one).

    Raises:
        UserError: the file is missing or not valid JSON lines.
    """
    src = data_path() if path is None else Path(path)
    from retrieval.knowledge.records import read_gz_jsonl

    yield from read_gz_jsonl(src, "MedQuAD")


# "Chest pain or discomfort.Most heart attacks involve ...": a list item's heading glued to its text.
_GLUED_ITEM = re.compile(r"^([A-Z][^.:;!?\n]{2,70}?)\.([A-Z][a-z])")
_GLUED_SENTENCE = re.compile(r"([a-z)])\.([A-Z][a-z])")


def repair_lists(answer: str) -> str:
    """Restore the lists the crawl flattened.

    Lines of "Heading.Text" after a line ending in ":" were list items whose heading lost its line
    break: they become "- Heading" items (one list with its lead-in) followed by "Heading: Text".
    Any other "word.Word" gets its space back.
    """
    lines = answer.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.rstrip().endswith(":") and i + 1 < len(lines) and _GLUED_ITEM.match(lines[i + 1]):
            heads, details = [], []
            j = i + 1
            while j < len(lines) and (m := _GLUED_ITEM.match(lines[j])):
                heads.append(m.group(1).strip())
                details.append(f"{m.group(1).strip()}: {lines[j][m.end(1) + 1:].strip()}")
                j += 1
            out += [line] + [f"- {h}" for h in heads] + details
            i = j
            continue
        if line.rstrip().endswith(":") and _short_line(lines, i + 1) and _short_line(lines, i + 2):
            out.append(line)  # a lead-in followed by short lines: a list that lost its bullets
            i += 1
            while _short_line(lines, i):
                out.append(f"- {lines[i].strip().rstrip('.')}")
                i += 1
            continue
        out.append(line)
        i += 1
    return _GLUED_SENTENCE.sub(r"\1. \2", "\n".join(out))


def _short_line(lines: list[str], i: int, limit: int = 110) -> bool:
    """Whether line i exists and reads like a list item (short, not itself a lead-in or an item)."""
    return i < len(lines) and 0 < len(lines[i].strip()) <= limit and not lines[i].rstrip().endswith(":") \
        and not lines[i].startswith("- ")


_INLINE_ITEM = re.compile(r"(?:(?<=[.!?:])|(?<=\binclude)|(?<=\bincludes)|(?<=\bare))\s+-\s+(?=\S)")


def answer_text(answer: str) -> str:
    """The answer as sentences; a list becomes one sentence with its lead-in.

    "Some common symptoms are\n- fatigue\n- weight gain" becomes "Some common symptoms are:
    fatigue; weight gain." so the items keep the line that says what they are (a patient asking
    for symptoms needs the list, not the "symptoms vary" line before it). Other lines end with
    punctuation so that they stay apart.
    """
    answer = repair_lists(answer)
    out: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if not items:
            return
        body = "; ".join(items) + "."
        if out:
            lead = out.pop().rstrip(" .:;,")
            out.append(f"{lead}: {body}")
        else:
            out.append(body[0].upper() + body[1:])
        items.clear()

    lines: list[tuple[bool, str]] = []
    for raw in answer.split("\n"):
        is_item = raw.startswith("- ")
        head, *inline = _INLINE_ITEM.split(raw[2:] if is_item else raw)  # "... depression. - feeling nervous"
        lines.append((is_item, head))
        lines.extend((True, part) for part in inline)
    for is_item, line in lines:
        line = line.strip()
        if not line:
            continue
        if is_item:
            items.append(line.rstrip(" .;,"))
            continue
        flush()
        out.append(line if line[-1] in ".!?:;" else line + ".")
    flush()
    return " ".join(out)


def to_document(rec: dict[str, Any]) -> Document:
    """One MedQuAD pair as a document: title = the question as written, body = the answer."""
    site = rec.get("source", "")
    meta = {"collection": "consumer", "url": rec.get("url") or None, "focus": rec.get("focus") or None,
            "synonyms": rec.get("synonyms") or None, "qtype": rec.get("qtype") or None, "site": site,
            "publisher": SITE_NAMES.get(site, site), "note": AS_OF, "year": CRAWL_YEAR,
            "cite_as": f"{SITE_NAMES.get(site, site)} ({AS_OF})"}
    return Document(doc_id=f"medquad:{rec['id']}", kind=KIND, title=rec["question"],
                    sections=[Section(text=answer_text(rec["answer"]))], meta=meta, version=f"2017.{TEXT_FORMAT}")


def replaced_by(rec: dict[str, Any], replaced: frozenset[str] | set[str]) -> bool:
    """Whether a MedlinePlus pair's page (`medlineplus.page_key` of its URL) has newer text bundled."""
    if rec.get("source") != "MPlusHealthTopics" or not replaced:
        return False
    from retrieval.knowledge.pages import page_key

    return page_key(rec.get("url")) in replaced


def documents(path=None, replaced: frozenset[str] | set[str] = frozenset()) -> Iterator[Document]:
    """Documents of a MedQuAD data file (default: the bundled one).

    Args:
        replaced: MedlinePlus pages whose newer text is bundled: their 2017 pairs are left out.
    """
    for rec in read_records(path):
        if not replaced_by(rec, replaced):
            yield to_document(rec)
