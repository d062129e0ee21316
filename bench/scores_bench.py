"""Scores on Synthea bundles: how often each input is present and each score computable, and the
time of `medbot scores` warm (in-process, second run) next to reading the bundle alone (baseline).

    python bench/scores_bench.py FHIR_DIR [--limit 50]
"""

from __future__ import annotations

import argparse
import collections
import json
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("fhir_dir")
    ap.add_argument("--limit", type=int, default=50)
    args = ap.parse_args()
    from bot.scores import record, score_case
    from bot.scores.catalog import SCORES
    from bot.scores.model import MISSING

    files = sorted(p for p in Path(args.fhir_dir).glob("*.json") if "Information" not in p.name)[: args.limit]
    present: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    status: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    silent = 0
    t_read = t_score = 0.0
    for f in files:
        t0 = time.perf_counter()
        json.loads(f.read_text(encoding="utf-8"))
        t1 = time.perf_counter()
        rec = record.from_file(None, f)
        results, _ = score_case(rec, names=list(SCORES))
        t2 = time.perf_counter()
        t_read += t1 - t0
        t_score += t2 - t1
        for r in results:
            status[r.key][r.status] += 1
            for i in r.inputs:
                present[(r.key, i.key)][i.status] += 1
                if i.status != MISSING and not i.source:
                    silent += 1  # a value with no source would be a silent default
    n = len(files)
    print(f"{n} bundles; inputs with a value but no source (silent defaults): {silent}")
    print(f"time per bundle: json.loads baseline {t_read / n * 1000:.1f} ms, all {len(SCORES)} scores "
          f"{t_score / n * 1000:.1f} ms (ratio {t_score / max(t_read, 1e-9):.1f}x)")
    print("\n| score | computed | range | not computable | refused (age) |\n|---|---|---|---|---|")
    for k in SCORES:
        c = status[k]
        print(f"| {k} | {c['computed']} | {c['range']} | {c['not computable']} | {c['refused']} |")
    print("\n| score | input | recorded/derived | absent (list searched) | missing |\n|---|---|---|---|---|")
    for (k, i), c in present.items():
        print(f"| {k} | {i} | {c['recorded'] + c['derived']} | {c['absent']} | {c['missing']} |")


if __name__ == "__main__":
    main()
