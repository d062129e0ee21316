"""End to end on simulated held-out reads: committed weights, both callers, CLI, FASTQ, tool."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from genomics_tools.compare import compare_vcfs
from genomics_tools.model import DEFAULT_WEIGHTS, card_path

pytestmark = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="committed weights missing")


def _score(sim, vcf):
    return compare_vcfs(sim.truth, vcf, bed=sim.bed, reference=sim.reference)


def test_committed_weights_reach_their_card(small_sim, tmp_path, capsys):
    card = json.loads(card_path(DEFAULT_WEIGHTS).read_text())
    out = tmp_path / "cnn.vcf.gz"
    rc = main(["call-variants", "--bam", str(small_sim.bam), "--ref", str(small_sim.reference), "--out", str(out),
               "--json"])
    assert rc == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["caller"] == "cnn" and report["coverage"]["mean"] > 25
    res = _score(small_sim, out)
    held = card["heldout"]
    # A 30 kb slice holds few variants, so allow a little slack below the card's 300 kb figures.
    assert res["SNV"]["f1"] >= min(held["SNV"]["f1"] - 0.02, 0.97), res["SNV"]
    assert res["INDEL"]["f1"] >= min(held["INDEL"]["f1"] - 0.1, 0.85), res["INDEL"]
    assert res["SNV"]["genotype_concordance"] >= 0.95


def test_bcftools_caller_same_protocol(small_sim, tmp_path, capsys):
    import pysam

    out = tmp_path / "bcf.vcf.gz"
    rc = main(["call-variants", "--bam", str(small_sim.bam), "--ref", str(small_sim.reference), "--out", str(out),
               "--caller", "bcftools", "--region", f"{small_sim.contig}:1-30000"])
    assert rc == 0, capsys.readouterr().err
    with pysam.VariantFile(str(out)) as vf:
        assert any(r.key == "medbot_caller" and r.get("ID") == "bcftools" for r in vf.header.records)
    assert _score(small_sim, out)["SNV"]["f1"] > 0.9


def test_fastq_input_is_aligned_first(small_sim, tmp_path, capsys):
    sim_dir = small_sim.bam.parent
    out = tmp_path / "fq.vcf.gz"
    rc = main(["call-variants", "--fastq", str(sim_dir / "sim.bwa.read1.fastq.gz"), str(sim_dir / "sim.bwa.read2.fastq.gz"),
               "--ref", str(small_sim.reference), "--out", str(out), "--plot", str(tmp_path / "p.png")])
    assert rc == 0, capsys.readouterr().err
    assert (tmp_path / "fq.bam").is_file() and (tmp_path / "p.png").is_file()
    assert _score(small_sim, out)["SNV"]["f1"] > 0.95


def test_tool_calls_uploaded_bam(small_sim):
    from bot.tools import ToolRegistry

    res = ToolRegistry().run("call_variants", {"bam": str(small_sim.bam), "reference": str(small_sim.reference)})
    assert res.data["mode"] == "called" and res.files["vcf"].name == "calls.vcf.gz"
    assert res.files["plot"].read_bytes()[:4] == b"\x89PNG"
    assert res.tables["Variants"].startswith("| position |")
    assert "Coverage: mean" in res.text and "heterozygous" in res.text
