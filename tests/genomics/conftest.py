"""Fixtures for genomics tests: a hand-made reference and BAM, VCF writing, a small simulation."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # readsim

# 54 bp, written out so positions in the scoring tests can be counted by hand (1-based):
# 1 ACGTACGT 8 | 9 AAAAAA 14 | 15 CGTACGTTGCATGCATGCAACCGGTTACGATCGATTGACC 54
HAND_REF = "ACGTACGTAAAAAACGTACGTTGCATGCATGCAACCGGTTACGATCGATTGACC"

# Read simulation on chr20 needs dwgsim and Debian's chr20; everything else runs from pip (mappy, pysam).
needs_tools = pytest.mark.skipif(
    not shutil.which("dwgsim") or not Path("/usr/share/doc/vt/examples/ref/20.fa.gz").is_file(),
    reason="dwgsim and vt-examples (chr20) are installed by scripts/test.sh")


def write_fasta(path: Path, seqs: dict[str, str]) -> Path:
    import pysam

    path.write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
    pysam.faidx(str(path))
    return path


def write_vcf(path: Path, rows: list[str], contigs: dict[str, int], sample: str | None = "S1") -> Path:
    """Write a VCF 4.2 from tab-separated data rows (CHROM..INFO[, FORMAT, sample])."""
    head = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
            '##FILTER=<ID=LowQual,Description="Low quality">',
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">']
    head += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    cols = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" + (f"\tFORMAT\t{sample}" if sample else "")
    path.write_text("\n".join(head + [cols] + rows) + "\n")
    return path


@pytest.fixture
def hand_ref(tmp_path) -> Path:
    return write_fasta(tmp_path / "hand.fa", {"1": HAND_REF})


def make_bam(path: Path, ref_seqs: dict[str, str], reads: list[tuple], sort: bool = True, index: bool = True) -> Path:
    """Write a BAM; reads are (name, contig, pos0, seq, cigar_string, is_reverse)."""
    import pysam

    header = {"HD": {"VN": "1.6", "SO": "coordinate" if sort else "unsorted"},
              "SQ": [{"SN": k, "LN": len(v)} for k, v in ref_seqs.items()],
              "RG": [{"ID": "rg1", "SM": "HAND"}]}
    names = list(ref_seqs)
    order = sorted(reads, key=lambda r: (names.index(r[1]), r[2])) if sort else reads
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for name, contig, pos0, seq, cigar, rev in order:
            a = pysam.AlignedSegment(out.header)
            a.query_name = name
            a.reference_id = names.index(contig)
            a.reference_start = pos0
            a.query_sequence = seq
            a.cigarstring = cigar
            a.mapping_quality = 60
            a.is_reverse = rev
            a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
            a.set_tag("RG", "rg1")
            out.write(a)
    if index:
        pysam.index(str(path))
    return path


@pytest.fixture(scope="session")
def small_sim(tmp_path_factory):
    """30x reads simulated on held-out chr20:45,000,001-45,030,000 (disjoint from training)."""
    if needs_tools.args[0]:
        pytest.skip(needs_tools.kwargs["reason"])
    from genomics_tools.regions import Region
    from genomics_tools.simulate import SimSpec, simulate

    spec = SimSpec(region=Region("20", 45_000_000, 45_030_000), coverage=30, error_rate=0.01, seed=11,
                   mutation_rate=0.002, indel_fraction=0.25)
    return simulate(spec, tmp_path_factory.mktemp("sim"))


@pytest.fixture
def vcf_factory():
    return write_vcf


@pytest.fixture
def bam_factory():
    return make_bam


@pytest.fixture
def fasta_factory():
    return write_fasta


@pytest.fixture
def hand_seq():
    return HAND_REF
