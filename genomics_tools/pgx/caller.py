"""`call_pgx`: genotypes at the defining positions -> diplotype -> phenotype -> CPIC recommendations.

Honesty rules: a defining position absent from the VCF is never taken as reference unless the file
is a gVCF whose reference blocks cover it or the caller passes `assume_ref`; a gene with absent
positions is `not_called` (none seen) or `partial` (some seen), listing them, and gets no phenotype.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genomics_tools.errors import UserError
from genomics_tools.pgx.diplotype import Haplotypes, candidate_diplotypes, phenotype
from genomics_tools.pgx.recommend import match_medications, recommendations
from genomics_tools.pgx.tables import BUILDS, Tables, Variant, load_tables, normalize_build
from genomics_tools.pgx.vcf_sites import SiteCall, VcfSites, read_sites

# Genes the tables cannot type from SNVs and small indels, with the reason.
STRUCTURAL_REASON = ("its star alleles include structural variants (gene deletions, duplications, hybrids) "
                     "that need copy-number calls, which a VCF of SNVs and small indels does not carry")
HLA_GENES = {"HLA-A": "HLA-A", "HLA-B": "HLA-B"}
HLA_REASON = "HLA alleles need HLA typing (sequence-based or dedicated tools), not VCF genotypes"
CPIC_LEVELS = {"A", "A/B", "B"}


@dataclass
class PgxOptions:
    """Inputs of `call_pgx`.

    Attributes:
        vcf: VCF, VCF.gz or BCF.
        build: 'GRCh37' or 'GRCh38' (aliases hg19/hg38 accepted); the VCF header wins when it names one.
        sample: sample column; required for multi-sample files.
        assume_ref: treat defining positions absent from the file as homozygous reference.
        medications: the patient's current medicines (names; matched to CPIC drugs).
        strict_medications: refuse names that are not CPIC drugs (typed lists) instead of listing them.
        tables_dir: folder of the CSV tables (default: the installed pypgx data).
    """

    vcf: Path
    build: str | None = None
    sample: str | None = None
    assume_ref: bool = False
    medications: list[str] = field(default_factory=list)
    strict_medications: bool = False
    tables_dir: str | None = None


def panel(tables: Tables) -> tuple[list[str], dict[str, str]]:
    """(genes typed from the VCF, {gene: reason} for CPIC genes that cannot be)."""
    genes = set()
    for r in tables.cpic:
        if r["CPICLevel"] in CPIC_LEVELS:
            genes.update(r["Gene"].split(";"))
    for r in tables.recommendations:
        genes.update((r["Gene1"], r["Gene2"]))
    genes.update(("VKORC1", "CYP4F2"))
    typed, untyped = [], {}
    for g in sorted(genes):
        info = tables.genes.get(g)
        if g in HLA_GENES:
            untyped[g] = HLA_REASON
        elif info is None or not info.target or not info.has_variants:
            continue
        elif info.sv:
            untyped[g] = STRUCTURAL_REASON
        else:
            typed.append(g)
    return typed, untyped


def _same_allele(v: Variant, pos: int, ref: str, alt: str) -> bool:
    """True when (pos, ref, alt) is the table's variant, after trimming shared bases."""
    def trim(p: int, r: str, a: str) -> tuple[int, str, str]:
        r, a = r.upper(), a.upper()
        while len(r) > 1 and len(a) > 1 and r[-1] == a[-1]:
            r, a = r[:-1], a[:-1]
        while len(r) > 1 and len(a) > 1 and r[0] == a[0]:
            r, a, p = r[1:], a[1:], p + 1
        return p, r, a
    return trim(v.pos, v.ref, v.alt) == trim(pos, ref, alt)


def variant_genotype(v: Variant, sites: VcfSites) -> tuple[tuple[int, int] | None, bool, Any, str]:
    """(alt carried on each haplotype or None when unknown, phased, phase set, source)."""
    found: tuple[int, int] | None = None
    source = "missing"
    for r in sites.at(v.chrom, v.pos):
        gt = r.gt if len(r.gt) >= 2 else r.gt * 2  # haploid (chrX in males, chrM): one allele twice
        gt = gt[:2]
        if any(g is None for g in gt):
            continue
        if r.block:
            if all(g == 0 for g in gt) and found is None:
                found, source = (0, 0), "gvcf_block" if r.pos != v.pos or r.alts else "vcf"
            continue
        hap = tuple(int(g > 0 and g - 1 < len(r.alts) and _same_allele(v, r.pos, r.ref, r.alts[g - 1])) for g in gt)
        if any(hap):
            return hap, r.phased, r.phase_set, "vcf"
        found, source = (0, 0), "vcf"
    return found, False, None, source


def ref_agreement(sites: VcfSites, tables: Tables, genes: list[str]) -> dict[str, tuple[int, int]]:
    """build -> (positions whose VCF REF matches that build's reference, positions where it does not)."""
    out = {}
    for b in BUILDS:
        match = mismatch = 0
        seen = set()
        for g in genes:
            for v in tables.gene_variants(g, b):
                if (v.chrom, v.pos) in seen:
                    continue
                recs = [r for r in sites.calls.get((v.chrom, v.pos), []) if r.ref]
                if not recs:
                    continue
                seen.add((v.chrom, v.pos))
                if any(r.ref[0].upper() == v.ref[0].upper() for r in recs):
                    match += 1
                else:
                    mismatch += 1
        out[b] = (match, mismatch)
    return out


def _resolve_build(opts: PgxOptions, sites: VcfSites, agree: dict[str, tuple[int, int]]) -> tuple[str | None, str]:
    declared = normalize_build(opts.build) if opts.build else None
    hb = sites.header_build
    if hb and declared and hb != declared:
        raise UserError(f"the VCF header says {hb} but the build given is {declared}")
    build, source = (hb, "vcf header") if hb else (declared, "option") if declared else (None, "")
    if build is None:
        m37, m38 = agree["GRCh37"][0], agree["GRCh38"][0]
        if m37 != m38:
            return ("GRCh37" if m37 > m38 else "GRCh38"), "inferred from REF alleles at pharmacogene positions"
        return None, "unknown"
    other = "GRCh38" if build == "GRCh37" else "GRCh37"
    if agree[other][0] > agree[build][0]:
        raise UserError(f"wrong genome build: the VCF's REF alleles at {agree[other][0]} pharmacogene positions "
                        f"match {other}, only {agree[build][0]} match {build}")
    return build, source


def call_pgx(opts: PgxOptions) -> dict[str, Any]:
    """Type the pharmacogenes of one sample and list the CPIC recommendations that apply.

    Returns:
        {"build", "sample", "table_version", "genes": [...], "recommendations": [...], ...} as in
        docs/pharmacogenomics.md.

    Raises:
        UserError: bad VCF, sample, build or medication name (see `read_sites`, `normalize_build`).
    """
    tables = load_tables(opts.tables_dir)
    if opts.build:
        normalize_build(opts.build)
    typed, untyped = panel(tables)
    positions: dict[str, dict[str, list]] = {b: {} for b in BUILDS}
    for b in BUILDS:
        for g in typed:
            vs = tables.gene_variants(g, b)
            chrom, start, end = tables.genes[g].region[b]
            positions[b].setdefault(chrom, []).append((start, end, {v.pos for v in vs}, g))
    sites = read_sites(opts.vcf, positions, opts.sample)
    agree = ref_agreement(sites, tables, typed)
    build, build_source = _resolve_build(opts, sites, agree)
    notes: list[str] = []
    any_records = bool(sites.records_in_regions.get(build)) if build else any(sites.records_in_regions.values())
    if build is None:
        if opts.assume_ref:
            raise UserError("cannot tell the genome build (no header line, no REF evidence): pass --build GRCh37 or GRCh38")
        notes.append("The genome build is unknown (the header does not name it and no record lies at a "
                     "pharmacogene position): no gene can be called. Pass --build if records exist.")
    if not any_records:
        notes.append("The VCF has no records in any pharmacogene region: every gene is not called "
                     "(absent positions are never assumed to be reference for a file without any evidence).")
    elif opts.assume_ref and not sites.gvcf:
        notes.append("Reference assumed at defining positions absent from the VCF (--assume-ref).")
    if sites.gvcf:
        notes.append("gVCF: positions inside reference blocks are read as homozygous reference; positions "
                     "outside any record stay missing.")
    genes = []
    for g in typed:
        genes.append(_gene_result(g, build, sites, tables, opts.assume_ref and any_records, any_records))
    for g, reason in untyped.items():
        genes.append({"gene": g, "diplotype": None, "candidates": [], "phenotype": None, "status": "not_called",
                      "missing_positions": [], "reason": reason, "genotypes": []})
    phenos = {r["gene"]: r["phenotype"] for r in genes if r["status"] == "called" and r["phenotype"]}
    meds = match_medications(opts.medications, tables, strict=opts.strict_medications)
    recs = recommendations(phenos, tables, {m["drug"] for m in meds["matched"]})
    called = {r["gene"] for r in genes if r["status"] == "called"}
    for m in meds["matched"]:
        mine = [r for r in recs if r["drug"] == m["drug"]]
        m["recommendation"] = bool(mine)
        m["genes_not_called"] = [g for g in m["genes"] if g not in called]
    return {"build": build, "build_source": build_source, "sample": sites.sample, "table_version": tables.version,
            "vcf": sites.path.name, "gvcf": sites.gvcf, "assume_ref": bool(opts.assume_ref),
            "genes": genes, "recommendations": recs, "medications": meds,
            "withheld": withheld_recommendations(phenos, tables), "notes": notes}


def withheld_recommendations(phenotypes: dict[str, str], tables: Tables) -> list[dict[str, Any]]:
    """Drugs whose CPIC rows need a called gene together with one that is not called (e.g. CYP2D6)."""
    out: dict[str, set[str]] = {}
    for r in tables.recommendations:
        genes = [g for g in (r["Gene1"], r["Gene2"]) if g != "None"]
        if len(genes) > 1 and any(g in phenotypes for g in genes) and not all(g in phenotypes for g in genes):
            out.setdefault(r["Drug"], set()).update(g for g in genes if g not in phenotypes)
    return [{"drug": d, "genes_needed": sorted(g)} for d, g in sorted(out.items())]


def _gene_result(gene: str, build: str | None, sites: VcfSites, tables: Tables, assume_ref: bool,
                 any_records: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"gene": gene, "diplotype": None, "candidates": [], "phenotype": None,
                           "status": "not_called", "missing_positions": [], "genotypes": []}
    if build is None:
        out["reason"] = "genome build unknown"
        return out
    variants = tables.gene_variants(gene, build)
    calls = {}
    missing: list[str] = []
    for v in variants:
        hap, phased, ps, source = variant_genotype(v, sites)
        if hap is None and assume_ref:
            hap, source = (0, 0), "assumed_reference"
        if hap is None:
            missing.append(f"{v.chrom}:{v.pos}")
        calls[v.key] = (hap, phased, ps)
        gt = "./." if hap is None else ("|" if phased else "/").join(str(h) for h in hap)
        out["genotypes"].append({"variant": v.key, "rsid": v.rsid, "genotype": gt, "source": source})
    out["missing_positions"] = sorted(set(missing), key=lambda s: int(s.split(":")[1]))
    observed = {k: c for k, c in calls.items() if c[0] is not None}
    if not any_records or not observed:
        out["reason"] = ("no record at any defining position" + ("" if any_records else " (no records in any pharmacogene)")
                         + "; absent positions are not assumed to be reference: pass --assume-ref if the "
                         "VCF lists every variant of a whole genome or exome")
        return out
    hom = frozenset(k for k, (h, _, _) in observed.items() if sum(h) == 2)
    het = tuple(k for k, (h, _, _) in observed.items() if sum(h) == 1)
    phase_sets = {observed[k][2] for k in het}
    phased = bool(het) and all(observed[k][1] for k in het) and len(phase_sets) == 1
    haps = Haplotypes(hom, het, frozenset(k for k in het if observed[k][0][0]) if phased else None)
    cands = candidate_diplotypes(gene, build, haps, tables)
    if cands is None:
        out["reason"] = f"{len(het)} unphased heterozygous sites: too many to resolve without phasing"
        return out
    out["candidates"] = cands
    out["diplotype"] = cands[0]
    out["diplotype_basis"] = "unique" if len(cands) == 1 else "most_likely"
    if missing:
        out["status"] = "partial"
        out["reason"] = (f"{len(missing)} of {len(variants)} defining positions are absent from the VCF: the "
                         "diplotype uses the positions present only, and no phenotype is given")
        return out
    out["status"] = "called"
    info = tables.genes[gene]
    if info.method not in ("Diplotype", "Score"):
        out["reason"] = "the tables give no phenotype for this gene: genotype only"
        return out
    phenos = sorted({phenotype(gene, c, tables) for c in cands})
    if len(phenos) == 1:
        out["phenotype"] = phenos[0]
        out["priority"] = tables.priority.get((gene, phenos[0]), "")
    else:
        out["phenotype_candidates"] = phenos
        out["reason"] = "unphased heterozygous sites: the candidate diplotypes differ in phenotype"
    return out
