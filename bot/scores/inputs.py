"""Each score input read from the record, traced to its source or listed missing.

Rules (also in docs/scores.md):
- Age: completed years from Patient.birthDate to the summary date. Sex: Patient.gender.
- History conditions (heart failure, hypertension, diabetes, stroke/TIA, vascular disease, bleeding,
  prior DVT/PE...) count whatever their clinical status (a resolved stroke or MI still counts), when
  their onset is on or before the summary date. A coded problem list without a match gives ABSENT
  (False, with the number of conditions searched); without a problem list the input is MISSING.
- Bedside findings (confusion, haemoptysis, leg swelling, ascites grade...) are never ABSENT: only a
  coded finding of the last `FINDING_DAYS` days makes them known; otherwise they are MISSING.
- Vitals: the latest within `VITAL_DAYS` day(s) before the summary date; acute labs within
  `ACUTE_LAB_DAYS`; chronic labs and weight within `CHRONIC_DAYS`.
- Medicines: active MedicationRequest/MedicationStatement whose name holds an ingredient of the class.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from bot.scores import codes
from bot.scores.model import ABSENT, DERIVED, MISSING, RECORDED, Input
from bot.scores.record import Entry, ScoreRecord
from bot.scores.units import to_canonical, unit_of

VITAL_DAYS = 1
ACUTE_LAB_DAYS = 2
CHRONIC_DAYS = 90
FINDING_DAYS = 7
SURGERY_DAYS = 28

LABELS: dict[str, str] = {
    "age": "age", "female": "female sex", "sbp": "systolic blood pressure", "dbp": "diastolic blood pressure",
    "hr": "heart rate", "rr": "respiratory rate", "temp_c": "temperature", "spo2": "oxygen saturation",
    "urea_mmol": "urea (BUN)", "creatinine_mg_dl": "serum creatinine", "weight_kg": "body weight",
    "sodium": "serum sodium", "glucose_mg_dl": "glucose", "hematocrit": "haematocrit", "ph": "arterial pH",
    "pao2": "PaO2", "bilirubin_mg_dl": "total bilirubin", "albumin_g_dl": "albumin", "inr": "INR",
    "ast": "AST", "alt": "ALT", "platelets": "platelet count", "confusion": "new confusion",
    "heart_failure": "heart failure / LV dysfunction", "hypertension": "hypertension (diagnosis)",
    "diabetes": "diabetes", "stroke_tia_te": "prior stroke, TIA or thromboembolism",
    "vascular_disease": "vascular disease (prior MI, PAD, aortic plaque)", "stroke": "prior stroke",
    "bleeding": "prior major bleeding or predisposition", "uncontrolled_htn": "uncontrolled hypertension (systolic > 160 mmHg)",
    "hasbled_renal": "abnormal renal function (dialysis, transplant, creatinine >= 2.26 mg/dL)",
    "hasbled_liver": "abnormal liver function (cirrhosis, or bilirubin > 2x ULN with AST/ALT > 3x ULN)",
    "labile_inr": "labile INR", "bleeding_drugs": "antiplatelet or NSAID use", "alcohol": "alcohol use (>= 8 drinks a week)",
    "nursing_home": "nursing home resident", "neoplastic": "active neoplastic disease",
    "liver_disease": "chronic liver disease", "cerebrovascular": "cerebrovascular disease (stroke/TIA)",
    "renal_disease": "chronic renal disease", "pleural_effusion": "pleural effusion on imaging",
    "dvt_signs": "clinical signs of DVT", "pe_most_likely": "PE the most likely diagnosis",
    "immobilisation_or_surgery": "immobilisation >= 3 days or surgery in the last 4 weeks",
    "prior_dvt_pe": "previous DVT or PE", "hemoptysis": "haemoptysis", "malignancy": "active cancer",
    "leg_swelling": "unilateral leg swelling", "recent_surgery_trauma": "surgery or trauma in the last 4 weeks",
    "estrogen": "oestrogen use", "paralysis_cast": "paralysis, paresis or recent leg cast",
    "bedridden_surgery": "bedridden >= 3 days or major surgery within 12 weeks",
    "deep_vein_tenderness": "tenderness along the deep veins", "entire_leg_swollen": "entire leg swollen",
    "calf_swelling": "calf swelling > 3 cm", "pitting_edema": "pitting oedema (symptomatic leg)",
    "collateral_veins": "collateral superficial veins", "prior_dvt": "previously documented DVT",
    "alt_dx_likely": "alternative diagnosis as likely as DVT", "on_dialysis": "dialysis (twice in the past week)",
    "ascites": "ascites (none / mild-moderate / severe)", "encephalopathy": "hepatic encephalopathy grade",
    "spo2_scale": "SpO2 scale (2 only for hypercapnic respiratory failure)", "on_oxygen": "supplemental oxygen",
    "consciousness": "level of consciousness (ACVPU)", "altered_mentation": "altered mentation (GCS < 15)",
    "gcs_eye": "GCS eye response", "gcs_verbal": "GCS verbal response", "gcs_motor": "GCS motor response",
    "heart_history": "history (0 slightly, 1 moderately, 2 highly suspicious)",
    "heart_ecg": "ECG (0 normal, 1 non-specific repolarisation, 2 significant ST deviation)",
    "heart_troponin": "troponin (0 <= ULN, 1 1-3x ULN, 2 > 3x ULN)", "atherosclerosis": "known atherosclerotic disease",
    "hyperlipidemia": "hypercholesterolaemia", "obesity": "obesity (BMI > 30)", "smoker": "current smoker",
    "family_history_cad": "family history of premature CAD", "tonsillar_exudate": "tonsillar swelling or exudate",
    "tender_nodes": "tender anterior cervical nodes", "fever": "fever (> 38 °C or history)", "no_cough": "absence of cough",
}
for _k, _ in codes.PHQ9_ITEMS + codes.GAD7_ITEMS:
    LABELS[_k] = _k.replace("phq9_", "PHQ-9 item: ").replace("gad7_", "GAD-7 item: ")


def _days_before(as_of: str | None, date: str | None) -> int | None:
    if not as_of or not date:
        return None
    try:
        return (dt.date.fromisoformat(as_of[:10]) - dt.date.fromisoformat(date[:10])).days
    except ValueError:
        return None


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:g}" if abs(v) >= 10 else f"{round(v, 2):g}"
    return str(v)


def latest_observation(rec: ScoreRecord, key: str, days: int) -> tuple[Input, list[Entry]]:
    """The latest observation for canonical `key` within `days` of the summary date, converted."""
    wanted = {f"LOINC:{c}" for c in codes.OBSERVATIONS.get(key, ())} | {f"CANON:{key}"}
    found = [o for o in rec.observations if o.codes & wanted and isinstance(o.value, (int, float))]
    found.sort(key=lambda o: o.date or "", reverse=True)
    label = LABELS.get(key, key)
    for o in found:
        age = _days_before(rec.as_of, o.date)
        if age is not None and age > days:
            break
        try:
            value = to_canonical(key, o.value, o.unit) if "CANON:" + key not in o.codes else float(o.value)
        except Exception:  # noqa: BLE001 - an unconvertible unit: try the next observation
            continue
        return Input(key, label, round(value, 3), unit_of(key), RECORDED, o.source, o.date,
                     f"latest within {days} day(s) of {rec.as_of}" + (f" ({_fmt(o.value)} {o.unit})" if unit_of(key) and o.unit and
                                                                       o.unit.lower().replace('[', '').replace(']', '') not in (unit_of(key).lower(), 'mm[hg]') else "")), found
    note = f"no {label} within {days} day(s) of {rec.as_of}"
    if found:
        o = found[0]
        note += f" (latest {_fmt(o.value)} {o.unit or ''} on {o.date}, {o.source})".replace("  ", " ")
    return Input(key, label, None, unit_of(key), MISSING, "", None, note), found


def _matching(rec: ScoreRecord, set_key: str) -> list[Entry]:
    cs = codes.CONDITIONS[set_key]
    return [c for c in rec.conditions if cs.matches(c.codes, c.text)]


def history(rec: ScoreRecord, key: str, set_key: str | None = None) -> Input:
    """A history condition: any status counts (resolved too); a searched problem list gives ABSENT."""
    set_key = set_key or key
    hits = sorted(_matching(rec, set_key), key=lambda c: c.date or "")
    label = LABELS.get(key, key)
    if hits:
        c = hits[0]
        status = "active" if c.active else "resolved"
        return Input(key, label, True, None, RECORDED, c.source, c.date, f"{c.text} ({status}; history counts)")
    if rec.has_problem_list:
        return Input(key, label, False, None, ABSENT, "Condition list", None,
                     f"no {codes.CONDITIONS[set_key].label} among {len(rec.conditions)} recorded conditions")
    return Input(key, label, None, None, MISSING, "", None, "the record has no problem list")


def active_within(rec: ScoreRecord, key: str, set_key: str, days: int | None, absent_ok: bool = True) -> Input:
    """A condition active at the summary date, or with onset within `days` before it."""
    label = LABELS.get(key, key)
    for c in sorted(_matching(rec, set_key), key=lambda c: c.date or "", reverse=True):
        age = _days_before(rec.as_of, c.date)
        if c.active or (days is not None and age is not None and age <= days):
            why = "active" if c.active else f"onset {age} days before {rec.as_of}"
            return Input(key, label, True, None, RECORDED, c.source, c.date, f"{c.text} ({why})")
    if absent_ok and rec.has_problem_list:
        return Input(key, label, False, None, ABSENT, "Condition list", None,
                     f"no active {codes.CONDITIONS[set_key].label}" + (f" or onset within {days} days" if days else "")
                     + f" among {len(rec.conditions)} recorded conditions")
    return Input(key, label, None, None, MISSING, "", None,
                 f"{label} is a bedside finding not in the record" if not absent_ok else "the record has no problem list")


def finding(rec: ScoreRecord, key: str, set_key: str | None = None) -> Input:
    """A bedside finding: known only when coded recently; never assumed absent."""
    return active_within(rec, key, set_key or key, FINDING_DAYS, absent_ok=False)


def on_medicine(rec: ScoreRecord, key: str, classes: tuple[str, ...]) -> Input:
    label = LABELS.get(key, key)
    pattern = "|".join(codes.MEDICINES[c] for c in classes)
    for m in rec.medications:
        if m.active and re.search(pattern, m.text or "", re.I):
            return Input(key, label, True, None, RECORDED, m.source, m.date, f"{m.text} (active)")
    if rec.has_medication_list:
        n = sum(1 for m in rec.medications if m.active)
        return Input(key, label, False, None, ABSENT, "Medication list", None,
                     f"no active {' / '.join(classes)} among {n} active medicines")
    return Input(key, label, None, None, MISSING, "", None, "the record has no medication list")


def _age(rec: ScoreRecord) -> Input:
    if rec.age is None:
        return Input("age", "age", None, "years", MISSING, "", None, "no birth date or stated age")
    return Input("age", "age", rec.age, "years", DERIVED if rec.kind == "fhir" else RECORDED, rec.age_source,
                 rec.as_of, rec.age_note)


def _female(rec: ScoreRecord) -> Input:
    if rec.sex is None:
        return Input("female", "female sex", None, None, MISSING, "", None, "sex not recorded")
    return Input("female", "female sex", rec.sex == "female", None, RECORDED, rec.sex_source, None, rec.sex)


def _threshold(rec: ScoreRecord, key: str, obs_key: str, days: int, test: Callable[[float], bool], why: str) -> Input:
    inp, _ = latest_observation(rec, obs_key, days)
    if not inp.known:
        return Input(key, LABELS[key], None, None, MISSING, "", None, inp.note)
    return Input(key, LABELS[key], bool(test(inp.value)), None, RECORDED, inp.source, inp.date,
                 f"{LABELS[obs_key]} {_fmt(inp.value)} {inp.unit}: {why}")


def _or(key: str, parts: list[Input], missing_note: str = "") -> Input:
    """True when any part is True; False only when every part is known False."""
    label = LABELS[key]
    for p in parts:
        if p.value is True:
            return Input(key, label, True, None, p.status, p.source, p.date, f"{p.label}: {p.note}")
    if all(p.known for p in parts):
        return Input(key, label, False, None, parts[0].status if len(parts) == 1 else ABSENT,
                     "; ".join(p.source for p in parts if p.source), None, "; ".join(p.note for p in parts))
    gaps = "; ".join(p.note for p in parts if not p.known)
    return Input(key, label, None, None, MISSING, "", None, missing_note or gaps)


def _hasbled_renal(rec: ScoreRecord) -> Input:
    return _or("hasbled_renal", [history(rec, "dialysis_transplant", "dialysis_transplant"),
                                 _threshold(rec, "hasbled_renal", "creatinine_mg_dl", CHRONIC_DAYS, lambda v: v >= 2.26,
                                            ">= 2.26 mg/dL (200 umol/L) counts")])


def _hasbled_liver(rec: ScoreRecord) -> Input:
    cirrhosis = history(rec, "liver_disease", "cirrhosis_liver")
    bili, _ = latest_observation(rec, "bilirubin_mg_dl", CHRONIC_DAYS)
    ast, _ = latest_observation(rec, "ast", CHRONIC_DAYS)
    alt, _ = latest_observation(rec, "alt", CHRONIC_DAYS)
    if cirrhosis.value is True:
        return Input("hasbled_liver", LABELS["hasbled_liver"], True, None, RECORDED, cirrhosis.source, cirrhosis.date, cirrhosis.note)
    if bili.known and (ast.known or alt.known):
        # upper limits of normal: bilirubin 1.2 mg/dL, AST/ALT 40 U/L (stated, as ranges vary by laboratory)
        high = bili.value > 2 * 1.2 and max(x.value for x in (ast, alt) if x.known) > 3 * 40
        src = "; ".join(x.source for x in (bili, ast, alt) if x.known)
        return Input("hasbled_liver", LABELS["hasbled_liver"], high, None, RECORDED, src, bili.date,
                     f"bilirubin {_fmt(bili.value)} mg/dL vs 2x ULN 2.4; AST/ALT vs 3x ULN 120 U/L"
                     + ("" if cirrhosis.known else "; no problem list"))
    return Input("hasbled_liver", LABELS["hasbled_liver"], None, None, MISSING, "", None,
                 f"{cirrhosis.note}; liver tests (bilirubin with AST/ALT) not within {CHRONIC_DAYS} days")


def _labile_inr(rec: ScoreRecord) -> Input:
    vka = on_medicine(rec, "labile_inr", ("vka",))
    if vka.value is False:
        return Input("labile_inr", LABELS["labile_inr"], False, None, ABSENT, vka.source, None,
                     "not on a vitamin K antagonist (labile INR applies to warfarin-type drugs only)")
    if vka.value is None:
        return Input("labile_inr", LABELS["labile_inr"], None, None, MISSING, "", None, vka.note)
    _, series = latest_observation(rec, "inr", 180)
    recent = [o for o in series if (_days_before(rec.as_of, o.date) or 0) <= 180]
    if len(recent) < 3:
        return Input("labile_inr", LABELS["labile_inr"], None, None, MISSING, "", None,
                     f"on a vitamin K antagonist ({vka.source}) with {len(recent)} INR value(s) in 180 days: "
                     "time in therapeutic range cannot be judged")
    in_range = sum(1 for o in recent if 2.0 <= float(o.value) <= 3.0) / len(recent)
    return Input("labile_inr", LABELS["labile_inr"], in_range < 0.6, None, RECORDED,
                 ", ".join(o.source for o in recent[:5]), recent[0].date,
                 f"{round(in_range * 100)}% of {len(recent)} INR values in 2-3 over 180 days (labile below 60%)")


def _smoker(rec: ScoreRecord) -> Input:
    obs = [o for o in rec.observations if f"LOINC:{codes.SMOKING_STATUS}" in o.codes and isinstance(o.value, str)]
    obs.sort(key=lambda o: o.date or "", reverse=True)
    if obs and (_days_before(rec.as_of, obs[0].date) or 0) <= 365:
        o = obs[0]
        return Input("smoker", LABELS["smoker"], bool(codes.CURRENT_SMOKER.search(o.value)), None, RECORDED,
                     o.source, o.date, f"tobacco smoking status: {o.value}")
    return Input("smoker", LABELS["smoker"], None, None, MISSING, "", None,
                 "no tobacco smoking status within 365 days")


def _obesity(rec: ScoreRecord) -> Input:
    bmi, _ = latest_observation(rec, "bmi", 365)
    if bmi.known:
        return Input("obesity", LABELS["obesity"], bmi.value > 30, None, RECORDED, bmi.source, bmi.date,
                     f"BMI {_fmt(bmi.value)} kg/m2")
    return history(rec, "obesity")


def _questionnaire(rec: ScoreRecord, key: str, loinc: str) -> Input:
    obs = [o for o in rec.observations if f"LOINC:{loinc}" in o.codes or f"CANON:{key}" in o.codes]
    obs.sort(key=lambda o: o.date or "", reverse=True)
    label = LABELS[key]
    for o in obs:
        if (_days_before(rec.as_of, o.date) or 0) > 365:
            break
        value = None
        if isinstance(o.value, (int, float)):
            value = int(o.value)
        else:
            for c in o.codes:
                if c.startswith("ANSWER:") and c.split(":", 2)[-1] in codes.FREQUENCY_ANSWERS:
                    value = codes.FREQUENCY_ANSWERS[c.split(":", 2)[-1]]
            if value is None:
                value = codes.FREQUENCY_WORDS.get(str(o.value).strip().lower())
        if value is not None and 0 <= value <= 3:
            return Input(key, label, value, None, RECORDED, o.source, o.date, f"answer: {o.value}")
    return Input(key, label, None, None, MISSING, "", None, "no answer within 365 days")


def _gcs_part(rec: ScoreRecord, key: str) -> Input:
    inp, _ = latest_observation(rec, key, VITAL_DAYS)
    if inp.known:
        inp.value = int(inp.value)
    return inp


def _consciousness(rec: ScoreRecord) -> Input:
    gcs, _ = latest_observation(rec, "gcs_total", VITAL_DAYS)
    if gcs.known:
        return Input("consciousness", LABELS["consciousness"], "alert" if gcs.value >= 15 else "confusion", None,
                     RECORDED, gcs.source, gcs.date, f"GCS {int(gcs.value)} ({'alert' if gcs.value >= 15 else 'not alert'})")
    conf = finding(rec, "confusion")
    if conf.value is True:
        return Input("consciousness", LABELS["consciousness"], "confusion", None, RECORDED, conf.source, conf.date, conf.note)
    return Input("consciousness", LABELS["consciousness"], None, None, MISSING, "", None, "no GCS or ACVPU within 1 day")


def _altered_mentation(rec: ScoreRecord) -> Input:
    gcs, _ = latest_observation(rec, "gcs_total", VITAL_DAYS)
    if gcs.known:
        return Input("altered_mentation", LABELS["altered_mentation"], gcs.value < 15, None, RECORDED, gcs.source,
                     gcs.date, f"GCS {int(gcs.value)}")
    conf = finding(rec, "confusion")
    if conf.value is True:
        return Input("altered_mentation", LABELS["altered_mentation"], True, None, RECORDED, conf.source, conf.date, conf.note)
    return Input("altered_mentation", LABELS["altered_mentation"], None, None, MISSING, "", None, "no GCS or mental status within 1 day")


def _spo2_scale(rec: ScoreRecord) -> Input:
    hyper = history(rec, "spo2_scale", "hypercapnic_failure")
    label = LABELS["spo2_scale"]
    if hyper.value is True:
        return Input("spo2_scale", label, None, None, MISSING, "", None,
                     f"{hyper.note} is recorded: scale 2 applies only with a prescribed target of 88-92%; say which",
                     choices=["scale_1", "scale_2"])
    if hyper.value is False:
        return Input("spo2_scale", label, "scale_1", None, ABSENT, hyper.source, None,
                     f"scale 1: {hyper.note.replace('no ', 'no ', 1)}")
    return Input("spo2_scale", label, None, None, MISSING, "", None, hyper.note, choices=["scale_1", "scale_2"])


def _ascites(rec: ScoreRecord, key: str, set_key: str, choices_if_present: list[str]) -> Input:
    f = finding(rec, key, set_key)
    if f.value is True:
        return Input(key, LABELS[key], None, None, MISSING, f.source, f.date, f"{f.note}: grade not recorded",
                     choices=choices_if_present)
    return Input(key, LABELS[key], None, None, MISSING, "", None, "a bedside finding not in the record")


def _fever(rec: ScoreRecord) -> Input:
    t, _ = latest_observation(rec, "temp_c", VITAL_DAYS)
    f = finding(rec, "fever")
    if f.value is True:
        return f
    if t.known and t.value > 38:
        return Input("fever", LABELS["fever"], True, None, RECORDED, t.source, t.date, f"temperature {_fmt(t.value)} °C")
    return Input("fever", LABELS["fever"], None, None, MISSING, "", None,
                 (f"temperature {_fmt(t.value)} °C is not > 38, history of fever not recorded" if t.known else t.note))


def _no_cough(rec: ScoreRecord) -> Input:
    f = finding(rec, "no_cough", "cough")
    if f.value is True:
        return Input("no_cough", LABELS["no_cough"], False, None, RECORDED, f.source, f.date, f"cough: {f.note}")
    return Input("no_cough", LABELS["no_cough"], None, None, MISSING, "", None, "cough not recorded either way")


def _surgery(rec: ScoreRecord, key: str, days: int, trauma: bool, absent_ok: bool) -> Input:
    label = LABELS[key]
    for p in sorted(rec.procedures, key=lambda p: p.date or "", reverse=True):
        age = _days_before(rec.as_of, p.date)
        if age is not None and age <= days and codes.SURGERY_WORDS.search(p.text or ""):
            return Input(key, label, True, None, RECORDED, p.source, p.date, f"{p.text} ({age} days before)")
    if trauma:
        inj = active_within(rec, key, "trauma_recent", days, absent_ok=False)
        if inj.value is True and (_days_before(rec.as_of, inj.date) or 0) <= days:
            return inj
    if absent_ok and rec.has_procedure_list and rec.has_problem_list:
        return Input(key, label, False, None, ABSENT, "Procedure and Condition lists", None,
                     f"no surgery{' or injury' if trauma else ''} in the {days} days before {rec.as_of}")
    return Input(key, label, None, None, MISSING, "", None,
                 f"no surgery recorded in the {days} days before; immobilisation is not recorded" if not absent_ok
                 else "the record has no procedure list")


def _obs(key: str, days: int) -> Callable[[ScoreRecord], Input]:
    return lambda rec: latest_observation(rec, key, days)[0]


RESOLVERS: dict[str, Callable[[ScoreRecord], Input]] = {
    "age": _age, "female": _female,
    **{k: _obs(k, VITAL_DAYS) for k in ("sbp", "dbp", "hr", "rr", "temp_c", "spo2")},
    **{k: _obs(k, ACUTE_LAB_DAYS) for k in ("urea_mmol", "sodium", "glucose_mg_dl", "hematocrit", "ph", "pao2")},
    **{k: _obs(k, CHRONIC_DAYS) for k in ("creatinine_mg_dl", "bilirubin_mg_dl", "albumin_g_dl", "inr", "ast", "alt",
                                           "platelets", "weight_kg")},
    **{k: (lambda key: lambda rec: history(rec, key))(k) for k in ("heart_failure", "hypertension", "diabetes",
                                                                   "stroke_tia_te", "vascular_disease", "stroke",
                                                                   "bleeding", "atherosclerosis", "hyperlipidemia")},
    "prior_dvt_pe": lambda rec: history(rec, "prior_dvt_pe", "dvt_pe"),
    "prior_dvt": lambda rec: history(rec, "prior_dvt", "dvt"),
    "cerebrovascular": lambda rec: history(rec, "cerebrovascular", "stroke_tia_te"),
    "renal_disease": lambda rec: history(rec, "renal_disease", "ckd"),
    "liver_disease": lambda rec: history(rec, "liver_disease", "cirrhosis_liver"),
    "malignancy": lambda rec: active_within(rec, "malignancy", "malignancy", 182),
    "neoplastic": lambda rec: active_within(rec, "neoplastic", "malignancy", 365),
    "on_dialysis": lambda rec: active_within(rec, "on_dialysis", "dialysis_transplant", None),
    "uncontrolled_htn": lambda rec: _threshold(rec, "uncontrolled_htn", "sbp", CHRONIC_DAYS, lambda v: v > 160,
                                               "> 160 mmHg counts"),
    "hasbled_renal": _hasbled_renal, "hasbled_liver": _hasbled_liver, "labile_inr": _labile_inr,
    "bleeding_drugs": lambda rec: on_medicine(rec, "bleeding_drugs", ("antiplatelet", "nsaid")),
    "estrogen": lambda rec: on_medicine(rec, "estrogen", ("estrogen",)),
    "alcohol": lambda rec: finding(rec, "alcohol") if not _matching(rec, "alcohol") else history(rec, "alcohol"),
    "nursing_home": lambda rec: finding(rec, "nursing_home"),
    "confusion": lambda rec: finding(rec, "confusion"),
    "hemoptysis": lambda rec: finding(rec, "hemoptysis"),
    "pleural_effusion": lambda rec: finding(rec, "pleural_effusion"),
    "immobilisation_or_surgery": lambda rec: _surgery(rec, "immobilisation_or_surgery", SURGERY_DAYS, False, False),
    "bedridden_surgery": lambda rec: _surgery(rec, "bedridden_surgery", 84, False, False),
    "recent_surgery_trauma": lambda rec: _surgery(rec, "recent_surgery_trauma", SURGERY_DAYS, True, True),
    "spo2_scale": _spo2_scale, "consciousness": _consciousness, "altered_mentation": _altered_mentation,
    "ascites": lambda rec: _ascites(rec, "ascites", "ascites", ["mild", "severe"]),
    "encephalopathy": lambda rec: _ascites(rec, "encephalopathy", "encephalopathy", ["grade_1_2", "grade_3_4"]),
    "smoker": _smoker, "obesity": _obesity, "fever": _fever, "no_cough": _no_cough,
    **{k: (lambda key: lambda rec: _gcs_part(rec, key))(k) for k in ("gcs_eye", "gcs_verbal", "gcs_motor")},
    **{k: (lambda key, lo: lambda rec: _questionnaire(rec, key, lo))(k, lo) for k, lo in codes.PHQ9_ITEMS + codes.GAD7_ITEMS},
}


def resolve(rec: ScoreRecord, key: str) -> Input:
    """The input `key` from the record (MISSING with a reason when the record does not hold it)."""
    fn = RESOLVERS.get(key)
    if fn is None:  # bedside findings with no coded form (ECG, troponin band, exam signs...)
        return Input(key, LABELS.get(key, key), None, None, MISSING, "", None, "a bedside finding not in the record")
    return fn(rec)
