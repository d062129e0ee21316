"""Regenerate retrieval/data/medquad.jsonl.gz from a checkout of github.com/abachaa/MedQuAD.

    git clone https://github.com/abachaa/MedQuAD /tmp/MedQuAD
    python scripts/build_medquad.py /tmp/MedQuAD

Keeps subsets 1-9 (the answered ones) and writes one JSON object per question-answer pair.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.knowledge.medquad import DATA_FILE, parse_repository, write_records  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("repo", type=Path, help="MedQuAD checkout")
    ap.add_argument("-o", "--out", type=Path,
                    default=Path(__file__).resolve().parents[1] / "retrieval" / "data" / DATA_FILE)
    args = ap.parse_args()
    records = list(parse_repository(args.repo))
    n = write_records(records, args.out)
    per = Counter(r["source"] for r in records)
    print(f"{n} pairs from {len({(r['source'], r['doc']) for r in records})} documents -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.1f} MB)")
    for src, c in sorted(per.items()):
        print(f"  {src}: {c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
