"""Regenerate retrieval/data/medlineplus.jsonl.gz from the processed MedlinePlus health-topic file.

    python scripts/build_medlineplus.py medlineplus_topics.json

The input is the NLM bulk health-topic file processed to JSON ({generatedAt, sourceUrl, topics:
[{id, title, summary, aliases, groups, url, language}]}). The 2017 copies of the same pages in the
bundled MedQuAD file give list boundaries the processing flattened. Same input, same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.knowledge import medquad  # noqa: E402
from retrieval.knowledge.medlineplus import DATA_FILE, page_key, parse_bulk  # noqa: E402


def medquad_items() -> dict[str, list[str]]:
    """List items of MedQuAD's MedlinePlus answers, by page."""
    out: dict[str, list[str]] = {}
    for rec in medquad.read_records():
        key = page_key(rec.get("url")) if rec.get("source") == "MPlusHealthTopics" else None
        if key:
            out.setdefault(key, []).extend(line[2:].strip() for line in rec["answer"].split("\n")
                                           if line.startswith("- "))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("topics", type=Path, help="processed health-topic JSON file")
    ap.add_argument("-o", "--out", type=Path,
                    default=Path(__file__).resolve().parents[1] / "retrieval" / "data" / DATA_FILE)
    args = ap.parse_args()
    data = json.loads(args.topics.read_text(encoding="utf-8"))
    records = list(parse_bulk(data, medquad_items()))
    n = medquad.write_records(records, args.out)
    items = sum(s["text"].count("\n- ") for r in records for s in r["sections"])
    empty = sum(1 for t in data.get("topics") or [] if not (t.get("summary") or "").strip())
    print(f"{n} topics, {empty} with an empty summary left out ({sum(1 for r in records if r['source_org'])} with a source line, {items} list items) "
          f"-> {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
