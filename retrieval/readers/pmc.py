"""PubMed Central full-text articles in JATS XML (`.nxml`).

The abstract and each body section become sections (heading = the nearest `<sec><title>`);
figures, tables and reference lists are left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar, Iterator

from retrieval.errors import UserError
from retrieval.types import Document, Section

_SKIP = {"table-wrap", "fig", "ref-list", "xref", "table", "disp-formula", "inline-formula", "supplementary-material"}
_YEAR = re.compile(r"(1[89]\d\d|20\d\d)")


def _clean(text: str) -> str:
    return " ".join(text.split())


def _para_text(el) -> str:
    parts: list[str] = []

    def walk(node):
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    text = _clean("".join(parts))
    text = re.sub(r"[\[(]\s*[,;\u2013-]*\s*[\])]", "", text)  # brackets emptied by dropped citations
    return re.sub(r"\s+([.,;:)\]])", r"\1", text).strip()


def _strip_ns(root) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]


class PmcReader:
    """Reader for PMC open-access JATS articles."""

    suffixes: ClassVar[tuple[str, ...]] = (".nxml",)

    def read(self, path: Path) -> Iterator[Document]:
        from lxml import etree

        try:
            tree = etree.parse(str(path), etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            raise UserError(f"{path}: corrupt XML: {str(exc).splitlines()[0] if str(exc) else 'empty file'}") from None
        root = tree.getroot()
        _strip_ns(root)
        if root.tag != "article":
            raise UserError(f"{path}: not a JATS/PMC article (root <{root.tag}>)")
        meta_el = root.find("front/article-meta")
        ids = {}
        if meta_el is not None:
            for aid in meta_el.findall("article-id"):
                ids[aid.get("pub-id-type", "")] = (aid.text or "").strip()
        title = _clean("".join(root.find(".//title-group/article-title").itertext())) if root.find(".//title-group/article-title") is not None else ""
        journal = _clean("".join(root.find(".//journal-title").itertext())) if root.find(".//journal-title") is not None else ""
        year = None
        for pd in root.findall(".//article-meta/pub-date"):
            m = _YEAR.search(pd.findtext("year") or "")
            if m:
                year = int(m.group(1))
                break
        sections: list[Section] = []
        for ab in root.findall(".//article-meta/abstract"):
            for p in ab.iter("p"):
                t = _para_text(p)
                if t:
                    heading = p.getparent().findtext("title") if p.getparent() is not None else None
                    sections.append(Section(text=t, name=_clean(heading or "Abstract")))
        body = root.find("body")
        if body is not None:
            for p in body.iter("p"):
                if any(a.tag in _SKIP for a in p.iterancestors()):
                    continue
                t = _para_text(p)
                if not t:
                    continue
                heading = ""
                for anc in p.iterancestors("sec"):
                    h = anc.find("title")
                    if h is not None and _clean("".join(h.itertext())):
                        heading = _clean("".join(h.itertext()))
                        break
                sections.append(Section(text=t, name=heading))
        if not title and not sections:
            raise UserError(f"{path}: no title or text found")
        pmc = ids.get("pmc") or ids.get("pmcid") or ""
        if pmc and not pmc.upper().startswith("PMC"):
            pmc = "PMC" + pmc
        doc_id = f"pmc:{pmc}" if pmc else (f"pmid:{ids['pmid']}" if ids.get("pmid") else f"file:{path.stem}")
        pub_types = [t for t in [root.get("article-type", "").replace("-", " ")] if t]
        yield Document(doc_id=doc_id, kind="pmc", title=title or path.stem, sections=sections,
                       meta={"pmid": ids.get("pmid") or None, "pmcid": pmc or None, "doi": ids.get("doi") or None,
                             "journal": journal, "year": year, "pub_types": pub_types, "path": str(path)})
