"""Medicine cards: one per label, every field a verbatim quote tied to its label section."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import quote_plus

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "medicines"

SECTION_TITLES = {
    "indications_and_usage": "Uses / Indications and Usage",
    "dosage_and_administration": "Directions / Dosage and Administration",
    "warnings": "Warnings",
    "warnings_and_cautions": "Warnings and Precautions",
    "boxed_warning": "Boxed Warning",
    "drug_interactions": "Drug Interactions",
    "adverse_reactions": "Adverse Reactions",
}

# OTC "Drug Facts" warnings run their sub-headings into one paragraph; these start a new unit.
_OTC_HEADINGS = [
    "Ask a doctor or pharmacist before use if", "Ask a doctor before use if", "When using this product",
    "Stop use and ask a doctor if", "Stop use and ask doctor if", "Do not use", "If pregnant or breast-feeding",
    "Keep out of reach of children", "In case of overdose", "Stomach bleeding warning", "Heart attack and stroke warning",
    "Liver warning", "Allergy alert", "Reye's syndrome",
]
_HEADING_RE = re.compile("|".join(re.escape(h) for h in sorted(_OTC_HEADINGS, key=len, reverse=True)))
# Prescription label sub-sections ("7.3 Drugs that ...", "5.1 Hemorrhage") also start a unit.
_RX_SUB = re.compile(r"(?<=[\s.])(?=\d{1,2}\.\d{1,2} [A-Z])")
# A sentence ends at a full stop before a capital; prescription labels often end one with "[see ...] ."
_SENT_END = re.compile(r"(?:(?<=[a-z0-9)\]%])(?<!\bSt)(?<!\bDr)(?<!\bvs)(?<!\bNo)|(?<=\] ))\.\s+(?=[A-Z(])")


@dataclass(frozen=True)
class Quote:
    """A verbatim piece of one label section."""

    text: str
    section: str
    label_id: str


@dataclass
class Card:
    """One FDA label and what medbot can say from it.

    Attributes:
        id: short key ("ibuprofen", "sitagliptin-metformin").
        product: product name as labelled (often a store brand).
        manufacturer: labeller.
        otc: over-the-counter (Drug Facts) label, else prescription.
        generic_names: established names on the label (lower case).
        substances: active ingredients (lower case).
        classes: FDA established pharmacologic classes ([EPC]/[MoA] as listed).
        sections: openFDA section name -> verbatim text (whole or selected sentences).
        complete: whether `sections` holds the whole sections (False: selected sentences).
        source: where the text was taken from (repository, path, commit).
    """

    id: str
    product: str
    manufacturer: str
    otc: bool
    route: str
    generic_names: list[str]
    substances: list[str]
    classes: list[str]
    sections: dict[str, str]
    complete: bool
    source: dict[str, str]
    label_date: str | None = None
    set_id: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """DailyMed page of the label (by set id when known, else a search for the product)."""
        if self.set_id:
            return f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={self.set_id}"
        return f"https://dailymed.nlm.nih.gov/dailymed/search.cfm?labeltype=all&query={quote_plus(self.product)}"

    @property
    def kind(self) -> str:
        return "OTC (nonprescription)" if self.otc else "prescription"

    def units(self, section: str) -> list[str]:
        """The section cut into quotable units: sentences, and OTC sub-headings start their own."""
        text = self.sections.get(section) or ""
        if not text:
            return []
        pieces = [text]
        for splitter in (_HEADING_RE, _RX_SUB):
            nxt = []
            for p in pieces:
                starts = sorted({0, *[m.start() for m in splitter.finditer(p) if m.start() > 0]})
                nxt += [p[a:b] for a, b in zip(starts, [*starts[1:], len(p)])]
            pieces = nxt
        out = []
        for p in pieces:
            out += _SENT_END.split(p)
        # Cross-references such as "( 7 )" left at the start of a unit are not text to quote.
        out = [re.sub(r"^(?:\(\s*[\d.]+\s*\)\s*)+", "", u.strip()) for u in out]
        return [u for u in out if u]

    def quotes(self, section: str, pattern: re.Pattern | None = None) -> list[Quote]:
        return [Quote(u if u.endswith((".", ")", "]")) else u, section, self.id) for u in self.units(section)
                if pattern is None or pattern.search(u)]

    def citation(self, section: str | list[str]) -> str:
        """'Product (manufacturer), OTC label, section X; label date ...; DailyMed link' as Markdown
        (several sections: 'sections "X", "Y"', the label named once)."""
        date = f"label date {self.label_date}" if self.label_date else "label date not recorded in the openFDA extract"
        secs = [section] if isinstance(section, str) else list(section)
        titles = ", ".join(f"\"{SECTION_TITLES.get(s, s.replace('_', ' ').title())}\"" for s in secs)
        return (f"FDA label: *{self.product}* ({self.manufacturer}), {self.kind}, section{'s' if len(secs) > 1 else ''} "
                f"{titles}; {date}; [DailyMed]({self.url})")

    def names(self) -> set[str]:
        """Every lower-case name this card answers to (product, generic names, ingredients, short forms)."""
        out = {self.product.lower(), self.id.replace("-", " ")}
        for n in [*self.generic_names, *self.substances]:
            out.add(n)
            out.add(_base_name(n))
        return {n for n in out if n}


_SALTS = re.compile(r"\b(hydrochloride|hcl|sodium|potassium|calcium|magnesium|sulfate|maleate|succinate|tartrate|"
                    r"besylate|citrate|mesylate|bromide|acetate|oxalate|bisulfate|propionate|trihydrate|dihydrate)\b")


def _base_name(name: str) -> str:
    """'warfarin sodium' -> 'warfarin', 'cetirizine hydrochloride' -> 'cetirizine'."""
    return re.sub(r"\s+", " ", _SALTS.sub("", name)).strip()


def base_name(name: str) -> str:
    """A drug name without its salt, lower case."""
    return _base_name(name.lower())


@cache
def _load(path: str) -> tuple[Card, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    cards = []
    for lab in data["labels"]:
        cards.append(Card(id=lab["id"], product=lab["product"], manufacturer=lab["manufacturer"],
                          otc="OTC" in lab["product_type"], route=lab["route"].lower(),
                          generic_names=[g.lower() for g in lab["generic_names"]],
                          substances=[s.lower() for s in lab["substances"]], classes=list(lab["classes"]),
                          sections=dict(lab["sections"]), complete=bool(lab["complete"]), source=dict(lab["source"]),
                          label_date=lab.get("label_date") or data.get("label_date"), set_id=lab.get("set_id"),
                          notes=list(lab.get("notes", []))))
    return tuple(cards)


def load_cards(path: Path | None = None) -> list[Card]:
    """The shipped medicine cards (or those of another labels file in the same format)."""
    return list(_load(str(path or DATA_DIR / "labels.json")))


@cache
def _brands(path: str) -> dict[str, dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))["brands"]


def load_brands(path: Path | None = None) -> dict[str, dict]:
    """brand (lower case) -> {"ingredients": [...], "source": ..., "note"?}."""
    return dict(_brands(str(path or DATA_DIR / "brands.json")))
