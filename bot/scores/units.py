"""Unit conversion for score inputs: every value is turned into the unit its calculator takes.

Factors (molar masses): urea 1 mmol/L = 2.8 mg/dL urea nitrogen (BUN); creatinine 1 mg/dL =
88.4 umol/L; bilirubin 1 mg/dL = 17.1 umol/L; glucose 1 mg/dL = 0.0555 mmol/L (18.0); albumin
1 g/dL = 10 g/L; temperature F -> C; platelets 10*3/uL = 10*9/L.
"""

from __future__ import annotations

from bot.errors import UserError

BUN_MG_DL_PER_UREA_MMOL = 2.8
CREATININE_UMOL_PER_MG_DL = 88.4
BILIRUBIN_UMOL_PER_MG_DL = 17.1
GLUCOSE_MG_DL_PER_MMOL = 18.0


def _norm(unit: str | None) -> str:
    return (unit or "").strip().lower().replace("µ", "u").replace("μ", "u").replace(" ", "").replace("[", "").replace("]", "")


# canonical input -> {normalised unit: factor or function to the canonical unit}
_CONVERT = {
    "urea_mmol": {"mmol/l": 1.0, "mg/dl": 1 / BUN_MG_DL_PER_UREA_MMOL},  # mg/dL is BUN (urea nitrogen)
    "creatinine_mg_dl": {"mg/dl": 1.0, "umol/l": 1 / CREATININE_UMOL_PER_MG_DL, "mmol/l": 1000 / CREATININE_UMOL_PER_MG_DL},
    "bilirubin_mg_dl": {"mg/dl": 1.0, "umol/l": 1 / BILIRUBIN_UMOL_PER_MG_DL},
    "glucose_mg_dl": {"mg/dl": 1.0, "mmol/l": GLUCOSE_MG_DL_PER_MMOL},
    "albumin_g_dl": {"g/dl": 1.0, "g/l": 0.1},
    "sodium": {"mmol/l": 1.0, "meq/l": 1.0},
    "platelets": {"10*3/ul": 1.0, "10^3/ul": 1.0, "10*9/l": 1.0, "10^9/l": 1.0, "k/ul": 1.0, "x10^9/l": 1.0,
                  "/ul": 1e-3},
    "temp_c": {"cel": 1.0, "c": 1.0, "°c": 1.0, "degc": 1.0, "[degf]": None, "degf": None, "°f": None, "f": None},
    "weight_kg": {"kg": 1.0, "lb": 0.45359237, "lbs": 0.45359237, "[lb_av]": 0.45359237, "lb_av": 0.45359237, "g": 0.001},
    "hematocrit": {"%": 1.0},
    "spo2": {"%": 1.0},
    "pao2": {"mmhg": 1.0, "mm[hg]": 1.0, "mmhg.": 1.0, "kpa": 7.50062},
}


def to_canonical(key: str, value: float, unit: str | None) -> float:
    """`value` in `unit` converted to the unit the calculators take for input `key`.

    Raises:
        UserError: a unit that cannot be converted for this input.
    """
    table = _CONVERT.get(key)
    if table is None:
        return float(value)
    u = _norm(unit)
    if key == "temp_c" and u in ("[degf]", "degf", "°f", "f"):
        return round((float(value) - 32) * 5 / 9, 2)
    if not u and key in ("temp_c",):
        return float(value) if float(value) < 45 else round((float(value) - 32) * 5 / 9, 2)
    factor = table.get(u)
    if factor is None:
        if not u:
            raise UserError(f"{key.replace('_', ' ')} {value} has no unit; give it with one ({', '.join(sorted(k for k in table if k))})")
        raise UserError(f"cannot read {key.replace('_', ' ')} in '{unit}' (expected one of: {', '.join(sorted(table))})")
    return float(value) * factor


def unit_of(key: str) -> str:
    """The unit a canonical input is held in (for display)."""
    return {"urea_mmol": "mmol/L", "creatinine_mg_dl": "mg/dL", "bilirubin_mg_dl": "mg/dL", "glucose_mg_dl": "mg/dL",
            "albumin_g_dl": "g/dL", "sodium": "mmol/L", "platelets": "10^9/L", "temp_c": "°C", "weight_kg": "kg",
            "hematocrit": "%", "spo2": "%", "pao2": "mmHg", "sbp": "mmHg", "dbp": "mmHg", "hr": "/min",
            "rr": "/min", "age": "years", "ast": "U/L", "alt": "U/L", "bmi": "kg/m2"}.get(key, "")
