"""Answer latency: first words on screen and full answer, warm (one process, as the web chat) and
cold (`medbot ask` in a new process), for each model, on 20 common patient questions.

The baseline in the same run is the plain LLM answering the same question with no retrieval,
no selection and no check (what a bare chat model costs); ratios are medbot / baseline.

    .venv/bin/python bench/answer_latency.py [--models qwen1.5b,smollm2] [--questions 20] [--cold 3]

Goals on 2 cores, warm: first words <= 3 s and answer <= 20 s with the 1.5B model; <= 6 s with
SmolLM2; a cold `medbot ask` <= 5 s more than warm ("cold extra": cold minus warm, same question).

`--fill N` instead answers N questions warm twice: with no dense fill running, then while the
home's fill runs (MEDBOT_HOME must have chunks left to embed); the goal is at most 1.5x slower.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

QUESTIONS = [
    "What are the warning signs of a stroke?", "How can I tell if I'm having a heart attack?",
    "What is high blood pressure?", "What are the symptoms of type 2 diabetes?", "How is asthma treated?",
    "What are the symptoms of the flu?", "What causes migraines?", "What are the symptoms of depression?",
    "How can I lower my cholesterol?", "What is COPD?", "What are the symptoms of a urinary tract infection?",
    "What is osteoporosis?", "How is gout treated?", "What causes kidney stones?", "What is psoriasis?",
    "What are the symptoms of shingles?", "What is sleep apnea?", "How does HIV spread?",
    "What are the early signs of Alzheimer's disease?", "What are the signs of skin cancer?",
]


def _p(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def warm(model: str, questions: list[str]) -> dict:
    from bot.agent import Agent
    from bot.config import load_settings

    agent = Agent(load_settings({"model": model}))
    agent.ask("What is a fever?")  # load model, index and embedder once, as a running web chat has
    firsts, totals, base_firsts, base_totals = [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        first = None
        for ev in agent.turn(q):
            if ev.kind == "token" and first is None:
                first = time.perf_counter() - t0
        totals.append(time.perf_counter() - t0)
        firsts.append(first or totals[-1])
        t0 = time.perf_counter()
        first = None
        for chunk in agent.backend.stream([{"role": "user", "content": q}], max_tokens=agent.settings.max_tokens):
            if chunk.text and first is None:
                first = time.perf_counter() - t0
        base_totals.append(time.perf_counter() - t0)
        base_firsts.append(first or base_totals[-1])
    return {"per_question": dict(zip(questions, totals)),
            "first_p50": statistics.median(firsts), "first_p95": _p(firsts, 0.95),
            "total_p50": statistics.median(totals), "total_p95": _p(totals, 0.95),
            "base_first_p50": statistics.median(base_firsts), "base_total_p50": statistics.median(base_totals)}


def fill_effect(model: str, questions: list[str]) -> dict:
    """Warm answer times without, then with, the home's dense fill running (the same questions)."""
    from bot.agent import Agent
    from bot.config import load_settings
    from retrieval.config import IndexConfig
    from retrieval.dense_fill import home_fill_running, start_background_fill, stop_fill

    settings = load_settings({"model": model})
    agent = Agent(settings)
    agent.ask("What is a fever?")
    stop_fill(settings.home)

    def run() -> list[float]:
        out = []
        for q in questions:
            t0 = time.perf_counter()
            for _ in agent.turn(q):
                pass
            out.append(time.perf_counter() - t0)
        return out

    idle = run()
    start_background_fill(IndexConfig.coerce(settings))
    time.sleep(10)  # the fill has loaded its encoder and is writing
    running = home_fill_running(settings.home)
    busy = run()
    stop_fill(settings.home)
    return {"idle_p50": statistics.median(idle), "fill_p50": statistics.median(busy), "fill_was_running": running,
            "ratio": statistics.median(busy) / max(statistics.median(idle), 1e-9)}


def cold(model: str, questions: list[str], warm_totals: dict[str, float]) -> dict:
    """`medbot ask` in a new process per question; the overhead is cold minus warm on the same question."""
    totals, extra = [], []
    for q in questions:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot.cli", "ask", "--model", model, q], capture_output=True,
                       check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        totals.append(time.perf_counter() - t0)
        extra.append(totals[-1] - warm_totals[q])
    return {"cold_total_p50": statistics.median(totals), "cold_extra_p50": statistics.median(extra)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen1.5b,smollm2")
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--cold", type=int, default=3, help="cold `medbot ask` runs per model")
    ap.add_argument("--fill", type=int, default=0, help="measure N answers without and with a dense fill running")
    args = ap.parse_args()
    qs = QUESTIONS[: args.questions]
    if args.fill:
        for model in args.models.split(","):
            f = fill_effect(model, QUESTIONS[: args.fill])
            print(f"{model}: answer p50 {f['idle_p50']:.2f} s without a fill, {f['fill_p50']:.2f} s with one running "
                  f"(ran: {f['fill_was_running']}): {f['ratio']:.2f}x", flush=True)
        return
    print(f"{'model':10} {'first p50':>9} {'first p95':>9} {'total p50':>9} {'total p95':>9} "
          f"{'bare LLM first':>14} {'bare total':>10} {'ratio total':>11} {'cold p50':>8} {'cold extra':>10}")
    for model in args.models.split(","):
        w = warm(model, qs)
        c = cold(model, qs[: args.cold], w["per_question"]) if args.cold else \
            {"cold_total_p50": float("nan"), "cold_extra_p50": float("nan")}
        print(f"{model:10} {w['first_p50']:9.2f} {w['first_p95']:9.2f} {w['total_p50']:9.2f} {w['total_p95']:9.2f} "
              f"{w['base_first_p50']:14.2f} {w['base_total_p50']:10.2f} "
              f"{w['total_p50'] / max(w['base_total_p50'], 1e-9):10.2f}x {c['cold_total_p50']:8.2f} "
              f"{c['cold_extra_p50']:10.2f}", flush=True)


if __name__ == "__main__":
    main()
