"""One call of the whole pipeline, shared by `medbot call-variants` and the `call_variants` tool.

Inputs are checked first (so bad input fails before anything is written), FASTQ is aligned,
the chosen caller writes the VCF, and the result is summarised (and optionally plotted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from genomics_tools.errors import UserError
from genomics_tools.regions import Region, parse_region


@dataclass
class CallOptions:
    """Everything one variant-calling run needs.

    Attributes:
        reference: FASTA the reads are (or will be) aligned to.
        out: output `.vcf.gz`.
        bam: coordinate-sorted, indexed BAM/CRAM (or give `fastq`).
        fastq: one or two FASTQ files to align first.
        region: `CHR:START-END` (default: every contig with reads).
        caller: "cnn" or "bcftools".
        weights: CNN weights (default: committed weights).
        make_index: index an unindexed BAM instead of refusing.
        aligner: "minimap2" or "bwa" for FASTQ input.
        genes: GFF/GTF/BED for gene names.
        known: tabix-indexed VCF of known variants.
        plot: PNG path for the coverage / variant plot (None: no plot).
        threads: aligner threads.
        progress: progress bars.
    """

    reference: Path
    out: Path
    bam: Path | None = None
    fastq: list[Path] = field(default_factory=list)
    region: str | None = None
    caller: str = "cnn"
    weights: Path | None = None
    make_index: bool = False
    aligner: str = "minimap2"
    genes: Path | None = None
    known: Path | None = None
    plot: Path | None = None
    threads: int = 2
    progress: bool = False


@dataclass
class CallReport:
    """What one run produced."""

    vcf: Path
    caller: str
    regions: list[str]
    summary: object
    plot: Path | None
    bam: Path
    seconds: dict[str, float]

    def as_dict(self) -> dict:
        return {"vcf": str(self.vcf), "caller": self.caller, "regions": self.regions, "bam": str(self.bam),
                "plot": str(self.plot) if self.plot else None, "seconds": self.seconds,
                **{k: v for k, v in self.summary.as_dict().items() if k not in ("vcf", "caller")}}


def _regions(bam: Path, reference: Path, region: str | None, bam_lengths: dict[str, int]) -> list[Region]:
    import pysam

    from genomics_tools.inputs import reference_contigs

    ref_lengths = reference_contigs(reference)
    if region:
        r = parse_region(region, ref_lengths)
        if r.contig not in bam_lengths:
            raise UserError(f"contig {r.contig} is in the reference but not in {bam.name}")
        return [r]
    with pysam.AlignmentFile(str(bam), reference_filename=str(reference)) as af:
        stats = {s.contig: s.mapped for s in af.get_index_statistics()}
    regions = [Region(c, 0, ref_lengths[c]) for c, n in stats.items() if n > 0 and c in ref_lengths]
    if not regions:
        raise UserError(f"{bam.name} has no mapped reads on the reference's contigs")
    return regions


def _coverage(bam: Path, reference: Path, regions: list[Region], pileups: list):
    """Depth track of the first region (from the caller's pileups when it kept them)."""
    import numpy as np

    from genomics_tools.pileup import scan
    from genomics_tools.summary import coverage_from_depths

    if not pileups:
        first = regions[0]
        region = Region(first.contig, first.start, min(first.end, first.start + 5_000_000))
        pileups = [scan(str(bam), str(reference), region)]
    contig = pileups[0].region.contig
    same = [p for p in pileups if p.region.contig == contig]
    depth = np.concatenate([p.depth for p in same])
    return coverage_from_depths(np.concatenate([p.depth for p in pileups])), (contig, same[0].region.start + 1, depth)


def call_variants(opts: CallOptions) -> CallReport:
    """Check inputs, align FASTQ if given, call, summarise and plot.

    Raises:
        UserError: bad input (nothing is written at `opts.out`).
    """
    from genomics_tools.annotate import GeneIndex, KnownVariants
    from genomics_tools.callers import get_caller
    from genomics_tools.inputs import check_alignments, reference_contigs
    from genomics_tools.plot import plot_variants
    from genomics_tools.summary import summarize_vcf

    times: dict[str, float] = {}
    out = Path(opts.out)
    if not out.name.endswith(".vcf.gz"):
        raise UserError(f"--out must end in .vcf.gz (bgzipped, indexed VCF): {out}")
    reference = Path(opts.reference)
    reference_contigs(reference)
    genes = GeneIndex.from_file(opts.genes) if opts.genes else None
    known = KnownVariants(opts.known) if opts.known else None
    if opts.region:
        parse_region(opts.region, reference_contigs(reference))
    caller = get_caller(opts.caller, weights=opts.weights, progress=opts.progress, keep_pileups=True)
    t = time.perf_counter()
    if opts.fastq:
        from genomics_tools.align import align_fastq

        bam = out.with_name(out.name.removesuffix(".vcf.gz") + ".bam")
        bam = align_fastq(reference, opts.fastq, bam, aligner=opts.aligner, threads=opts.threads)
        times["align"] = round(time.perf_counter() - t, 2)
    elif opts.bam:
        bam = Path(opts.bam)
    else:
        raise UserError("give --bam or --fastq")
    lengths = check_alignments(bam, reference, make_index=opts.make_index)
    regions = _regions(bam, reference, opts.region, lengths)
    t = time.perf_counter()
    vcf = caller.call(bam, reference, regions, out)
    times["call"] = round(time.perf_counter() - t, 2)
    cov, track = _coverage(bam, reference, regions, getattr(caller, "pileups", []))
    summary = summarize_vcf(vcf, genes=genes, known=known, coverage=cov)
    if known is not None:
        known.close()
    plot = None
    if opts.plot:
        plot = plot_variants(opts.plot, summary.variants, coverage=track,
                             title=f"{bam.name}: {sum(summary.counts.values())} variants ({opts.caller})")
    return CallReport(vcf, opts.caller, [str(r) for r in regions], summary, plot, bam, times)
