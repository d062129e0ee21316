"""`medbot eval triage`: recall and false-alarm rate of red-flag triage on a labelled message set.

The packaged set (`bot/safety/data/triage_set.jsonl`) holds emergencies in lay words (with
misspellings, indirect phrasing and conversation context), urgent cases, and at least as many
controls: questions about a condition, past events, hypotheticals and personal but minor
complaints. The classifier's exemplars are a separate file, so the set is not its training data.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

RANK = {"routine": 0, "urgent": 1, "emergency": 2}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="triage_set", help="JSONL of {text, level, category, history?, notes?} "
                   "(default: the packaged set)")
    p.add_argument("--rules-only", action="store_true", help="skip the embedding classifier")


def load_set(path: str | Path | None = None) -> list[dict[str, Any]]:
    """Labelled messages from a JSONL file (default: the packaged set).

    Raises:
        UserError: unreadable file or a line without `text` and a valid `level`.
    """
    from importlib import resources

    from bot.errors import UserError

    try:
        raw = (Path(path).read_text(encoding="utf-8") if path else
               resources.files("bot.safety").joinpath("data/triage_set.jsonl").read_text(encoding="utf-8"))
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


def evaluate(rows: list[dict[str, Any]], classifier=None, emergency_number: str = "911") -> dict[str, Any]:
    """Run triage over labelled rows.

    Returns:
        {"metrics": {...}, "per_category": {category: [hits, n]}, "errors": [...], "ms_per_message": float}
    """
    from bot.safety.triage import triage

    pos_e = pos_u = hit_e = hit_u = neg = fa = fa_e = 0
    per_cat: dict[str, list[int]] = {}
    errors = []
    t0 = time.perf_counter()
    for r in rows:
        res = triage(r["text"], r.get("history", []), r.get("notes", ""), emergency_number, classifier=classifier)
        want, got = r["level"], res.level
        cat = per_cat.setdefault(r.get("category", want), [0, 0])
        cat[1] += 1
        if want == "routine":
            neg += 1
            ok = got == "routine"
            fa += not ok
            fa_e += got == "emergency"
        elif want == "emergency":
            pos_e += 1
            ok = got == "emergency"
            hit_e += ok
        else:
            pos_u += 1
            ok = RANK[got] >= RANK["urgent"]
            hit_u += ok
        cat[0] += ok
        if not ok:
            errors.append({"text": r["text"], "want": want, "got": got, "reasons": res.reasons})
    ms = 1000 * (time.perf_counter() - t0) / max(1, len(rows))
    metrics = {
        "emergency_recall": round(hit_e / pos_e, 4) if pos_e else None,
        "urgent_recall": round(hit_u / pos_u, 4) if pos_u else None,
        "false_alarm_rate": round(fa / neg, 4) if neg else None,
        "emergency_false_alarm_rate": round(fa_e / neg, 4) if neg else None,
        "messages": len(rows), "emergencies": pos_e, "urgent": pos_u, "controls": neg,
        "ms_per_message": round(ms, 2),
    }
    return {"metrics": metrics, "per_category": per_cat, "errors": errors}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure rules only and rules + classifier (unless --rules-only) on the set."""
    from bot.cli_common import settings_from_args

    settings = settings_from_args(args)
    rows = load_set(getattr(args, "triage_set", None))
    if getattr(args, "limit", None):
        rows = rows[: args.limit]
    runs = {"rules": evaluate(rows, None, settings.emergency)}
    notes = []
    if not getattr(args, "rules_only", False):
        from bot.safety.classifier import default_classifier, load_calibration

        try:
            clf = default_classifier()
        except (ImportError, OSError) as exc:
            notes.append(f"classifier not measured: {type(exc).__name__}: {exc}")
        else:
            runs["rules+classifier"] = evaluate(rows, clf, settings.emergency)
            cal = load_calibration()
            notes.append(f"classifier thresholds (leave-one-out over {cal['exemplars']} exemplars, at most "
                         f"{cal['max_false_alarm']:.0%} routine exemplars flagged): emergency "
                         f"{cal['emergency_threshold']:.3f}, urgent {cal['urgent_threshold']:.3f}")
    best = runs.get("rules+classifier", runs["rules"])
    metrics = dict(best["metrics"])
    metrics["triage"] = "rules+classifier" if "rules+classifier" in runs else "rules"
    if "rules+classifier" in runs:
        for k in ("emergency_recall", "false_alarm_rate"):
            metrics[f"rules_only_{k}"] = runs["rules"]["metrics"][k]
    cats = sorted(best["per_category"])
    tables = [
        {"title": "Triage by configuration", "columns": ["configuration", "emergency recall", "urgent recall",
                                                         "false-alarm rate", "emergency false alarms", "ms/message"],
         "rows": [[name, r["metrics"]["emergency_recall"], r["metrics"]["urgent_recall"], r["metrics"]["false_alarm_rate"],
                   r["metrics"]["emergency_false_alarm_rate"], r["metrics"]["ms_per_message"]] for name, r in runs.items()]},
        {"title": "Correct by category", "columns": ["category", "correct", "messages"],
         "rows": [[c, *best["per_category"][c]] for c in cats]},
    ]
    notes.append(f"{len(rows)} messages: {metrics['emergencies']} emergencies, {metrics['urgent']} urgent, "
                 f"{metrics['controls']} controls. Recall counts an emergency only when flagged as an emergency; "
                 "an urgent case counts when flagged urgent or emergency; a false alarm is a control flagged at all.")
    for e in best["errors"][:12]:
        notes.append(f"miss: '{e['text']}' expected {e['want']}, got {e['got']}")
    return {"suite": "triage", "corpus": "bot/safety/data/triage_set.jsonl" if not getattr(args, "triage_set", None)
            else str(args.triage_set), "metrics": metrics,
            "headline": ["emergency_recall", "urgent_recall", "false_alarm_rate"], "tables": tables, "notes": notes,
            "errors": best["errors"]}
