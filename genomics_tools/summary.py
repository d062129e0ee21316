"""Summaries of a call set for people and for the LLM: counts, notable variants, coverage, caveats."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from genomics_tools.annotate import GeneIndex, KnownVariants
from genomics_tools.inputs import open_vcf


@dataclass
class Variant:
    """One called allele, ready for tables."""

    contig: str
    pos: int  # 1-based
    ref: str
    alt: str
    type: str  # SNV | insertion | deletion | MNV | complex
    zygosity: str  # het | hom-alt | unknown
    qual: float | None
    gq: int | None
    depth: int | None
    genes: list[str] = field(default_factory=list)
    known: dict | None = None

    @property
    def notable_score(self) -> tuple:
        sig = (self.known or {}).get("CLNSIG", "").lower()
        return ("pathogenic" in sig and "conflicting" not in sig, self.known is not None, bool(self.genes),
                self.type != "SNV", self.qual or 0.0)


@dataclass
class Coverage:
    """Depth over the called regions."""

    mean: float
    median: float
    pct_10x: float
    pct_20x: float
    bases: int


@dataclass
class VariantSummary:
    """What the tool reports about one VCF."""

    vcf: str
    caller: str
    sample: str
    counts: dict[str, int]
    zygosity: dict[str, int]
    variants: list[Variant]
    coverage: Coverage | None = None
    caveats: list[str] = field(default_factory=list)

    def notable(self, n: int = 10) -> list[Variant]:
        """Up to `n` variants: known pathogenic first, then known, in genes, indels, by QUAL."""
        return sorted(self.variants, key=lambda v: v.notable_score, reverse=True)[:n]

    def to_text(self, n: int = 8) -> str:
        """Short plain text for the LLM."""
        total = sum(self.counts.values())
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v) or "none"
        lines = [f"Variant calls ({self.caller}) for sample {self.sample}: {total} variants ({counts}); "
                 f"{self.zygosity.get('het', 0)} heterozygous, {self.zygosity.get('hom-alt', 0)} homozygous alternate."]
        if self.coverage:
            c = self.coverage
            lines.append(f"Coverage: mean {c.mean:.1f}x, median {c.median:.0f}x over {c.bases:,} bases; "
                         f"{c.pct_10x:.1f}% of bases >= 10x, {c.pct_20x:.1f}% >= 20x.")
        notable = self.notable(n)
        if notable:
            lines.append("Notable variants:")
            for v in notable:
                gene = f" in {'/'.join(v.genes)}" if v.genes else ""
                known = ""
                if v.known:
                    bits = [v.known.get("id", ".")] + [f"{k}={v.known[k]}" for k in ("CLNSIG", "CLNDN") if k in v.known]
                    known = " known: " + " ".join(b for b in bits if b and b != ".")
                q = f" QUAL {v.qual:.0f}" if v.qual is not None else ""
                lines.append(f"- {v.contig}:{v.pos} {v.ref}>{v.alt} {v.type}{gene}, {v.zygosity}{q}{known}")
        if self.caveats:
            lines.append("Caveats: " + " ".join(self.caveats))
        return "\n".join(lines)

    def to_markdown(self, n: int = 25) -> str:
        """Markdown table of the notable variants (first `n`)."""
        rows = ["| position | ref | alt | type | zygosity | gene | QUAL | GQ | depth | known |",
                "|---|---|---|---|---|---|---:|---:|---:|---|"]
        for v in self.notable(n):
            known = ""
            if v.known:
                known = " ".join(x for x in (v.known.get("id", "."), v.known.get("CLNSIG", "")) if x and x != ".")
            qual = "" if v.qual is None else f"{v.qual:.0f}"
            rows.append(f"| {v.contig}:{v.pos} | {_short(v.ref)} | {_short(v.alt)} | {v.type} | {v.zygosity} | "
                        f"{'/'.join(v.genes)} | {qual} | {'' if v.gq is None else v.gq} | "
                        f"{'' if v.depth is None else v.depth} | {known} |")
        return "\n".join(rows)

    def to_report_section(self, n: int = 25) -> str:
        """A Markdown section for a diagnostic report: findings, coverage, table, caveats."""
        total = sum(self.counts.values())
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v) or "no variants"
        parts = ["## Genomic findings", "",
                 f"Sample **{self.sample}**, caller {self.caller}: {total} variant alleles ({counts}); "
                 f"{self.zygosity.get('het', 0)} heterozygous, {self.zygosity.get('hom-alt', 0)} homozygous alternate."]
        if self.coverage:
            c = self.coverage
            parts.append(f"Mean coverage {c.mean:.1f}x (median {c.median:.0f}x); {c.pct_20x:.1f}% of "
                         f"{c.bases:,} bases at >= 20x.")
        if self.variants:
            parts += ["", self.to_markdown(n)]
        if self.caveats:
            parts += ["", "**Limitations.** " + " ".join(self.caveats)]
        return "\n".join(parts) + "\n"

    def as_dict(self, n: int = 25) -> dict:
        from dataclasses import asdict

        return {"vcf": self.vcf, "caller": self.caller, "sample": self.sample, "counts": self.counts,
                "zygosity": self.zygosity, "coverage": asdict(self.coverage) if self.coverage else None,
                "notable": [asdict(v) for v in self.notable(n)], "caveats": self.caveats}


def _short(allele: str, n: int = 12) -> str:
    return allele if len(allele) <= n else allele[:n] + f"...({len(allele)} bp)"


def classify(ref: str, alt: str) -> str:
    """SNV, insertion, deletion, MNV or complex."""
    if len(ref) == len(alt):
        return "SNV" if len(ref) == 1 else "MNV"
    if len(ref) == 1 and alt.startswith(ref):
        return "insertion"
    if len(alt) == 1 and ref.startswith(alt):
        return "deletion"
    return "complex"


def coverage_from_depths(depths) -> Coverage | None:
    """Coverage statistics from a 1-D array of per-base depths (None when empty)."""
    import numpy as np

    d = np.asarray(depths)
    if d.size == 0:
        return None
    return Coverage(mean=round(float(d.mean()), 2), median=float(np.median(d)),
                    pct_10x=round(100.0 * float((d >= 10).mean()), 2), pct_20x=round(100.0 * float((d >= 20).mean()), 2),
                    bases=int(d.size))


def summarize_vcf(vcf: str | Path, genes: GeneIndex | None = None, known: KnownVariants | None = None,
                  coverage: Coverage | None = None, max_variants: int = 100_000) -> VariantSummary:
    """Read a VCF and summarise its non-reference calls (first sample).

    Args:
        vcf: the VCF (plain or bgzipped).
        genes: gene intervals for names.
        known: known-variant look-up.
        coverage: depth statistics to report.
        max_variants: stop reading after this many alleles (a note is added to the caveats).

    Returns:
        The VariantSummary.

    Raises:
        UserError: unreadable VCF or broken header.
    """
    from genomics_tools.errors import UserError

    vf = open_vcf(vcf)
    header = vf.header
    caller = "unknown caller"
    for rec in header.records:
        if rec.key == "medbot_caller":
            caller = f"{rec.get('ID', '?')} ({rec.get('Version', '').strip(chr(34))})"
            break
        if rec.key == "source" and caller == "unknown caller":
            caller = str(rec.value)
    sample = header.samples[0] if len(header.samples) else "(no sample column)"
    counts = {"SNV": 0, "insertion": 0, "deletion": 0, "MNV": 0, "complex": 0}
    zyg = {"het": 0, "hom-alt": 0, "unknown": 0}
    variants: list[Variant] = []
    truncated = False
    try:
        for rec in vf:
            if rec.filter.keys() and not set(rec.filter.keys()) <= {"PASS", "."}:
                continue
            gt, gq, dp = (), None, rec.info.get("DP") if "DP" in rec.info else None
            if len(header.samples):
                s = rec.samples[0]
                fmt = set(rec.format.keys())
                gt = (s["GT"] if "GT" in fmt else None) or ()
                gq = s["GQ"] if "GQ" in fmt else None
                if "DP" in fmt and s["DP"] is not None:
                    dp = s["DP"]
            called = sorted({a for a in gt if a}) if gt else list(range(1, len(rec.alts or ()) + 1))
            for idx in called:
                alt = (rec.alts or ())[idx - 1] if idx - 1 < len(rec.alts or ()) else None
                if not alt or alt.startswith("<") or alt == "*":
                    continue
                if len(variants) >= max_variants:
                    truncated = True
                    break
                z = "unknown" if not gt else ("hom-alt" if len(gt) >= 2 and all(a == idx for a in gt) else "het")
                t = classify(rec.ref, alt)
                counts[t] += 1
                zyg[z] += 1
                v = Variant(rec.contig, rec.pos, rec.ref, alt, t, z, rec.qual, gq, dp)
                if genes is not None:
                    v.genes = genes.names_at(rec.contig, rec.pos - 1)
                if known is not None:
                    v.known = known.lookup(rec.contig, rec.pos - 1, rec.ref, alt)
                variants.append(v)
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {vcf}: {str(exc).splitlines()[0] if str(exc) else 'corrupt record'}") from None
    finally:
        vf.close()
    caveats = ["Research-grade calls from a small CNN trained on simulated reads; confirm clinically relevant "
               "variants with an orthogonal method before acting on them."]
    if counts["insertion"] + counts["deletion"]:
        caveats.append("Indels in repeats and homopolymers are the least reliable calls.")
    if coverage and coverage.mean < 20:
        caveats.append(f"Mean coverage {coverage.mean:.0f}x is low: heterozygous variants may be missed.")
    if genes is None:
        caveats.append("No gene annotation was supplied, so gene names are not shown.")
    if known is None:
        caveats.append("No known-variant file (such as ClinVar) was supplied, so clinical significance is not shown.")
    if truncated:
        caveats.append(f"Only the first {max_variants} variants were read.")
    return VariantSummary(str(vcf), caller, sample, counts, zyg, variants, coverage, caveats)
