"""Subprocess workers for the one-owner tests (fake embedder, real Chroma server per home).

    python store_workers.py search HOME COLLECTION N      -> prints "ok SEARCHES EMPTY DENSE_HITS"
    python store_workers.py fill HOME COLLECTION DELAY    -> fills the home's dense index slowly
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from retrieval_fakes import FakeEmbedder  # noqa: E402

QUERIES = ["aspirin patients", "statin follow-up", "insulin adverse events", "asthma group improved",
           "vaccine months", "sepsis patients improved", "stroke follow-up", "anemia adverse"]


def _config(home: str, collection: str):
    from retrieval.config import IndexConfig

    return IndexConfig(home=Path(home), collection=collection, auto_build=False, auto_fill=False)


def search(home: str, collection: str, n: int) -> None:
    from retrieval.index import LiteratureIndex
    from retrieval.retriever import HybridRetriever

    r = HybridRetriever(LiteratureIndex(_config(home, collection), FakeEmbedder()))
    empty = dense = 0
    for i in range(n):
        ps = r.search(QUERIES[i % len(QUERIES)] + f" {i}", k=5)
        empty += not ps
        dense += sum(1 for p in ps if p.ranks.get("dense"))
    print(f"ok {n} {empty} {dense}", flush=True)


def fill(home: str, collection: str, delay: float) -> None:
    from retrieval.dense_fill import fill_home

    res = fill_home(_config(home, collection), [collection], batch_size=8, block=64,
                    embedder=FakeEmbedder(delay=delay))
    print(f"fill {res['state']}", flush=True)


if __name__ == "__main__":
    cmd, home, collection, arg = sys.argv[1:5]
    search(home, collection, int(arg)) if cmd == "search" else fill(home, collection, float(arg))
