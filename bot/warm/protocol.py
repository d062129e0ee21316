"""JSON lines between a terminal command and the warm medbot.

Request (one line, client to server):
    {"v": 1, "op": "hello"}
    {"v": 1, "op": "turn", "fingerprint": ..., "message": ..., "conversation_id": ..., "uploads": [...],
     "role": ...}
    {"v": 1, "op": "summarize", "fingerprint": ..., "case": {"path": ...} | {"text": ...}, "as_of": ...,
     "role": ..., "scores": true, "stream": true}
Replies (server to client), one object per line:
    {"kind": "hello", "pid": ..., "fingerprint": ..., "model": ..., "notice": ..., "busy": n}
    {"kind": "refused", "reason": ...}           settings differ: the client runs in-process
    {"kind": "queued", "ahead": n}               the model is busy; the turn waits its place
    {"kind": "started"}
    {"kind": "triage" | "tool" | "sources" | "token", "data": ...}    the agent's events
    {"kind": "done", "result": {...every TurnResult field...}, "json": TurnResult.to_json()}
    {"kind": "text", "data": markdown}           a summary's facts, then each checked sentence
    {"kind": "done", "result": {model, model_is_demo, removed, timings}, "json": `summarize --json`}
    {"kind": "error", "message": ..., "exit_code": 2 | 1}
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

VERSION = 1
MAX_LINE = 16 * 1024 * 1024  # a request or event line longer than this is refused


def jsonable(obj: Any) -> Any:
    """An event's data as JSON-able values (dataclasses by field, objects with `to_json()` by it)."""
    if hasattr(obj, "to_json") and callable(obj.to_json) and not isinstance(obj, type):
        return obj.to_json()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def result_fields(result: Any) -> dict[str, Any]:
    """Every field of a TurnResult (footer, followup... which `to_json()` leaves out)."""
    if dataclasses.is_dataclass(result):
        return {f.name: jsonable(getattr(result, f.name)) for f in dataclasses.fields(result)}
    return dict(vars(result))


def encode(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    """One line to an object.

    Raises:
        ValueError: not a JSON object.
    """
    obj = json.loads(line.decode("utf-8"))
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj
