"""Known-item retrieval quality on the bundled MEDLINE corpus: dense vs BM25 vs fused (RRF).

    .venv/bin/python bench/retrieval_quality.py --queries 1000 --distractors 4000

Targets are a held-out seeded sample from both MEDLINE files; queries come from MeSH terms
(when an article has >= 3 non-check-tag descriptors) or from the title reworded by fixed rules
(lay terms/synonyms, stopwords and a third of the words dropped): see retrieval/quality.py.
The index holds the targets plus seeded distractor articles (`--distractors -1`: all 50k).
Prints recall@1/5/10 and MRR@10 side by side, overall and per query source.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--distractors", type=int, default=4000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--embedder", help="minilm (default: bf16 or int8 by CPU), minilm-bf16, minilm-int8, minilm-torch, a .onnx file or a sentence-transformers folder")
    p.add_argument("--json", help="also write the results to this JSON file")
    p.add_argument("--home", help="keep the benchmark index in this folder (reused when it holds one already)")
    p.add_argument("--evaluate", type=int, help="evaluate only N of the queries (half from each file)")
    p.add_argument("--threads", type=int, help="CPU threads for the embedder")
    args = p.parse_args()

    from bot.config import load_settings
    from retrieval.index import LiteratureIndex
    from retrieval.quality import build_sample_index, calibrate, evaluate, load_default_documents, make_queries
    from retrieval.retriever import HybridRetriever

    t0 = time.perf_counter()
    docs = load_default_documents()
    items = make_queries(docs, args.queries, seed=args.seed)
    print(f"corpus: {len(docs)} articles ({time.perf_counter() - t0:.1f} s to parse); queries: {len(items)} "
          f"({sum(it.source == 'mesh' for it in items)} from MeSH, {sum(it.source == 'title' for it in items)} reworded titles)")
    for it in items[:3] + [i for i in items if i.source == "title"][:3]:
        print(f"  e.g. [{it.source}] {it.query!r} -> {it.doc_id}")
    with tempfile.TemporaryDirectory(prefix="medbot-bench-") as tmp:
        r = {"collection": "bench", "auto_build": False, "auto_fill": False}
        if args.embedder:
            r["embedder"] = args.embedder
        overrides = {"retrieval": r, "threads": args.threads}
        settings = load_settings(overrides, environ={"MEDBOT_HOME": args.home or tmp})
        try:
            res, cal, built = _run(args, settings, docs, items)
        finally:  # never leave the home's store server running
            from retrieval.chroma_server import stop_server

            stop_server(Path(settings.home) / "literature" / "chroma")
    _print(args, res, cal, built)
    return 0


def _run(args, settings, docs, items):
    from retrieval.index import LiteratureIndex
    from retrieval.quality import build_sample_index, calibrate, evaluate
    from retrieval.retriever import HybridRetriever

    if True:
        index = LiteratureIndex(settings)
        last = [0.0]

        def progress(st):
            if time.time() - last[0] > 30:
                last[0] = time.time()
                print(f"  dense {st.done}/{st.total} chunks, {st.rate:.1f} chunks/s", flush=True)

        if index.catalog.counts()["chunks"] == 0:
            built = build_sample_index(index, docs, [it.doc_id for it in items], args.distractors, seed=args.seed,
                                       progress=progress)
        else:
            c = index.catalog.counts()
            built = {"documents": c["docs"], "chunks": c["chunks"], "reused": args.home}
            assert c["embedded"] == c["chunks"], "the reused index is not fully embedded"
        print(f"index: {built}", flush=True)
        if args.evaluate and args.evaluate < len(items):
            half = len(items) // 2
            items = items[:args.evaluate // 2] + items[half:half + args.evaluate - args.evaluate // 2]
        retriever = HybridRetriever(index)
        res = {}
        for mode in ("bm25", "dense", "hybrid"):
            res.update(evaluate(retriever, items, modes=(mode,)))
            print(f"  {mode}: {json.dumps(res[mode])}", flush=True)
        cal = calibrate(retriever, items[:200])
        index.close()
    return res, cal, built


def _print(args, res, cal, built) -> None:
    print(f"\n{'retriever':<10}{'subset':<8}{'n':>6}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR@10':>9}{'p50 ms':>9}{'p95 ms':>9}")
    for mode in ("dense", "bm25", "hybrid"):
        for subset in ("all", "mesh", "title"):
            m = res[mode].get(subset)
            if not m:
                continue
            lat = res[mode]["latency_ms"] if subset == "all" else {"p50": "", "p95": ""}
            print(f"{mode:<10}{subset:<8}{m['queries']:>6}{m['recall@1']:>8.3f}{m['recall@5']:>8.3f}{m['recall@10']:>8.3f}"
                  f"{m['mrr@10']:>9.3f}{lat['p50']:>9}{lat['p95']:>9}")
    print(f"\nrelevance calibration (best dense similarity in the top 5): {json.dumps(cal)}")
    if args.json:
        Path(args.json).write_text(json.dumps({"index": built, "results": res, "calibration": cal, "args": vars(args)}, indent=2))


if __name__ == "__main__":
    raise SystemExit(main())
