"""`medbot summarize` cold (its own process loads the model) vs warm (handed to `medbot serve --background`).

In one run, on one Synthea bundle and the same model and home:
  cold  `medbot summarize BUNDLE --no-warm --timings` in a fresh process: imports, facts, model
        load, narrative (the model file already in the page cache);
  warm  `medbot summarize BUNDLE --timings` in a fresh process while a warm medbot of the home
        runs with its model loaded: the case is handed over and the output streams back.

Prints seconds to the facts on screen and to the whole summary for both, the stages each reports,
whether the two printed the same text, and the cold/warm ratios, with the load average before
and after (the machine may be shared).

    nice -n 15 .venv/bin/python bench/summarize_warm.py [--bundle FILE | --seed 7] [--model qwen1.5b]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from summarize_speed import _loadavg, _timed  # noqa: E402  (bench/ is this script's folder)


def _bundle(args, tmp: Path) -> Path:
    if args.bundle:
        return Path(args.bundle).resolve()
    exe = Path(sys.executable).parent / "synthea"
    subprocess.run([str(exe), "-p", "1", "-s", str(args.seed), "-r", "20250101", "-o", str(tmp)],
                   check=True, capture_output=True, cwd=tmp)
    return sorted((tmp / "fhir").glob("*.json"))[0]


def _stages(err: str) -> dict[str, str]:
    line = next((ln for ln in err.splitlines() if ln.startswith("timings: ")), "timings: ")
    return dict(part.rsplit(" ", 1) for part in line[len("timings: "):].split(", ") if " " in part)


def _wait_warm(settings, timeout: float) -> dict:
    """The warm medbot's hello once its model is loaded."""
    from bot.warm.client import hello

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = hello(settings, timeout=1.0)
        if info and info.get("model") and not info.get("warming"):
            return info
        time.sleep(0.5)
    raise SystemExit(f"the warm medbot did not load its model within {timeout:.0f} s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundle", metavar="FILE", help="a FHIR bundle (default: generate one with synthea)")
    ap.add_argument("--seed", type=int, default=7, help="synthea seed (default 7)")
    ap.add_argument("--model", default=None, help="bundled model name or GGUF path (default: the configured model)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MEDBOT_HOME=str(Path(tmp) / "home"),
                   MEDBOT_RETRIEVAL__AUTO_BUILD="false", MEDBOT_RETRIEVAL__AUTO_FILL="false")
        if args.model:
            env["MEDBOT_MODEL"] = args.model
        os.environ.update({k: v for k, v in env.items() if k.startswith(("MEDBOT_", "HF_", "TRANSFORMERS_"))})
        from bot.config import load_settings

        settings = load_settings()
        bundle = _bundle(args, Path(tmp))
        print(f"bundle {bundle.name}; model {args.model or 'configured default'}; cores {os.cpu_count()}; "
              f"load average before {_loadavg()}")
        # one load first so that both paths find the model file in the page cache
        _timed([sys.executable, "-c", "from bot.config import load_settings; from bot.llm import load_backend; "
                "load_backend(load_settings())"], env)
        cmd = [sys.executable, "-m", "bot.cli", "summarize", str(bundle), "--timings"]
        c_first, c_total, c_out, c_err, rc = _timed(cmd + ["--no-warm"], env)
        if rc != 0:
            print("cold:", c_err.strip().splitlines()[-1] if c_err.strip() else f"exit {rc}")
            return 1
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--background", "--no-web"], env=env, cwd=ROOT,
                           capture_output=True, text=True)
        if r.returncode != 0:
            print("serve:", r.stderr.strip())
            return 1
        try:
            info = _wait_warm(settings, 600)
            start_s = time.perf_counter() - t0
            w_first, w_total, w_out, w_err, rc = _timed(cmd, env)
        finally:
            subprocess.run([sys.executable, "-m", "bot.cli", "stop"], env=env, cwd=ROOT, capture_output=True)
        if rc != 0:
            print("warm:", w_err.strip().splitlines()[-1] if w_err.strip() else f"exit {rc}")
            return 1
    cold, warm = _stages(c_err), _stages(w_err)
    print(f"warm medbot (pid {info['pid']}, model {info['model']}) ready {start_s:.1f} s after `serve --background`")
    print(f"{'':8}{'facts on screen (s)':>22}{'whole summary (s)':>20}   stages (s)")
    for name, first, total, st in (("cold", c_first, c_total, cold), ("warm", w_first, w_total, warm)):
        print(f"{name:8}{first:>22.2f}{total:>20.2f}   facts {st.get('facts_s')}, load {st.get('model_load_s')}, "
              f"prompt {st.get('prompt_s')}, generation {st.get('generation_s')}, check {st.get('check_s')}, "
              f"threads {st.get('threads')}")
    print(f"ratio cold/warm: facts on screen {c_first / w_first:.2f}x, whole summary {c_total / w_total:.2f}x")
    print(f"same text printed: {'yes' if c_out == w_out else 'no (the narratives differ)'}")
    print(f"load average after {_loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
