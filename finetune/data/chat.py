"""Chat JSONL: one `{"messages": [{"role": ..., "content": ...}, ...]}` object per line (OpenAI format).

Extra top-level keys (`id`, `pmid`, `task`, ...) are kept as metadata and ignored by training.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from finetune.errors import UserError

ROLES = ("system", "user", "assistant")


def validate_sample(obj: Any, where: str) -> dict[str, Any]:
    """Check one chat sample and return it.

    Args:
        obj: the parsed JSON value of one line.
        where: `file:line`, used in error messages.

    Returns:
        The same object.

    Raises:
        UserError: not an object, no `messages` list, a message without a known `role` or a
            string `content`, or no assistant message to learn from.
    """
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object with 'messages'")
    msgs = obj.get("messages")
    if msgs is None:
        raise UserError(f"{where}: missing field 'messages'")
    if not isinstance(msgs, list) or not msgs:
        raise UserError(f"{where}: 'messages' must be a non-empty list")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict):
            raise UserError(f"{where}: messages[{i}] is not an object")
        if "role" not in m:
            raise UserError(f"{where}: messages[{i}] missing field 'role'")
        if m["role"] not in ROLES:
            raise UserError(f"{where}: messages[{i}] has unknown role {m['role']!r} (use {', '.join(ROLES)})")
        if "content" not in m:
            raise UserError(f"{where}: messages[{i}] missing field 'content'")
        if not isinstance(m["content"], str):
            raise UserError(f"{where}: messages[{i}].content must be a string")
    if not any(m["role"] == "assistant" for m in msgs):
        raise UserError(f"{where}: no assistant message to learn from")
    return obj


def read_chat_jsonl(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Read and validate a chat JSONL file (blank lines are skipped).

    Raises:
        UserError: missing file, invalid JSON, invalid sample, or no samples at all.
    """
    p = Path(path)
    if not p.is_file():
        raise UserError(f"data file not found: {path}")
    rows: list[dict[str, Any]] = []
    with p.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{p.name}:{n}: invalid JSON ({exc.msg})") from None
            rows.append(validate_sample(obj, f"{p.name}:{n}"))
            if limit and len(rows) >= limit:
                break
    if not rows:
        raise UserError(f"{path}: no samples")
    return rows


def write_chat_jsonl(rows: Iterable[dict[str, Any]], path: str | Path) -> int:
    """Write samples atomically (temp file then rename); returns the number written."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    n = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n
