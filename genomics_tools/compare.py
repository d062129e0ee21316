"""Score a call set against a truth set: SNV/indel precision, recall, F1, genotype concordance.

Both files are normalised first: `bcftools norm -m -any --atomize` (the bcftools inside pysam) splits multiallelic records and
decomposes MNPs/complex alleles into atomic ones, and (with a reference) left-aligns indels; then
every allele is trimmed and left-aligned again in Python. Matching is allele-level, as hap.py and
vcfeval report it: a call allele is a true positive when the same normalised allele is in the truth
set, whatever the genotype; genotype concordance is the fraction of matched alleles whose zygosity
(het / hom-alt) also agrees. Records with FILTER other than PASS/., or genotype 0/0 or missing
alleles, are not variant calls. A truth set without GT (such as dwgsim's) takes zygosity from AF.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from genomics_tools.errors import UserError
from genomics_tools.inputs import check_exists, open_vcf
from genomics_tools.normalize import normalize, variant_type
from genomics_tools.regions import RegionSet, read_bed

Allele = tuple[str, int, str, str]  # contig, pos0, ref, alt


@dataclass
class TypeScore:
    """Counts and rates for one variant type."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    gt_match: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def genotype_concordance(self) -> float:
        return self.gt_match / self.tp if self.tp else 0.0

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(precision=round(self.precision, 4), recall=round(self.recall, 4), f1=round(self.f1, 4),
                 genotype_concordance=round(self.genotype_concordance, 4))
        return d


def _bcftools_norm(path: Path, reference: str | None, out: Path) -> Path:
    """`bcftools norm -m -any --atomize [-f REF -c w]` with the bcftools inside pysam."""
    import pysam
    import pysam.bcftools

    args = ["-m", "-any", "--atomize", "-Ov", "-o", str(out)]
    if reference:
        args += ["-f", str(reference), "-c", "w"]
    try:
        pysam.bcftools.norm(*args, str(path), catch_stdout=False)
    except pysam.SamtoolsError as exc:
        lines = [ln for ln in str(exc).splitlines() if ln.strip()]
        raise UserError(f"cannot normalise {path.name}: {lines[-1] if lines else 'bcftools norm failed'}") from None
    return out


def load_alleles(path: str | Path, reference: str | None = None, regions: RegionSet | None = None,
                 sample: int = 0) -> dict[Allele, str]:
    """Normalised variant alleles of one VCF with their zygosity ("het" or "hom").

    Args:
        path: VCF/BCF (plain or bgzipped).
        reference: FASTA for left-alignment (optional).
        regions: keep only alleles whose position lies inside.
        sample: index of the sample column to read.

    Returns:
        {(contig, pos0, ref, alt): zygosity}.

    Raises:
        UserError: unreadable file or broken header.
    """
    import pysam

    src = check_exists(path, "VCF")
    open_vcf(src).close()  # one-line errors for broken headers and truncated files
    fasta = pysam.FastaFile(reference) if reference else None
    out: dict[Allele, str] = {}
    with tempfile.TemporaryDirectory() as td:
        normed = _bcftools_norm(src, reference, Path(td) / "norm.vcf")
        with pysam.VariantFile(str(normed)) as vf:
            has_samples = len(vf.header.samples) > sample
            for rec in vf:
                if rec.filter.keys() and not set(rec.filter.keys()) <= {"PASS", "."}:
                    continue
                alts = rec.alts or ()
                if has_samples:
                    gt = rec.samples[sample].get("GT") or ()
                    called = [a for a in gt if a is not None and a > 0]
                    if not called:
                        continue
                else:
                    af = rec.info.get("AF")
                    af = af[0] if isinstance(af, tuple) else af
                    called = [1, 1] if af is not None and float(af) >= 0.99 else [1]
                    gt = (0, 1) if called == [1] else (1, 1)
                for idx in sorted(set(called)):
                    alt = alts[idx - 1] if 0 < idx <= len(alts) else None
                    if not alt or alt.startswith("<") or alt == "*" or "[" in alt or "]" in alt:
                        continue
                    ref = rec.ref.upper()
                    if ref == alt.upper():
                        continue
                    base_at = None
                    if fasta is not None and rec.contig in fasta.references:
                        contig = rec.contig
                        base_at = lambda p, c=contig: fasta.fetch(c, p, p + 1) or "N"  # noqa: E731
                    pos0, r, a = normalize(rec.pos - 1, ref, alt.upper(), base_at)
                    if regions is not None and not regions.contains(rec.contig, pos0):
                        continue
                    zyg = "hom" if len(gt) >= 2 and all(g == idx for g in gt) else "het"
                    out[(rec.contig, pos0, r, a)] = zyg
    if fasta is not None:
        fasta.close()
    return out


def score(truth: dict[Allele, str], calls: dict[Allele, str]) -> dict[str, TypeScore]:
    """Compare two allele sets; returns {"SNV": TypeScore, "INDEL": TypeScore}."""
    scores = {"SNV": TypeScore(), "INDEL": TypeScore()}
    for key, zyg in calls.items():
        s = scores[variant_type(key[2], key[3])]
        if key in truth:
            s.tp += 1
            s.gt_match += truth[key] == zyg
        else:
            s.fp += 1
    for key in truth:
        if key not in calls:
            scores[variant_type(key[2], key[3])].fn += 1
    return scores


def compare_vcfs(truth: str | Path, calls: str | Path, bed: str | Path | None = None,
                 reference: str | Path | None = None) -> dict:
    """Score `calls` against `truth` (optionally inside `bed`, optionally left-aligned on `reference`).

    Returns:
        {"SNV": {...}, "INDEL": {...}, "truth": path, "calls": path, "bed": path|None, "normalised_with": ...}
        where each type holds tp, fp, fn, gt_match, precision, recall, f1, genotype_concordance.

    Raises:
        UserError: unreadable inputs.
    """
    regions = RegionSet(read_bed(bed)) if bed else None
    ref = str(check_exists(reference, "reference FASTA")) if reference else None
    t = load_alleles(truth, ref, regions)
    c = load_alleles(calls, ref, regions)
    scores = score(t, c)
    return {**{k: v.as_dict() for k, v in scores.items()}, "truth": str(truth), "calls": str(calls),
            "bed": str(bed) if bed else None,
            "normalised_with": "bcftools norm -m -any --atomize" + (" -f REF + left-align" if ref else " + trim")}


def format_table(rows: dict[str, dict]) -> str:
    """Markdown table of scores: rows = {label: compare_vcfs() result}."""
    lines = ["| calls | type | TP | FP | FN | precision | recall | F1 | GT concordance |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, res in rows.items():
        for t in ("SNV", "INDEL"):
            s = res[t]
            lines.append(f"| {label} | {t} | {s['tp']} | {s['fp']} | {s['fn']} | {s['precision']:.4f} | "
                         f"{s['recall']:.4f} | {s['f1']:.4f} | {s['genotype_concordance']:.4f} |")
    return "\n".join(lines)
