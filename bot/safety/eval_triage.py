"""`medbot eval triage`: recall and false-alarm rate of red-flag triage on a labelled message set.

The packaged development set (`bot/safety/data/triage_set.jsonl`, 179 messages) holds emergencies in lay words (with
misspellings, indirect phrasing and conversation context), urgent cases, and at least as many
controls: questions about a condition, past events, hypotheticals and personal but minor
complaints. The rules were written against it, so its figures are optimistic. The held-out set
(`triage_holdout.jsonl`, 68 messages, half controls) was written afterwards in other words and is
never used to tune rules, exemplars or thresholds: its figures are the honest ones. The
classifier's exemplars are a third, separate file.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

RANK = {"routine": 0, "urgent": 1, "emergency": 2}
HOLDOUT = "@holdout"  # the packaged held-out set


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
        packaged = {None: "triage_set.jsonl", HOLDOUT: "triage_holdout.jsonl"}
        raw = (resources.files("bot.safety").joinpath(f"data/{packaged[path]}").read_text(encoding="utf-8")
               if path in packaged else Path(path).read_text(encoding="utf-8"))
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


def _configs(rows, settings, rules_only: bool, notes: list[str]) -> dict[str, dict[str, Any]]:
    runs = {"rules": evaluate(rows, None, settings.emergency)}
    if not rules_only:
        from bot.safety.classifier import default_classifier

        try:
            clf = default_classifier()
        except (ImportError, OSError) as exc:
            notes.append(f"classifier not measured: {type(exc).__name__}: {exc}")
        else:
            runs["rules+classifier"] = evaluate(rows, clf, settings.emergency)
    return runs


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure rules only and rules + classifier (unless --rules-only).

    Without `--set`, both packaged sets are measured: the development set (179 messages, which
    the rules were written against) and the held-out set (written afterwards and never used to
    tune rules, exemplars or thresholds); the headline figures are the held-out ones.
    """
    from bot.config import settings_from_args

    settings = settings_from_args(args)
    rules_only = getattr(args, "rules_only", False)
    custom = getattr(args, "triage_set", None)
    sets = {"custom": custom} if custom else {"development": None, "held-out": HOLDOUT}
    notes: list[str] = []
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for name, path in sets.items():
        rows = load_set(path)
        if getattr(args, "limit", None):
            rows = rows[: args.limit]
        results[name] = _configs(rows, settings, rules_only, notes)
    head_set = "custom" if custom else "held-out"
    head_cfg = "rules+classifier" if "rules+classifier" in results[head_set] else "rules"
    best = results[head_set][head_cfg]
    metrics = dict(best["metrics"])
    metrics["triage"] = head_cfg
    metrics["set"] = head_set
    for name, runs in results.items():
        for cfg, r in runs.items():
            key = f"{name}_{cfg}".replace("+", "_").replace("-", "")
            metrics[f"{key}_emergency_recall"] = r["metrics"]["emergency_recall"]
            metrics[f"{key}_false_alarm_rate"] = r["metrics"]["false_alarm_rate"]
    if not rules_only and "rules+classifier" in results[head_set]:
        from bot.safety.classifier import load_calibration

        cal = load_calibration()
        notes.append(f"classifier thresholds (leave-one-out over {cal['exemplars']} exemplars, at most "
                     f"{cal['max_false_alarm']:.0%} routine exemplars flagged): emergency "
                     f"{cal['emergency_threshold']}, urgent {cal['urgent_threshold']} (None: off); "
                     f"leave-one-out emergency recall {cal['loo_emergency_recall']}, "
                     f"false alarms {cal['loo_false_alarm']}")
    table_rows = [[name, cfg, r["metrics"]["messages"], r["metrics"]["emergency_recall"], r["metrics"]["urgent_recall"],
                   r["metrics"]["false_alarm_rate"], r["metrics"]["emergency_false_alarm_rate"],
                   r["metrics"]["ms_per_message"]] for name, runs in results.items() for cfg, r in runs.items()]
    tables = [
        {"title": "Triage by set and configuration",
         "columns": ["set", "configuration", "messages", "emergency recall", "urgent recall", "false-alarm rate",
                     "emergency false alarms", "ms/message"], "rows": table_rows},
        {"title": f"Correct by category ({head_set}, {head_cfg})", "columns": ["category", "correct", "messages"],
         "rows": [[c, *best["per_category"][c]] for c in sorted(best["per_category"])]},
    ]
    notes.append("Recall counts an emergency only when flagged as an emergency; an urgent case counts when flagged "
                 "urgent or emergency; a false alarm is a control flagged at all.")
    for e in best["errors"][:12]:
        notes.append(f"miss ({head_set}): '{e['text']}' expected {e['want']}, got {e['got']}")
    corpus = custom or "bot/safety/data/triage_set.jsonl + triage_holdout.jsonl"
    return {"suite": "triage", "corpus": str(corpus), "metrics": metrics,
            "headline": ["emergency_recall", "urgent_recall", "false_alarm_rate"], "tables": tables, "notes": notes,
            "errors": best["errors"]}
