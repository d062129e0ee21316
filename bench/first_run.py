"""First-run silence: the longest time with nothing new on screen while a fresh home builds its
bundled knowledge and BM25 (the first `medbot ask` on an empty MEDBOT_HOME, with the small model;
gaps are counted from the command's start to the build's "done" line).

Prints the time to the first line on stderr, the longest gap between lines (goal <= 2 s), the whole
build time, and the silence the build would have had without progress (its whole duration) as the
baseline, with the ratio.

    .venv/bin/python bench/first_run.py [--keep HOME]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", help="build in this (empty) folder and keep it")
    args = ap.parse_args()
    home = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="medbot-first-run-"))
    env = {**os.environ, "MEDBOT_HOME": str(home), "MEDBOT_RETRIEVAL__AUTO_FILL": "false",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    stamps: list[tuple[float, str]] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "ask", "--json", "--model", "smollm2", "--max-tokens",
                             "32", "What are the warning signs of a stroke?"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)

    def read_err():
        for raw in proc.stderr:
            stamps.append((time.perf_counter() - t0, raw.decode(errors="replace").rstrip()))

    reader = threading.Thread(target=read_err, daemon=True)
    reader.start()
    proc.stdout.read()
    proc.wait()
    reader.join()
    total = time.perf_counter() - t0
    try:
        if proc.returncode:
            print("ask failed:", stamps[-1][1] if stamps else "")
            return 1
        done = next((i for i, (_, line) in enumerate(stamps) if ": done in " in line), len(stamps) - 1)
        stamps = stamps[: done + 1]
        build = stamps[-1][0] if stamps else total
        times = [0.0] + [t for t, _ in stamps]
        gaps = [b - a for a, b in zip(times, times[1:])]
        first = stamps[0][0] if stamps else total
        print(f"first line on stderr after {first:.2f} s: {stamps[0][1] if stamps else '(none)'}")
        print(f"last line: {stamps[-1][1] if stamps else '(none)'}")
        print(f"build {build:.1f} s (whole command {total:.1f} s), {len(stamps)} progress lines")
        worst = gaps.index(max(gaps))
        before = stamps[worst - 1][1] if 0 < worst <= len(stamps) else "(start)"
        print(f"longest silence after: {before}")
        print(f"longest silence {max(gaps):.2f} s (goal <= 2 s: {'met' if max(gaps) <= 2.0 else 'NOT met'}); "
              f"without progress the silence would be {build:.1f} s: {build / max(gaps):.0f}x shorter")
    finally:
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
