"""Text, Markdown and plain-language renderings of a `call_pgx` result (pure functions)."""

from __future__ import annotations

from typing import Any

DISCUSS = "Discuss these results with your clinician before changing any medicine."

# Plain explanations by phenotype word; no dose or drug instruction ever appears here.
_PLAIN = [
    ("Ultrarapid Metabolizer", "your body likely processes medicines handled by {gene} much faster than usual"),
    ("Rapid Metabolizer", "your body likely processes medicines handled by {gene} a little faster than usual"),
    ("Normal Metabolizer", "your body likely processes medicines handled by {gene} in the usual way"),
    ("Intermediate Metabolizer", "your body likely processes medicines handled by {gene} more slowly than usual"),
    ("Poor Metabolizer", "your body likely processes medicines handled by {gene} much more slowly than usual, "
                         "or hardly at all"),
    ("Increased Function", "your {gene} protein likely works more than usual"),
    ("Normal Function", "your {gene} protein likely works in the usual way"),
    ("Decreased Function", "your {gene} protein likely works less than usual"),
    ("Poor Function", "your {gene} protein likely works much less than usual"),
    ("Malignant Hyperthermia Susceptibility", "you may react dangerously to some anaesthetic gases and muscle relaxants"),
    ("Uncertain Susceptibility", "the test did not find a known change linked to reactions to anaesthetics"),
    ("Increased Risk", "some antibiotics (aminoglycosides) may carry a higher risk of hearing loss for you"),
    ("Normal Risk", "no known change that raises the risk of hearing loss with some antibiotics was found"),
    ("Favorable Response", "your genes are linked to a usual or better response to some treatments"),
    ("Unfavorable Response", "your genes are linked to a weaker response or a higher risk with some treatments"),
    ("Indeterminate", "the result cannot be interpreted with today's guidelines"),
]


def plain_phenotype(gene: str, phenotype: str) -> str:
    """One plain sentence about a phenotype (never a dose)."""
    for word, text in _PLAIN:
        if word.lower() in phenotype.lower():
            return text.format(gene=gene)
    return f"the {gene} result is '{phenotype}'"


def _genes_line(r: dict[str, Any]) -> str:
    if r["status"] == "called":
        pheno = r["phenotype"] or ("phenotypes differ: " + ", ".join(r.get("phenotype_candidates", []))
                                   if r.get("phenotype_candidates") else "genotype only")
        extra = f" (most likely of {', '.join(r['candidates'])})" if r.get("diplotype_basis") == "most_likely" else ""
        return f"{r['gene']} {r['diplotype']}{extra}: {pheno}"
    if r["status"] == "partial":
        return f"{r['gene']} partial ({len(r['missing_positions'])} positions missing; {r['diplotype']} from the rest)"
    return f"{r['gene']} not called: {r.get('reason', '')}"


def to_text(res: dict[str, Any], max_recs: int = 12) -> str:
    """Clinician summary: genes, flagged medicines first, recommendations with guideline and PMIDs."""
    lines = [f"Pharmacogenomics of sample {res['sample']} ({res['build'] or 'build unknown'}; CPIC tables "
             f"{res['table_version']})."]
    lines += res["notes"]
    called = [r for r in res["genes"] if r["status"] == "called"]
    lines.append(f"Genes called: {len(called)}; partial: "
                 f"{sum(r['status'] == 'partial' for r in res['genes'])}; not called: "
                 f"{sum(r['status'] == 'not_called' for r in res['genes'])}.")
    by_reason: dict[str, list[str]] = {}
    for r in res["genes"]:
        if r["status"] != "not_called":
            lines.append("- " + _genes_line(r))
        else:
            by_reason.setdefault(r.get("reason", ""), []).append(r["gene"])
    for reason, names in by_reason.items():
        lines.append(f"- not called ({reason}): {', '.join(names)}")
    flagged = [x for x in res["recommendations"] if x["on_medication_list"]]
    if flagged:
        lines.append("Current medicines with a CPIC recommendation for this genotype:")
        lines += [f"- {_rec_line(x)}" for x in flagged]
    for m in res["medications"]["matched"]:
        if not m["recommendation"] and m["genes_not_called"]:
            lines.append(f"- {m['drug']}: relevant genes not called or partial ({', '.join(m['genes_not_called'])})")
    if res.get("withheld"):
        lines.append("Not given (the guideline also needs a gene that is not called): " + "; ".join(
            f"{w['drug']} ({', '.join(w['genes_needed'])})" for w in res["withheld"]))
    others = [x for x in res["recommendations"] if not x["on_medication_list"] and x["actionable"]]
    if others:
        lines.append("Other CPIC recommendations for abnormal phenotypes:")
        lines += [f"- {_rec_line(x)}" for x in others[:max_recs]]
        if len(others) > max_recs:
            lines.append(f"- ... {len(others) - max_recs} more")
    return "\n".join(lines)


def _rec_line(x: dict[str, Any]) -> str:
    cites = " ".join(f"[PMID:{p}]" for p in x["pmids"])
    return (f"{x['drug']} ({x['gene']} {x['phenotype']}, CPIC level {x['cpic_level'] or '-'}): "
            f"{x['recommendation']} {x['guideline_url']} {cites}".rstrip())


def to_patient_text(res: dict[str, Any]) -> str:
    """Plain-language summary for a patient: what each phenotype means, no dose, no drug instruction."""
    lines = ["What your genetic test may mean for medicines:"]
    for r in res["genes"]:
        if r["status"] == "called" and r["phenotype"]:
            lines.append(f"- {r['gene']} ({r['phenotype']}): {plain_phenotype(r['gene'], r['phenotype'])}.")
    flagged = sorted({x["drug"] for x in res["recommendations"] if x["on_medication_list"]})
    if flagged:
        lines.append("Some of your current medicines have guidance linked to these results: "
                     + ", ".join(flagged) + ".")
    n_missing = sum(r["status"] != "called" for r in res["genes"])
    if n_missing:
        lines.append(f"{n_missing} genes could not be read from this file, so the picture is incomplete.")
    lines.append(DISCUSS)
    return "\n".join(lines)


def genes_markdown(res: dict[str, Any]) -> str:
    rows = ["| Gene | Status | Diplotype | Phenotype | Note |", "|---|---|---|---|---|"]
    for r in res["genes"]:
        note = r.get("reason", "")
        if r.get("diplotype_basis") == "most_likely":
            note = ("most likely of " + ", ".join(r["candidates"]) + ". " + note).strip()
        if r["missing_positions"]:
            shown = ", ".join(r["missing_positions"][:6]) + (" ..." if len(r["missing_positions"]) > 6 else "")
            note = (note + f" Missing: {shown}").strip()
        rows.append(f"| {r['gene']} | {r['status']} | {r['diplotype'] or '-'} | {r['phenotype'] or '-'} | "
                    f"{note.replace('|', '/')} |")
    return "\n".join(rows)


def recommendations_markdown(res: dict[str, Any], only_actionable: bool = True) -> str:
    rows = ["| Drug | Gene | Phenotype | CPIC recommendation | Guideline | PMIDs |", "|---|---|---|---|---|---|"]
    for x in res["recommendations"]:
        if only_actionable and not (x["actionable"] or x["on_medication_list"]):
            continue
        drug = f"**{x['drug']}** (current medicine)" if x["on_medication_list"] else x["drug"]
        rows.append(f"| {drug} | {x['gene']} | {x['phenotype']} | {x['recommendation'].replace('|', '/')} | "
                    f"{x['guideline_url']} | {', '.join(x['pmids'])} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def patient_markdown(res: dict[str, Any]) -> str:
    rows = ["| Gene | Result | What it may mean |", "|---|---|---|"]
    for r in res["genes"]:
        if r["status"] == "called" and r["phenotype"]:
            rows.append(f"| {r['gene']} | {r['phenotype']} | {plain_phenotype(r['gene'], r['phenotype'])} |")
    return "\n".join(rows)


def to_markdown(res: dict[str, Any]) -> str:
    """The report section: genes, then the recommendations (current medicines first)."""
    parts = ["## Pharmacogenomics", "",
             f"Sample {res['sample']}, {res['build'] or 'build unknown'}, CPIC tables {res['table_version']}.", ""]
    flagged = [x for x in res["recommendations"] if x["on_medication_list"]]
    if flagged:
        parts += ["**Current medicines with a CPIC recommendation for this genotype:**", ""]
        parts += [f"- {_rec_line(x)}" for x in flagged] + [""]
    parts += [f"_{n}_\n" for n in res["notes"]]
    parts += [genes_markdown(res), ""]
    recs = recommendations_markdown(res)
    if recs:
        parts += ["### CPIC recommendations (current medicines first; abnormal phenotypes)", "", recs, ""]
    return "\n".join(parts)
