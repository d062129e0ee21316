"""Benchmark: medbot's CNN variant caller beside bcftools on held-out simulated 30x reads.

    python bench/variant_calling.py [--workdir DIR] [--coverage 30] [--json]

Prints SNV and indel precision/recall/F1 for both callers on the same reads and the wall-time
ratio (bcftools seconds / CNN seconds). The region is disjoint from training and outside the
reserved chr20:50,000,001-55,000,000.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    from genomics_tools.benchmark import BENCH_REGION, format_benchmark, run_benchmark
    from genomics_tools.regions import parse_region

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, help="where to keep simulated data (default: a temporary folder)")
    ap.add_argument("--region", default=str(BENCH_REGION), help="chr20 region (default %(default)s)")
    ap.add_argument("--coverage", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--weights", type=Path)
    ap.add_argument("--repeats", type=int, default=2, help="timed runs per caller (best is kept)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as td:
        res = run_benchmark(args.workdir or Path(td), region=parse_region(args.region), coverage=args.coverage,
                            seed=args.seed, weights=args.weights, repeats=args.repeats)
    print(json.dumps(res, indent=2) if args.json else format_benchmark(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
