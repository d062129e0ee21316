"""Answer latency: first words on screen and full answer, warm (one process, as the web chat) and
cold (`medbot ask` in a new process), for each model, on 20 common patient questions.

Columns: "useful" is the first thing on screen (the sources being read, by title, or text); "words"
the model's first words after it read them; "reading" and "writing" split the model's time into
prompt processing (request to first token) and generation; "other" is search, selection and the
check.

The baseline in the same run is the plain LLM answering the same question with no retrieval,
no selection and no check (what a bare chat model costs); ratios are medbot / baseline.

    .venv/bin/python bench/answer_latency.py [--models qwen1.5b,smollm2] [--questions 20] [--cold 3]

Goals on 2 cores, warm, with the 1.5B model: something useful on screen <= 3 s, the model's first
words <= 10 s, whole answer p50 <= 25 s and p95 <= 40 s; a cold `medbot ask` <= 5 s more than warm
("cold extra": cold minus warm, same question).

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


class _Timed:
    """Wraps the agent's backend to time each model call: prompt processing (request to first
    text) and generation (first text to last), and the tokens written."""

    def __init__(self, backend):
        self.backend, self.calls = backend, []

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def stream(self, messages, **kw):
        t0 = time.perf_counter()
        first, pieces = None, 0
        for chunk in self.backend.stream(messages, **kw):
            if chunk.text:
                pieces += 1
                if first is None:
                    first = time.perf_counter()
            yield chunk
        end = time.perf_counter()
        self.calls.append({"prompt_s": (first or end) - t0, "gen_s": end - (first or end), "pieces": pieces})


def warm(model: str, questions: list[str]) -> dict:
    from bot.agent import Agent
    from bot.config import load_settings

    agent = Agent(load_settings({"model": model}))
    agent.ask("What is a fever?")  # load model, index and embedder once, as a running web chat has
    timed = _Timed(agent.backend)
    agent._backend = timed
    useful, firsts, totals, base_firsts, base_totals, prompt, gen = [], [], [], [], [], [], []
    for q in questions:
        t0 = time.perf_counter()
        first = shown = None
        reading = False
        timed.calls.clear()
        for ev in agent.turn(q):
            now = time.perf_counter() - t0
            if ev.kind in ("reading", "token") and shown is None:
                shown = now  # something useful on screen: the sources being read, or text
            reading = reading or ev.kind == "reading"
            if ev.kind == "token" and first is None and (reading or timed.calls):
                first = now  # the model's first words (after it read the sources)
        totals.append(time.perf_counter() - t0)
        useful.append(shown or totals[-1])
        firsts.append(first or totals[-1])
        prompt.append(sum(c["prompt_s"] for c in timed.calls))
        gen.append(sum(c["gen_s"] for c in timed.calls))
        t0 = time.perf_counter()
        first = None
        for chunk in timed.backend.stream([{"role": "user", "content": q}], max_tokens=agent.settings.max_tokens):
            if chunk.text and first is None:
                first = time.perf_counter() - t0
        base_totals.append(time.perf_counter() - t0)
        base_firsts.append(first or base_totals[-1])
    return {"per_question": dict(zip(questions, totals)),
            "useful_p50": statistics.median(useful), "useful_p95": _p(useful, 0.95),
            "first_p50": statistics.median(firsts), "first_p95": _p(firsts, 0.95),
            "total_p50": statistics.median(totals), "total_p95": _p(totals, 0.95),
            "prompt_p50": statistics.median(prompt), "gen_p50": statistics.median(gen),
            "other_p50": statistics.median(t - p - g for t, p, g in zip(totals, prompt, gen)),
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


def _budgets(text: str) -> list[int]:
    """'1600,1200' -> [1600, 1200] (argparse turns a ValueError into a one-line usage error)."""
    return [int(b) for b in text.split(",") if b.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="qwen1.5b,smollm2")
    ap.add_argument("--questions", type=int, default=20)
    ap.add_argument("--cold", type=int, default=3, help="cold `medbot ask` runs per model")
    ap.add_argument("--fill", type=int, default=0, help="measure N answers without and with a dense fill running")
    ap.add_argument("--read-budget", type=_budgets, default=[],
                    help="comma-separated characters of source text the model reads, each timed in turn "
                         "(default: bot.answers.read.READ_BUDGET)")
    args = ap.parse_args()
    import bot.answers.read as read

    budgets = args.read_budget or [read.READ_BUDGET]
    qs = QUESTIONS[: args.questions]
    if args.fill:
        for model in args.models.split(","):
            f = fill_effect(model, QUESTIONS[: args.fill])
            print(f"{model}: answer p50 {f['idle_p50']:.2f} s without a fill, {f['fill_p50']:.2f} s with one running "
                  f"(ran: {f['fill_was_running']}): {f['ratio']:.2f}x", flush=True)
        return
    print(f"{'model':10} {'useful p50':>10} {'useful p95':>10} {'words p50':>9} {'words p95':>9} {'total p50':>9} "
          f"{'total p95':>9} {'reading':>7} {'writing':>7} {'other':>6} {'bare total':>10} {'ratio':>6} "
          f"{'cold p50':>8} {'cold extra':>10}")
    for model, budget in [(m, b) for m in args.models.split(",") for b in budgets]:
        read.READ_BUDGET = budget
        w = warm(model, qs)
        c = cold(model, qs[: args.cold], w["per_question"]) if args.cold else \
            {"cold_total_p50": float("nan"), "cold_extra_p50": float("nan")}
        name = model if len(budgets) == 1 else f"{model}@{budget}"
        print(f"{name:10} {w['useful_p50']:10.2f} {w['useful_p95']:10.2f} {w['first_p50']:9.2f} {w['first_p95']:9.2f} "
              f"{w['total_p50']:9.2f} {w['total_p95']:9.2f} {w['prompt_p50']:7.2f} {w['gen_p50']:7.2f} "
              f"{w['other_p50']:6.2f} {w['base_total_p50']:10.2f} {w['total_p50'] / max(w['base_total_p50'], 1e-9):5.2f}x "
              f"{c['cold_total_p50']:8.2f} {c['cold_extra_p50']:10.2f}", flush=True)


if __name__ == "__main__":
    main()
