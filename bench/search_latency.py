"""Hybrid search latency over a real home: every collection, BM25 + dense + question matching.

    MEDBOT_HOME=~/.medbot .venv/bin/python bench/search_latency.py [--repeat 2]

Queries: the questions of the answer set (`bot/evals/data/answers.yaml`, patient and clinician
wording, each searched with its role's preference) and the same questions reworded to lower
case without punctuation. Prints p50/p95/max in ms and what the index held (dense chunks done of
all), since a partly filled dense index searches fewer vectors. Goal on an idle 2-core machine:
p50 <= 60 ms, p95 <= 150 ms with the full dense index.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeat", type=int, default=2, help="passes over the queries (the first is not a warm-up)")
    p.add_argument("--k", type=int, help="results per search (default: retrieval.k)")
    args = p.parse_args()

    import yaml

    from bot.config import load_settings
    from retrieval import get_retriever

    settings = load_settings({"retrieval": {"auto_fill": False}})
    r = get_retriever(settings)
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "bot/evals/data/answers.yaml").read_text())
    queries = [(q["q"], q.get("role")) for q in data["questions"]]
    queries += [(re.sub(r"[^\w\s]", "", q).lower(), role) for q, role in queries]
    k = args.k or settings.retrieval.k
    r.search("warm up: what is a fever", k=k)
    lat: list[float] = []
    for _ in range(args.repeat):
        for q, role in queries:
            t = time.perf_counter()
            r.search(q, k=k, prefer=role if role in ("patient", "clinician") else None)
            lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    st = r.status()
    print(f"home {settings.home}: dense {st.get('dense_done')}/{st.get('dense_total')} chunks, "
          f"bm25 {st.get('bm25_docs')} chunks, documents {st.get('documents_by_collection') or st.get('documents')}")
    print(f"hybrid search, {len(lat)} searches (k={k}): p50 {statistics.median(lat):.1f} ms, "
          f"p95 {lat[int(0.95 * (len(lat) - 1))]:.1f} ms, max {lat[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
