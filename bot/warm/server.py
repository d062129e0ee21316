"""`WarmServer`: answers terminal turns and case summaries with a loaded agent, over an owner-only Unix socket."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
from pathlib import Path
from typing import Any, Callable

from bot.warm import protocol
from bot.warm.paths import fingerprint, lock_path, peer_credentials, socket_path  # noqa: F401 - re-exported

log = logging.getLogger(__name__)


def _connected(conn: socket.socket) -> bool:
    """False once the peer has closed its end (a read would return end-of-file)."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class WarmServer:
    """Serve `agent` to `medbot ask` / `medbot chat` / `medbot summarize` of the same home and user.

    Args:
        settings: the settings the agent answers with; a turn from a command whose settings differ
            (another model, adapter, generation or retrieval setting) is refused, and that command
            answers in its own process.
        agent: a `bot.agent.Agent` (only `turn()`, `warm_up()` and, for summaries without `backend`,
            its `backend`, are used).
        backend: the agent's backend when it is a `SerialBackend` shared with the web chat: its
            lock tells a turn that the model is busy, and `hello` names the model once it is loaded.
        lock: held for the whole of each terminal turn (they queue in order behind it).
        allowed_uid: the only uid served (default: this process's).
        on_stop: called (in a thread) when a client asks the server to stop.
    """

    def __init__(self, settings, agent, lock: threading.Lock | None = None, *, backend=None,
                 allowed_uid: int | None = None, on_stop: Callable[[], None] | None = None):
        self.settings = settings
        self.agent = agent
        self.backend = backend
        self.lock = lock or threading.Lock()
        self.fingerprint = fingerprint(settings)
        self.allowed_uid = os.getuid() if allowed_uid is None else allowed_uid
        self.on_stop = on_stop
        self.warming = False  # set while the model loads: a queued turn says what it waits for
        self._pending = 0  # terminal turns holding or waiting for `lock`
        self._count = threading.Lock()
        self._sock: socket.socket | None = None
        self._lockfile = None
        self._inode: int | None = None
        self.path: Path | None = None

    # ---- life cycle ---------------------------------------------------------------------------
    def start(self) -> "WarmServer":
        """Bind the socket (0600, in a 0700 folder) and accept in a daemon thread.

        Raises:
            bot.errors.UserError: another warm medbot serves this home and user.
        """
        from bot.errors import UserError

        from bot.warm.paths import UnsafeFolder

        home, user = self.settings.home, self.settings.user
        try:
            lockfile = open(lock_path(home, user, create=True), "a+")
        except UnsafeFolder as exc:
            raise UserError(f"cannot serve terminal commands: {exc}") from None
        try:
            fcntl.flock(lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lockfile.close()
            from bot.warm.client import hello

            info = hello(self.settings) or {}
            raise UserError(f"a warm medbot already serves {home} for user '{user}'"
                            + (f" (pid {info['pid']})" if info.get("pid") else "") + ": `medbot stop` ends it") from None
        self._lockfile = lockfile
        path = socket_path(home, user)
        path.unlink(missing_ok=True)  # a socket left by a process that died: we hold the lock now
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)  # the socket file is born 0600
        try:
            sock.bind(str(path))
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        sock.listen(16)
        self._sock, self.path, self._inode = sock, path, os.stat(path).st_ino
        threading.Thread(target=self._accept_loop, name="warm-accept", daemon=True).start()
        return self

    def close(self) -> None:
        """Stop accepting, remove the socket (if it is still ours) and release the lock."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        if self.path is not None:
            try:
                if os.stat(self.path).st_ino == self._inode:
                    self.path.unlink()
            except OSError:
                pass
        if self._lockfile is not None:
            fcntl.flock(self._lockfile, fcntl.LOCK_UN)
            self._lockfile.close()
            self._lockfile = None

    def __enter__(self) -> "WarmServer":
        return self.start() if self._sock is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- connections --------------------------------------------------------------------------
    def _accept_loop(self) -> None:
        while self._sock is not None:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve_one, args=(conn,), name="warm-turn", daemon=True).start()

    def _serve_one(self, conn: socket.socket) -> None:
        try:
            with conn:
                pid, uid, _ = peer_credentials(conn)
                if uid != self.allowed_uid:
                    log.warning("warm medbot: refused a connection from uid %s (pid %s)", uid, pid)
                    self._send(conn, {"kind": "error", "exit_code": 2,
                                      "message": f"this warm medbot serves uid {self.allowed_uid} only"})
                    return
                line = conn.makefile("rb").readline(protocol.MAX_LINE + 1)
                try:
                    req = protocol.decode(line)
                except ValueError:
                    self._send(conn, {"kind": "error", "exit_code": 2, "message": "bad request"})
                    return
                op = req.get("op")
                if op == "hello":
                    self._send(conn, self.hello())
                elif op == "turn":
                    self._queued(conn, req, self._run)
                elif op == "summarize":
                    self._queued(conn, req, self._summarize)
                elif op == "stop" and self.on_stop is not None:
                    self._send(conn, {"kind": "stopping", "pid": os.getpid()})
                    threading.Thread(target=self.on_stop, name="warm-stop", daemon=True).start()
                else:
                    self._send(conn, {"kind": "error", "exit_code": 2, "message": f"unknown request {op!r}"})
        except OSError:  # the client went away; its turn (if any) was abandoned below
            pass

    def hello(self) -> dict[str, Any]:
        """What a client needs to decide whether to hand a turn over, and to print the chat header."""
        backend = self.backend if self.backend is not None and getattr(self.backend, "loaded", False) else None
        return {"kind": "hello", "v": protocol.VERSION, "pid": os.getpid(), "fingerprint": self.fingerprint,
                "home": str(self.settings.home), "user": self.settings.user, "busy": self._pending,
                "warming": self.warming, "model": getattr(backend, "name", None) if backend is not None else None,
                "notice": getattr(backend, "notice", None) if backend is not None else None,
                "is_demo": bool(getattr(backend, "is_demo", False)) if backend is not None else False}

    def warm_up(self) -> None:
        """Load the model, index and embedders now (terminal turns that come meanwhile wait, and are told so)."""
        with self.lock:
            self.warming = True
            try:
                self.agent.warm_up()
            finally:
                self.warming = False

    def _model_busy(self) -> bool:
        model_lock = getattr(self.backend, "lock", None)
        if model_lock is None:
            return False
        if model_lock.acquire(blocking=False):
            model_lock.release()
            return False
        return True

    @staticmethod
    def _send(conn: socket.socket, obj: dict[str, Any]) -> None:
        conn.sendall(protocol.encode(obj))

    def _queued(self, conn: socket.socket, req: dict[str, Any], run: Callable[[socket.socket, dict[str, Any]], None]) -> None:
        """Run one job (a turn, a summary) in its place in the queue, if the caller's settings match."""
        if req.get("fingerprint") != self.fingerprint:
            self._send(conn, {"kind": "refused", "reason": "settings differ"})
            return
        with self._count:
            ahead = self._pending
            self._pending += 1
        try:
            if not self.lock.acquire(blocking=False):
                self._send(conn, {"kind": "queued", "ahead": max(ahead, 1), "warming": self.warming})
                self.lock.acquire()
            elif self._model_busy():  # a web chat turn (or the warm-up) holds the model
                self._send(conn, {"kind": "queued", "ahead": 1, "warming": self.warming})
            try:
                if not _connected(conn):  # the caller gave up while it waited (Ctrl+C)
                    return
                self._send(conn, {"kind": "started"})
                run(conn, req)
            finally:
                self.lock.release()
        finally:
            with self._count:
                self._pending -= 1

    def _report(self, conn: socket.socket, exc: Exception) -> None:
        """Send a failed job's error as the command would print it in its own process."""
        from bot.errors import REPORTED_ERRORS, USER_ERRORS

        if isinstance(exc, REPORTED_ERRORS):
            self._send(conn, {"kind": "error", "message": str(exc), "exit_code": getattr(exc, "exit_code", 1),
                              "user": isinstance(exc, USER_ERRORS)})
            return
        log.debug("warm job failed", exc_info=exc)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        self._send(conn, {"kind": "error", "exit_code": 1, "internal": True, "message": f"{type(exc).__name__}: {first}"})

    def _run(self, conn: socket.socket, req: dict[str, Any]) -> None:
        events = self.agent.turn(req.get("message") or "", conversation_id=req.get("conversation_id") or None,
                                 uploads=[Path(u) for u in req.get("uploads") or []], role=req.get("role") or None)
        try:
            for ev in events:
                if ev.kind == "done":
                    self._send(conn, {"kind": "done", "result": protocol.result_fields(ev.data),
                                      "json": protocol.jsonable(ev.data.to_json())})
                else:
                    self._send(conn, {"kind": ev.kind, "data": protocol.jsonable(ev.data)})
        except OSError:
            raise  # the client left: `finally` below ends the turn
        except Exception as exc:  # noqa: BLE001 - the client prints it as it would in-process
            self._report(conn, exc)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()

    def _model(self):
        """The loaded LLM (shared with the web chat when `backend` was given)."""
        return self.backend if self.backend is not None else self.agent.backend

    def _summarize(self, conn: socket.socket, req: dict[str, Any]) -> None:
        """`medbot summarize` with the loaded model: facts and scores first, then each checked sentence,
        as "text" events (when the caller streams), then "done" with the summary's JSON."""
        from bot.cases.cpu import current_threads
        from bot.warm.summarize import job_threads, summarize_case, summary_json, summary_result
        from retrieval.dense_fill import answering

        emit = (lambda text: self._send(conn, {"kind": "text", "data": text})) if req.get("stream") else None
        threads = current_threads(self.settings.threads)  # the idle cores, as a summary in its own process
        restore: list = []

        def model():  # called once the facts are out
            backend = self._model()
            restore.append(job_threads(backend, threads))
            return backend

        try:
            with answering(self.settings.home):  # the background fill yields the CPU while the model writes
                summary = summarize_case(self.settings, req.get("case") or {}, as_of=req.get("as_of") or None,
                                         role=req.get("role") or "clinician", with_scores=bool(req.get("scores", True)),
                                         emit=emit, backend_factory=model)
        except OSError:
            raise  # the client left
        except Exception as exc:  # noqa: BLE001 - the client prints it as it would in-process
            self._report(conn, exc)
            return
        finally:
            for put_back in restore:
                if put_back is not None:
                    put_back()
        if restore and restore[0] is not None:
            summary.timings["threads"] = threads
        self._send(conn, {"kind": "done", "result": summary_result(summary),
                          "json": protocol.jsonable(summary_json(summary))})
