"""Bad input to `medbot call-variants`: one line on stderr, exit 2, no VCF left behind."""

from __future__ import annotations

import shutil

import pytest

from bot.cli import main


@pytest.fixture
def reads(hand_seq):
    s = hand_seq
    return [(f"r{i}", "1", i, s[i:i + 30], "30M", bool(i % 2)) for i in range(0, 24, 2)]


def _run(capsys, argv):
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.err


def _assert_refused(rc, err, out_dir, needle):
    assert rc == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert needle in err
    assert not any(p.name.endswith((".vcf.gz", ".tbi")) or p.name.startswith(".") for p in out_dir.iterdir())


def test_unsorted_bam(tmp_path, capsys, hand_seq, hand_ref, bam_factory, reads):
    bam = bam_factory(tmp_path / "u.bam", {"1": hand_seq}, list(reversed(reads)), sort=False, index=False)
    out = tmp_path / "out"
    out.mkdir()
    rc, err = _run(capsys, ["call-variants", "--bam", str(bam), "--ref", str(hand_ref), "--out", str(out / "x.vcf.gz")])
    _assert_refused(rc, err, out, "not coordinate-sorted")


def test_unindexed_bam_then_index_flag(tmp_path, capsys, hand_seq, hand_ref, bam_factory, reads):
    bam = bam_factory(tmp_path / "n.bam", {"1": hand_seq}, reads, index=False)
    out = tmp_path / "out"
    out.mkdir()
    argv = ["call-variants", "--bam", str(bam), "--ref", str(hand_ref), "--out", str(out / "x.vcf.gz"), "--caller", "bcftools"]
    rc, err = _run(capsys, argv)
    _assert_refused(rc, err, out, "--index")
    rc, err = _run(capsys, argv + ["--index"])
    assert rc == 0, err
    assert (out / "x.vcf.gz").is_file() and (out / "x.vcf.gz.tbi").is_file()


def test_truncated_bam(tmp_path, capsys, hand_seq, hand_ref, bam_factory, reads):
    bam = bam_factory(tmp_path / "t.bam", {"1": hand_seq}, reads)
    cut = tmp_path / "cut.bam"
    cut.write_bytes(bam.read_bytes()[:-28])
    shutil.copy(str(bam) + ".bai", str(cut) + ".bai")
    out = tmp_path / "out"
    out.mkdir()
    rc, err = _run(capsys, ["call-variants", "--bam", str(cut), "--ref", str(hand_ref), "--out", str(out / "x.vcf.gz")])
    _assert_refused(rc, err, out, "truncated")


def test_contigs_do_not_match(tmp_path, capsys, hand_seq, bam_factory, reads, fasta_factory):
    bam = bam_factory(tmp_path / "c.bam", {"1": hand_seq}, reads)
    other = fasta_factory(tmp_path / "other.fa", {"chrX": hand_seq})
    out = tmp_path / "out"
    out.mkdir()
    rc, err = _run(capsys, ["call-variants", "--bam", str(bam), "--ref", str(other), "--out", str(out / "x.vcf.gz")])
    _assert_refused(rc, err, out, "do not match")


@pytest.mark.parametrize("region,needle", [("1:40-30", "empty region"), ("1:100-200", "empty region"),
                                           ("7:1-10", "not in the reference"), ("1:x-y", "bad region")])
def test_bad_regions(tmp_path, capsys, hand_seq, hand_ref, bam_factory, reads, region, needle):
    bam = bam_factory(tmp_path / "r.bam", {"1": hand_seq}, reads)
    out = tmp_path / "out"
    out.mkdir()
    rc, err = _run(capsys, ["call-variants", "--bam", str(bam), "--ref", str(hand_ref), "--region", region,
                            "--out", str(out / "x.vcf.gz")])
    _assert_refused(rc, err, out, needle)


def test_tool_refuses_broken_vcf(tmp_path):
    from bot.tools import ToolRegistry
    from bot.errors import UserError  # the tool turns the library's error into medbot's own

    bad = tmp_path / "bad.vcf"
    bad.write_text("#CHROM\tPOS\nnot a vcf\n")
    with pytest.raises(UserError, match="broken VCF header|not a VCF"):
        ToolRegistry().run("call_variants", {"vcf": str(bad)})
