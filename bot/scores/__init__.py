"""Clinical scores from a case: CHA2DS2-VASc, HAS-BLED, CURB-65, Wells, eGFR, NEWS2 and more.

Every input is read from the record with its source (resource, date) or listed as missing; a
missing input is never assumed normal: the score is then given as the range it can take, with the
inputs to ask for. The calculators are `open-medicine`'s (MIT), checked against published worked
cases and corrected where wrong (see `bot.scores.catalog`).

    from bot.scores import score_case
    results = score_case(record, names=["cha2ds2_vasc"])      # or names=None: the scores that apply
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import UserError
from bot.scores.model import GIVEN, Input, ScoreResult
from bot.scores.record import ScoreRecord

ALWAYS_WITH_CREATININE = ("ckd_epi",)


def names() -> list[str]:
    from bot.scores.catalog import SCORES

    return list(SCORES)


def resolve_names(requested: list[str]) -> list[str]:
    """Registry keys for score names as a person writes them.

    Raises:
        UserError: an unknown score name (the message lists the known ones).
    """
    from bot.scores.catalog import SCORES, find

    out = []
    for name in requested:
        sd = find(name)
        if sd is None:
            raise UserError(f"unknown score '{name}' (known: {', '.join(SCORES)})")
        if sd.key not in out:
            out.append(sd.key)
    return out


def applicable(rec: ScoreRecord, question: str | None = None) -> list[tuple[str, str]]:
    """Scores that apply to this case, each with why: the question names it, or a recorded condition.

    Returns:
        [(score key, reason)] in catalogue order.
    """
    from bot.scores import codes
    from bot.scores.catalog import SCORES
    from bot.scores.inputs import latest_observation

    out: list[tuple[str, str]] = []
    q = question or ""
    for sd in SCORES.values():
        if q and sd.words and re.search(sd.words, q, re.I):
            out.append((sd.key, "asked in the question"))
            continue
        for set_key in sd.applies:
            cs = codes.CONDITIONS[set_key]
            hit = next((c for c in rec.conditions if cs.matches(c.codes, c.text)), None)
            if hit is not None:
                out.append((sd.key, f"{hit.text} ({hit.source})"))
                break
        else:
            if sd.key in ALWAYS_WITH_CREATININE and latest_observation(rec, "creatinine_mg_dl", 90)[0].known:
                out.append((sd.key, "serum creatinine recorded in the last 90 days"))
            elif sd.key in ("phq9", "gad7") and latest_observation(rec, f"{sd.key}_total", 365)[0].known:
                out.append((sd.key, f"{sd.title} answers recorded in the last year"))
    return out


def given_inputs(values: dict[str, Any] | None) -> dict[str, Input]:
    """Inputs stated by the clinician: {canonical key: value} (from `bot.scores.intent` or the tool).

    Raises:
        UserError: an unknown input name.
    """
    from bot.scores.engine import given_input
    from bot.scores.inputs import LABELS

    out: dict[str, Input] = {}
    for k, v in (values or {}).items():
        if k not in LABELS and k not in ("alcohol_per_week", "gcs_total", "bmi", "atrial_fibrillation"):
            raise UserError(f"unknown score input '{k}' (known: {', '.join(sorted(LABELS))})")
        if k == "alcohol_per_week":
            out["alcohol"] = given_input("alcohol", float(v) >= 8, f"{v:g} drinks a week")
        elif k == "gcs_total":
            out["altered_mentation"] = given_input("altered_mentation", float(v) < 15, f"GCS {v:g}")
            out["consciousness"] = given_input("consciousness", "alert" if float(v) >= 15 else "confusion", f"GCS {v:g}")
        elif k in LABELS:
            out[k] = given_input(k, v)
    if "confusion" in out and "altered_mentation" not in out:
        out["altered_mentation"] = given_input("altered_mentation", out["confusion"].value, "confusion")
        if "consciousness" not in out and out["confusion"].value:
            out["consciousness"] = given_input("consciousness", "confusion", "confusion")
    if "sbp" in out and "uncontrolled_htn" not in out:
        out["uncontrolled_htn"] = given_input("uncontrolled_htn", float(out["sbp"].value) > 160, f"systolic {out['sbp'].value:g}")
    if "prior_dvt_pe" in out and "prior_dvt" not in out:
        out["prior_dvt"] = out["prior_dvt_pe"]
    if "leg_swelling" in out and "dvt_signs" not in out and out["leg_swelling"].value is False:
        out["dvt_signs"] = given_input("dvt_signs", False, "no leg swelling")
    if "malignancy" in out and "neoplastic" not in out:
        out["neoplastic"] = out["malignancy"]
    if "stroke_tia_te" in out and "stroke" not in out:
        out["stroke"] = out["stroke_tia_te"]
    if "stroke_tia_te" in out and "cerebrovascular" not in out:
        out["cerebrovascular"] = out["stroke_tia_te"]
    return out


def score_case(rec: ScoreRecord, names: list[str] | None = None, question: str | None = None,
               inputs: dict[str, Any] | None = None) -> tuple[list[ScoreResult], list[tuple[str, str]]]:
    """Compute the named scores (or those that apply) on a record.

    Args:
        rec: from `bot.scores.record`.
        names: score names or aliases; None picks the scores that apply (conditions and question).
        question: the clinician's question (used to pick scores).
        inputs: values stated by the clinician, {canonical input: value}; they replace the record's.

    Returns:
        (results, applicable) where applicable is [(key, reason)] as from `applicable`.

    Raises:
        UserError: unknown score or input name.
    """
    from bot.scores.engine import compute

    keys = resolve_names(names) if names else []
    why = applicable(rec, question)
    if not keys:
        keys = [k for k, _ in why]
    given = given_inputs(inputs)
    return [compute(rec, k, given) for k in keys], why


__all__ = ["GIVEN", "Input", "ScoreRecord", "ScoreResult", "applicable", "given_inputs", "names", "resolve_names",
           "score_case"]
