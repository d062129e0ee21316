"""Simulated truth data: a chr20 slice, dwgsim reads with known mutations, aligned reads.

Simulation needs two things pip cannot supply: the dwgsim program and Debian's chr20 (package
`vt-examples`); `check_prerequisites` says in one line what is missing and how to get it. Slicing,
normalising and indexing go through pysam.

dwgsim writes its mutations as a VCF without genotypes (AF=0.5 het, AF=1 hom-alt); `simulate`
turns that into a normalised truth VCF with GT, plus a BED of the confidently covered part of the
slice (the slice minus its edges, where coverage falls off).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from genomics_tools.align import align_fastq
from genomics_tools.binaries import MissingProgram, missing
from genomics_tools.errors import InternalError
from genomics_tools.inputs import run_tool
from genomics_tools.regions import Region

CHR20 = Path("/usr/share/doc/vt/examples/ref/20.fa.gz")
RESERVED = Region("20", 50_000_000, 55_000_000)  # chr20:50,000,001-55,000,000: independent evaluation only


@dataclass
class SimSpec:
    """One simulated sample.

    Attributes:
        region: slice of the source FASTA (0-based, half-open).
        coverage: mean read depth.
        error_rate: per-base sequencing error rate of both reads.
        seed: dwgsim random seed.
        mutation_rate: dwgsim -r.
        indel_fraction: dwgsim -R.
        read_length: length of each read of a pair.
        edge: bases at each end of the slice left out of the confident BED.
    """

    region: Region
    coverage: float = 30.0
    error_rate: float = 0.01
    seed: int = 1
    mutation_rate: float = 0.001
    indel_fraction: float = 0.2
    read_length: int = 150
    edge: int = 600


@dataclass
class SimResult:
    """Files of one simulation (all inside its folder)."""

    reference: Path
    bam: Path
    truth: Path
    bed: Path
    contig: str


def overlaps_reserved(region: Region) -> bool:
    """True when `region` touches the reserved chr20:50,000,001-55,000,000."""
    return region.contig in ("20", "chr20") and region.start < RESERVED.end and region.end > RESERVED.start


def slice_name(region: Region) -> str:
    """Contig name used for a slice: `20_45000001_45030000`."""
    return f"{region.contig}_{region.start + 1}_{region.end}"


def check_prerequisites(source: str | Path = CHR20, needed_for: str = "read simulation (train-caller, the variant benchmark)") -> None:
    """Raise MissingProgram with one line (what is missing, the apt-get line) when dwgsim or `source` is absent."""
    absent, packages = [], []
    if missing("dwgsim"):
        absent.append("dwgsim")
        packages.append("dwgsim")
    if not Path(source).is_file():
        absent.append(f"Debian's chr20 ({source})" if Path(source) == CHR20 else f"the reference {source}")
        if Path(source) == CHR20:
            packages.append("vt-examples")
    if absent:
        how = f": sudo apt-get install {' '.join(packages)}" if packages else ""
        raise MissingProgram(f"{needed_for} needs {' and '.join(absent)}, which {'is' if len(absent) == 1 else 'are'} "
                             f"missing{how}")


def simulate(spec: SimSpec, out_dir: str | Path, source: str | Path = CHR20, aligner: str = "minimap2",
             allow_reserved: bool = False) -> SimResult:
    """Slice the source FASTA, simulate reads with dwgsim, align them, write truth VCF and BED.

    Args:
        spec: what to simulate.
        out_dir: folder for the files (created).
        source: FASTA to slice (bgzipped + .fai is fine).
        aligner: "minimap2" or "bwa".
        allow_reserved: permit the reserved evaluation region (never for training or tuning).

    Returns:
        The SimResult.

    Raises:
        ValueError: the region touches the reserved range and allow_reserved is False.
        MissingProgram: dwgsim or the source FASTA is not installed.
        InternalError: a tool failed.
    """
    if overlaps_reserved(spec.region) and not allow_reserved:
        raise ValueError(f"{spec.region} overlaps the reserved evaluation range {RESERVED}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = slice_name(spec.region)
    ref = out / "ref.fa"
    result = SimResult(ref, out / "reads.bam", out / "truth.vcf.gz", out / "confident.bed", name)
    if is_cached(spec, out, source, aligner):
        return result  # the same simulation is already on disk
    check_prerequisites(source)
    import pysam

    with pysam.FastaFile(str(source)) as fa:
        body = fa.fetch(spec.region.contig, spec.region.start, spec.region.end)
    if not body.strip("Nn"):
        raise InternalError(f"{spec.region} has no sequence in {source}")
    ref.write_text(f">{name}\n" + "".join(body[i:i + 60] + "\n" for i in range(0, len(body), 60)))
    pysam.faidx(str(ref))
    prefix = out / "sim"
    e = f"{spec.error_rate:g}"
    run_tool(["dwgsim", "-z", str(spec.seed), "-C", f"{spec.coverage:g}", "-1", str(spec.read_length),
              "-2", str(spec.read_length), "-e", e, "-E", e, "-r", f"{spec.mutation_rate:g}",
              "-R", f"{spec.indel_fraction:g}", "-y", "0", "-d", "400", "-s", "40", "-o", "1",
              str(ref), str(prefix)], "dwgsim")
    bam = align_fastq(ref, [f"{prefix}.bwa.read1.fastq.gz", f"{prefix}.bwa.read2.fastq.gz"], out / "reads.bam",
                      aligner=aligner, sample="SIM")
    truth = out / "truth.vcf.gz"
    _truth_from_dwgsim(Path(f"{prefix}.mutations.vcf"), ref, truth)
    bed = out / "confident.bed"
    length = len(spec.region)
    bed.write_text(f"{name}\t{min(spec.edge, length // 4)}\t{max(length - spec.edge, 3 * length // 4)}\n")
    (out / "spec.json").write_text(_stamp(spec, source, aligner))
    return SimResult(ref, bam, truth, bed, name)


def _stamp(spec: SimSpec, source: str | Path, aligner: str) -> str:
    return json.dumps({**asdict(spec), "region": str(spec.region), "source": str(source), "aligner": aligner})


def is_cached(spec: SimSpec, out_dir: str | Path, source: str | Path = CHR20, aligner: str = "minimap2") -> bool:
    """True when `out_dir` already holds the files of this very simulation."""
    out = Path(out_dir)
    stamp = out / "spec.json"
    return stamp.is_file() and stamp.read_text() == _stamp(spec, source, aligner) and all(
        (out / f).is_file() for f in ("ref.fa", "reads.bam", "truth.vcf.gz", "confident.bed"))


def _truth_from_dwgsim(mutations: Path, ref: Path, out: Path) -> None:
    """dwgsim VCF (AF only) -> bgzipped, indexed, normalised VCF with GT."""
    lines = mutations.read_text().splitlines()
    body_out = []
    header = []
    for line in lines:
        if line.startswith("##"):
            header.append(line)
        elif line.startswith("#CHROM"):
            header.append('##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">')
            header.append(line + "\tFORMAT\tTRUTH")
        elif line.strip():
            cols = line.split("\t")
            info = dict(kv.split("=", 1) for kv in cols[7].split(";") if "=" in kv)
            gt = "1/1" if float(info.get("AF", "0.5")) >= 0.99 else "0/1"
            body_out.append("\t".join(cols[:8] + ["GT", gt]))
    if not any(h.startswith("##contig") for h in header):
        fai = Path(str(ref) + ".fai").read_text().split("\t")
        header.insert(1, f"##contig=<ID={fai[0]},length={fai[1]}>")
    raw = out.with_name("truth.raw.vcf")
    raw.write_text("\n".join(header + body_out) + "\n")
    import pysam
    import pysam.bcftools

    try:
        pysam.bcftools.norm("-f", str(ref), "-c", "w", "-m", "-any", "-Oz", "-o", str(out), str(raw),
                            catch_stdout=False)
    except pysam.SamtoolsError as exc:
        raise InternalError(f"bcftools norm failed on the truth set: {str(exc)[-200:]}") from None
    pysam.tabix_index(str(out), preset="vcf", force=True)
