"""The user-facing genomics paths on a machine without samtools, bcftools, tabix, bwa, minimap2 or dwgsim.

PATH is rebuilt without those programs (a folder of links to everything else), and starting any of
them fails the test, so FASTQ alignment (mappy), sorting/indexing/normalising/mpileup (pysam), the
CNN and bcftools callers, VCF comparison and the chat's uploads must all run from pip packages.
Where a path does need a program (`--aligner bwa`, read simulation for `train-caller`), the command
says so in one line. The reads come from `readsim` (no dwgsim) on a random 6 kb genome.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from readsim import simulate_sample

from bot.cli import main
from genomics_tools.model import DEFAULT_WEIGHTS

PROGRAMS = ("samtools", "bcftools", "tabix", "bgzip", "htsfile", "bwa", "minimap2", "dwgsim")

pytestmark = pytest.mark.skipif(not DEFAULT_WEIGHTS.is_file(), reason="committed weights missing")


@pytest.fixture
def no_programs(tmp_path_factory, monkeypatch):
    """PATH without the genomics programs; any attempt to start one raises."""
    bin_dir = tmp_path_factory.mktemp("bin-without-genomics-programs")
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            link = bin_dir / entry.name
            if entry.name in PROGRAMS or os.path.lexists(link):
                continue
            if entry.is_file() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert not [p for p in PROGRAMS if shutil.which(p)]

    real_popen = subprocess.Popen

    class GuardedPopen(real_popen):
        def __init__(self, args, *a, **kw):
            argv0 = args.split()[0] if isinstance(args, str) else args[0]
            if Path(str(argv0)).name in PROGRAMS:
                raise AssertionError(f"started {argv0} although it is not installed")
            super().__init__(args, *a, **kw)

    monkeypatch.setattr(subprocess, "Popen", GuardedPopen)
    return bin_dir


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return simulate_sample(tmp_path_factory.mktemp("readsim"))


def _cli(capsys, argv):
    rc = main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_fastq_to_scored_vcf_without_programs(no_programs, sample, tmp_path, capsys):
    import pysam

    out = tmp_path / "calls.vcf.gz"
    rc, stdout, err = _cli(capsys, ["call-variants", "--fastq", *map(str, sample.fastqs), "--ref", str(sample.reference),
                                    "--out", str(out), "--json"])
    assert rc == 0, err
    report = json.loads(stdout)
    assert report["caller"] == "cnn" and report["regions"] == [f"{sample.contig}:1-6000"]
    bam = tmp_path / "calls.bam"
    assert bam.is_file() and (tmp_path / "calls.bam.bai").is_file() and (tmp_path / "calls.vcf.gz.tbi").is_file()
    with pysam.AlignmentFile(str(bam)) as af:
        assert af.header.to_dict()["HD"]["SO"] == "coordinate"
        assert [pg["PN"] for pg in af.header.to_dict()["PG"]][0] == "mappy"
        assert af.mapped >= 0.99 * 2 * len(list(pysam.FastxFile(str(sample.fastqs[0]))))
    rc, stdout, err = _cli(capsys, ["eval", "variants", "--truth", str(sample.truth), "--calls", str(out),
                                    "--ref", str(sample.reference), "--json"])
    assert rc == 0, err
    m = json.loads(stdout)["metrics"]
    # 16 planted variants (half SNVs, half 1-3 bp indels) at 25x with 0.3 % errors
    assert m["snv_f1"] >= 0.9 and m["indel_f1"] >= 0.8, m
    assert m["snv_genotype_concordance"] >= 0.85, m


def test_unindexed_bam_with_both_callers_and_the_chat_uploads(no_programs, sample, tmp_path, capsys, monkeypatch):
    import pysam

    from bot.agent import Agent
    from bot.config import load_settings
    from bot.llm.scripted import ScriptedBackend
    from bot.tools import ToolRegistry
    from genomics_tools.align import align_fastq

    bam = align_fastq(sample.reference, sample.fastqs, tmp_path / "reads.bam")
    Path(str(bam) + ".bai").unlink()
    out = tmp_path / "bcf.vcf.gz"
    rc, _, err = _cli(capsys, ["call-variants", "--bam", str(bam), "--ref", str(sample.reference), "--index",
                               "--caller", "bcftools", "--out", str(out)])
    assert rc == 0, err
    assert Path(str(bam) + ".bai").is_file()
    with pysam.VariantFile(str(out)) as vf:
        caller = [r for r in vf.header.records if r.key == "medbot_caller"][0]
        assert caller.get("ID") == "bcftools" and "pysam" in caller.get("Version")
        assert len(list(vf)) >= sample.n_variants - 2

    # the web chat: reads and their reference uploaded together, then a VCF
    Path(str(bam) + ".bai").unlink()
    monkeypatch.setenv("MEDBOT_SAFETY__AUDIT", "false")  # the PHI-redacted audit log (spaCy) is not tested here
    settings = load_settings()
    agent = Agent(settings, backend=ScriptedBackend(["Variants called.", "VCF summarised."], supports_tools=False),
                  retriever=False, tools=ToolRegistry(settings, names=["call_variants"]))
    res = agent.ask("What variants are in these reads?", uploads=[bam, sample.reference])
    call = res.tool_calls[0]
    assert call["name"] == "call_variants" and "error" not in call, call
    assert call["arguments"]["reference"].endswith("ref.fa")
    vcf = Path(call["files"]["vcf"])
    assert vcf.is_file() and Path(call["files"]["plot"]).is_file()
    nxt = agent.ask("Summarise this VCF", conversation_id=res.conversation_id, uploads=[vcf])
    assert nxt.tool_calls[0]["name"] == "call_variants" and "error" not in nxt.tool_calls[0], nxt.tool_calls


def test_paths_that_need_a_program_say_what_to_install(no_programs, sample, tmp_path, capsys):
    rc, _, err = _cli(capsys, ["call-variants", "--fastq", *map(str, sample.fastqs), "--ref", str(sample.reference),
                               "--aligner", "bwa", "--out", str(tmp_path / "x.vcf.gz")])
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "sudo apt-get install bwa samtools" in err and "--aligner minimap2" in err
    assert not list(tmp_path.glob("*.vcf.gz*")) and not list(tmp_path.glob(".*"))

    rc, _, err = _cli(capsys, ["train-caller", "--workdir", str(tmp_path / "work"), "--out", str(tmp_path / "w.pt"),
                               "--slices", "1", "--epochs", "1"])
    assert rc == 2 and len(err.strip().splitlines()) == 1, err
    assert "dwgsim" in err and "apt-get install dwgsim" in err
