"""Regenerate retrieval/data/uspstf.jsonl.gz from a JSON list of USPSTF recommendation statements.

    python scripts/build_uspstf.py uspstf_enriched.json

Each statement: {id, title: "Topic: Service -- Population", recommendation, grade}; other fields
are ignored. Statements are dated by `retrieval.knowledge.uspstf.YEARS`; topics without a year are
left out and listed. Same input, same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.knowledge.medquad import write_records  # noqa: E402
from retrieval.knowledge.uspstf import DATA_FILE, LEFT_OUT, parse_statements  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("statements", type=Path, help="JSON list of recommendation statements")
    ap.add_argument("-o", "--out", type=Path,
                    default=Path(__file__).resolve().parents[1] / "retrieval" / "data" / DATA_FILE)
    args = ap.parse_args()
    records, dropped = parse_statements(json.loads(args.statements.read_text(encoding="utf-8")))
    n = write_records(records, args.out)
    print(f"{n} statements on {len({r['topic'] for r in records})} topics -> {args.out} "
          f"(grades {dict(sorted(Counter(r['grade'] for r in records).items()))})")
    for topic, count in sorted(dropped.items()):
        print(f"  left out: {topic} ({count}): {LEFT_OUT.get(topic, 'no year known')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
