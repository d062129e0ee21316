"""The labelled triage sets shipped with medbot (development, held-out, maternal), and their loader.

Shared by `bot.safety.eval_triage` (the measurements) and `bot.safety.classifier` (calibration).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RANK = {"routine": 0, "urgent": 1, "emergency": 2}
HELDOUT = "@heldout"  # the packaged held-out set
HOLDOUT = HELDOUT  # former name
MATERNAL, MATERNAL_HELDOUT = "@maternal", "@maternal-heldout"
PACKAGED = {None: "triage_set.jsonl", HELDOUT: "triage_heldout.jsonl", MATERNAL: "triage_maternal_set.jsonl",
            MATERNAL_HELDOUT: "triage_maternal_heldout.jsonl"}
SETS = {"development": None, "held-out": HELDOUT, "maternal development": MATERNAL, "maternal held-out": MATERNAL_HELDOUT}


def load_set(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Labelled messages from a JSONL file (default: the packaged development set; `@heldout`, `@maternal`,
    `@maternal-heldout`: the other packaged sets).

    Raises:
        UserError: unreadable file or a line without `text` and a valid `level`.
    """
    from importlib import resources

    from bot.errors import UserError

    try:
        raw = (resources.files("bot.safety").joinpath(f"data/{PACKAGED[path]}").read_text(encoding="utf-8")
               if path in PACKAGED else Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read triage set {path}: {exc}") from None
    rows = []
    for n, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise UserError(f"{path or 'triage set'}:{n}: not JSON") from None
        if not isinstance(row, dict) or not row.get("text") or row.get("level") not in RANK:
            raise UserError(f"{path or 'triage set'}:{n}: needs 'text' and 'level' (routine|urgent|emergency)")
        rows.append(row)
    return rows
