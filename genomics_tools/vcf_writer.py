"""Stage 3 (`postprocess`): genotype probabilities -> VCF 4.2, bgzipped and tabix-indexed."""

from __future__ import annotations

import math
from pathlib import Path

from genomics_tools.examples import Examples
from genomics_tools.inputs import atomic_vcf, reference_contigs
from genomics_tools.model import GENOTYPES

_GT = {1: (0, 1), 2: (1, 1)}


def phred(p_wrong: float, cap: float) -> float:
    """-10 log10(p_wrong), capped (p_wrong of 0 gives the cap).

    Raises:
        ValueError: p_wrong outside [0, 1].
    """
    if not 0.0 <= p_wrong <= 1.0 + 1e-6:
        raise ValueError(f"probability out of range: {p_wrong}")
    if p_wrong <= 10 ** (-cap / 10):
        return cap
    return min(cap, -10.0 * math.log10(p_wrong))


def make_header(reference: str | Path, sample: str, caller: str, version: str, extra: list[str] | None = None):
    """A pysam VariantHeader with contigs from the reference and medbot's caller lines."""
    import pysam

    h = pysam.VariantHeader()
    for name, length in reference_contigs(reference).items():
        h.contigs.add(name, length=length)
    h.add_line(f"##source=medbot-{caller}")
    h.add_line(f"##medbot_caller=<ID={caller},Version=\"{version}\">")
    h.add_line(f"##reference=file://{Path(reference).resolve()}")
    for line in extra or []:
        h.add_line(line)
    h.add_line('##INFO=<ID=DP,Number=1,Type=Integer,Description="Read depth at the site">')
    h.add_line('##INFO=<ID=VAF,Number=A,Type=Float,Description="Fraction of reads supporting the alternate allele">')
    h.add_line('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
    h.add_line('##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality (phred)">')
    h.add_line('##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">')
    h.add_line('##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Reads supporting each allele">')
    h.add_line('##FORMAT=<ID=GP,Number=G,Type=Float,Description="Genotype probabilities 0/0,0/1,1/1 from the CNN">')
    h.add_sample(sample)
    return h


def write_calls(parts: list[Examples], reference: str | Path, out: str | Path, sample: str = "SAMPLE",
                version: str = "", caller: str = "cnn", extra_header: list[str] | None = None) -> Path:
    """Write the non-reference genotype calls of predicted examples to `out` (.vcf.gz + .tbi).

    Args:
        parts: examples with `probs` set, one per region, in genome order.
        reference: FASTA (for contig lines).
        out: output path ending in `.vcf.gz`; written atomically.
        sample: sample name for the genotype column.
        version: caller version written in the header.
        caller: caller name written in the header.
        extra_header: more `##` lines.

    Returns:
        `out`.
    """
    import pysam

    header = make_header(reference, sample, caller, version, extra_header)
    with atomic_vcf(out) as tmp:
        with pysam.VariantFile(str(tmp), "wz", header=header) as vf:
            rows = []
            for ex in parts:
                if ex.probs is None:
                    raise ValueError("examples have no genotype probabilities: run the predict stage first")
                for j in range(len(ex)):
                    p = ex.probs[j]
                    g = int(p.argmax())
                    if g == 0:
                        continue
                    rows.append((ex.contig, int(ex.pos0[j]), str(ex.ref[j]), str(ex.alt[j]), p, g,
                                 int(ex.depth[j]), int(ex.alt_count[j])))
            rows.sort(key=lambda r: (list(header.contigs).index(r[0]), r[1], r[3]))
            for contig, pos0, ref, alt, p, g, dp, ac in rows:
                rec = vf.new_record(contig=contig, start=pos0, alleles=(ref, alt),
                                    qual=round(phred(float(p[0]), 200.0), 2), filter="PASS")
                rec.info["DP"] = dp
                rec.info["VAF"] = (round(ac / max(dp, 1), 3),)
                s = rec.samples[sample]
                s["GT"] = _GT[g]
                s["GQ"] = int(round(phred(float(1.0 - p[g]), 99.0)))
                s["DP"] = dp
                s["AD"] = (max(dp - ac, 0), ac)
                s["GP"] = tuple(round(float(x), 4) for x in p)
                vf.write(rec)
        pysam.tabix_index(str(tmp), preset="vcf", force=True)
    return Path(out)


__all__ = ["write_calls", "make_header", "phred", "GENOTYPES"]
