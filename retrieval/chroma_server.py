"""One supervised Chroma server per data folder: the single owner of the vector store.

Embedded Chroma is not safe with one process writing while another reads (the Rust client
segfaults), so by default no medbot process opens the store folder itself. The first process
that needs it starts a supervisor (`python -m retrieval.chroma_server --path DIR`), which holds
the folder's owner lock, runs `chroma run` on a free loopback port, writes `server.json`, restarts
the server if it dies, and stops it when no client has used it for `idle_s` seconds and no fill
runs (or when the folder disappears). Every process, the dense fill included, goes through
`HttpClient`. The embedded mode takes the same owner lock, so it can never share the folder.

Files in the store folder: `owner.lock` (held by whoever opens the folder), `start.lock`
(serialises starts), `server.json` (url, pids), `server.lease` (touched by clients), `server.log`.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from retrieval.errors import UserError

IDLE_S = 900.0


def _info_path(d: Path) -> Path:
    return d / "server.json"


def _heartbeat(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=timeout) as resp:
            return resp.status == 200
    except Exception:  # noqa: BLE001 - refused, reset, timeout: all mean "not serving"
        return False


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether the Chroma server at `url` answers its heartbeat from this process."""
    return _heartbeat(url, timeout)


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, or a child of ours that exited and is reaped here, does not)."""
    try:  # a supervisor this process started and that has exited: reap it (a zombie answers kill 0)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[-1].split()[0] == "Z":
                return False
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def lock_free(path: Path) -> bool:
    """Whether nobody holds an exclusive flock on `path` (False while a holder lives)."""
    if not path.exists():
        return True
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(fh, fcntl.LOCK_UN)
    return True


class OwnerLock:
    """The exclusive right to open a store folder (held by the server supervisor or an embedded user).

    Re-entrant within one process (several indexes of one home may share the embedded store).
    """

    _held: dict[str, list] = {}  # path -> [file handle, holders]

    def __init__(self, folder: Path):
        self.path = Path(folder) / "owner.lock"
        self._mine = False

    def acquire(self) -> bool:
        key = str(self.path.resolve()) if self.path.exists() else str(self.path)
        if key in OwnerLock._held:
            OwnerLock._held[key][1] += 1
            self._mine, self._key = True, key
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        key = str(self.path.resolve())
        OwnerLock._held[key] = [fh, 1]
        self._mine, self._key = True, key
        return True

    def release(self) -> None:
        if not self._mine:
            return
        self._mine = False
        entry = OwnerLock._held.get(self._key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] <= 0:
            del OwnerLock._held[self._key]
            fcntl.flock(entry[0], fcntl.LOCK_UN)
            entry[0].close()


def server_info(folder: Path) -> dict | None:
    """`server.json` of a live server of this folder, or None."""
    try:
        info = json.loads(_info_path(Path(folder)).read_text())
    except (OSError, ValueError):
        return None
    if not process_alive(int(info.get("pid", 0))):
        return None
    served = info.get("folder")
    if served and Path(served) != Path(folder).resolve():
        return None  # a copied home's server.json names the original's store: that server is not this folder's
    return info


def _touch_lease(folder: Path) -> None:
    lease = Path(folder) / "server.lease"
    try:
        lease.touch()
    except OSError:
        pass


UNREACHABLE_S = 6.0  # how long a live server's silent URL is retried before saying so


class ServerUnreachable(UserError):
    """The home's server runs (its process is alive) but its URL does not answer from this process."""


def ensure_server(folder: Path, idle_s: float = IDLE_S, timeout: float = 90.0,
                  unreachable_s: float = UNREACHABLE_S) -> str:
    """URL of the Chroma server that owns `folder`, starting its supervisor when none runs.

    Args:
        folder: the Chroma data folder (`MEDBOT_HOME/literature/chroma`).
        idle_s: the server stops after this long without clients and without a fill.
        timeout: seconds to wait for a new (or restarting) server to answer.
        unreachable_s: seconds to keep trying a running server's URL before reporting that this
            process cannot reach it (none when it is known to live in another network namespace).

    Raises:
        ServerUnreachable: the server runs but this process cannot reach it (another network
            namespace, a firewall): the message says what to do; the store is not touched.
        UserError: the folder is held by an embedded user, or the server does not start (the
            message suggests `medbot index rebuild` only when a check of the store finds damage).
    """
    folder = Path(folder)
    info = server_info(folder)
    if info and _heartbeat(info["url"]):
        _touch_lease(folder)
        return info["url"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the vector store folder {folder}: {exc.strerror}") from None
    with open(folder / "start.lock", "a+") as start:
        fcntl.flock(start, fcntl.LOCK_EX)  # one starter at a time; others wait and reuse its server
        try:
            deadline = time.time() + timeout
            info = server_info(folder)
            if info is not None and not _heartbeat(info["url"]):
                info = _wait_for_running(folder, info, deadline, unreachable_s)
            if info is None:
                if not lock_free(folder / "owner.lock") and server_info(folder) is None:
                    # Either an embedded user, or a supervisor that has not written server.json yet.
                    _wait_for_info(folder, min(deadline, time.time() + max(unreachable_s, 0.5)))
                    if server_info(folder) is None:
                        raise UserError(_held_message(folder))
                proc = None
                if server_info(folder) is None:
                    _touch_lease(folder)
                    proc = _spawn_supervisor(folder, idle_s)
                info = _wait_for_info(folder, deadline, proc)
                if info is None:
                    raise UserError(_not_started_message(folder))
        finally:
            fcntl.flock(start, fcntl.LOCK_UN)
    _touch_lease(folder)
    return info["url"]


def _wait_for_running(folder: Path, info: dict, deadline: float, unreachable_s: float) -> dict | None:
    """A live supervisor whose URL does not answer: wait for it, or say why it cannot be reached.

    While its chroma process restarts (that process is gone) the wait is the start timeout; while
    that process lives, `unreachable_s` (nothing when it is in another network namespace).
    """
    other_ns = other_network_namespace(int(info.get("chroma_pid") or info["pid"]))
    if not other_ns:
        other_ns = other_network_namespace(int(info["pid"]))
    limit = time.time() if other_ns else min(deadline, time.time() + unreachable_s)
    while True:
        current = server_info(folder)
        if current is None:
            return None  # the supervisor exited meanwhile: start a new one
        if _heartbeat(current["url"], timeout=1.0):
            return current
        restarting = current.get("chroma_pid") and not process_alive(int(current["chroma_pid"]))
        if time.time() >= (deadline if restarting else limit):
            if restarting:
                return None
            raise ServerUnreachable(unreachable_message(folder, current, other_ns))
        time.sleep(0.2)


def other_network_namespace(pid: int) -> bool:
    """True when `pid` runs in another network namespace than this process (False when unknown)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/net") != os.readlink("/proc/self/ns/net")
    except OSError:
        return False


def unreachable_message(folder: Path, info: dict, other_namespace: bool) -> str:
    """What to say when the home's server runs but this process cannot reach it."""
    where = "it runs in another network namespace" if other_namespace else "nothing answers there from here"
    return (f"the vector store server of {folder} is running (pid {info['pid']}) but {info['url']} cannot be "
            f"reached from this process ({where}): run medbot in the same network namespace as that server, "
            "or pass --chroma-url with an address of it that this process can reach (the store is not damaged; "
            "`medbot index stop` stops that server)")


def _held_message(folder: Path) -> str:
    """The owner lock is held but no server of this folder is visible from here."""
    try:
        info = json.loads(_info_path(folder).read_text())
    except (OSError, ValueError):
        info = None
    if info and info.get("url"):
        return (f"the vector store {folder} is held by a server this process cannot see or reach (pid "
                f"{info.get('pid')} at {info['url']}, in another PID or network namespace?): run medbot where "
                "that server runs, or pass --chroma-url with an address of it that this process can reach")
    return (f"the vector store {folder} is open in another process (embedded mode): close it, or run "
            "`medbot index stop`")


def _not_started_message(folder: Path) -> str:
    """Why a new server did not start; the rebuild is suggested only when the store is damaged."""
    tail = _log_tail(folder / "server.log")
    damage = check_store(folder)
    if damage:
        return (f"the vector store server for {folder} did not start: the store is damaged ({damage}); "
                "`medbot index rebuild` replaces it (documents and conversations are kept)")
    return (f"the vector store server for {folder} did not start ({tail}); the store checks out intact, so do "
            f"not rebuild it: see {folder / 'server.log'}, or pass --chroma-url to use another server")


def check_store(folder: Path) -> str | None:
    """A short description of damage found in the store's database, or None when it checks out.

    Reads `chroma.sqlite3` read-only (SQLite's quick_check); a missing database is not damage
    (a new store has none yet).
    """
    import sqlite3

    db = Path(folder) / "chroma.sqlite3"
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            rows = con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc).lower():
            return None  # in use is not damage
        return f"{db.name}: {exc}"
    if rows and rows[0][0] != "ok":
        return f"{db.name}: {rows[0][0]}"
    return None


def _wait_for_info(folder: Path, deadline: float, proc: subprocess.Popen | None = None) -> dict | None:
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:  # the supervisor gave up
            return None
        info = server_info(folder)
        if info and _heartbeat(info["url"], timeout=1.0):
            return info
        time.sleep(0.2)
    return None


def _log_tail(path: Path) -> str:
    try:
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no log"
    errors = [ln for ln in lines[-40:] if "error" in ln.lower() or "panic" in ln.lower()]
    return (errors or lines or ["empty log"])[-1][-200:]


def _spawn_supervisor(folder: Path, idle_s: float) -> subprocess.Popen:
    env = dict(os.environ)
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["ANONYMIZED_TELEMETRY"] = "False"
    with open(folder / "server.log", "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "retrieval.chroma_server", "--path", str(folder), "--idle-s", str(idle_s)],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True, close_fds=True)


def stop_server(folder: Path, timeout: float = 30.0) -> bool:
    """Stop the server of `folder` (SIGTERM to its supervisor) and wait until the folder is free.

    Returns:
        True when a server was running.
    """
    folder = Path(folder)
    info = server_info(folder)
    if info is None:
        return False
    try:
        os.kill(int(info["pid"]), signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.time() + timeout
    while time.time() < deadline and process_alive(int(info["pid"])):
        time.sleep(0.1)
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_command(folder: Path, port: int) -> list[str]:
    exe = Path(sys.executable).parent / "chroma"
    base = [str(exe)] if exe.is_file() else [sys.executable, "-c", "from chromadb.cli.cli import app; app()"]
    return base + ["run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)]


def _supervise(folder: Path, idle_s: float) -> int:
    """Run `chroma run` on `folder` until idle, told to stop, or the folder is gone."""
    owner = OwnerLock(folder)
    if not owner.acquire():
        print(f"store folder {folder} is owned by another process", flush=True)
        return 0
    stopping = []

    def _stop(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    fill_lock = folder.parent / "fill.lock"
    child = None
    restarts = 0
    served = False
    try:
        while not stopping:
            if child is None or child.poll() is not None:
                if child is not None:
                    restarts += 1
                    if not served or restarts > 3:
                        print(f"chroma server exited (code {child.returncode}); giving up", flush=True)
                        return 1
                served = False
                port = _free_port()
                url = f"http://127.0.0.1:{port}"
                child = subprocess.Popen(_chroma_command(folder, port), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=sys.stdout)
                t0 = time.time()
                while time.time() - t0 < 60 and child.poll() is None and not _heartbeat(url, 1.0) and not stopping:
                    time.sleep(0.1)
                if child.poll() is None and not stopping:
                    tmp = _info_path(folder).with_suffix(".tmp")
                    tmp.write_text(json.dumps({"pid": os.getpid(), "chroma_pid": child.pid, "url": url, "port": port,
                                               "folder": str(Path(folder).resolve()), "started_at": time.time()}))
                    os.replace(tmp, _info_path(folder))
                    served = True
                    print(f"chroma server for {folder} at {url}", flush=True)
                continue
            time.sleep(1.0)
            if not folder.is_dir():
                break
            try:
                idle = time.time() - (folder / "server.lease").stat().st_mtime
            except OSError:
                idle = idle_s + 1
            if idle > idle_s and lock_free(fill_lock):
                print("idle: stopping", flush=True)
                break
    finally:
        try:
            _info_path(folder).unlink()
        except OSError:
            pass
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        owner.release()
    return 0


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m retrieval.chroma_server")
    p.add_argument("--path", required=True, type=Path, help="Chroma data folder")
    p.add_argument("--idle-s", type=float, default=IDLE_S, help="stop after this many seconds without clients")
    args = p.parse_args(argv)
    return _supervise(args.path, args.idle_s)


if __name__ == "__main__":
    raise SystemExit(main())
