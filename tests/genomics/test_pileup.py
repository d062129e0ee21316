"""Pileup scan, candidates and tensors on a hand-made BAM."""

from __future__ import annotations

import numpy as np
import pytest

from genomics_tools.examples import KIND_DEL, KIND_INS, KIND_SNV, N_CHANNELS, build_examples, find_candidates
from genomics_tools.pileup import scan
from genomics_tools.regions import Region


@pytest.fixture
def hand_bam(tmp_path, hand_seq, hand_ref, bam_factory):
    s = hand_seq
    snv = s[:10] + "C" + s[11:20]  # A>C at 0-based 10
    dele = s[20:30] + s[32:42]  # GC deleted after 0-based 29
    ins = s[30:40] + "GG" + s[40:50]  # GG inserted after 0-based 39
    reads = [("r1", "1", 0, snv, "20M", False), ("r2", "1", 0, snv, "20M", True), ("r3", "1", 0, s[:20], "20M", False),
             ("r4", "1", 20, dele, "10M2D10M", False), ("r6", "1", 20, dele, "10M2D10M", True),
             ("r5", "1", 30, ins, "10M2I10M", False), ("r7", "1", 30, ins, "10M2I10M", True)]
    return bam_factory(tmp_path / "hand.bam", {"1": s}, reads)


def test_scan_counts_bases_strands_and_indels(hand_bam, hand_ref, hand_seq):
    pile = scan(str(hand_bam), str(hand_ref), Region("1", 0, len(hand_seq)))
    assert pile.n_reads == 7
    assert pile.base_counts[0, 1, 10] == 1 and pile.base_counts[1, 1, 10] == 1  # C on both strands
    assert pile.base_counts[0, 0, 10] == 1  # the reference A of r3
    assert list(pile.del_cover.sum(axis=0)[29:33]) == [0, 2, 2, 0]
    assert pile.ins_after.sum(axis=0)[39] == 2
    assert pile.indels[(29, "D", 2)] == 2 and pile.indels[(39, "I", "GG")] == 2
    assert pile.depth[10] == 3 and pile.depth[30] == 4  # 2 deletions over it + 2 reads starting there


def test_candidates_and_tensors(hand_bam, hand_ref, hand_seq):
    pile = scan(str(hand_bam), str(hand_ref), Region("1", 0, len(hand_seq)))
    cands = find_candidates(pile)
    keys = {(p, r, a, k) for p, r, a, k, _, _ in cands}
    assert keys == {(10, "A", "C", KIND_SNV), (29, "TGC", "T", KIND_DEL), (39, "T", "TGG", KIND_INS)}
    ex = build_examples(pile, cands)
    assert ex.tensors.shape == (3, N_CHANNELS, 33)
    j = list(ex.pos0).index(10)
    t = ex.tensors[j].astype(np.float32)
    assert t[0:4, 16].argmax() == 0  # reference A at the centre
    assert t[N_CHANNELS - 1, 16] == pytest.approx(2 / 3, abs=1e-3)  # candidate allele support
    assert ex.site[j, 0] == pytest.approx(2 / 3, abs=1e-6)
    assert ex.alt_count[j] == 2 and ex.depth[j] == 3


def test_examples_round_trip(tmp_path, hand_bam, hand_ref, hand_seq):
    from genomics_tools.examples import Examples, make_examples

    ex, _ = make_examples(str(hand_bam), str(hand_ref), Region("1", 0, len(hand_seq)), out=tmp_path / "ex.npz")
    back = Examples.load(tmp_path / "ex.npz")
    assert list(back.alt) == list(ex.alt) and back.tensors.shape == ex.tensors.shape


def test_het_vs_error_llr_separates_low_fraction_hets_from_errors():
    from genomics_tools.examples import het_vs_error_llr

    assert het_vs_error_llr(8, 31) > 0.4  # 26 % of 31 reads: a het
    assert het_vs_error_llr(3, 20) < 0  # 15 % of 20 reads: likely errors
    assert het_vs_error_llr(1000, 1000) == 3.0 and het_vs_error_llr(0, 1000) == -3.0
