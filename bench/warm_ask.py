"""`medbot ask` handed to a warm medbot vs the warm turn itself and vs a cold in-process ask.

In one run, on the same home and questions:
  warm      the turn inside the warm process (`medbot serve --background --no-web`), timed by a
            client in this process (what the web chat costs);
  handed    a new `medbot ask --json` process that hands the turn to the warm medbot;
  cold      a new `medbot ask --json --no-warm` process (loads everything itself).

Goal: handed <= warm + 1 s. Prints per question and medians, with handed/warm and cold/warm ratios.

    MEDBOT_HOME=~/.medbot .venv/bin/python bench/warm_ask.py [--model smollm2] [--questions 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = ["What are the warning signs of a stroke?", "What is high blood pressure?",
             "How can I lower my cholesterol?", "What causes migraines?", "What is COPD?"]
ROOT = Path(__file__).resolve().parents[1]


def _medbot(*argv: str, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True, text=True, env=env, cwd=ROOT)
    return time.perf_counter() - t0, r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="bundled model name or path (default: the configured model)")
    ap.add_argument("--questions", type=int, default=3)
    args = ap.parse_args()
    env = dict(os.environ)
    if args.model:
        env["MEDBOT_MODEL"] = args.model
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from bot.config import load_settings
    from bot.warm.client import hello, open_turn

    settings = load_settings()
    questions = QUESTIONS[: args.questions]
    print(f"home {settings.home}; model {settings.model or 'default'}; {len(questions)} questions")
    cold = []
    for q in questions:
        s, r = _medbot("ask", "--json", "--no-warm", q, env=env)
        if r.returncode:
            print(r.stderr.strip())
            return 1
        cold.append(s)
    t0 = time.perf_counter()
    s, r = _medbot("serve", "--background", "--no-web", env=env)
    if r.returncode:
        print(r.stderr.strip())
        return 1
    print(r.stdout.strip())
    try:
        while True:  # wait for the warm-up to finish (model loaded, nothing queued)
            info = hello(settings)
            if info and info.get("model") and not info.get("warming"):
                break
            time.sleep(0.5)
        print(f"warm medbot ready in {time.perf_counter() - t0:.1f} s")
        warm, handed = [], []
        for q in questions:
            t1 = time.perf_counter()
            turn = open_turn(settings, q, role=settings.role)
            assert turn is not None, "the warm medbot refused the turn"
            for _ in turn.events():
                pass
            warm.append(time.perf_counter() - t1)
            s, r = _medbot("ask", "--json", q, env=env)
            if r.returncode:
                print(r.stderr.strip())
                return 1
            handed.append(s)
    finally:
        _medbot("stop", env=env)
    print(f"{'question':45} {'warm s':>8} {'handed s':>9} {'cold s':>8} {'handed-warm':>12}")
    for q, w, h, c in zip(questions, warm, handed, cold):
        print(f"{q[:45]:45} {w:8.2f} {h:9.2f} {c:8.2f} {h - w:12.2f}")
    mw, mh, mc = statistics.median(warm), statistics.median(handed), statistics.median(cold)
    print(f"{'median':45} {mw:8.2f} {mh:9.2f} {mc:8.2f} {mh - mw:12.2f}")
    print(f"handed/warm {mh / mw:.2f}x   cold/warm {mc / mw:.2f}x   handed - warm {mh - mw:+.2f} s "
          f"(goal <= +1 s: {'met' if mh - mw <= 1.0 else 'NOT met'})   cold - handed {mc - mh:+.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
