"""A real `medbot serve` in a subprocess and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # browser_pages: signing in, screenshots

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]
DATA = Path(__file__).parent / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, home: Path, port: int, log: Path, cmd: list[str] | None = None, env: dict | None = None):
        self.home, self.port, self.log = home, port, log
        self.url = f"http://127.0.0.1:{port}"
        self.proc = None
        self.cmd = cmd or [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
        self.extra_env = env or {}

    def start(self) -> "Server":
        import httpx

        env = {**os.environ, "MEDBOT_HOME": str(self.home), "GRADIO_ANALYTICS_ENABLED": "False",
               "HF_HUB_OFFLINE": "1", "MEDBOT_MAX_TOKENS": "48",
               "MEDBOT_MODEL": "smollm2", **self.extra_env}  # the tiny bundled model keeps the browser tests fast
        fh = open(self.log, "ab")
        self.proc = subprocess.Popen(self.cmd, stdout=fh, stderr=subprocess.STDOUT, env=env)
        for _ in range(240):
            if self.proc.poll() is not None:
                raise RuntimeError("medbot serve exited:\n" + self.log.read_text()[-3000:])
            try:
                if httpx.get(self.url, timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        raise RuntimeError("medbot serve did not start:\n" + self.log.read_text()[-3000:])

    def stop(self, hard: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if hard else self.proc.terminate()
            self.proc.wait(20)


@pytest.fixture(scope="module")
def server_home(tmp_path_factory):
    """A MEDBOT_HOME with a small literature index built from the fixture corpus."""
    home = tmp_path_factory.mktemp("browser") / "home"
    env = {**os.environ, "MEDBOT_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(DATA / "corpus.jsonl")], env=env, check=True,
                   capture_output=True, timeout=600)
    yield home
    # the web chat started the home's vector-store server (and maybe a fill): stop them with the home
    subprocess.run([sys.executable, "-m", "bot.cli", "index", "stop", "--server"], env=env, capture_output=True,
                   timeout=120)


@pytest.fixture(scope="module")
def server(server_home, tmp_path_factory):
    # the fixture corpus only: no build of the bundled knowledge, no background fill, rules-only triage
    srv = Server(server_home, free_port(), tmp_path_factory.mktemp("log") / "serve.log",
                 env={"MEDBOT_SAFETY__TRIAGE_CLASSIFIER": "rules", "MEDBOT_RETRIEVAL__AUTO_BUILD": "false",
                      "MEDBOT_RETRIEVAL__AUTO_FILL": "false"}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def clock_server(server_home, tmp_path_factory):
    """The web chat on a clock the test moves: write a number of days to `server.offset`."""
    offset = tmp_path_factory.mktemp("clock") / "offset-days"
    port = free_port()
    srv = Server(server_home, port, tmp_path_factory.mktemp("log") / "serve.log",
                 cmd=[sys.executable, str(Path(__file__).parent / "clock_server.py"), str(port), str(offset)],
                 env={"MEDBOT_SAFETY__TRIAGE_CLASSIFIER": "rules", "MEDBOT_RETRIEVAL__AUTO_BUILD": "false",
                      "MEDBOT_RETRIEVAL__AUTO_FILL": "false"}).start()
    srv.offset = offset
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/test.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


USERS = ("alice", "bob", "carol", "dave", "erin")


@pytest.fixture(scope="module")
def scripted_server(tmp_path_factory):
    """The web chat on the scripted LLM and a fixed retriever (scripted_server.py), behind a
    password file: each of USERS signs in with the password `pw-<name>`."""
    from bot.safety.auth import hash_password

    root = tmp_path_factory.mktemp("scripted")
    users = root / "users.txt"
    users.write_text("".join(f"{u}:{hash_password('pw-' + u, iterations=1000)}\n" for u in USERS))
    port = free_port()
    srv = Server(root / "home", port, root / "serve.log",
                 cmd=[sys.executable, str(Path(__file__).parent / "scripted_server.py"), str(port), str(users)],
                 env={"MEDBOT_SAFETY__TRIAGE_CLASSIFIER": "rules", "MEDBOT_RETRIEVAL__AUTO_BUILD": "false",
                      "MEDBOT_RETRIEVAL__AUTO_FILL": "false"}).start()
    yield srv
    srv.stop()
