"""VCF scoring with hand-counted cases (see HAND_REF in conftest for the positions)."""

from __future__ import annotations

import pytest

from genomics_tools.errors import UserError
from genomics_tools.compare import compare_vcfs, score
from genomics_tools.normalize import normalize

TRUTH = [
    "1\t3\t.\tG\tT\t.\tPASS\t.\tGT\t0/1",
    "1\t8\t.\tTA\tT\t.\tPASS\t.\tGT\t0/1",       # one A of AAAAAA deleted, left-aligned
    "1\t19\t.\tCG\tTA\t.\tPASS\t.\tGT\t1/1",     # MNV: two SNVs in one record
    "1\t27\t.\tG\tC\t.\tPASS\t.\tGT\t0/1",       # missed by the calls
    "1\t36\t.\tC\tCT\t.\tPASS\t.\tGT\t0/1",
    "1\t44\t.\tA\tG\t.\tPASS\t.\tGT\t1/1",
]
CALLS = [
    "1\t3\t.\tG\tT\t50\tPASS\t.\tGT\t0/1",
    "1\t13\t.\tAA\tA\t50\tPASS\t.\tGT\t0/1",     # the same deletion, written at the right end
    "1\t19\t.\tC\tT\t50\tPASS\t.\tGT\t1/1",
    "1\t20\t.\tG\tA\t50\tPASS\t.\tGT\t1/1",
    "1\t36\t.\tC\tCT\t50\tPASS\t.\tGT\t0/1",
    "1\t44\t.\tA\tG\t50\tPASS\t.\tGT\t0/1",      # right allele, wrong zygosity
    "1\t48\t.\tA\tC\t50\tPASS\t.\tGT\t0/1",      # false positive
    "1\t50\t.\tT\tG\t5\tLowQual\t.\tGT\t0/1",    # filtered: not a call
    "1\t52\t.\tA\tT\t50\tPASS\t.\tGT\t0/0",      # hom-ref: not a call
]


@pytest.fixture
def pair(tmp_path, vcf_factory, hand_seq):
    contigs = {"1": len(hand_seq)}
    return vcf_factory(tmp_path / "truth.vcf", TRUTH, contigs), vcf_factory(tmp_path / "calls.vcf", CALLS, contigs)


def test_hand_counted_scores_with_reference(pair, hand_ref):
    res = compare_vcfs(*pair, reference=hand_ref)
    snv, indel = res["SNV"], res["INDEL"]
    assert (snv["tp"], snv["fp"], snv["fn"]) == (4, 1, 1)
    assert snv["precision"] == pytest.approx(0.8) and snv["recall"] == pytest.approx(0.8)
    assert snv["f1"] == pytest.approx(0.8)
    assert snv["genotype_concordance"] == pytest.approx(0.75)
    assert (indel["tp"], indel["fp"], indel["fn"]) == (2, 0, 0)
    assert indel["f1"] == pytest.approx(1.0) and indel["genotype_concordance"] == pytest.approx(1.0)


def test_without_reference_shifted_deletion_does_not_match(pair):
    res = compare_vcfs(*pair)
    indel = res["INDEL"]
    assert (indel["tp"], indel["fp"], indel["fn"]) == (1, 1, 1)
    assert res["SNV"]["tp"] == 4  # the MNV is still decomposed without a reference


def test_bed_restricts_both_sets(pair, hand_ref, tmp_path):
    bed = tmp_path / "r.bed"
    bed.write_text("1\t0\t30\n")  # positions 1-30
    res = compare_vcfs(*pair, bed=bed, reference=hand_ref)
    assert (res["SNV"]["tp"], res["SNV"]["fp"], res["SNV"]["fn"]) == (3, 0, 1)
    assert (res["INDEL"]["tp"], res["INDEL"]["fp"], res["INDEL"]["fn"]) == (1, 0, 0)


def test_truth_without_genotypes_uses_af(tmp_path, vcf_factory, hand_ref, hand_seq):
    contigs = {"1": len(hand_seq)}
    truth = vcf_factory(tmp_path / "t.vcf", ["1\t3\t.\tG\tT\t.\tPASS\tAF=1.0", "1\t27\t.\tG\tC\t.\tPASS\tAF=0.5"],
                        contigs, sample=None)
    calls = vcf_factory(tmp_path / "c.vcf", ["1\t3\t.\tG\tT\t9\tPASS\t.\tGT\t1/1", "1\t27\t.\tG\tC\t9\tPASS\t.\tGT\t1/1"],
                        contigs)
    snv = compare_vcfs(truth, calls, reference=hand_ref)["SNV"]
    assert snv["tp"] == 2 and snv["gt_match"] == 1


def test_normalize_left_aligns_and_trims():
    seq = "ACGTACGTAAAAAACG"
    base_at = lambda p: seq[p]  # noqa: E731
    assert normalize(12, "AA", "A", base_at) == (7, "TA", "T")
    assert normalize(2, "GTAC", "GTC", base_at) == (3, "TA", "T")
    assert normalize(2, "GTA", "TTA") == (2, "G", "T")
    with pytest.raises(ValueError):
        normalize(1, "A", "A")


def test_score_counts_types_separately():
    truth = {("1", 1, "A", "G"): "het", ("1", 5, "AT", "A"): "hom"}
    calls = {("1", 1, "A", "G"): "hom", ("1", 9, "C", "CT"): "het"}
    s = score(truth, calls)
    assert (s["SNV"].tp, s["SNV"].gt_match) == (1, 0)
    assert (s["INDEL"].tp, s["INDEL"].fp, s["INDEL"].fn) == (0, 1, 1)
    assert s["INDEL"].f1 == 0.0


def test_broken_header_is_a_user_error(tmp_path, pair):
    bad = tmp_path / "bad.vcf"
    bad.write_text("this is not a vcf\n1\t3\t.\tG\tT\n")
    with pytest.raises(UserError):
        compare_vcfs(bad, pair[1])


def test_eval_cli_scores_a_pair(pair, hand_ref, capsys):
    from bot.cli import main

    rc = main(["eval", "variants", "--truth", str(pair[0]), "--calls", str(pair[1]), "--ref", str(hand_ref), "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    assert '"snv_f1": 0.8' in out and '"indel_f1": 1.0' in out


def test_eval_cli_broken_vcf_exits_2(tmp_path, pair, capsys):
    from bot.cli import main

    bad = tmp_path / "bad.vcf"
    bad.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\n1\tx\n")
    rc = main(["eval", "variants", "--truth", str(bad), "--calls", str(pair[1])])
    err = capsys.readouterr().err
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
