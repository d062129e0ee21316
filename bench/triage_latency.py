"""Triage latency: the whole triage step with the LLM second opinion, cached prefix vs a full prompt.

The baseline evaluates the fixed prompt and the message from scratch for every message (what a
plain completion call would do); medbot keeps the fixed prompt's KV cache and evaluates only the
message and a short suffix. Both run interleaved on one loaded model over the same messages (ones
the rules do not flag, so the judge is consulted); prints mean and 95th-percentile milliseconds of
the whole `triage()` call and the ratio baseline/medbot. It also checks that both give the same
probabilities.

    .venv/bin/python bench/triage_latency.py --model qwen1.5b.gguf [--threads 2] [--runs 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

MESSAGES = [
    "my knee has been clicking when I climb stairs for a few weeks",
    "my 4 year old has a runny nose and a cough but is eating fine",
    "my grandad is acting a bit off today, quieter than usual",
    "I've had a dull headache since this morning after a long shift",
    "my wife feels really unwell and weak and her skin looks strange",
    "can I take ibuprofen with my blood pressure tablets?",
    "I feel shaky and my heart keeps thumping since lunch",
    "my son's ear hurts and he's been crying at night",
]


class Uncached:
    """The same judge, evaluating the whole prompt for every message (the baseline)."""

    def __init__(self, judge):
        self.judge = judge

    def predict(self, text):
        import llama_cpp
        import numpy as np

        j = self.judge
        body = j.llm.tokenize(text.encode(), add_bos=False, special=False)
        with j._lock:
            j.llm.reset()
            j.llm.eval(j._prefix + body + j._suffix)
            ptr = llama_cpp.llama_get_logits_ith(j.llm.ctx, -1)
            z = np.array([ptr[j._digits[d][0]] for d in "012"], dtype=np.float64)
            j.llm.reset()
            j.llm.eval(j._prefix)  # leave the cache as the judge expects it
        p = np.exp(z - z.max())
        return "routine", float(p[2] / p.sum()), ""


def main() -> None:
    from bot.safety.classifier import LlmJudge, judge_path
    from bot.safety.triage import triage

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="GGUF of the judge (default: the bundled 1.5B model)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    t0 = time.perf_counter()
    judge = LlmJudge(judge_path(args.model), threads=args.threads)
    print(f"load + fixed prompt ({len(judge._prefix)} tokens): {time.perf_counter() - t0:.2f} s")
    base, ours, diffs = [], [], []
    for _ in range(args.runs):
        for msg in MESSAGES:
            for clf, out in ((Uncached(judge), base), (judge, ours)):
                t = time.perf_counter()
                triage(msg, classifier=clf)
                out.append(1000 * (time.perf_counter() - t))
            diffs.append(abs(judge.probabilities(msg)["emergency"] - Uncached(judge).predict(msg)[1]))

    def p95(xs):
        return sorted(xs)[min(len(xs) - 1, int(0.95 * len(xs)))]

    print(f"{'':24}{'mean ms':>10}{'p95 ms':>10}")
    print(f"{'baseline (full prompt)':24}{statistics.mean(base):10.0f}{p95(base):10.0f}")
    print(f"{'medbot (cached prefix)':24}{statistics.mean(ours):10.0f}{p95(ours):10.0f}")
    print(f"ratio baseline/medbot: {statistics.mean(base) / statistics.mean(ours):.2f}x; "
          f"max |P(emergency) difference|: {max(diffs):.4f}")


if __name__ == "__main__":
    main()
