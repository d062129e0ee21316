"""`medbot serve --background`: start the serve command detached and wait until it answers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

START_TIMEOUT_S = 120.0


def log_path(settings) -> Path:
    """Where the detached process writes its output."""
    return Path(settings.home) / "logs" / "serve.log"


def spawn(settings, argv: list[str], timeout: float = START_TIMEOUT_S) -> dict:
    """Run `medbot serve ARGV` detached from this terminal and wait for its warm socket.

    Args:
        settings: the settings the child will load (same home and user).
        argv: the serve arguments, without `--background`.
        timeout: seconds to wait for the child to answer on its socket.

    Returns:
        The child's `hello` (pid, model...).

    Raises:
        bot.errors.UserError: one already runs, or the child exited or did not answer in time
            (the message names its log).
    """
    from bot.errors import UserError
    from bot.warm.client import hello

    info = hello(settings)
    if info is not None:
        raise UserError(f"a warm medbot already serves {settings.home} (pid {info['pid']}): `medbot stop` ends it")
    settings.ensure_home()
    log = log_path(settings)
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    with open(log, "ab") as out:
        os.chmod(log, 0o600)
        proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", *argv], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
                                close_fds=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = proc.poll()
        if code is not None:
            raise UserError(f"medbot serve exited with code {code} before it answered: see {log}")
        info = hello(settings, timeout=1.0)
        if info is not None and info.get("pid") == proc.pid:
            return info
        time.sleep(0.2)
    proc.terminate()
    raise UserError(f"medbot serve did not answer within {timeout:.0f} s (stopped it): see {log}")
