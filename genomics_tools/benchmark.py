"""Held-out benchmark: medbot's CNN caller beside bcftools on the same simulated 30x reads.

The region (chr20:40,000,001-41,000,000 by default) is disjoint from every training slice and from
the reserved chr20:50,000,001-55,000,000. Both callers get the same BAM and reference; each is
timed (best of `repeats` wall-clock runs, in this process, model loading included) and scored with
`compare` inside the confidently covered BED.
"""

from __future__ import annotations

import time
from pathlib import Path

from genomics_tools.regions import Region

BENCH_REGION = Region("20", 40_000_000, 41_000_000)


def run_benchmark(workdir: str | Path, region: Region = BENCH_REGION, coverage: float = 30.0,
                  error_rate: float = 0.01, seed: int = 2024, weights: str | Path | None = None,
                  repeats: int = 2) -> dict:
    """Simulate, call with both callers, score and time them.

    Returns:
        {"region", "coverage", "callers": {name: {"SNV", "INDEL", "seconds"}}, "speed_ratio", "goals"}
        where speed_ratio = bcftools seconds / CNN seconds (>= 0.5 means the CNN takes at most
        twice as long).
    """
    from genomics_tools.callers import get_caller
    from genomics_tools.compare import compare_vcfs
    from genomics_tools.model import DEFAULT_WEIGHTS, card_path
    from genomics_tools.simulate import SimSpec, simulate
    from genomics_tools.train import TRAIN_SLICE, TRAIN_STARTS_MB

    for mb in TRAIN_STARTS_MB:
        s = int(mb * 1_000_000)
        if region.contig == "20" and s < region.end and region.start < s + TRAIN_SLICE:
            raise ValueError(f"benchmark region {region} overlaps the training slice starting at {mb} Mb")
    work = Path(workdir)
    spec = SimSpec(region=region, coverage=coverage, error_rate=error_rate, seed=seed, mutation_rate=0.001,
                   indel_fraction=0.2)
    t = time.perf_counter()
    sim = simulate(spec, work / f"bench_{region.start + 1}_{coverage:g}x")
    sim_seconds = time.perf_counter() - t
    call_region = [Region(sim.contig, 0, len(region))]
    results = {}
    import torch  # noqa: F401 - imported once up front so neither caller's timing includes it

    for name in ("bcftools", "cnn"):
        best = float("inf")
        out = sim.bam.parent / f"{name}.vcf.gz"
        for _ in range(repeats):
            caller = get_caller(name, weights=weights)
            t = time.perf_counter()
            caller.call(sim.bam, sim.reference, call_region, out)
            best = min(best, time.perf_counter() - t)
        res = compare_vcfs(sim.truth, out, bed=sim.bed, reference=sim.reference)
        results[name] = {"SNV": res["SNV"], "INDEL": res["INDEL"], "seconds": round(best, 3), "vcf": str(out)}
    cnn, bcf = results["cnn"], results["bcftools"]
    ratio = bcf["seconds"] / cnn["seconds"] if cnn["seconds"] else 0.0
    w = Path(weights) if weights else DEFAULT_WEIGHTS
    return {
        "region": str(region), "coverage": coverage, "error_rate": error_rate, "seed": seed,
        "weights": str(w), "weights_card": card_path(w).name, "simulation_seconds": round(sim_seconds, 1),
        "callers": results, "speed_ratio": round(ratio, 3),
        "goals": {"snv_f1_ge_0.995": cnn["SNV"]["f1"] >= 0.995,
                  "snv_f1_ge_bcftools": cnn["SNV"]["f1"] >= bcf["SNV"]["f1"],
                  "indel_f1_ge_0.95": cnn["INDEL"]["f1"] >= 0.95,
                  "speed_ge_0.5x_bcftools": ratio >= 0.5},
    }


def format_benchmark(res: dict) -> str:
    """Side-by-side table of a `run_benchmark` result."""
    lines = [f"Held-out {res['region']} simulated at {res['coverage']:g}x (error {res['error_rate']:g}, seed "
             f"{res['seed']}); weights {res['weights_card']}",
             "",
             "| caller | SNV P | SNV R | SNV F1 | indel P | indel R | indel F1 | GT conc. (SNV/indel) | seconds |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ("cnn", "bcftools"):
        r = res["callers"][name]
        s, i = r["SNV"], r["INDEL"]
        lines.append(f"| {name} | {s['precision']:.4f} | {s['recall']:.4f} | {s['f1']:.4f} | {i['precision']:.4f} | "
                     f"{i['recall']:.4f} | {i['f1']:.4f} | {s['genotype_concordance']:.3f}/{i['genotype_concordance']:.3f} | "
                     f"{r['seconds']:.2f} |")
    lines.append("")
    lines.append(f"speed ratio (bcftools seconds / cnn seconds): {res['speed_ratio']:.2f}x")
    lines.append("goals: " + ", ".join(f"{k}={'yes' if v else 'NO'}" for k, v in res["goals"].items()))
    return "\n".join(lines)
