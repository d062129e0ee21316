"""What common adult lab results mean: a bundled guide written from open sources (consumer collection).

`retrieval/data/labs/labs.md` holds one document per test or panel (INR, potassium, sodium, glucose,
A1C, TSH, creatinine, eGFR, BUN, lipids, LDL, HDL, triglycerides, liver enzymes, ALP, bilirubin,
albumin, calcium, bicarbonate and chloride, the metabolic panels, CBC, hemoglobin, white cells,
platelets, urinalysis, urine albumin). Each gives the test's names, a lay answer, what high and low
results usually mean, units with conversions, when to get help (a "...:" lead-in with "- item"
lines) and a part for clinicians. A usual range is given only where the cited open source states it
(NIDDK, NHLBI, MedlinePlus, GARD, the `open-medicine` lab terminology and guideline summaries);
otherwise the text says the lab report shows its own range. `SOURCES.md` next to it lists the
sources and their licences.

File format: "# Title" starts a document; "key: value" lines follow (id, sources, url) up to a
blank line; "## Heading" starts a section.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path
from typing import Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

KIND = "labs"
DATA_FILE = "labs.md"
#: How the guide is turned into documents; a change re-ingests it in every home.
TEXT_FORMAT = "3"  # 2: focus is the test's name, aliases are its synonyms; 3: "- item" lists inline
EDITION = 2026
PUBLISHER = "medbot lab results guide"
_KEYS = ("id", "sources", "url")
_OPTIONAL = ("aliases",)
#: A name shorter than this would match inside other words ("K", "Hb"): it is left out of the synonyms.
MIN_ALIAS = 3
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def data_path() -> Path:
    """The bundled guide (`retrieval/data/labs/labs.md`)."""
    return Path(str(resources.files("retrieval") / "data" / "labs" / DATA_FILE))


def digest(path: Path | None = None) -> str:
    """Content digest of the guide and its text format (a change re-ingests it)."""
    p = data_path() if path is None else Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() + f".text{TEXT_FORMAT}"


def parse(text: str, where: str = DATA_FILE) -> list[dict]:
    """Records of the guide: title, id, sources, url and sections [(heading, body)].

    Raises:
        UserError: a document without an id, url or sources, a bad or repeated id, or no sections.
    """
    docs: list[dict] = []
    cur: dict | None = None
    in_head = False
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("# "):
            cur = {"title": line[2:].strip(), "sections": [], "line": n}
            docs.append(cur)
            in_head = True
            continue
        if cur is None:
            if line.strip():
                raise UserError(f"{where}:{n}: text before the first '# ' title")
            continue
        if in_head:
            if not line.strip():
                in_head = False
                continue
            key, sep, value = line.partition(":")
            if not sep or key.strip() not in _KEYS + _OPTIONAL:
                raise UserError(f"{where}:{n}: expected one of {', '.join(_KEYS + _OPTIONAL)} as 'key: value'")
            cur[key.strip()] = value.strip()
            continue
        if line.startswith("## "):
            cur["sections"].append([line[3:].strip(), []])
            continue
        if line.strip():
            if not cur["sections"]:
                raise UserError(f"{where}:{n}: text before the first '## ' section of '{cur['title']}'")
            cur["sections"][-1][1].append(line.strip())
    seen: set[str] = set()
    for d in docs:
        missing = [k for k in _KEYS if not d.get(k)]
        if missing or not d["sections"]:
            raise UserError(f"{where}:{d['line']}: '{d['title']}' lacks {', '.join(missing) or 'sections'}")
        if not _ID.match(d["id"]) or d["id"] in seen:
            raise UserError(f"{where}:{d['line']}: bad or repeated id '{d['id']}'")
        seen.add(d["id"])
        d["sections"] = [(name, inline_lists(body)) for name, body in d["sections"] if body]
    return docs


def inline_lists(lines: list[str]) -> str:
    """A section's lines as text, each "- item" list after its "lead:" line written as one
    sentence, "lead: a; b; c.", as the MedlinePlus lists are: the chunker joins lines with spaces,
    and an answer shows such a list as one unit, item by item."""
    out: list[str] = []
    in_list = False
    for line in lines:
        if line.startswith("- ") and out and (in_list or out[-1].endswith(":")):
            item = line[2:].strip().rstrip(".;")
            out[-1] += ("; " if in_list else " ") + item
            in_list = True
            continue
        if in_list:
            out[-1] += "."
        out.append(line)
        in_list = False
    if in_list:
        out[-1] += "."
    return "\n".join(out)


def names(rec: dict) -> tuple[str, list[str]]:
    """The test's name and its other names: 'Potassium blood test (K, K+, serum potassium): ...' with
    'aliases: potassium, hyperkalemia' -> ('Potassium blood test', ['potassium', 'hyperkalemia', 'serum potassium']).

    Names shorter than `MIN_ALIAS` letters are left out: "K" would match any word with a k.
    """
    name = rec["title"].split(":")[0]
    head = name.split(" (")[0].strip()
    inner = name[len(head):].strip().strip("()")
    others = [a.strip() for a in (rec.get("aliases") or "").split(",")]
    others += [a.strip() for part in inner.split(";") for a in part.split(":")[-1].split(",")]
    seen = {head.lower()}
    out = []
    for a in others:
        letters = sum(ch.isalnum() for ch in a)
        if letters >= MIN_ALIAS and a.lower() not in seen:
            seen.add(a.lower())
            out.append(a)
    return head, out


def to_document(rec: dict) -> Document:
    """One guide record as a consumer document (kind "labs")."""
    note = f"summary written for medbot from {rec['sources']} ({EDITION})"
    focus, synonyms = names(rec)
    meta = {"collection": "consumer", "url": rec["url"], "publisher": PUBLISHER, "note": note, "year": EDITION,
            "cite_as": f"{PUBLISHER}: {rec['title'].split(':')[0]} (from {rec['sources']})", "focus": focus,
            "synonyms": synonyms or None, "sources": rec["sources"], "qtype": "information"}
    sections = [Section(text=body, name=name) for name, body in rec["sections"]]
    return Document(doc_id=f"labs:{rec['id']}", kind=KIND, title=rec["title"], sections=sections, meta=meta,
                    version=f"{EDITION}.{TEXT_FORMAT}")


def documents(path: Path | None = None) -> Iterator[Document]:
    """Documents of the guide (default: the bundled one).

    Raises:
        UserError: the file is missing or malformed.
    """
    p = data_path() if path is None else Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{p}: cannot read the lab results guide ({exc.strerror or exc})") from None
    for rec in parse(text, str(p)):
        yield to_document(rec)
