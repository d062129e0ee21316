"""CPIC recommendations for called phenotypes, and the patient's medicines against them."""

from __future__ import annotations

import re
from typing import Any

from genomics_tools.errors import UserError
from genomics_tools.pgx.tables import Tables

_LEVEL_ORDER = {"A": 0, "A/B": 1, "B": 2, "B/C": 3, "C": 4, "C/D": 5, "D": 6}


def _cpic_rows(tables: Tables, drug: str, genes: list[str]) -> list[dict[str, str]]:
    return [r for r in tables.cpic if r["Drug"].lower() == drug.lower() and set(r["Gene"].split(";")) & set(genes)]


def recommendations(phenotypes: dict[str, str], tables: Tables, on_list: set[str] = frozenset()) -> list[dict[str, Any]]:
    """Every recommendation row whose gene phenotypes all match the called ones.

    Rows whose text is 'None' (no recommendation for that phenotype) are left out. Order: drugs on
    the medication list first, then actionable phenotypes (abnormal priority), then CPIC level, drug.
    """
    out = []
    for r in tables.recommendations:
        pairs = [(r["Gene1"], r["Phenotype1"])] + ([(r["Gene2"], r["Phenotype2"])] if r["Gene2"] != "None" else [])
        if r["Recommendation"].strip() in ("", "None"):
            continue
        if not all(phenotypes.get(g) == p for g, p in pairs):
            continue
        genes = [g for g, _ in pairs]
        rows = _cpic_rows(tables, r["Drug"], genes)
        url = next((x["Guideline"] for x in rows if x["Guideline"]), "")
        pmids = []
        for x in rows:
            pmids += [p.strip() for p in x["PMID"].split(";") if p.strip() and p.strip() not in pmids]
        level = min((x["CPICLevel"] for x in rows if x["CPICLevel"]), key=lambda v: _LEVEL_ORDER.get(v, 9), default="")
        actionable = any(tables.priority.get(p, "").startswith("Abnormal") for p in pairs)
        out.append({"drug": r["Drug"], "gene": "+".join(genes), "phenotype": "; ".join(p for _, p in pairs),
                    "recommendation": r["Recommendation"].strip(), "guideline_url": url, "pmids": pmids,
                    "cpic_level": level, "actionable": actionable,
                    "on_medication_list": r["Drug"].lower() in on_list})
    out.sort(key=lambda x: (not x["on_medication_list"], not x["actionable"],
                            _LEVEL_ORDER.get(x["cpic_level"], 9), x["drug"]))
    return out


def match_medications(names: list[str], tables: Tables, strict: bool = False) -> dict[str, Any]:
    """Match medicine names (typed, or FHIR displays such as 'clopidogrel 75 MG Oral Tablet') to CPIC drugs.

    Args:
        names: medicine names.
        strict: raise on a name that names no CPIC drug (typed lists: catches typos).

    Returns:
        {"matched": [{"drug", "given", "genes"}], "unmatched": [names without a CPIC gene-drug pair]}.

    Raises:
        UserError: strict and a name matches no drug of the tables.
    """
    drugs = sorted(tables.drugs(), key=len, reverse=True)
    genes_of: dict[str, list[str]] = {}
    for drug, gene in ([(r["Drug"].lower(), g) for r in tables.recommendations for g in (r["Gene1"], r["Gene2"])]
                       + [(r["Drug"].lower(), g) for r in tables.cpic if r["CPICLevel"] in ("A", "A/B", "B")
                          for g in r["Gene"].split(";")]):
        if gene != "None" and gene not in genes_of.setdefault(drug, []):
            genes_of[drug].append(gene)
    matched, unmatched, seen = [], [], set()
    for name in names:
        text = name.strip().lower()
        if not text:
            continue
        hit = text if text in drugs else next((d for d in drugs if re.search(rf"\b{re.escape(d)}\b", text)), None)
        if hit is None:
            if strict:
                raise UserError(f"unknown drug '{name.strip()}': not a drug of the CPIC tables")
            unmatched.append(name.strip())
            continue
        if hit in seen:
            continue
        seen.add(hit)
        matched.append({"drug": hit, "given": name.strip(), "genes": genes_of.get(hit, [])})
    return {"matched": matched, "unmatched": unmatched}
