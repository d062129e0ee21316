"""The home's Chroma server: honest, fast errors (unreachable, another namespace, did not start, damage).

The waits are configured short here; how long the real waits take is measured in
bench/store_errors.py.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys

import pytest

from retrieval import chroma_server
from retrieval.chroma_server import ServerUnreachable, check_store, ensure_server


@pytest.fixture
def live_pid():
    """A live process standing in for a server's supervisor (stopping it is harmless)."""
    proc = subprocess.Popen(["sleep", "120"])
    yield proc.pid
    proc.kill()
    proc.wait()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_json(folder, pid: int, chroma_pid: int | None = None) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"http://127.0.0.1:{_closed_port()}"
    (folder / "server.json").write_text(json.dumps({"pid": pid, "chroma_pid": chroma_pid or pid, "url": url,
                                                    "port": int(url.rsplit(":", 1)[1])}))
    return url


def test_live_server_that_does_not_answer_says_so(tmp_path, live_pid):
    folder = tmp_path / "chroma"
    url = _server_json(folder, live_pid)  # a live pid whose port nothing listens on
    with pytest.raises(ServerUnreachable) as exc:
        ensure_server(folder, unreachable_s=0.3)
    msg = str(exc.value)
    assert f"is running (pid {live_pid}) but {url} cannot be reached from this process" in msg
    assert "run medbot in the same network namespace as that server, or pass --chroma-url" in msg
    assert "the store is not damaged" in msg and "index rebuild" not in msg
    assert "\n" not in msg
    assert json.loads((folder / "server.json").read_text())["url"] == url  # nothing was replaced or started


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs unshare -n (root)")
def test_server_in_another_network_namespace_is_named(tmp_path):
    proc = subprocess.Popen(["unshare", "-n", "sleep", "60"])
    try:
        for _ in range(50):  # wait until the child has entered its namespace
            if chroma_server.other_network_namespace(proc.pid):
                break
            import time

            time.sleep(0.05)
        folder = tmp_path / "chroma"
        _server_json(folder, proc.pid)
        with pytest.raises(ServerUnreachable, match=r"\(it runs in another network namespace\): run medbot in the "
                                                    r"same network namespace as that server, or pass --chroma-url"):
            ensure_server(folder, unreachable_s=600)  # known at once: the long wait is never used
    finally:
        proc.kill()
        proc.wait()


def test_index_uses_the_configured_wait(tmp_path, live_pid):
    from retrieval.config import IndexConfig
    from retrieval.index import LiteratureIndex
    from retrieval_fakes import FakeEmbedder

    home = tmp_path / "home"
    _server_json(home / "literature" / "chroma", live_pid)
    index = LiteratureIndex(IndexConfig(home=home, unreachable_s=0.2), FakeEmbedder())
    try:
        with pytest.raises(ServerUnreachable, match="cannot be reached from this process"):
            index.store
    finally:
        index.close()


def _failing_supervisor(log_line: str):
    def spawn(folder, idle_s):
        with open(folder / "server.log", "a") as fh:
            fh.write(log_line + "\n")
        return subprocess.Popen([sys.executable, "-c", "raise SystemExit(1)"])

    return spawn


def test_server_that_does_not_start_on_an_intact_store_does_not_suggest_rebuild(tmp_path, monkeypatch):
    folder = tmp_path / "chroma"
    folder.mkdir()
    db = sqlite3.connect(folder / "chroma.sqlite3")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    monkeypatch.setattr(chroma_server, "_spawn_supervisor", _failing_supervisor("error: address family not supported"))
    with pytest.raises(chroma_server.UserError) as exc:
        ensure_server(folder, timeout=20)
    msg = str(exc.value)
    assert msg.startswith(f"the vector store server for {folder} did not start (error: address family not supported)")
    assert "the store checks out intact, so do not rebuild it" in msg and "index rebuild" not in msg
    assert str(folder / "server.log") in msg


def test_server_that_does_not_start_on_a_damaged_store_suggests_rebuild(tmp_path, monkeypatch):
    folder = tmp_path / "chroma"
    folder.mkdir()
    (folder / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    monkeypatch.setattr(chroma_server, "_spawn_supervisor", _failing_supervisor("error: database disk image is malformed"))
    with pytest.raises(chroma_server.UserError) as exc:
        ensure_server(folder, timeout=20)
    msg = str(exc.value)
    assert "did not start: the store is damaged (chroma.sqlite3: file is not a database)" in msg
    assert "`medbot index rebuild` replaces it (documents and conversations are kept)" in msg


def test_store_held_by_a_server_this_process_cannot_see(tmp_path):
    import fcntl

    folder = tmp_path / "chroma"
    folder.mkdir()
    holder = open(folder / "owner.lock", "a+")
    fcntl.flock(holder, fcntl.LOCK_EX)  # held, as by a supervisor in another PID namespace
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    url = _server_json(folder, dead.pid)
    try:
        with pytest.raises(chroma_server.UserError) as exc:
            ensure_server(folder, unreachable_s=0.2)
    finally:
        holder.close()
    msg = str(exc.value)
    assert f"held by a server this process cannot see or reach (pid {dead.pid} at {url}" in msg
    assert "pass --chroma-url" in msg and "index rebuild" not in msg


def test_store_check(tmp_path):
    assert check_store(tmp_path) is None  # no database yet: a new store
    (tmp_path / "chroma.sqlite3").write_bytes(b"garbage" * 1000)
    assert check_store(tmp_path) == "chroma.sqlite3: file is not a database"
    (tmp_path / "chroma.sqlite3").unlink()
    db = sqlite3.connect(tmp_path / "chroma.sqlite3")
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    assert check_store(tmp_path) is None


def test_doctor_names_an_unreachable_home_server(medbot_home, capsys, live_pid):
    from bot.cli import main

    _server_json(medbot_home / "literature" / "chroma", live_pid)
    assert main(["doctor", "--no-hash", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    chroma = next(c for c in out["checks"] if c["name"] == "Chroma")
    assert chroma["status"] == "fail" and "cannot be reached from this process" in chroma["detail"]
    assert "--chroma-url" in chroma["fix"]


def test_doctor_suggests_index_start_for_missing_vectors():
    import inspect

    from bot import checks

    src = inspect.getsource(checks.check_index)
    assert "medbot index start (resumes where it stopped)" in src and "ingest --background" not in src
