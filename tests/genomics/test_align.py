"""FASTQ alignment: the mappy engine writes what the minimap2 program writes; bad pairs are refused."""

from __future__ import annotations

import gzip
import shutil

import pytest
from readsim import simulate_sample

from genomics_tools.align import align_fastq
from genomics_tools.errors import UserError


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return simulate_sample(tmp_path_factory.mktemp("readsim"), length=5000, n_variants=12, seed=9)


def _records(bam):
    import pysam

    with pysam.AlignmentFile(str(bam)) as af:
        return {(a.query_name, a.is_read1): (a.flag, a.reference_start, a.cigarstring, a.mapping_quality,
                                             a.next_reference_start, a.template_length, a.get_tag("NM"),
                                             a.query_sequence, list(a.query_qualities))
                for a in af.fetch(until_eof=True) if not a.is_secondary and not a.is_supplementary}


@pytest.mark.skipif(not (shutil.which("minimap2") and shutil.which("samtools")),
                    reason="compares with the minimap2 and samtools programs (installed by scripts/test.sh)")
def test_mappy_records_match_the_minimap2_program(sample, tmp_path):
    ours = _records(align_fastq(sample.reference, sample.fastqs, tmp_path / "mappy.bam", engine="mappy"))
    theirs = _records(align_fastq(sample.reference, sample.fastqs, tmp_path / "prog.bam", engine="programs"))
    assert ours.keys() == theirs.keys()
    differ = [k for k in ours if ours[k] != theirs[k]]
    assert not differ, [(k, ours[k][:7], theirs[k][:7]) for k in differ[:3]]


def test_single_end_reads(sample, tmp_path):
    import pysam

    bam = align_fastq(sample.reference, sample.fastqs[:1], tmp_path / "se.bam", engine="mappy", threads=1)
    with pysam.AlignmentFile(str(bam)) as af:
        reads = list(af.fetch(until_eof=True))
        assert af.header.to_dict()["HD"]["SO"] == "coordinate"
    assert reads and not any(r.is_paired for r in reads)
    mapped = [r for r in reads if not r.is_unmapped]
    assert len(mapped) >= 0.99 * len(reads)
    assert {r.is_reverse for r in mapped} == {True, False}
    starts = [r.reference_start for r in mapped]
    assert starts == sorted(starts)


def test_files_that_are_not_mates_are_refused(sample, tmp_path):
    short = tmp_path / "short_2.fq.gz"
    with gzip.open(sample.fastqs[1], "rt") as src, gzip.open(short, "wt") as dst:
        dst.writelines(list(src)[:-4])
    with pytest.raises(UserError, match="more reads than"):
        align_fastq(sample.reference, [sample.fastqs[0], short], tmp_path / "x.bam", engine="mappy")
    assert not list(tmp_path.glob("*.bam*")) and not list(tmp_path.glob(".*"))
    renamed = tmp_path / "renamed_2.fq.gz"
    with gzip.open(sample.fastqs[1], "rt") as src, gzip.open(renamed, "wt") as dst:
        dst.writelines(line.replace("@pair", "@other") if i % 4 == 0 else line for i, line in enumerate(src))
    with pytest.raises(UserError, match="not mates"):
        align_fastq(sample.reference, [sample.fastqs[0], renamed], tmp_path / "x.bam", engine="mappy")
    assert not list(tmp_path.glob("*.bam*")) and not list(tmp_path.glob(".*"))
