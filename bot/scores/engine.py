"""Compute a score on a record: resolve and trace every input, refuse ages the source does not
cover, and when inputs are missing give the range the score can take instead of assuming normal."""

from __future__ import annotations

import itertools
from typing import Any

from bot.scores.catalog import SCORES, ScoreDef, domain
from bot.scores.inputs import LABELS, latest_observation, resolve
from bot.scores.model import GIVEN, RECORDED, Input, ScoreResult
from bot.scores.record import ScoreRecord

MAX_COMBINATIONS = 4096


def given_input(key: str, value: Any, span: str = "") -> Input:
    """An input stated by the clinician (in the question or a later message)."""
    from bot.scores.units import unit_of

    return Input(key, LABELS.get(key, key), value, unit_of(key) or None, GIVEN, "message", None,
                 f"stated: {span}" if span else "stated in the conversation")


def _questionnaire_total(rec: ScoreRecord, sd: ScoreDef) -> Input | None:
    key = {"phq9": "phq9_total", "gad7": "gad7_total"}.get(sd.key)
    if key is None:
        return None
    inp, _ = latest_observation(rec, key, 365)
    return inp if inp.known else None


def _evaluate(sd: ScoreDef, values: dict[str, Any]):
    return sd.compute(values)


def compute(rec: ScoreRecord, key: str, given: dict[str, Input] | None = None) -> ScoreResult:
    """One score on one record.

    Args:
        rec: the record (`bot.scores.record`).
        key: a key of `SCORES`.
        given: inputs stated by the clinician; they replace what the record holds.

    Returns:
        ScoreResult with status computed, range, not computable or refused.
    """
    sd = SCORES[key]
    given = given or {}
    inputs = [given.get(k) or resolve(rec, k) for k in sd.inputs]
    res = ScoreResult(key=sd.key, title=sd.title, status="computed", unit=sd.unit, inputs=inputs, doi=sd.doi,
                      citation=sd.citation, corrections=list(sd.corrections), loinc=sd.loinc)
    age = next((i for i in inputs if i.key == "age"), None) or given.get("age") or resolve(rec, "age")
    if age.known and ((sd.min_age is not None and age.value < sd.min_age) or (sd.max_age is not None and age.value > sd.max_age)):
        res.status, res.reason = "refused", (f"{sd.title} is validated for {sd.age_note}; the patient is {age.value} "
                                             f"({age.source or 'stated'})")
        res.interpretation = res.reason
        return res
    missing = [i for i in inputs if not i.known]
    if missing and sd.key in ("phq9", "gad7"):
        total = _questionnaire_total(rec, sd)
        if total is not None:
            value = int(total.value)
            out = _evaluate(sd, _spread(sd, value))
            res.value, res.low, res.high = value, value, value
            res.interpretation = f"{out.interpretation} (total as recorded; item answers not all in the record)"
            res.category = out.category
            res.inputs = [Input(f"{sd.key}_total", f"{sd.title} total", value, None, RECORDED, total.source, total.date,
                                "recorded total score")]
            return res
    res.missing = [i.label for i in missing]
    unbounded = [i for i in missing if (i.choices or domain(i.key)) is None]
    if unbounded:
        res.status = "not computable"
        res.reason = "needs " + ", ".join(i.label for i in unbounded)
        res.interpretation = f"{sd.title} cannot be computed: {res.reason} ({'; '.join(i.note for i in unbounded)})."
        return res
    known = {i.key: i.value for i in inputs if i.known}
    if not missing:
        out = _evaluate(sd, known)
        res.value = res.low = res.high = out.value
        res.interpretation, res.category = out.interpretation, out.category
        return res
    lo, hi, method = _range(sd, known, missing)
    res.low, res.high, res.range_method = lo.value, hi.value, method
    if lo.value == hi.value:  # the missing inputs cannot change it
        res.value, res.interpretation, res.category = lo.value, lo.interpretation, lo.category
        res.interpretation += f" (unchanged whatever {', '.join(res.missing)})"
        return res
    res.status = "range"
    res.category = lo.category if lo.category == hi.category else f"{lo.category} to {hi.category}"
    res.interpretation = (f"{sd.title} is at least {_fmt(lo.value)} and at most {_fmt(hi.value)}: "
                          f"{_join(res.missing)} not in the record. At the low end: {lo.interpretation} "
                          f"At the high end: {hi.interpretation}")
    return res


def _spread(sd: ScoreDef, total: int) -> dict[str, Any]:
    """Item answers that add up to a recorded questionnaire total (only to read the band)."""
    out, left = {}, total
    for k in sd.inputs:
        out[k] = min(3, left)
        left -= out[k]
    return out


def _range(sd: ScoreDef, known: dict[str, Any], missing: list[Input]):
    doms = [i.choices or domain(i.key) for i in missing]
    n = 1
    for d in doms:
        n *= len(d)
    outs = []
    if n <= MAX_COMBINATIONS:
        for combo in itertools.product(*doms):
            values = dict(known)
            values.update({i.key: v for i, v in zip(missing, combo)})
            outs.append(_evaluate(sd, values))
        method = "exhaustive over the missing inputs"
    else:  # additive scores: vary one missing input at a time from a baseline, add the extremes
        base = dict(known)
        base.update({i.key: d[0] for i, d in zip(missing, doms)})
        b = _evaluate(sd, base)
        lo_vals, hi_vals = dict(base), dict(base)
        for i, d in zip(missing, doms):
            trials = []
            for v in d:
                values = dict(base)
                values[i.key] = v
                trials.append((_evaluate(sd, values).value - b.value, v))
            lo_vals[i.key] = min(trials, key=lambda t: t[0])[1]
            hi_vals[i.key] = max(trials, key=lambda t: t[0])[1]
        outs = [_evaluate(sd, lo_vals), _evaluate(sd, hi_vals)]
        method = "per input (additive score)"
    lo = min(outs, key=lambda o: o.value)
    hi = max(outs, key=lambda o: o.value)
    return lo, hi, method


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
