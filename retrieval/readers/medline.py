"""PubMed/MEDLINE citation XML (`.xml`, `.xml.gz`): baseline and update files.

Streams the file with lxml's iterparse (clearing each citation after use, so memory stays flat)
and handles structured abstracts (labels become sections), MeSH headings, publication types
and `DeleteCitation` notices of update files.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any, ClassVar, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

_NLM_FILE = re.compile(r"pubmed(\d{2})n(\d{4})", re.I)
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def file_version(path: Path) -> str:
    """Sortable release key of an NLM file name: `pubmed21n1298` -> "21-1298"; others "00-0000".

    Update files of a year are numbered after its baseline files, and a later year's files
    come after the earlier year's, so the string order is the release order.
    """
    m = _NLM_FILE.search(path.name)
    return f"{m.group(1)}-{m.group(2)}" if m else "00-0000"


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def _texts(els) -> list[str]:
    """Plain text of simple elements (no inline markup expected), empty ones dropped."""
    out = []
    for el in els:
        t = el.text.strip() if el.text and len(el) == 0 else _text(el)
        if t:
            out.append(t)
    return out


def _year(article) -> int | None:
    for xp in ("Journal/JournalIssue/PubDate/Year", "Journal/JournalIssue/PubDate/MedlineDate", "ArticleDate/Year"):
        el = article.find(xp)
        if el is not None and el.text:
            m = _YEAR.search(el.text)
            if m:
                return int(m.group(1))
    return None


def _date(el) -> str:
    if el is None:
        return "00000000"
    parts = [(el.findtext(k) or "0").strip() for k in ("Year", "Month", "Day")]
    try:
        return "%04d%02d%02d" % tuple(int(p) for p in parts)
    except ValueError:
        return "00000000"


def parse_citation(cit, release: str) -> Document | None:
    """A `MedlineCitation` element to a Document (None when it has no PMID or no title)."""
    pmid = (cit.findtext("PMID") or "").strip()
    article = cit.find("Article")
    if not pmid or article is None:
        return None
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    title = title.strip().rstrip(".") if title.strip() not in ("", "[Not Available]") else ""
    sections: list[Section] = []
    for at in article.findall("Abstract/AbstractText"):
        body = _text(at)
        if body:
            label = (at.get("Label") or "").strip()
            sections.append(Section(text=body, name="" if label.upper() == "UNASSIGNED" else label.title()))
    if not title and not sections:
        return None
    meta: dict[str, Any] = {
        "pmid": pmid,
        "journal": _text(article.find("Journal/Title")) or _text(article.find("Journal/ISOAbbreviation")),
        "year": _year(article),
        "pub_types": _texts(article.findall("PublicationTypeList/PublicationType")),
        "mesh": _texts(cit.findall("MeshHeadingList/MeshHeading/DescriptorName")),
        "keywords": _texts(cit.findall("KeywordList/Keyword")),
    }
    version = f"{release}|{_date(cit.find('DateRevised'))}"
    return Document(doc_id=f"pmid:{pmid}", kind="pubmed", title=title or "(untitled)", sections=sections,
                    meta=meta, version=version)


class MedlineReader:
    """Reader for PubMed/MEDLINE citation sets."""

    suffixes: ClassVar[tuple[str, ...]] = (".xml", ".xml.gz")

    def read(self, path: Path) -> Iterator[Document]:
        from lxml import etree

        release = file_version(path)
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        count = 0
        try:
            with opener(path, "rb") as fh:
                it = etree.iterparse(fh, events=("end",), huge_tree=True,
                                     tag=("MedlineCitation", "DeleteCitation", "PubmedArticle", "PubmedBookArticle"))
                for _, el in it:
                    count += 1
                    if el.tag == "MedlineCitation":
                        doc = parse_citation(el, release)
                        if doc is not None:
                            yield doc
                        el.clear()
                    elif el.tag == "DeleteCitation":
                        for p in el.findall("PMID"):
                            if p.text and p.text.strip():
                                yield Document(doc_id=f"pmid:{p.text.strip()}", kind="pubmed", title="",
                                               version=f"{release}|99999999", deleted=True)
                        el.clear()
                    else:  # a finished article: free it and the siblings before it
                        el.clear()
                        parent = el.getparent()
                        while parent is not None and el.getprevious() is not None:
                            del parent[0]
                root = it.root
        except etree.XMLSyntaxError as exc:
            msg = str(exc).splitlines()[0] if str(exc) else ""
            if "Document is empty" in msg or "no element found" in msg:
                raise UserError(f"{path}: empty XML file") from None
            raise UserError(f"{path}: corrupt XML: {msg}") from None
        except (EOFError, gzip.BadGzipFile) as exc:
            raise UserError(f"{path}: truncated or corrupt gzip: {exc}") from None
        if root is None:
            raise UserError(f"{path}: empty XML file")
        if count == 0 and root.tag not in ("PubmedArticleSet", "MedlineCitationSet"):
            raise UserError(f"{path}: not a PubMed/MEDLINE XML file (root <{root.tag}>)")
