"""`medbot serve --background` and `medbot stop` as separate processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time


def _medbot(*argv, timeout=240):
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_serve_background_then_stop(medbot_home):
    from bot.config import load_settings
    from bot.warm.client import hello

    r = _medbot("serve", "--background", "--no-web")
    assert r.returncode == 0, r.stderr
    m = re.search(r"warm medbot runs in the background \(pid (\d+); log (\S+)\)", r.stdout)
    assert m, r.stdout
    pid = int(m.group(1))
    try:
        info = hello(load_settings())
        assert info is not None and info["pid"] == pid
        again = _medbot("serve", "--background", "--no-web")
        assert again.returncode == 2 and f"(pid {pid}): `medbot stop` ends it" in again.stderr
        assert len(again.stderr.strip().splitlines()) == 1
        stopped = _medbot("stop")
        assert stopped.returncode == 0 and stopped.stdout == f"stopped the warm medbot (pid {pid})\n"
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid)
        assert hello(load_settings()) is None
    finally:
        if _alive(pid):
            os.kill(pid, 15)
