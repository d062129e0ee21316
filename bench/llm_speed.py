"""LLM speed: medbot's llama.cpp backend vs raw `llama_cpp.Llama` on the same GGUF, prompt and settings.

Interleaved runs on one loaded model (so load time and cache state do not favour either side);
prints time to first token and tokens/s for both and medbot/raw ratios (goal >= 0.95x).

    .venv/bin/python bench/llm_speed.py [--model qwen1.5b|smollm2|X.gguf] [--runs 5] [--max-tokens 128] [--threads 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

MESSAGES = [{"role": "system", "content": "You are a helpful medical information assistant."},
            {"role": "user", "content": "Explain in plain words what high blood pressure is and why it matters."}]


def timed(stream) -> tuple[float, float, int]:
    """(seconds to first token, tokens per second after the first, tokens) for an iterator of texts."""
    t0 = time.perf_counter()
    first = None
    n = 0
    for text in stream:
        if not text:
            continue
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    first = first or end
    rate = (n - 1) / (end - first) if n > 1 and end > first else 0.0
    return first - t0, rate, n


def main() -> None:
    from bot.llm import bundled
    from bot.llm.llamacpp import LlamaCppBackend

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=bundled.DEFAULT_MODEL, help="a bundled model name or a .gguf path")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    path = bundled.bundled_gguf(args.model) if args.model in bundled.MODELS else Path(args.model)
    t0 = time.perf_counter()
    backend = LlamaCppBackend(path, n_ctx=2048, threads=args.threads, seed=0)
    load_s = time.perf_counter() - t0
    llm = backend.llm
    gen = dict(max_tokens=args.max_tokens, temperature=0.0, seed=0)

    def raw():
        for part in llm.create_chat_completion(messages=MESSAGES, stream=True, **gen):
            yield part["choices"][0].get("delta", {}).get("content") or ""

    def medbot():
        for chunk in backend.stream(MESSAGES, **gen):
            yield chunk.text

    timed(raw())  # warm-up
    res = {"raw": [], "medbot": []}
    for i in range(args.runs):
        order = (("raw", raw), ("medbot", medbot)) if i % 2 == 0 else (("medbot", medbot), ("raw", raw))
        for name, fn in order:
            res[name].append(timed(fn()))
    print(f"model: {path.name}  load: {load_s:.2f} s  runs: {args.runs}  max_tokens: {args.max_tokens}  "
          f"threads: {llm.n_threads if hasattr(llm, 'n_threads') else 'default'}")
    print(f"{'':8} {'TTFT p50 (s)':>13} {'tokens/s p50':>13} {'tokens':>7}")
    med = {}
    for name, rows in res.items():
        ttft = statistics.median(r[0] for r in rows)
        tps = statistics.median(r[1] for r in rows)
        med[name] = (ttft, tps)
        print(f"{name:8} {ttft:13.3f} {tps:13.1f} {rows[0][2]:7d}")
    text = " ".join(["The patient reports chest pain and shortness of breath since this morning."] * 20)
    toks = llm.tokenize(text.encode("utf-8"), add_bos=True)
    llm.reset()
    t0 = time.perf_counter()
    llm.eval(toks)
    pp = len(toks) / (time.perf_counter() - t0)
    print(f"prompt processing: {len(toks)} tokens at {pp:.1f} tokens/s")
    print(f"ratio medbot/raw: tokens/s {med['medbot'][1] / med['raw'][1]:.3f}x, "
          f"TTFT {med['raw'][0] / med['medbot'][0]:.3f}x (higher is better for both)")


if __name__ == "__main__":
    main()
