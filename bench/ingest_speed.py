"""Embedding throughput: torch `SentenceTransformer.encode` vs the int8 ONNX MiniLM (onnxruntime) and
the bf16 MiniLM (OpenVINO, where the CPU has bf16), on the same chunks, then medbot's whole dense fill (through the home's Chroma server) and hybrid search
latency, idle and while a fill runs (the search inside `answering()`, as the chat does).

    nice .venv/bin/python bench/ingest_speed.py --docs 300 --queries 100

All encoders get the same chunks, batch size and thread count in the same run; torch is timed
before and after ONNX (mean of the two) so load drift on a shared machine hits both. Prints
chunks/s and tokens/s of each, the ratio ONNX/torch, the cosine agreement of their vectors, and
the projected time of the whole default corpus at the measured token rate.
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


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[int(q * (len(xs) - 1))], 1)


def _latency(r, items, wrap=None) -> dict:
    import contextlib

    lat = []
    for it in items:
        with (wrap() if wrap else contextlib.nullcontext()):
            t = time.perf_counter()
            r.search(it.query, k=5)
            lat.append((time.perf_counter() - t) * 1000)
    return {"queries": len(lat), "p50": round(statistics.median(lat), 1), "p95": _pct(lat, 0.95)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=300, help="articles (with abstracts) to embed")
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=2, help="CPU threads of both encoders")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="also write the results to this JSON file")
    args = p.parse_args()

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    from retrieval.chroma_server import stop_server
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import answering, fill_home, start_background_fill, stop_fill
    from retrieval.embedders import BF16, default_kind, make_embedder
    from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder
    from retrieval.embedders.openvino_minilm import OpenVinoMiniLMEmbedder
    from retrieval.embedders.sentence_transformer import bundled_model_path
    from retrieval.index import LiteratureIndex
    from retrieval.ingest import chunk_documents, ensure_lexical
    from retrieval.quality import load_default_documents, make_queries
    from retrieval.retriever import HybridRetriever

    torch.set_num_threads(args.threads)
    out: dict = {"threads": args.threads, "batch_size": args.batch_size}
    t0 = time.perf_counter()
    docs = load_default_documents()
    out["parse_s"] = round(time.perf_counter() - t0, 1)
    rng = random.Random(args.seed)
    with_abstract = sorted((d for d in docs if d.sections), key=lambda d: d.doc_id)
    sample = rng.sample(with_abstract, min(args.docs, len(with_abstract)))

    with tempfile.TemporaryDirectory(prefix="medbot-speed-") as tmp:
        home = Path(tmp)
        config = IndexConfig(home=home, collection="speed", threads=args.threads, auto_build=False, auto_fill=False)
        try:
            index = LiteratureIndex(config)
            all_chunks = [c for _, cs in chunk_documents(docs, index) for c in cs]
            out["default_corpus"] = {"articles": len(docs), "chunks": len(all_chunks), "tokens": sum(c.ntok for c in all_chunks)}
            index.catalog.apply(chunk_documents(sample, index))
            ensure_lexical(index)
            rows = index.catalog.pending(10**9)
            texts = [t for _, t, _ in rows]
            ntok = sum(n for _, _, n in rows)
            model = SentenceTransformer(str(bundled_model_path()), device="cpu", local_files_only=True)
            model.max_seq_length = index.embedder.max_tokens
            encoders = {"int8": OnnxMiniLMEmbedder(threads=args.threads)}
            if default_kind() == BF16:
                encoders["bf16"] = OpenVinoMiniLMEmbedder(threads=args.threads)
            model.encode(texts[:32], batch_size=args.batch_size)  # warm-up all
            for enc in encoders.values():
                enc.embed(texts[:32], batch_size=args.batch_size)

            def torch_run():
                t = time.perf_counter()
                v = model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True, show_progress_bar=False)
                return time.perf_counter() - t, v

            t1, v_torch = torch_run()
            timed = {}
            for key, enc in encoders.items():
                t = time.perf_counter()
                vecs = enc.embed(texts, batch_size=args.batch_size)
                timed[key] = (time.perf_counter() - t, vecs)
            t2, _ = torch_run()
            t_torch = (t1 + t2) / 2
            out["encode"] = {"chunks": len(texts), "tokens": ntok, "torch_s": [round(t1, 2), round(t2, 2)],
                             "torch_chunks_per_s": round(len(texts) / t_torch, 1), "torch_tokens_per_s": round(ntok / t_torch)}
            for key, (secs, vecs) in timed.items():
                cos = np.sum(np.asarray(v_torch) * vecs, axis=1)
                out["encode"][key] = {"name": encoders[key].name, "seconds": round(secs, 2),
                                      "chunks_per_s": round(len(texts) / secs, 1), "tokens_per_s": round(ntok / secs),
                                      "ratio_vs_torch": round(t_torch / secs, 2),
                                      "cosine_mean": round(float(cos.mean()), 5), "cosine_min": round(float(cos.min()), 5)}
            index.close()
            t = time.perf_counter()
            res = fill_home(config, ["speed"], batch_size=args.batch_size)
            t_fill = time.perf_counter() - t
            out["fill"] = {"embedder": make_embedder(config.embedder).name, "state": res["state"], "seconds": round(t_fill, 2), "chunks_per_s": round(len(texts) / t_fill, 1),
                           "tokens_per_s": round(ntok / t_fill), "ratio_vs_torch_encode": round(t_torch / t_fill, 2)}
            d = out["default_corpus"]
            out["projection_minutes"] = {"onnx_fill": round(d["tokens"] / (ntok / t_fill) / 60, 1),
                                         "torch_encode": round(d["tokens"] / (ntok / t_torch) / 60, 1)}
            r = HybridRetriever(LiteratureIndex(config), min_similarity=0.4)
            items = make_queries(sample, args.queries, seed=args.seed + 7)
            r.search("warm up query", k=5)
            out["search_idle_ms"] = _latency(r, items)
            # A fill runs over a second collection meanwhile; the searches are wrapped like chat turns.
            busy = IndexConfig(home=home, collection="busy", threads=args.threads, auto_build=False, auto_fill=False)
            bi = LiteratureIndex(busy)
            bi.catalog.apply(chunk_documents(with_abstract[:3000], bi))
            bi.close()
            start_background_fill(busy, ["busy"])
            time.sleep(8)
            out["search_during_fill_ms"] = _latency(r, items, wrap=lambda: answering(home))
            out["search_during_fill_unpaused_ms"] = _latency(r, items)
            stop_fill(home)
        finally:
            stop_fill(home)
            stop_server(home / "literature" / "chroma")

    e, f = out["encode"], out["fill"]
    print(f"chunks: {e['chunks']} ({e['tokens']} tokens) from {len(sample)} articles; {args.threads} threads, batch {args.batch_size}")
    print(f"torch SentenceTransformer.encode: {e['torch_chunks_per_s']:>7.1f} chunks/s {e['torch_tokens_per_s']:>7} tokens/s  ({e['torch_s']} s)")
    for key, label in (("int8", "int8 MiniLM, onnxruntime"), ("bf16", "bf16 MiniLM, OpenVINO")):
        if key in e:
            k = e[key]
            print(f"{label:<33}: {k['chunks_per_s']:>7.1f} chunks/s {k['tokens_per_s']:>7} tokens/s  ({k['seconds']} s)  "
                  f"{k['ratio_vs_torch']:.2f}x torch  (cosine to torch: mean {k['cosine_mean']}, min {k['cosine_min']})")
    print(f"medbot fill ({out['fill']['embedder']}): {f['chunks_per_s']:>7.1f} chunks/s {f['tokens_per_s']:>7} tokens/s  "
          f"({f['seconds']} s; {f['ratio_vs_torch_encode']:.2f}x torch encode)")
    d = out["default_corpus"]
    print(f"default corpus {d['chunks']} chunks / {d['tokens']} tokens: projected {out['projection_minutes']['onnx_fill']} min "
          f"(torch encode: {out['projection_minutes']['torch_encode']} min)")
    for key, label in (("search_idle_ms", "idle"), ("search_during_fill_ms", "fill running, inside answering()"),
                       ("search_during_fill_unpaused_ms", "fill running, not paused")):
        q = out[key]
        print(f"hybrid search, {label:<34}: p50 {q['p50']} ms, p95 {q['p95']} ms ({q['queries']} queries)")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
