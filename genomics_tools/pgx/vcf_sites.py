"""Read what a VCF says at the pharmacogene positions: one sample's genotypes, gVCF reference
blocks, and the header's genome build. Plain or bgzipped VCF (or BCF), from any caller."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from genomics_tools.errors import UserError
from genomics_tools.pgx.tables import BUILDS, norm_chrom

# Lengths that tell the builds apart, keyed by chromosome without 'chr'.
_LENGTHS = {
    "GRCh37": {"1": 249250621, "2": 243199373, "7": 159138663, "10": 135534747, "12": 133851895,
               "13": 115169878, "16": 90354753, "19": 59128983, "22": 51304566, "X": 155270560},
    "GRCh38": {"1": 248956422, "2": 242193529, "7": 159345973, "10": 133797422, "12": 133275309,
               "13": 114364328, "16": 90338345, "19": 58617616, "22": 50818468, "X": 156040895},
}
_BUILD_WORDS = [("GRCh38", re.compile(r"grch38|hg38|\bb38\b|GCA_000001405\.15", re.I)),
                ("GRCh37", re.compile(r"grch37|hg19|\bb37\b|hs37d5|human_g1k_v37|GCA_000001405\.1\b", re.I))]
_SYMBOLIC = ("<NON_REF>", "<*>", "<X>")


@dataclass
class SiteCall:
    """One VCF record seen at (or, for a reference block, over) a position of interest."""

    chrom: str
    pos: int
    end: int
    ref: str
    alts: tuple[str, ...]
    gt: tuple[int | None, ...]
    phased: bool
    phase_set: int | None
    block: bool  # a gVCF reference block (only symbolic ALTs)


@dataclass
class VcfSites:
    """The chosen sample's records near pharmacogene positions."""

    path: Path
    sample: str
    samples: list[str]
    header_build: str | None
    gvcf: bool
    calls: dict[tuple[str, int], list[SiteCall]] = field(default_factory=dict)  # (chrom, pos) -> records
    blocks: dict[str, list[SiteCall]] = field(default_factory=dict)  # chrom -> reference blocks
    records_in_regions: dict[str, set[str]] = field(default_factory=dict)  # build -> genes with any record

    def at(self, chrom: str, pos: int) -> list[SiteCall]:
        """Records starting at the position, else the reference blocks covering it."""
        here = self.calls.get((chrom, pos))
        if here:
            return here
        return [b for b in self.blocks.get(chrom, []) if b.pos <= pos <= b.end]


def header_build(header) -> str | None:
    """The build a pysam VariantHeader declares (contig lengths first, then ##reference/##assembly)."""
    votes = set()
    for name, contig in header.contigs.items():
        c, length = norm_chrom(name), contig.length
        for b in BUILDS:
            if length and _LENGTHS[b].get(c) == length:
                votes.add(b)
    if len(votes) == 1:
        return votes.pop()
    if votes:
        raise UserError("the VCF header mixes contigs of GRCh37 and GRCh38")
    for rec in header.records:
        if rec.key in ("reference", "assembly", "source_reference", "genome") and rec.value:
            for b, pattern in _BUILD_WORDS:
                if pattern.search(rec.value):
                    return b
    return None


def _is_gvcf_header(header) -> bool:
    if any(r.key.startswith("GVCFBlock") for r in header.records):
        return True
    return "NON_REF" in header.alts or "*" in header.alts


def read_sites(path: str | Path, positions: dict[str, dict[str, list[tuple[int, int, set[int]]]]],
               sample: str | None = None) -> VcfSites:
    """Collect one sample's records at the given positions.

    Args:
        path: VCF, VCF.gz (bgzip) or BCF.
        positions: build -> chrom -> [(region start, region end, positions)] per gene, 1-based.
        sample: sample name; required when the file holds several samples.

    Raises:
        UserError: not a VCF, truncated or corrupt file, no samples, unknown or missing sample name.
    """
    import pysam

    from genomics_tools.inputs import open_vcf

    p = Path(path)
    _check_text_vcf(p)
    verbosity = pysam.set_verbosity(0)  # htslib warns on stderr about undeclared contigs; lab VCFs often omit them
    try:
        vf = open_vcf(p)
    finally:
        pysam.set_verbosity(verbosity)
    try:
        samples = list(vf.header.samples)
        if not samples:
            raise UserError(f"{p.name} has no sample columns: a genotype is needed for pharmacogenomics")
        if sample is None:
            if len(samples) > 1:
                shown = ", ".join(samples[:5]) + (" ..." if len(samples) > 5 else "")
                raise UserError(f"{p.name} has {len(samples)} samples ({shown}): pass --sample NAME")
            sample = samples[0]
        elif sample not in samples:
            raise UserError(f"sample '{sample}' is not in {p.name} (samples: {', '.join(samples[:5])})")
        out = VcfSites(p, sample, samples, header_build(vf.header), _is_gvcf_header(vf.header))
        wanted: dict[str, list[int]] = {}
        regions: dict[str, list[tuple[int, int, str, str]]] = {}
        for build, chroms in positions.items():
            for chrom, genes in chroms.items():
                for start, end, pos_set, gene in genes:
                    wanted.setdefault(chrom, []).extend(pos_set)
                    regions.setdefault(chrom, []).append((start, end, build, gene))
        wanted = {c: sorted(set(v)) for c, v in wanted.items()}
        out.records_in_regions = {b: set() for b in BUILDS}
        verbosity = pysam.set_verbosity(0)
        try:
            for rec in _records(vf, p, regions):
                _take(out, rec, sample, wanted, regions)
        except (OSError, ValueError) as exc:
            msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            raise UserError(f"{p.name} is truncated or corrupt ({msg})") from None
        finally:
            pysam.set_verbosity(verbosity)
    finally:
        vf.close()
    return out


def _records(vf, p: Path, regions: dict[str, list[tuple[int, int, str, str]]]):
    """Records of the pharmacogene regions: fetched through a .tbi/.csi index when there is one
    (a whole genome streams in minutes, the regions in a second), else every record in turn."""
    has_index = any(Path(str(p) + ext).is_file() for ext in (".tbi", ".csi"))
    if not has_index:
        yield from vf
        return
    index_names = list(vf.index.keys()) if getattr(vf, "index", None) is not None else []
    names = {norm_chrom(c): c for c in [*vf.header.contigs, *index_names]}
    seen = set()
    for chrom, spans in regions.items():
        if chrom not in names:
            continue
        for start, end, _, _ in sorted(spans):
            for rec in vf.fetch(names[chrom], start - 1, end):
                key = (rec.chrom, rec.pos, rec.ref, rec.alts)
                if key not in seen:
                    seen.add(key)
                    yield rec


def _check_text_vcf(p: Path) -> None:
    """Refuse a plain-text file that is not a VCF before pysam guesses at it."""
    if not p.is_file():
        raise UserError(f"VCF not found: {p}")
    with open(p, "rb") as fh:
        head = fh.read(64)
    if head[:2] == b"\x1f\x8b" or head[:3] == b"BCF":
        return
    if not head.startswith(b"##fileformat=VCF"):
        raise UserError(f"{p.name} is not a VCF (it does not start with ##fileformat=VCF)")


def _take(out: VcfSites, rec, sample: str, wanted: dict[str, list[int]],
          regions: dict[str, list[tuple[int, int, str, str]]]) -> None:
    chrom = norm_chrom(rec.chrom)
    pos = rec.pos
    end = rec.stop  # pysam: 0-based exclusive end = 1-based inclusive end (honours INFO/END)
    for start, stop, build, gene in regions.get(chrom, ()):
        if start <= end and pos <= stop:
            out.records_in_regions[build].add(gene)
    plist = wanted.get(chrom)
    if not plist:
        return
    i = bisect.bisect_left(plist, pos)
    if i == len(plist) or plist[i] > end:
        return
    alts = tuple(rec.alts or ())
    block = all(a in _SYMBOLIC for a in alts)
    if block and alts:
        out.gvcf = True
    s = rec.samples[sample]
    gt = tuple(s.get("GT") or (None,)) if "GT" in rec.format else (None,)
    ps = s.get("PS") if "PS" in rec.format else None
    call = SiteCall(chrom, pos, end, rec.ref or "", alts, gt, bool(s.phased), ps, block)
    if block:
        out.blocks.setdefault(chrom, []).append(call)
    if plist[i] == pos:
        out.calls.setdefault((chrom, pos), []).append(call)
