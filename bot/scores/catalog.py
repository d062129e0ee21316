"""The scores medbot computes: inputs, the population each source covers, and a `compute` that calls
the `open-medicine` calculator (MIT) or, where that calculator is wrong, medbot's corrected rule.

Corrections (each pinned by a test in tests/scores/):
- CURB-65: the wheel scores BUN > 20 mg/dL; the rule is urea > 7 mmol/L (BUN > 19.6 mg/dL).
- MELD-Na: the wheel mixes Biggins' 140-based formula with the 137 sodium cap and adjusts every
  score; medbot uses the OPTN/UNOS rule (Kim 2008): Na 125-137, adjustment only when MELD(i) > 11.
- FIB-4: the wheel cites Sterling 2006 but uses the NAFLD cut-offs (1.30/2.67); medbot states both.
- Cockcroft-Gault: the wheel labels the result LOINC 2160-0, which is serum creatinine; medbot
  gives no LOINC, and its interpretation carries no dosing advice.
- NEWS2: the wheel defaults the SpO2 scale to 1 and tells 12-hourly monitoring for every score of
  0-4; medbot asks for the scale when hypercapnic failure is recorded and uses the RCP bands.
- PSI: the wheel scores missing laboratory values as normal; medbot gives the range instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class Outcome:
    value: Any
    interpretation: str
    category: str


@dataclass(frozen=True)
class ScoreDef:
    key: str
    title: str
    inputs: tuple[str, ...]
    compute: Callable[[dict[str, Any]], Outcome]
    doi: str
    citation: str
    min_age: int | None = 18
    max_age: int | None = None
    aliases: tuple[str, ...] = ()
    applies: tuple[str, ...] = ()  # condition sets that make the score relevant
    words: str = ""  # question words that ask for it
    loinc: tuple[str, str] | None = None
    unit: str = "points"
    corrections: tuple[str, ...] = ()
    age_note: str = "adults"
    extra: dict[str, Any] = field(default_factory=dict)


BOOL_DOMAIN = [False, True]
# values tried for a missing input when giving a score's range: one per band of every rule used here
DOMAINS: dict[str, list[Any]] = {
    "rr": [16, 8, 10, 21, 22, 25, 30], "sbp": [120, 85, 90, 95, 100, 105, 161, 220], "dbp": [80, 60, 65],
    "hr": [70, 40, 45, 95, 100, 101, 115, 125, 135], "temp_c": [37.0, 34.5, 35.5, 38.5, 39.5, 40.5],
    "spo2": [98, 85, 90, 93, 94, 95, 96], "urea_mmol": [5.0, 7.5, 11.5], "sodium": [140, 125, 129, 133],
    "glucose_mg_dl": [100, 260], "hematocrit": [40, 25], "ph": [7.4, 7.3], "pao2": [80, 55],
    "ascites": ["none", "mild", "severe"], "encephalopathy": ["none", "grade_1_2", "grade_3_4"],
    "spo2_scale": ["scale_1", "scale_2"], "consciousness": ["alert", "confusion"],
    "heart_history": [0, 1, 2], "heart_ecg": [0, 1, 2], "heart_troponin": [0, 1, 2],
    **{k: [0, 1, 2, 3] for k in ("phq9_interest", "phq9_down", "phq9_sleep", "phq9_energy", "phq9_appetite", "phq9_self",
                                 "phq9_concentration", "phq9_psychomotor", "phq9_selfharm", "gad7_nervous", "gad7_control",
                                 "gad7_worry", "gad7_relax", "gad7_restless", "gad7_annoyed", "gad7_afraid")},
}
# inputs whose absence leaves the score unbounded (formulas): no range, ask for them
REQUIRED = {"age", "creatinine_mg_dl", "weight_kg", "bilirubin_mg_dl", "albumin_g_dl", "inr", "ast", "alt", "platelets",
            "gcs_eye", "gcs_verbal", "gcs_motor"}


def domain(key: str) -> list[Any] | None:
    if key in REQUIRED:
        return None
    return DOMAINS.get(key, BOOL_DOMAIN)


def _om(module: str):
    import importlib

    return importlib.import_module(f"open_medicine.mcp.calculators.{module}")


def _cha2ds2_vasc(v: dict) -> Outcome:
    m = _om("chadsvasc")
    r = m.calculate_chadsvasc(m.CHADSVAScParams(
        congestive_heart_failure=v["heart_failure"], hypertension=v["hypertension"], age=v["age"], diabetes=v["diabetes"],
        stroke_tia_thromboembolism=v["stroke_tia_te"], vascular_disease=v["vascular_disease"], female_sex=v["female"]))
    s = r.value - (1 if v["female"] else 0)  # risk is judged on the non-sex points
    cat = "low stroke risk" if s == 0 else "intermediate stroke risk" if s == 1 else "high stroke risk"
    return Outcome(r.value, r.interpretation, cat)


def _cha2ds2_va(v: dict) -> Outcome:
    score = (v["heart_failure"] + v["hypertension"] + (2 if v["age"] >= 75 else 1 if v["age"] >= 65 else 0)
             + v["diabetes"] + 2 * v["stroke_tia_te"] + v["vascular_disease"])
    cat = "low stroke risk" if score == 0 else "intermediate stroke risk" if score == 1 else "high stroke risk"
    text = (f"CHA2DS2-VA score is {score} (2024 ESC atrial fibrillation guideline: sex is not a criterion). "
            f"{cat.capitalize()}: the guideline recommends oral anticoagulation at 2 or more and suggests it at 1.")
    return Outcome(score, text, cat)


def _has_bled(v: dict) -> Outcome:
    m = _om("hasbled")
    r = m.calculate_hasbled(m.HASBLEDParams(
        hypertension=v["uncontrolled_htn"], abnormal_renal_function=v["hasbled_renal"],
        abnormal_liver_function=v["hasbled_liver"], stroke=v["stroke"], bleeding=v["bleeding"], labile_inr=v["labile_inr"],
        elderly=v["age"] > 65, drugs=v["bleeding_drugs"], alcohol=v["alcohol"]))
    return Outcome(r.value, r.interpretation, "high bleeding risk" if r.value >= 3 else "bleeding risk not high (0-2)")


def _curb65(v: dict) -> Outcome:
    m = _om("curb65")
    # correction: the rule is urea > 7 mmol/L; the wheel tests BUN > 20 mg/dL, so give it a BUN on the right side
    bun = 21.0 if v["urea_mmol"] > 7 else 0.0
    r = m.calculate_curb65(m.CURB65Params(confusion=v["confusion"], bun=bun, respiratory_rate=int(v["rr"]),
                                          systolic_bp=int(v["sbp"]), diastolic_bp=int(v["dbp"]), age=v["age"]))
    cat = "low severity" if r.value <= 1 else "moderate severity" if r.value == 2 else "high severity"
    return Outcome(r.value, r.interpretation, cat)


def _crb65(v: dict) -> Outcome:
    m = _om("crb65")
    r = m.calculate_crb65(m.CRB65Params(confusion=v["confusion"], respiratory_rate=int(v["rr"]), systolic_bp=int(v["sbp"]),
                                        diastolic_bp=int(v["dbp"]), age=v["age"]))
    cat = "low severity" if r.value == 0 else "intermediate severity" if r.value <= 2 else "high severity"
    return Outcome(r.value, r.interpretation, cat)


def _psi(v: dict) -> Outcome:
    m = _om("psi_port")
    p = m.PSIPortParams(age=v["age"], is_female=v["female"], nursing_home_resident=v["nursing_home"],
                        neoplastic_disease=v["neoplastic"], liver_disease=v["liver_disease"],
                        congestive_heart_failure=v["heart_failure"], cerebrovascular_disease=v["cerebrovascular"],
                        renal_disease=v["renal_disease"], altered_mental_status=v["confusion"], respiratory_rate=int(v["rr"]),
                        systolic_bp=int(v["sbp"]), temperature_celsius=v["temp_c"], pulse=int(v["hr"]), arterial_ph=v["ph"],
                        bun=v["urea_mmol"] * 2.8, sodium=v["sodium"], glucose=v["glucose_mg_dl"], hematocrit=v["hematocrit"],
                        pao2=v["pao2"], pleural_effusion=v["pleural_effusion"])
    points = m._calculate_psi_points(p)
    if m._is_risk_class_i(p):
        return Outcome(points, f"PSI Risk Class I by the step-1 rule (points {points} not used). 30-day mortality 0.1-0.4%.",
                       "risk class I (lowest)")
    r = m.calculate_psi_port(p)
    klass = "II" if points <= 70 else "III" if points <= 90 else "IV" if points <= 130 else "V"
    return Outcome(points, r.interpretation, f"risk class {klass}")


def _wells_pe(v: dict) -> Outcome:
    m = _om("wells_pe")
    r = m.calculate_wells_pe(m.WellsPEParams(
        clinical_signs_dvt=v["dvt_signs"], pe_most_likely_diagnosis=v["pe_most_likely"], heart_rate_gt_100=v["hr"] > 100,
        immobilization_or_surgery=v["immobilisation_or_surgery"], previous_dvt_pe=v["prior_dvt_pe"],
        hemoptysis=v["hemoptysis"], malignancy=v["malignancy"]))
    return Outcome(r.value, r.interpretation, "PE likely (> 4)" if r.value > 4 else "PE unlikely (<= 4)")


def _wells_dvt(v: dict) -> Outcome:
    m = _om("wells_dvt")
    r = m.calculate_wells_dvt(m.WellsDVTParams(
        active_cancer=v["malignancy"], paralysis_or_casting=v["paralysis_cast"], bedridden_or_major_surgery=v["bedridden_surgery"],
        tenderness_along_deep_veins=v["deep_vein_tenderness"], entire_leg_swollen=v["entire_leg_swollen"],
        calf_swelling_gt_3cm=v["calf_swelling"], pitting_edema=v["pitting_edema"],
        collateral_superficial_veins=v["collateral_veins"], previously_documented_dvt=v["prior_dvt"],
        alternative_diagnosis_likely=v["alt_dx_likely"]))
    cat = "low probability" if r.value <= 0 else "moderate probability" if r.value <= 2 else "high probability"
    return Outcome(r.value, r.interpretation + (" Two-level (Wells 2003): DVT likely (>= 2)." if r.value >= 2 else
                                                " Two-level (Wells 2003): DVT unlikely (< 2)."), cat)


def _perc(v: dict) -> Outcome:
    m = _om("perc")
    r = m.calculate_perc(m.PERCParams(
        age_gte_50=v["age"] >= 50, heart_rate_gte_100=v["hr"] >= 100, spo2_lt_95=v["spo2"] < 95,
        unilateral_leg_swelling=v["leg_swelling"], hemoptysis=v["hemoptysis"], recent_surgery_or_trauma=v["recent_surgery_trauma"],
        prior_dvt_pe=v["prior_dvt_pe"], estrogen_use=v["estrogen"]))
    return Outcome(r.value, r.interpretation, "PERC negative" if r.value == 0 else "PERC positive")


def ckd_stage(egfr: float) -> str:
    """KDIGO GFR category of an eGFR in mL/min/1.73 m2 (G1 >= 90, G2 60-89, G3a 45-59, G3b 30-44, G4 15-29, G5 < 15)."""
    return ("G1" if egfr >= 90 else "G2" if egfr >= 60 else "G3a" if egfr >= 45 else "G3b" if egfr >= 30
            else "G4" if egfr >= 15 else "G5")


def _ckd_epi(v: dict) -> Outcome:
    m = _om("ckd_epi")
    r = m.calculate_ckd_epi(m.CKDEPIParams(age=v["age"], is_female=v["female"], serum_creatinine=v["creatinine_mg_dl"]))
    return Outcome(r.value, r.interpretation, f"GFR category {ckd_stage(r.value)}")


def _cockcroft_gault(v: dict) -> Outcome:
    m = _om("cockcroft_gault")
    r = m.calculate_cockcroft_gault(m.CockcroftGaultParams(age=v["age"], weight=v["weight_kg"], is_female=v["female"],
                                                           serum_creatinine=v["creatinine_mg_dl"]))
    text = (f"Estimated creatinine clearance {r.value} mL/min (Cockcroft-Gault with actual body weight "
            f"{v['weight_kg']:g} kg; not normalised to body surface area).")
    return Outcome(r.value, text, "creatinine clearance >= 60 mL/min" if r.value >= 60 else
                   "creatinine clearance 30-59 mL/min" if r.value >= 30 else "creatinine clearance < 30 mL/min")


def meld_na(creatinine: float, bilirubin: float, inr: float, sodium: float, dialysis: bool) -> int:
    """MELD-Na by the OPTN/UNOS rule (Kim 2008): bounds, MELD(i) to a tenth x 10, Na adjustment above 11."""
    cr = 4.0 if dialysis else min(max(creatinine, 1.0), 4.0)
    bili, inr_ = max(bilirubin, 1.0), max(inr, 1.0)
    na = min(max(sodium, 125.0), 137.0)
    meld_i = round(round(0.957 * math.log(cr) + 0.378 * math.log(bili) + 1.120 * math.log(inr_) + 0.643, 1) * 10)
    score = meld_i + 1.32 * (137 - na) - 0.033 * meld_i * (137 - na) if meld_i > 11 else meld_i
    return int(min(max(round(score), 6), 40))


def _meld_na(v: dict) -> Outcome:
    s = meld_na(v["creatinine_mg_dl"], v["bilirubin_mg_dl"], v["inr"], v["sodium"], v["on_dialysis"])
    band = ("~1.9%" if s <= 9 else "~6.0%" if s <= 19 else "~19.6%" if s <= 29 else "~52.6%" if s <= 39 else "~71.3%")
    return Outcome(s, f"MELD-Na score is {s}. Estimated 90-day mortality {band} (bands of the original MELD validation).",
                   "MELD-Na " + ("< 10" if s < 10 else "10-19" if s < 20 else "20-29" if s < 30 else ">= 30"))


def _child_pugh(v: dict) -> Outcome:
    m = _om("child_pugh")
    r = m.calculate_child_pugh(m.ChildPughParams(bilirubin=v["bilirubin_mg_dl"], albumin=v["albumin_g_dl"], inr=v["inr"],
                                                 ascites=v["ascites"], encephalopathy=v["encephalopathy"]))
    klass = "A" if r.value <= 6 else "B" if r.value <= 9 else "C"
    return Outcome(r.value, r.interpretation, f"Child-Pugh class {klass}")


def _fib4(v: dict) -> Outcome:
    m = _om("fib4")
    r = m.calculate_fib4(m.FIB4Params(age=v["age"], ast=v["ast"], alt=v["alt"], platelets=v["platelets"]))
    if r.value is None:
        return Outcome(None, r.interpretation, "not computable")
    x = r.value
    sterling = "< 1.45: advanced fibrosis unlikely" if x < 1.45 else "> 3.25: advanced fibrosis likely" if x > 3.25 \
        else "1.45-3.25: indeterminate"
    nafld = "< 1.30 low" if x < 1.30 else "> 2.67 high" if x > 2.67 else "1.30-2.67 indeterminate"
    note = " Validated for ages 35-65; interpret with caution." if v["age"] < 35 or v["age"] > 65 else ""
    return Outcome(x, f"FIB-4 index is {x}. Sterling 2006 (hepatitis C) cut-offs: {sterling}. NAFLD cut-offs "
                      f"(Shah 2009): {nafld}.{note}", "advanced fibrosis " + ("unlikely" if x < 1.45 else "likely" if x > 3.25
                                                                              else "indeterminate"))


def _news2(v: dict) -> Outcome:
    m = _om("news2")
    r = m.calculate_news2(m.NEWS2Params(
        respiration_rate=int(v["rr"]), spo2=int(v["spo2"]), spo2_scale=v["spo2_scale"], on_supplemental_o2=v["on_oxygen"],
        systolic_bp=int(v["sbp"]), pulse=int(v["hr"]), consciousness=v["consciousness"], temperature=v["temp_c"]))
    total = r.value
    single3 = "3 in a single parameter" in r.interpretation
    if total >= 7:
        cat, act = "high clinical risk", "emergency assessment by a critical-care-competent team; continuous monitoring"
    elif total >= 5 or single3:
        cat, act = "medium clinical risk" if total >= 5 else "low-medium clinical risk (3 in one parameter)", \
            "urgent review by a clinician; at least hourly observations"
    elif total >= 1:
        cat, act = "low clinical risk", "assessment by a registered nurse; observations at least every 4-6 hours"
    else:
        cat, act = "low clinical risk", "observations at least every 12 hours"
    return Outcome(total, f"NEWS2 score is {total} ({cat}). RCP 2017 response: {act}.", cat)


def _qsofa(v: dict) -> Outcome:
    m = _om("qsofa")
    r = m.calculate_qsofa(m.QSOFAParams(respiratory_rate=int(v["rr"]), systolic_blood_pressure=int(v["sbp"]),
                                        altered_mentation=v["altered_mentation"]))
    return Outcome(r.value, r.interpretation, "qSOFA positive (>= 2)" if r.value >= 2 else "qSOFA negative (< 2)")


def _gcs(v: dict) -> Outcome:
    m = _om("gcs")
    r = m.calculate_gcs(m.GCSParams(eye_response=v["gcs_eye"], verbal_response=v["gcs_verbal"], motor_response=v["gcs_motor"]))
    total = int(r.value)
    return Outcome(total, r.interpretation, "GCS 13-15" if total >= 13 else "GCS 9-12" if total >= 9 else "GCS 3-8")


def _heart(v: dict) -> Outcome:
    m = _om("heart_score")
    rf = sum(bool(v[k]) for k in ("hypertension", "diabetes", "hyperlipidemia", "obesity", "smoker", "family_history_cad"))
    r = m.calculate_heart_score(m.HEARTScoreParams(history=v["heart_history"], ecg=v["heart_ecg"], age=v["age"],
                                                   risk_factor_count=rf, history_of_atherosclerosis=v["atherosclerosis"],
                                                   troponin=v["heart_troponin"]))
    return Outcome(r.value, r.interpretation, "low risk (0-3)" if r.value <= 3 else "moderate risk (4-6)" if r.value <= 6
                   else "high risk (7-10)")


def _centor(v: dict) -> Outcome:
    m = _om("centor_mcisaac")
    r = m.calculate_centor_mcisaac(m.CentorMcIsaacParams(
        age=v["age"], tonsillar_swelling_or_exudate=v["tonsillar_exudate"], tender_anterior_cervical_lymphadenopathy=v["tender_nodes"],
        fever=v["fever"], absence_of_cough=v["no_cough"]))
    return Outcome(r.value, r.interpretation, "streptococcal probability " + ("very low" if r.value <= 0 else "low" if r.value == 1
                                                                            else "moderate" if r.value <= 3 else "high"))


PHQ9 = ("phq9_interest", "phq9_down", "phq9_sleep", "phq9_energy", "phq9_appetite", "phq9_self", "phq9_concentration",
        "phq9_psychomotor", "phq9_selfharm")
GAD7 = ("gad7_nervous", "gad7_control", "gad7_worry", "gad7_relax", "gad7_restless", "gad7_annoyed", "gad7_afraid")


def _phq9(v: dict) -> Outcome:
    m = _om("phq9")
    names = ("interest_pleasure", "feeling_down", "sleep", "energy", "appetite", "self_esteem", "concentration",
             "psychomotor", "suicidal_ideation")
    r = m.calculate_phq9(m.PHQ9Params(**{n: int(v[k]) for n, k in zip(names, PHQ9)}))
    s = r.value
    cat = ("minimal" if s <= 4 else "mild" if s <= 9 else "moderate" if s <= 14 else "moderately severe" if s <= 19
           else "severe") + " depressive symptoms"
    flag = " Item 9 (thoughts of self-harm) is positive: assess risk now." if v["phq9_selfharm"] > 0 else ""
    return Outcome(s, r.interpretation + flag, cat)


def _gad7(v: dict) -> Outcome:
    m = _om("gad7")
    names = ("feeling_nervous", "cannot_stop_worrying", "worrying_too_much", "trouble_relaxing", "being_restless",
             "easily_annoyed", "feeling_afraid")
    r = m.calculate_gad7(m.GAD7Params(**{n: int(v[k]) for n, k in zip(names, GAD7)}))
    s = r.value
    return Outcome(s, r.interpretation, ("minimal" if s <= 4 else "mild" if s <= 9 else "moderate" if s <= 14 else "severe")
                   + " anxiety symptoms")


_AF = ("atrial_fibrillation",)
SCORES: dict[str, ScoreDef] = {s.key: s for s in [
    ScoreDef("cha2ds2_vasc", "CHA2DS2-VASc", ("heart_failure", "hypertension", "age", "diabetes", "stroke_tia_te",
                                              "vascular_disease", "female"), _cha2ds2_vasc, "10.1378/chest.09-1584",
             "Lip GYH et al. Chest 2010;137:263-72 (CHA2DS2-VASc, sex category included)",
             aliases=("chads", "chads2vasc", "chadsvasc", "cha2ds2vasc", "cha2ds2-vasc"), applies=_AF,
             words=r"stroke risk|cha2?ds2?-?vasc|chads"),
    ScoreDef("cha2ds2_va", "CHA2DS2-VA", ("heart_failure", "hypertension", "age", "diabetes", "stroke_tia_te",
                                          "vascular_disease"), _cha2ds2_va, "10.1093/eurheartj/ehae176",
             "Van Gelder IC et al. 2024 ESC Guidelines for the management of atrial fibrillation. Eur Heart J 2024 "
             "(CHA2DS2-VA: sex dropped)", aliases=("cha2ds2va", "chadsva", "cha2ds2-va"), applies=_AF,
             words=r"cha2?ds2?-?va\b"),
    ScoreDef("has_bled", "HAS-BLED", ("uncontrolled_htn", "hasbled_renal", "hasbled_liver", "stroke", "bleeding",
                                      "labile_inr", "age", "bleeding_drugs", "alcohol"), _has_bled, "10.1378/chest.10-0134",
             "Pisters R et al. Chest 2010;138:1093-100", aliases=("hasbled", "has-bled"), applies=_AF,
             words=r"bleed(ing)? risk|has-?bled"),
    ScoreDef("curb65", "CURB-65", ("confusion", "urea_mmol", "rr", "sbp", "dbp", "age"), _curb65, "10.1136/thorax.58.5.377",
             "Lim WS et al. Thorax 2003;58:377-82", aliases=("curb-65", "curb 65", "curb"), applies=("pneumonia",),
             words=r"curb|pneumonia severity", corrections=(
                 "urea criterion is urea > 7 mmol/L (BUN > 19.6 mg/dL); the open-medicine calculator tests BUN > 20 mg/dL",)),
    ScoreDef("crb65", "CRB-65", ("confusion", "rr", "sbp", "dbp", "age"), _crb65, "10.1111/j.1365-2796.2006.01657.x",
             "Bauer TT et al. J Intern Med 2006;260:93-101", aliases=("crb-65", "crb 65"), applies=("pneumonia",),
             words=r"\bcrb"),
    ScoreDef("psi", "PSI (Pneumonia Severity Index)", ("age", "female", "nursing_home", "neoplastic", "liver_disease",
                                                       "heart_failure", "cerebrovascular", "renal_disease", "confusion",
                                                       "rr", "sbp", "temp_c", "hr", "ph", "urea_mmol", "sodium",
                                                       "glucose_mg_dl", "hematocrit", "pao2", "pleural_effusion"),
             _psi, "10.1056/NEJM199701233360402", "Fine MJ et al. N Engl J Med 1997;336:243-50",
             aliases=("psi/port", "port", "pneumonia severity index", "psi-port"), applies=("pneumonia",), words=r"\bpsi\b|\bport\b",
             corrections=("missing laboratory values are not scored as normal: the range over them is given",)),
    ScoreDef("wells_pe", "Wells score for PE", ("dvt_signs", "pe_most_likely", "hr", "immobilisation_or_surgery",
                                                "prior_dvt_pe", "hemoptysis", "malignancy"), _wells_pe, "10.1055/s-0037-1613870",
             "Wells PS et al. Thromb Haemost 2000;83:416-20", aliases=("wells pe", "wells-pe", "wells"),
             applies=("dvt_pe",), words=r"wells|pulmonary embol|\bPE\b"),
    ScoreDef("wells_dvt", "Wells score for DVT", ("malignancy", "paralysis_cast", "bedridden_surgery", "deep_vein_tenderness",
                                                  "entire_leg_swollen", "calf_swelling", "pitting_edema", "collateral_veins",
                                                  "prior_dvt", "alt_dx_likely"), _wells_dvt, "10.1056/NEJMoa023153",
             "Wells PS et al. N Engl J Med 2003;349:1227-35 (adds previously documented DVT to Lancet 1997)",
             aliases=("wells dvt", "wells-dvt"), applies=("dvt",), words=r"wells dvt|\bDVT\b|deep vein"),
    ScoreDef("perc", "PERC rule", ("age", "hr", "spo2", "leg_swelling", "hemoptysis", "recent_surgery_trauma",
                                   "prior_dvt_pe", "estrogen"), _perc, "10.1111/j.1538-7836.2004.00985.x",
             "Kline JA et al. J Thromb Haemost 2004;2:1247-55", aliases=("perc rule",), applies=("dvt_pe",),
             words=r"\bperc\b|rule out (PE|pulmonary)", unit="criteria"),
    ScoreDef("ckd_epi", "eGFR (CKD-EPI 2021)", ("age", "female", "creatinine_mg_dl"), _ckd_epi, "10.1056/NEJMoa2102953",
             "Inker LA et al. N Engl J Med 2021;385:1737-49 (race-free creatinine equation)",
             aliases=("egfr", "ckd-epi", "ckdepi", "gfr", "ckd epi"), applies=("ckd",), words=r"e?gfr|ckd-?epi|kidney function",
             loinc=("98979-8", "Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood "
                               "by Creatinine-based formula (CKD-EPI 2021)"), unit="mL/min/1.73m2"),
    ScoreDef("cockcroft_gault", "Creatinine clearance (Cockcroft-Gault)", ("age", "weight_kg", "female", "creatinine_mg_dl"),
             _cockcroft_gault, "10.1159/000180580", "Cockcroft DW, Gault MH. Nephron 1976;16:31-41",
             aliases=("crcl", "cockcroft-gault", "creatinine clearance", "cg"), applies=("ckd",),
             words=r"creatinine clearance|crcl|cockcroft", unit="mL/min", corrections=(
                 "no LOINC: the calculator's 2160-0 is serum creatinine; no dosing text in the interpretation",)),
    ScoreDef("meld_na", "MELD-Na", ("creatinine_mg_dl", "bilirubin_mg_dl", "inr", "sodium", "on_dialysis"), _meld_na,
             "10.1056/NEJMoa0801209", "Kim WR et al. N Engl J Med 2008;359:1018-26 (OPTN/UNOS MELD-Na)", min_age=12,
             age_note="ages 12 and over (PELD below 12)", aliases=("meld", "meld na", "meldna", "meld-na"),
             applies=("cirrhosis_liver",), words=r"\bmeld", corrections=(
                 "OPTN/UNOS rule: sodium bounded 125-137 with the 1.32/0.033 formula, applied only when MELD(i) > 11; the "
                 "calculator mixes the 140-based formula with the 137 bound",)),
    ScoreDef("child_pugh", "Child-Pugh", ("bilirubin_mg_dl", "albumin_g_dl", "inr", "ascites", "encephalopathy"), _child_pugh,
             "10.1002/bjs.1800600817", "Pugh RNH et al. Br J Surg 1973;60:646-9", aliases=("child pugh", "childpugh",
                                                                                               "child-turcotte-pugh"),
             applies=("cirrhosis_liver",), words=r"child-?pugh"),
    ScoreDef("fib4", "FIB-4", ("age", "ast", "alt", "platelets"), _fib4, "10.1002/hep.21178",
             "Sterling RK et al. Hepatology 2006;43:1317-25", aliases=("fib-4", "fib 4"), applies=("cirrhosis_liver",),
             words=r"fib-?4|fibrosis", unit="", corrections=(
                 "interpretation gives Sterling's 1.45/3.25 and the NAFLD 1.30/2.67 cut-offs; the calculator cites Sterling "
                 "with the NAFLD cut-offs",)),
    ScoreDef("news2", "NEWS2", ("rr", "spo2", "spo2_scale", "on_oxygen", "sbp", "hr", "consciousness", "temp_c"), _news2,
             "10.7861/clinmedicine.19-3-260", "Royal College of Physicians. National Early Warning Score (NEWS) 2, 2017",
             min_age=16, age_note="ages 16 and over (not for children)", aliases=("news", "news 2", "early warning score"),
             applies=("sepsis", "pneumonia"), words=r"\bnews ?2?\b|early warning", corrections=(
                 "the SpO2 scale is never defaulted: scale 2 needs a prescribed target of 88-92%",
                 "score 1-4 means observations every 4-6 hours (RCP), not 12-hourly")),
    ScoreDef("qsofa", "qSOFA", ("rr", "sbp", "altered_mentation"), _qsofa, "10.1001/jama.2016.0288",
             "Seymour CW et al. JAMA 2016;315:762-74", aliases=("q-sofa", "quick sofa"), applies=("sepsis", "pneumonia"),
             words=r"q-?sofa|sepsis"),
    ScoreDef("gcs", "Glasgow Coma Scale", ("gcs_eye", "gcs_verbal", "gcs_motor"), _gcs, "10.1016/s0140-6736(74)91639-0",
             "Teasdale G, Jennett B. Lancet 1974;2:81-4", min_age=5, age_note="ages 5 and over (paediatric GCS below)",
             aliases=("glasgow", "glasgow coma scale", "glasgow coma score"), applies=("head_injury",), words=r"\bgcs\b|glasgow",
             loinc=("9269-2", "Glasgow coma score total")),
    ScoreDef("heart", "HEART score", ("heart_history", "heart_ecg", "age", "hypertension", "diabetes", "hyperlipidemia",
                                      "obesity", "smoker", "family_history_cad", "atherosclerosis", "heart_troponin"), _heart,
             "10.1007/BF03086144", "Six AJ et al. Neth Heart J 2008;16:191-6", aliases=("heart score",),
             applies=("chest_pain",), words=r"heart score|chest pain"),
    ScoreDef("centor", "Centor (McIsaac)", ("age", "tonsillar_exudate", "tender_nodes", "fever", "no_cough"), _centor,
             "PMID:9475915", "McIsaac WJ et al. CMAJ 1998;158:75-83", min_age=3, age_note="ages 3 and over",
             aliases=("mcisaac", "centor score", "modified centor"), applies=("pharyngitis",), words=r"centor|mcisaac|strep"),
    ScoreDef("phq9", "PHQ-9", PHQ9, _phq9, "10.1046/j.1525-1497.2001.016009606.x", "Kroenke K et al. J Gen Intern Med "
             "2001;16:606-13", aliases=("phq-9", "phq 9", "phq"), applies=("depression",), words=r"phq|depression score",
             loinc=("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")),
    ScoreDef("gad7", "GAD-7", GAD7, _gad7, "10.1001/archinte.166.10.1092", "Spitzer RL et al. Arch Intern Med "
             "2006;166:1092-7", aliases=("gad-7", "gad 7", "gad"), applies=("anxiety",), words=r"gad-?7|anxiety score",
             loinc=("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]")),
]}


def find(name: str) -> ScoreDef | None:
    """The score named `name` (key, title or alias; case, spaces and dashes ignored)."""
    def norm(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    n = norm(name)
    for s in SCORES.values():
        if n in {norm(s.key), norm(s.title)} | {norm(a) for a in s.aliases}:
            return s
    return None
