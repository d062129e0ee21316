"""Append-only audit trail: one PHI-redacted JSON line per chat turn under `MEDBOT_HOME/audit/`.

Each record holds the time, user, role, conversation id, tools called (names and redacted
arguments), model, triage level and reasons, and a redacted excerpt of the question. Records are
hash-chained (`prev` is the SHA-256 of the previous line), so an edited or deleted line is
detected by `verify`. The file is owner-only and opened in append mode under an exclusive lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from bot.errors import MedbotError

AUDIT_DIR = "audit"
AUDIT_FILE = "audit.jsonl"
GENESIS = "0" * 64


def audit_path(home: str | Path) -> Path:
    """The audit file of a medbot home."""
    return Path(home) / AUDIT_DIR / AUDIT_FILE


def _last_hash(fh) -> str:
    """SHA-256 of the last line of an open file (GENESIS when empty)."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    if size == 0:
        return GENESIS
    back = min(size, 65536)
    fh.seek(size - back)
    tail = fh.read(back).rstrip(b"\n").rsplit(b"\n", 1)[-1]
    return hashlib.sha256(tail).hexdigest()


def append(home: str | Path, record: dict[str, Any]) -> dict[str, Any]:
    """Append one record (already redacted) with time and hash chain.

    Returns:
        The record as written.

    Raises:
        MedbotError: the audit file cannot be written.
    """
    path = audit_path(home)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise MedbotError(f"cannot write the audit trail {path}: {exc.strerror}") from None
    with os.fdopen(fd, "r+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            rec = {"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "ts": round(time.time(), 3), **record,
                   "prev": _last_hash(fh)}
            fh.write(json.dumps(rec, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return rec


def turn_record(*, user: str, role: str, conversation_id: str, message: str, tool_calls: list[dict[str, Any]],
                model: str, triage: dict[str, Any], citations: list[dict[str, Any]] | None = None,
                redact=None) -> dict[str, Any]:
    """The audit record of one finished turn, PHI-redacted.

    Args:
        user: who asked (an account id, kept as is).
        role: patient or clinician.
        conversation_id: the conversation.
        message: the user's message (only a redacted excerpt is kept).
        tool_calls: the agent's tool call records (`name`, `arguments`, optional `error`).
        model: the LLM's name.
        triage: `TriageResult.to_json()`.
        citations: citation records (only their ids are kept).
        redact: text -> redacted text (default: `bot.safety.phi.redact_text`).
    """
    if redact is None:
        from bot.safety.phi import redact_text as redact
    tools = [{"name": c.get("name"), "arguments": redact(json.dumps(c.get("arguments") or {}, default=str)),
              "error": bool(c.get("error"))} for c in tool_calls]
    return {"event": "turn", "user": user, "role": role, "conversation_id": conversation_id,
            "model": model, "triage": triage.get("level"), "triage_reasons": list(triage.get("reasons", [])),
            "tools": tools, "citations": [c.get("id") for c in citations or []], "question": redact(message[:300])}


def record_turn(settings: Any, conversation_id: str, role: str, message: str, tool_calls: list[dict[str, Any]],
                model: str, triage: dict[str, Any], citations: list[dict[str, Any]] | None = None
                ) -> dict[str, Any] | None:
    """Append the record of one turn when `settings.safety.audit` is on (called by the agent).

    Returns:
        The record written, or None when auditing is off.
    """
    if not getattr(settings.safety, "audit", True):
        return None
    return append(settings.home, turn_record(user=settings.user, role=role, conversation_id=conversation_id,
                                             message=message, tool_calls=tool_calls, model=model, triage=triage,
                                             citations=citations))


def record_event(settings: Any, event: str, **fields: Any) -> dict[str, Any] | None:
    """Append a non-turn event (e.g. a conversation deletion) for `settings.user`."""
    if not getattr(settings.safety, "audit", True):
        return None
    return append(settings.home, {"event": event, "user": settings.user, **fields})


def read(home: str | Path) -> list[dict[str, Any]]:
    """All records of the audit trail (empty when there is none)."""
    path = audit_path(home)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def verify(home: str | Path) -> tuple[bool, int]:
    """Check the hash chain.

    Returns:
        (intact, number of the first bad line, 1-based; 0 when intact).
    """
    path = audit_path(home)
    if not path.exists():
        return True, 0
    prev = GENESIS
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            return False, n
        if rec.get("prev") != prev:
            return False, n
        prev = hashlib.sha256(line).hexdigest()
    return True, 0
