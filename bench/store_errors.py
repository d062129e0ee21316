"""How fast `medbot` says that the home's Chroma server runs but cannot be reached.

Two cases, each timed from the call to the one-line error, against the 10 s bound (and the start
timeout of 90 s, which is what a caller waited before):
  same namespace   a live supervisor whose port nothing answers (the default wait applies);
  other namespace  a supervisor in another network namespace (`unshare -n`, root only): reported at once.

    .venv/bin/python bench/store_errors.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from retrieval.chroma_server import UNREACHABLE_S, ensure_server  # noqa: E402
from retrieval.errors import UserError  # noqa: E402

BOUND_S, OLD_WAIT_S = 10.0, 90.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _time_error(pid: int) -> tuple[float, str]:
    folder = Path(tempfile.mkdtemp(prefix="medbot-store-")) / "chroma"
    folder.mkdir()
    url = f"http://127.0.0.1:{_closed_port()}"
    (folder / "server.json").write_text(json.dumps({"pid": pid, "chroma_pid": pid, "url": url}))
    t0 = time.perf_counter()
    try:
        ensure_server(folder)
        msg = "(no error)"
    except UserError as exc:
        msg = str(exc)
    took = time.perf_counter() - t0
    shutil.rmtree(folder.parent, ignore_errors=True)
    return took, msg


def main() -> int:
    print(f"default wait for a running server's URL: {UNREACHABLE_S:.0f} s; bound {BOUND_S:.0f} s; "
          f"previous wait {OLD_WAIT_S:.0f} s")
    cases = [("same namespace", ["sleep", "120"])]
    if shutil.which("unshare") and os.geteuid() == 0:
        cases.append(("other namespace", ["unshare", "-n", "sleep", "120"]))
    for name, cmd in cases:
        proc = subprocess.Popen(cmd)
        try:
            time.sleep(0.3)
            took, msg = _time_error(proc.pid)
        finally:
            proc.kill()
            proc.wait()
        ok = "met" if took <= BOUND_S else "NOT met"
        print(f"{name:16} {took:6.2f} s  ({took / BOUND_S:.2f}x the bound: {ok}; {OLD_WAIT_S / max(took, 0.1):.0f}x faster "
              f"than the previous wait)")
        print(f"{'':16} {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
