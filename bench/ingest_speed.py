"""Ingest throughput vs raw SentenceTransformer.encode on the same chunks, and query latency.

    nice .venv/bin/python bench/ingest_speed.py --docs 800 --queries 200

Both sides use the same model folder, batch size and threads, in the same run: raw encode is
timed before and after medbot's dense fill (mean of the two), so load drift on a shared
machine hits both. The ratio is raw_time / medbot_time (1.0 = no overhead; goal >= 0.9).
The whole default corpus is chunked too, to project its full dense build time at the
measured token rate. Query latency is hybrid search end to end (query embedding, BM25,
Chroma, fusion, catalog look-up) over the benchmark index.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=800, help="articles (with abstracts) to ingest")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the results to this JSON file")
    args = p.parse_args()

    import torch
    from sentence_transformers import SentenceTransformer

    from bot.config import load_settings
    from retrieval.dense_fill import fill_dense
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import chunk_documents, ensure_lexical
    from retrieval.quality import load_default_documents, make_queries
    from retrieval.retriever import HybridRetriever

    out: dict = {"torch_threads": torch.get_num_threads(), "batch_size": args.batch_size}
    t0 = time.perf_counter()
    docs = load_default_documents()
    out["parse_s"] = round(time.perf_counter() - t0, 1)
    rng = random.Random(args.seed)
    with_abstract = sorted((d for d in docs if d.sections), key=lambda d: d.doc_id)
    sample = rng.sample(with_abstract, min(args.docs, len(with_abstract)))

    with tempfile.TemporaryDirectory(prefix="medbot-speed-") as tmp:
        settings = load_settings({"retrieval": {"collection": "speed", "auto_build": False, "auto_fill": False}},
                                 environ={"MEDBOT_HOME": tmp})
        index = LiteratureIndex(settings)
        # Whole default corpus chunk count (for the projection): chunking only, no catalog.
        t0 = time.perf_counter()
        all_chunks = [c for _, cs in chunk_documents(docs, index) for c in cs]
        out["default_corpus"] = {"articles": len(docs), "chunks": len(all_chunks),
                                 "tokens": sum(c.ntok for c in all_chunks),
                                 "chunk_s": round(time.perf_counter() - t0, 1)}
        t0 = time.perf_counter()
        index.catalog.apply(chunk_documents(sample, index))
        ensure_lexical(index)
        t_lex = time.perf_counter() - t0
        texts = [t for _, t, _ in index.catalog.pending(10**9)]
        ntok = index.catalog.counts()["pending_tokens"]
        model = SentenceTransformer(str(index.embedder.path), device="cpu")
        model.max_seq_length = index.embedder.max_tokens
        model.encode(texts[:64], batch_size=args.batch_size)  # warm-up
        index.embedder.embed(texts[:64], batch_size=args.batch_size)

        def raw():
            t = time.perf_counter()
            model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True, show_progress_bar=False)
            return time.perf_counter() - t

        raw1 = raw()
        t0 = time.perf_counter()
        st = fill_dense(index, batch_size=args.batch_size)
        t_fill = time.perf_counter() - t0
        raw2 = raw()
        raw_t = (raw1 + raw2) / 2
        out["ingest"] = {"articles": len(sample), "chunks": len(texts), "tokens": ntok, "raw_encode_s": [round(raw1, 2), round(raw2, 2)],
                         "medbot_fill_s": round(t_fill, 2), "medbot_lexical_s": round(t_lex, 2),
                         "raw_chunks_per_s": round(len(texts) / raw_t, 1), "medbot_chunks_per_s": round(len(texts) / t_fill, 1),
                         "ratio_fill_vs_raw": round(raw_t / t_fill, 3),
                         "ratio_whole_ingest_vs_raw": round(raw_t / (t_fill + t_lex), 3)}
        tok_rate = ntok / t_fill
        out["projection"] = {"default_corpus_dense_minutes": round(out["default_corpus"]["tokens"] / tok_rate / 60, 1),
                             "tokens_per_s": round(tok_rate, 1)}
        r = HybridRetriever(index)
        items = make_queries(sample, args.queries, seed=args.seed + 7)
        r.search("warm up query", k=5)
        lat = []
        for it in items:
            t = time.perf_counter()
            r.search(it.query, k=5)
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        out["query_latency_ms"] = {"index_chunks": st.total, "queries": len(lat), "p50": round(statistics.median(lat), 1),
                                   "p95": round(lat[int(0.95 * (len(lat) - 1))], 1)}
        index.close()
    i = out["ingest"]
    print(f"chunks: {i['chunks']} ({i['tokens']} tokens) from {i['articles']} articles; threads {out['torch_threads']}")
    print(f"raw SentenceTransformer.encode : {i['raw_chunks_per_s']:>7.1f} chunks/s  ({i['raw_encode_s']} s)")
    print(f"medbot dense fill (-> Chroma)  : {i['medbot_chunks_per_s']:>7.1f} chunks/s  ({i['medbot_fill_s']} s)")
    print(f"ratio medbot/raw throughput    : {i['ratio_fill_vs_raw']:.3f} (fill), {i['ratio_whole_ingest_vs_raw']:.3f} (with parse+BM25 of the sample)")
    d = out["default_corpus"]
    print(f"default corpus: {d['articles']} articles -> {d['chunks']} chunks, {d['tokens']} tokens; "
          f"projected dense build {out['projection']['default_corpus_dense_minutes']} min at this rate")
    q = out["query_latency_ms"]
    print(f"hybrid query latency over {q['index_chunks']} chunks: p50 {q['p50']} ms, p95 {q['p95']} ms ({q['queries']} queries)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
