"""Chat intent for scores: does a message ask for a clinical score, and with which inputs?

`plan(message, has_case, previous=None)` returns the `scores` tool's arguments or None. A follow-up
that only states inputs ("INR is labile, 10 drinks a week") after a scores turn is merged into the
previous arguments, so the score is recomputed with them. Pure function, no I/O.
"""

from __future__ import annotations

import re
from typing import Any

_ASK = re.compile(r"\b(calculate|compute|work out|what(?:'s| is)|score|scores|give me|estimate|apply|applies|risk)\b", re.I)
# Names that are also everyday words or lab names: "resting heart rate", "any news", "my egfr is 45".
# They name a score only in capitals ("HEART", "NEWS"), before "score"/"criteria"/"rule", or, for
# a lab ("eGFR"), with a case to compute it from or a word asking to compute it.
_ORDINARY = {"heart", "news", "port", "curb", "wells"}
_LAB_NAMES = {"egfr", "gfr", "crcl"}
_SCORE_WORD = r"[- ]?(?:score|scores|criteria|rule|risk score)\b"
_COMPUTE = re.compile(r"\b(calculate|compute|work out|estimate)\b", re.I)
_WHICH = re.compile(r"\bwhich (clinical )?scores?\b|\bwhat scores?\b|scores? (that )?appl(y|ies)", re.I)


def _names(name: str, msg: str, has_case: bool) -> bool:
    """Whether `msg` names the score `name` (see `_ORDINARY` and `_LAB_NAMES` for everyday words)."""
    pattern = (r"(?<![A-Za-z0-9])" + re.escape(name).replace(r"\-", "[- ]?").replace(r"\ ", "[- ]?")
               + r"(?![A-Za-z0-9])")
    low = name.lower()
    if low in _ORDINARY:
        return (any(m.group(0).isupper() for m in re.finditer(pattern, msg, re.I))
                or bool(re.search(pattern + _SCORE_WORD, msg, re.I)))
    if low in _LAB_NAMES and not (has_case or _COMPUTE.search(msg)):
        return False
    return bool(re.search(pattern, msg, re.I))


def plan(message: str, has_case: bool, previous: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Tool arguments for `scores` when `message` asks for a score (or completes a previous one).

    Args:
        message: the user's message.
        has_case: a case (FHIR bundle or notes) was uploaded in this conversation; the agent adds
            its `path` to the returned arguments.
        previous: the arguments of the last `scores` call in this conversation, if any.

    Returns:
        {"score": [...], "inputs": {...}, "question": message} (keys present when known), or None
        when the message is not about scores.
    """
    from bot.scores.catalog import SCORES
    from bot.scores.freetext import parse_values

    msg = message or ""
    named = []
    for sd in SCORES.values():
        names = [sd.title.split(" (")[0], sd.key, *sd.aliases]
        for n in names:
            if len(n) >= 3 and _names(n, msg, has_case):
                if sd.key not in named:
                    named.append(sd.key)
                break
    if "cha2ds2_vasc" in named and "cha2ds2_va" in named and re.search(r"vasc", msg, re.I):
        named.remove("cha2ds2_va")
    try:
        values = {k: v for k, (v, _, _) in parse_values(msg).items()}
    except Exception:  # noqa: BLE001 - an unreadable unit: let the tool report it
        values = {}
    which = bool(_WHICH.search(msg))
    if not named and not which:
        if previous and values:  # a follow-up that gives the missing inputs
            merged = dict(previous)
            merged["inputs"] = {**(previous.get("inputs") or {}), **values}
            return merged
        return None
    if named and not (_ASK.search(msg) or values or has_case):
        return None
    args: dict[str, Any] = {"question": msg}
    if named:
        args["score"] = named
    if values:
        args["inputs"] = values
    if not has_case and not values and not named:
        return None
    return args
