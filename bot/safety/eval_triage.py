"""`medbot eval triage`: emergency recall and false alarms of red-flag triage, development vs held-out.

Two packaged sets, reported separately:

- **development** (`bot/safety/data/triage_set.jsonl`, 246 messages): the set the concept rules and
  the judge's threshold were tuned on; its figures are optimistic by construction.
- **held-out** (`triage_heldout.jsonl`, 212 messages: 113 emergencies, 93 look-alike controls, 6
  urgent): written before the concept rules and never used to tune them. Whole presentation
  categories (metabolic emergencies given as a number, trauma with shock or nerve damage,
  urological emergencies, toxic exposures at home, aortic, environmental, vital signs as numbers)
  appear only here, so its figures measure generalisation. Its controls are look-alikes: essays,
  fiction, hypotheticals, past events, mild versions of the same complaints.
- **maternal development** (`triage_maternal_set.jsonl`, 98 messages: 52 emergencies, 10 same-day,
  36 controls) and **maternal held-out** (`triage_maternal_heldout.jsonl`, 120 messages: 66
  emergencies, 12 same-day, 42 near-miss controls): pregnancy, after birth and newborns, in lay
  words. The held-out file was written and committed before the pregnancy rules and is never tuned
  on; chest pain or breathlessness in pregnancy, infection after birth, breathing pauses in a baby
  and jaundice on the first day appear only there. Its controls are normal pregnancy and baby-care
  questions (food, exercise, mild nausea at 8 weeks, teething). Rows marked `crisis` (thoughts of
  harming oneself or the baby) also count towards crisis recall.

Each set is measured with the rules alone and with the local LLM's second opinion (unless
`--rules-only`, or when the judge is not installed: then a note says so). Triage always runs
locally: `--model` does not change the judge.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bot.safety.triage_sets import (HELDOUT, HOLDOUT, MATERNAL, MATERNAL_HELDOUT, PACKAGED, RANK,  # noqa: F401
                                    SETS, load_set)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="triage_set", help="JSONL of {text, level, category, group?, history?, notes?} "
                   "(default: the packaged development and held-out sets)")
    p.add_argument("--rules-only", action="store_true", help="skip the LLM second opinion")
    p.add_argument("--triage-model", help="GGUF of the triage judge (default: safety.triage_model or the bundled 1.5B)")


class _Timed:
    """Wraps a second opinion to count its calls and time them."""

    def __init__(self, inner):
        self.inner, self.ms = inner, []
        self.note = getattr(inner, "note", None)

    def predict(self, text):
        t0 = time.perf_counter()
        try:
            return self.inner.predict(text)
        finally:
            self.ms.append(1000 * (time.perf_counter() - t0))


def evaluate(rows: list[dict[str, Any]], classifier=None, emergency_number: str = "911") -> dict[str, Any]:
    """Run triage over labelled rows.

    Returns:
        {"metrics": {...}, "per_category": {category: [correct, n]}, "per_group": {group: [correct, n]},
        "errors": [...]}; metrics hold recall, false-alarm rates, ms per message and, with a
        second opinion, how often it was consulted and its mean and 95th-percentile latency.
    """
    from bot.safety.triage import triage

    timed = _Timed(classifier) if classifier is not None else None
    pos_e = pos_u = hit_e = hit_u = neg = fa = fa_e = crisis_n = crisis_hit = crisis_fa = 0
    per_cat: dict[str, list[int]] = {}
    per_group: dict[str, list[int]] = {}
    errors = []
    t0 = time.perf_counter()
    for r in rows:
        res = triage(r["text"], r.get("history", []), r.get("notes", ""), emergency_number, classifier=timed)
        want, got = r["level"], res.level
        if r.get("crisis"):
            crisis_n += 1
            crisis_hit += res.crisis
        elif res.crisis:
            crisis_fa += 1
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
        for table, key in ((per_cat, r.get("category", want)), (per_group, f"{r.get('group', 'all')} {want}")):
            cell = table.setdefault(key, [0, 0])
            cell[0] += ok
            cell[1] += 1
        if not ok:
            errors.append({"text": r["text"], "want": want, "got": got, "reasons": res.reasons,
                           "source": res.source, "context": res.context})
    ms = 1000 * (time.perf_counter() - t0) / max(1, len(rows))
    metrics = {
        "emergency_recall": round(hit_e / pos_e, 4) if pos_e else None,
        "urgent_recall": round(hit_u / pos_u, 4) if pos_u else None,
        "false_alarm_rate": round(fa / neg, 4) if neg else None,
        "emergency_false_alarm_rate": round(fa_e / neg, 4) if neg else None,
        "messages": len(rows), "emergencies": pos_e, "urgent": pos_u, "controls": neg,
        "ms_per_message": round(ms, 2),
    }
    if crisis_n:
        metrics.update(crisis_recall=round(crisis_hit / crisis_n, 4), crisis_flagged_otherwise=crisis_fa)
    if timed is not None and timed.ms:
        s = sorted(timed.ms)
        metrics.update(judge_calls=len(s), judge_ms_mean=round(sum(s) / len(s), 1),
                       judge_ms_p95=round(s[min(len(s) - 1, int(0.95 * len(s)))], 1))
    return {"metrics": metrics, "per_category": per_cat, "per_group": per_group, "errors": errors}


def _judge(args, settings, notes: list[str]):
    """The LLM judge for this run, or None (with a note) when it cannot run."""
    from bot.safety.classifier import _judge as make_judge

    judge = make_judge(getattr(args, "triage_model", None) or settings.safety.triage_model, settings.safety.triage_threads)
    if getattr(judge, "note", None):
        notes.append(judge.note)
        return None
    return judge


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Measure rules only and rules + LLM second opinion on the development and held-out sets."""
    from bot.config import settings_from_args

    settings = settings_from_args(args)
    custom = getattr(args, "triage_set", None)
    sets = {"custom": custom} if custom else dict(SETS)
    notes: list[str] = []
    judge = None if getattr(args, "rules_only", False) else _judge(args, settings, notes)
    results: dict[str, dict[str, dict[str, Any]]] = {}
    for name, path in sets.items():
        rows = load_set(path)
        if getattr(args, "limit", None):
            rows = rows[: args.limit]
        results[name] = {"rules": evaluate(rows, None, settings.emergency)}
        if judge is not None:
            results[name]["rules+llm"] = evaluate(rows, judge, settings.emergency)
    head_set = "custom" if custom else "held-out"
    head_cfg = "rules+llm" if judge is not None else "rules"
    best = results[head_set][head_cfg]
    metrics = dict(best["metrics"])
    metrics["triage"] = head_cfg
    metrics["set"] = head_set
    for name, runs in results.items():
        for cfg, r in runs.items():
            key = f"{name}_{cfg}".replace("+", "_").replace("-", "").replace(" ", "_")
            metrics[f"{key}_emergency_recall"] = r["metrics"]["emergency_recall"]
            metrics[f"{key}_false_alarm_rate"] = r["metrics"]["false_alarm_rate"]
    table_rows = [[name, cfg, r["metrics"]["messages"], r["metrics"]["emergency_recall"], r["metrics"]["urgent_recall"],
                   r["metrics"]["false_alarm_rate"], r["metrics"]["emergency_false_alarm_rate"],
                   r["metrics"]["ms_per_message"], r["metrics"].get("judge_calls"), r["metrics"].get("judge_ms_mean"),
                   r["metrics"].get("judge_ms_p95")]
                  for name, runs in results.items() for cfg, r in runs.items()]
    tables = [{"title": "Triage by set and configuration",
               "columns": ["set", "configuration", "messages", "emergency recall", "urgent recall", "false-alarm rate",
                           "emergency false alarms", "ms/message", "judge calls", "judge ms mean", "judge ms p95"],
               "rows": table_rows}]
    for name, runs in results.items():
        r = runs[head_cfg]
        tables.append({"title": f"Correct by category ({name}, {head_cfg})", "columns": ["category", "correct", "messages"],
                       "rows": [[c, *r["per_category"][c]] for c in sorted(r["per_category"])]})
        tables.append({"title": f"Correct by group and level ({name}, {head_cfg})",
                       "columns": ["group level", "correct", "messages"],
                       "rows": [[g, *r["per_group"][g]] for g in sorted(r["per_group"])]})
    if judge is not None:
        from bot.safety.classifier import load_calibration

        cal = load_calibration()
        notes.append(f"second opinion: {judge.name}, emergency when P(emergency) >= {cal['emergency_threshold']} "
                     f"(calibrated on the development set only, at most {cal['max_false_alarm']:.0%} false alarms)")
    notes.append("Recall counts an emergency only when flagged as an emergency; an urgent case counts when flagged "
                 "urgent or emergency; a false alarm is a control flagged at all.")
    for e in best["errors"][:15]:
        notes.append(f"miss ({head_set}): '{e['text']}' expected {e['want']}, got {e['got']}")
    corpus = custom or "bot/safety/data/triage_set.jsonl + triage_heldout.jsonl + triage_maternal_{set,heldout}.jsonl"
    return {"suite": "triage", "corpus": str(corpus), "metrics": metrics,
            "headline": ["emergency_recall", "urgent_recall", "false_alarm_rate"], "tables": tables, "notes": notes,
            "errors": best["errors"]}
