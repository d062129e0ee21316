"""`medbot eval variants`: score one call set (--truth/--calls) or run the held-out benchmark."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of the variants suite (stdlib only)."""
    parser.add_argument("--truth", type=Path, help="truth VCF (with --calls: score that pair)")
    parser.add_argument("--calls", type=Path, help="VCF to score against --truth")
    parser.add_argument("--bed", type=Path, help="score only inside these regions (BED)")
    parser.add_argument("--ref", type=Path, help="reference FASTA: left-align indels before matching")
    parser.add_argument("--workdir", type=Path, help="benchmark data folder (default: $MEDBOT_HOME/bench-variants)")
    parser.add_argument("--weights", type=Path, help="CNN weights for the benchmark (default: bundled)")


def run(args: argparse.Namespace) -> dict:
    """Score a pair, or (without --truth/--calls) run the benchmark; returns the result record.

    Raises:
        UserError: only one of --truth/--calls given, or unreadable files.
    """
    from genomics_tools.errors import UserError

    truth, calls = getattr(args, "truth", None), getattr(args, "calls", None)
    if truth or calls:
        if not (truth and calls):
            raise UserError("give both --truth and --calls (or neither, to run the benchmark)")
        from genomics_tools.compare import compare_vcfs

        res = compare_vcfs(truth, calls, bed=getattr(args, "bed", None), reference=getattr(args, "ref", None))
        return {"suite": "variants", "mode": "pair", "metrics": {
            "snv_precision": res["SNV"]["precision"], "snv_recall": res["SNV"]["recall"], "snv_f1": res["SNV"]["f1"],
            "snv_genotype_concordance": res["SNV"]["genotype_concordance"],
            "indel_precision": res["INDEL"]["precision"], "indel_recall": res["INDEL"]["recall"],
            "indel_f1": res["INDEL"]["f1"], "indel_genotype_concordance": res["INDEL"]["genotype_concordance"]},
            "counts": {"SNV": res["SNV"], "INDEL": res["INDEL"]}, "truth": str(truth), "calls": str(calls),
            "bed": res["bed"], "normalised_with": res["normalised_with"]}
    from bot.config import load_settings
    from genomics_tools.benchmark import run_benchmark

    workdir = getattr(args, "workdir", None) or load_settings().ensure_home() / "bench-variants"
    res = run_benchmark(workdir, weights=getattr(args, "weights", None))
    cnn, bcf = res["callers"]["cnn"], res["callers"]["bcftools"]
    return {"suite": "variants", "mode": "benchmark", "metrics": {
        "cnn_snv_f1": cnn["SNV"]["f1"], "cnn_indel_f1": cnn["INDEL"]["f1"],
        "bcftools_snv_f1": bcf["SNV"]["f1"], "bcftools_indel_f1": bcf["INDEL"]["f1"],
        "speed_ratio_vs_bcftools": res["speed_ratio"]}, "benchmark": res}
