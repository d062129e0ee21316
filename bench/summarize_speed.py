"""`medbot summarize` on Synthea bundles: the streamed summary vs the one-shot path it replaced.

In one run, on the same bundles and model, each in a fresh process (the model file warm in the
page cache after the first load):
  baseline  the former path: facts extracted, the model loaded, the narrative asked for in one
            completion from the full facts text (up to 220 tokens), checked, then everything printed;
            the background fill is not paused;
  medbot    `medbot summarize BUNDLE --timings`: facts and scores printed at once, the model loaded,
            the narrative streamed from the shorter prompt (up to 180 tokens) and checked per
            sentence, with the home's fill paused.

Prints, per bundle and as medians: seconds to the facts on screen and to the whole summary, the
medbot stages (facts, model load, prompt, generation, check), the prompt sizes in characters, and
the baseline/medbot ratios, with the load average before and after (the machine may be shared).
Goals: facts on screen <= 2 s; whole summary <= 45 s with the 1.5B model, model file warm.

    .venv/bin/python bench/summarize_speed.py [--bundles DIR | --patients 1 --seed 7] [--model qwen1.5b]
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# the former path, run in its own process so that it also pays the imports and the model load
BASELINE = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bot.cases import facts_from_file
from bot.cases.narrative import _prompt
from bot.cases.render import facts_markdown, facts_text
from bot.cases.trace import TraceIndex, check_text
from bot.config import load_settings
from bot.llm import load_backend
settings = load_settings()
facts = facts_from_file(settings, Path(sys.argv[1]))
t1 = time.perf_counter()
backend = load_backend(settings)
t2 = time.perf_counter()
body = facts_text(facts)
messages = [{"role": "system", "content": _prompt("clinician")},
            {"role": "user", "content": f"FACTS\n<<<\n{body}\n>>>\nWrite the narrative paragraph."}]
text = backend.complete(messages, max_tokens=220, temperature=0.0).text
t3 = time.perf_counter()
narrative, flags = check_text(" ".join(text.split()), TraceIndex.from_facts(facts))
t4 = time.perf_counter()
sys.stdout.write(facts_markdown(facts) + "\n" + narrative + "\n")
sys.stdout.flush()
print(json.dumps({"facts_s": t1 - t0, "model_load_s": t2 - t1, "llm_s": t3 - t2, "check_s": t4 - t3,
                  "prompt_chars": len(body), "removed": len([f for f in flags if f.get("token")])}), file=sys.stderr)
"""


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _timed(cmd: list[str], env: dict) -> tuple[float, float, str, str, int]:
    """(seconds to the first stdout bytes, seconds to exit, stdout, stderr, exit code)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ, "out")
    sel.register(p.stderr, selectors.EVENT_READ, "err")
    first = None
    out, err = b"", b""
    open_streams = 2
    while open_streams:
        for key, _ in sel.select():
            data = os.read(key.fileobj.fileno(), 65536)
            if not data:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.data == "out":
                first = first if first is not None else time.perf_counter() - t0
                out += data
            else:
                err += data
    rc = p.wait()
    total = time.perf_counter() - t0
    return (first if first is not None else total), total, out.decode(), err.decode(), rc


def _bundles(args, tmp: Path) -> list[Path]:
    if args.bundles:
        return sorted(Path(args.bundles).glob("*.json"))[: args.patients]
    exe = Path(sys.executable).parent / "synthea"
    subprocess.run([str(exe), "-p", str(args.patients), "-s", str(args.seed), "-r", "20250101", "-o", str(tmp)],
                   check=True, capture_output=True, cwd=tmp)
    return sorted((tmp / "fhir").glob("*.json"))[: args.patients]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bundles", metavar="DIR", help="folder of FHIR bundles (default: generate with synthea)")
    ap.add_argument("--patients", type=int, default=1, help="bundles to summarize (default 1)")
    ap.add_argument("--seed", type=int, default=7, help="synthea seed (default 7)")
    ap.add_argument("--model", default=None, help="bundled model name or GGUF path (default: the configured model)")
    ap.add_argument("--no-baseline", dest="baseline", action="store_false", help="skip the former path")
    args = ap.parse_args()
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    if args.model:
        env["MEDBOT_MODEL"] = args.model
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env.setdefault("MEDBOT_HOME", str(Path(tmp) / "home"))
        files = _bundles(args, Path(tmp))
        print(f"{len(files)} bundle(s); model {args.model or 'configured default'}; cores {os.cpu_count()}; "
              f"load average before {_loadavg()}")
        # one load first so that both paths find the model file in the page cache
        _timed([sys.executable, "-c", "from bot.config import load_settings; from bot.llm import load_backend; "
                "load_backend(load_settings())"], env)
        for f in files:
            row = {"bundle": f.name[:24]}
            if args.baseline:
                first, total, _out, err, rc = _timed([sys.executable, "-c", BASELINE, str(f)], env)
                if rc != 0:
                    print(err.strip().splitlines()[-1] if err.strip() else f"baseline exit {rc}")
                    return 1
                base = json.loads(err.strip().splitlines()[-1])
                row.update(base_first=first, base_total=total, base=base)
            first, total, _out, err, rc = _timed([sys.executable, "-m", "bot.cli", "summarize", str(f), "--timings"], env)
            if rc != 0:
                print(err.strip().splitlines()[-1] if err.strip() else f"medbot exit {rc}")
                return 1
            line = next((ln for ln in err.splitlines() if ln.startswith("timings: ")), "timings: ")
            stages = dict(part.rsplit(" ", 1) for part in line[len("timings: "):].split(", ") if " " in part)
            row.update(first=first, total=total, stages=stages, load=_loadavg())
            rows.append(row)
            print(json.dumps(row, default=str))
    print()
    print(f"{'bundle':26}{'facts on screen (s)':>22}{'whole summary (s)':>20}{'ratio':>8}   medbot stages (s)")
    for r in rows:
        bf, bt = r.get("base_first"), r.get("base_total")
        ratio = f"{bt / r['total']:.2f}x" if bt else "-"
        facts = f"{bf:.1f} -> {r['first']:.1f}" if bf else f"{r['first']:.1f}"
        whole = f"{bt:.1f} -> {r['total']:.1f}" if bt else f"{r['total']:.1f}"
        st = r["stages"]
        print(f"{r['bundle']:26}{facts:>22}{whole:>20}{ratio:>8}   facts {st.get('facts_s')}, load "
              f"{st.get('model_load_s')}, prompt {st.get('prompt_s')}, generation {st.get('generation_s')}, "
              f"check {st.get('check_s')}, chunks {st.get('chunks')}")
        if bt:
            b = r["base"]
            print(f"{'':26}baseline stages: facts {b['facts_s']:.2f}, load {b['model_load_s']:.2f}, prompt+generation "
                  f"{b['llm_s']:.1f}, check {b['check_s']:.3f}; prompt {b['prompt_chars']} chars")
    if len(rows) > 1:
        print(f"median whole summary: medbot {statistics.median(r['total'] for r in rows):.1f} s"
              + (f", baseline {statistics.median(r['base_total'] for r in rows):.1f} s" if args.baseline else ""))
    print(f"load average after {_loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
