"""Hand a turn (or a case summary) to the warm medbot of this home and user, if one runs with the same settings."""

from __future__ import annotations

import copy
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from bot.warm import protocol
from retrieval.chroma_server import process_alive
from bot.warm.paths import UnsafeFolder, fingerprint, socket_path

CONNECT_TIMEOUT_S = 2.0  # a live server answers a request at once; a hung one must not hold the command


@dataclass
class WarmEvent:
    """One event of a handed-off turn: the agent's kinds plus `queued` (data: {"ahead", "warming"});
    a summary's are `text` (Markdown to show as it comes), `queued` and `done`."""

    kind: str
    data: Any


class WarmResult:
    """The `done` result of a handed-off turn: every TurnResult field as an attribute, and the
    warm process's own `to_json()` (so `ask --json` prints the same either way)."""

    def __init__(self, fields: dict[str, Any], as_json: dict[str, Any]):
        self.__dict__.update(fields)
        self._json = as_json

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(self._json)


def _connect(settings, timeout: float) -> socket.socket | None:
    """A connection to the warm process, or None (none runs, the socket is stale, or not ours)."""
    try:
        path = socket_path(settings.home, settings.user)
    except UnsafeFolder:
        return None
    if not path.exists():
        return None
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(str(path))
        from bot.warm.paths import peer_credentials

        if peer_credentials(s)[1] != os.getuid():  # only ever talk to our own process
            s.close()
            return None
    except OSError:
        s.close()
        return None
    return s


def _request(settings, req: dict[str, Any], timeout: float) -> tuple[socket.socket, Any, dict[str, Any]] | None:
    """Send one request; the socket, its reader and the first reply, or None when nobody answers."""
    s = _connect(settings, timeout)
    if s is None:
        return None
    try:
        s.sendall(protocol.encode({"v": protocol.VERSION, **req}))
        reader = s.makefile("rb")
        line = reader.readline(protocol.MAX_LINE + 1)
        first = protocol.decode(line) if line else None
    except (OSError, ValueError):
        s.close()
        return None
    if first is None:
        s.close()
        return None
    return s, reader, first


def hello(settings, timeout: float = CONNECT_TIMEOUT_S) -> dict[str, Any] | None:
    """The warm process's description (pid, fingerprint, model, notice, busy), or None if none runs."""
    got = _request(settings, {"op": "hello"}, timeout)
    if got is None:
        return None
    s, _, first = got
    s.close()
    return first if first.get("kind") == "hello" else None


def matches(settings, info: dict[str, Any] | None) -> bool:
    """Whether a warm process (its `hello`) answers with exactly these settings."""
    return bool(info) and info.get("fingerprint") == fingerprint(settings)


class WarmTurn:
    """A turn the warm process accepted; iterate `events()` to stream it."""

    def __init__(self, sock: socket.socket, reader, first: dict[str, Any]):
        self._sock, self._reader, self._first = sock, reader, first

    def events(self) -> Iterator[WarmEvent]:
        """The turn's events; the last is `done` with a `WarmResult`.

        Raises:
            bot.errors.UserError / InternalError: the turn failed (the same message as in-process),
                or the warm process stopped in the middle of it.
        """
        from bot.errors import InternalError, UserError

        self._sock.settimeout(None)  # a queued turn may wait for others to finish
        msg: dict[str, Any] | None = self._first
        try:
            while True:
                if msg is None:
                    line = self._reader.readline(protocol.MAX_LINE + 1)
                    if not line:
                        raise InternalError("the warm medbot stopped during this turn: ask again")
                    msg = protocol.decode(line)
                kind = msg.get("kind")
                if kind == "done":
                    yield WarmEvent("done", WarmResult(msg["result"], msg["json"]))
                    return
                if kind == "error":
                    if msg.get("exit_code") == 2:
                        raise UserError(msg.get("message", "refused"))
                    text = msg.get("message", "failed")
                    raise InternalError(f"internal error in the warm medbot: {text}" if msg.get("internal") else text)
                if kind == "queued":
                    yield WarmEvent("queued", {"ahead": msg.get("ahead", 1), "warming": bool(msg.get("warming"))})
                elif kind != "started":
                    yield WarmEvent(kind, msg.get("data"))
                msg = None
        except (OSError, ValueError) as exc:
            raise InternalError(f"lost the warm medbot during this turn ({exc}): ask again") from None
        finally:
            self.close()

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


def open_turn(settings, message: str, *, conversation_id: str | None = None, uploads: list[Path] | None = None,
              role: str | None = None, timeout: float = CONNECT_TIMEOUT_S) -> WarmTurn | None:
    """Offer a turn to the warm process of `settings.home` and `settings.user`.

    Args:
        settings: the caller's settings; the warm process takes the turn only if its own match.
        message, conversation_id, role: as `Agent.turn` (pass the effective role: `--role` or the setting).
        uploads: files to attach (made absolute here: the warm process has another working folder).
        timeout: seconds to wait for the warm process to answer the offer.

    Returns:
        The accepted turn, or None: none runs, it has other settings, or it does not answer. The
        caller then runs the turn in its own process.

    Raises:
        bot.errors.UserError: the warm process refused the caller (another uid).
    """
    req = {"op": "turn", "fingerprint": fingerprint(settings), "message": message,
           "conversation_id": conversation_id, "role": role,
           "uploads": [str(Path(u).expanduser().absolute()) for u in uploads or []]}
    return _offer(settings, req, timeout)


def open_summary(settings, case: dict[str, Any], *, as_of: str | None = None, role: str = "clinician",
                 scores: bool = True, stream: bool = True, timeout: float = CONNECT_TIMEOUT_S) -> WarmTurn | None:
    """Offer `medbot summarize` to the warm process of `settings.home` and `settings.user`.

    Args:
        settings: the caller's settings; the warm process takes the job only if its own match.
        case: {"path": FILE} (made absolute here) or {"text": TEXT} (standard input, already read).
        as_of, role: as `medbot summarize --as-of / --role`.
        scores: add the clinical scores that apply.
        stream: send the facts and each checked sentence as `text` events (False for `--json`).
        timeout: seconds to wait for the warm process to answer the offer.

    Returns:
        The accepted job (its `events()` end with `done`, whose result has `model`, `model_is_demo`,
        `removed`, `timings` and whose `to_json()` is what `--json` prints), or None: run in-process.
    """
    if case.get("path"):
        case = {"path": str(Path(case["path"]).absolute())}
    req = {"op": "summarize", "fingerprint": fingerprint(settings), "case": case, "as_of": as_of, "role": role,
           "scores": scores, "stream": stream}
    return _offer(settings, req, timeout)


def _offer(settings, req: dict[str, Any], timeout: float) -> WarmTurn | None:
    """Send a job; the accepted job, or None when nobody answers or the settings differ."""
    got = _request(settings, req, timeout)
    if got is None:
        return None
    s, reader, first = got
    if first.get("kind") == "refused":
        s.close()
        return None
    return WarmTurn(s, reader, first)


def queued_text(data: dict[str, Any]) -> str:
    """What a waiting turn tells the person."""
    if data.get("warming"):
        return "(medbot is loading the model; your question is next)"
    ahead = int(data.get("ahead") or 1)
    return ("(medbot is answering another question; yours is next)" if ahead <= 1
            else f"(medbot is answering other questions; {ahead} are ahead of yours)")


def stop(settings, timeout: float = 30.0) -> int | None:
    """Stop the warm process of this home and user and wait until its socket is gone.

    It is asked over its socket; one that does not agree gets SIGTERM at the pid the socket's
    credentials report.

    Returns:
        The pid stopped, or None when none runs.
    """
    from bot.warm.paths import peer_credentials

    got = _request(settings, {"op": "stop"}, CONNECT_TIMEOUT_S)
    if got is None:
        return None
    s, _, first = got
    pid = peer_credentials(s)[0]
    s.close()
    if first.get("kind") != "stopping":
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return None
    path = socket_path(settings.home, settings.user)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and path.exists() and process_alive(pid):
        time.sleep(0.1)
    return pid
