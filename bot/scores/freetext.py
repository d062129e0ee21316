"""Score inputs stated in free text: "72 years, confused, urea 8 mmol/L, RR 32, BP 85/50".

`parse_values(text)` returns {canonical input: (value, unit, matched text)} with every value in the
unit its calculator takes (urea in mmol/L, creatinine in mg/dL...; see `bot.scores.units`). A
finding preceded by a negation ("no", "not", "denies", "without") is False. Pure functions.
"""

from __future__ import annotations

import re
from typing import Any

from bot.scores.units import to_canonical

_NUM = r"(\d+(?:\.\d+)?)"
_SEP = r"\s*(?:of|is|was|:|=|-)?\s*"
_NEG = re.compile(r"\b(no|not|without|denies|denied|negative for|absent|nil|free of|non)\b[^,;.]{0,25}$", re.I)

# (key, pattern, default unit, unit group index or None)
_NUMBERS: list[tuple[str, re.Pattern, str | None]] = [
    ("urea_mmol", re.compile(r"\b(?:urea|BUN|blood urea nitrogen)" + _SEP + _NUM + r"\s*(mmol/?l|mg/?dl)?", re.I), None),
    ("rr", re.compile(r"\b(?:RR|resp(?:iratory)?\s*rate|resps?)" + _SEP + r"(\d{1,2})\b", re.I), None),
    ("hr", re.compile(r"\b(?:HR|heart\s*rate|pulse|P)" + _SEP + r"(\d{2,3})\b", re.I), None),
    ("temp_c", re.compile(r"\b(?:T|temp|temperature)" + _SEP + r"(\d{2,3}(?:\.\d+)?)\s*(°\s?[CF]|[CF]\b|deg(?:rees)?\s*[CF])?", re.I), None),
    ("spo2", re.compile(r"\b(?:SpO2|SaO2|sats?|O2\s*sat(?:uration)?|oxygen\s*saturation)" + _SEP + r"(\d{2,3})\s*%?", re.I), "%"),
    ("creatinine_mg_dl", re.compile(r"\b(?:creatinine|creat|SCr|Cr)" + _SEP + _NUM + r"\s*(mg/?dl|[uµμ]mol/?l)?", re.I), None),
    ("weight_kg", re.compile(r"\b(?:weight|wt|weighs|weighing)" + _SEP + _NUM + r"\s*(kg|lbs?)\b", re.I), None),
    ("sodium", re.compile(r"\b(?:sodium|Na\+?)" + _SEP + r"(\d{3})\s*(mmol/?l|meq/?l)?", re.I), "mmol/L"),
    ("glucose_mg_dl", re.compile(r"\b(?:glucose|BG|blood sugar)" + _SEP + _NUM + r"\s*(mg/?dl|mmol/?l)?", re.I), None),
    ("hematocrit", re.compile(r"\b(?:hct|ha?ematocrit)" + _SEP + _NUM + r"\s*%?", re.I), "%"),
    ("ph", re.compile(r"\b(?:arterial\s*)?pH" + _SEP + r"([67]\.\d+)", re.I), ""),
    ("pao2", re.compile(r"\b(?:PaO2|pO2)" + _SEP + _NUM + r"\s*(mm\s?hg|kpa)?", re.I), None),
    ("bilirubin_mg_dl", re.compile(r"\b(?:bilirubin|bili|TBil)" + _SEP + _NUM + r"\s*(mg/?dl|[uµμ]mol/?l)?", re.I), None),
    ("albumin_g_dl", re.compile(r"\b(?:albumin|alb)" + _SEP + _NUM + r"\s*(g/?dl|g/?l)?", re.I), None),
    ("inr", re.compile(r"\bINR" + _SEP + _NUM, re.I), ""),
    ("ast", re.compile(r"\b(?:AST|SGOT)" + _SEP + _NUM, re.I), "U/L"),
    ("alt", re.compile(r"\b(?:ALT|SGPT)" + _SEP + _NUM, re.I), "U/L"),
    ("platelets", re.compile(r"\b(?:platelets?|plts?|PLT)" + _SEP + _NUM + r"\s*(x?\s?10\^?9/l|x?\s?10\^?3/[uµμ]l|k/[uµμ]l|/[uµμ]l)?", re.I), None),
    ("gcs_total", re.compile(r"\bGCS" + _SEP + r"(\d{1,2})\b", re.I), ""),
    ("alcohol_per_week", re.compile(_NUM + r"\s*(?:alcoholic\s*)?(?:drinks?|units?)\s*(?:a|per|/)\s*week", re.I), ""),
]
_BP = re.compile(r"\b(?:BP|blood\s*pressure)" + _SEP + r"(\d{2,3})\s*/\s*(\d{2,3})", re.I)
_SBP = re.compile(r"\b(?:SBP|systolic(?:\s*BP)?)" + _SEP + r"(\d{2,3})\b", re.I)
_AGE = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:-\s*)?(?:years?(?:[- ]old)?|yrs?|y/?o|yo)\b|\b(?:age|aged)\s*:?\s*(\d{1,3})\b", re.I)
_SEX = re.compile(r"\b(female|woman|lady|girl|male|man|gentleman|boy)\b", re.I)
_GCS_PARTS = re.compile(r"\bE\s?([1-4])\s*V\s?([1-5])\s*M\s?([1-6])\b")

# (key, pattern): a True finding unless negated
_FINDINGS: list[tuple[str, str]] = [
    ("confusion", r"confus(ed|ion)|disorient(ed|ation)|delirium|altered mental(ion| status)?|new confusion"),
    ("hemoptysis", r"ha?emoptysis|coughing (up )?blood"),
    ("leg_swelling", r"(unilateral |one[- ]sided )?leg swelling|swollen (left |right )?leg|calf swelling"),
    ("dvt_signs", r"signs of (a )?DVT|clinical signs of DVT"),
    ("pe_most_likely", r"PE (is )?(the )?(most likely|#1|first)|pulmonary embolism (is )?(the )?most likely"),
    ("recent_surgery", r"recent (surgery|operation|trauma)|post[- ]?op(erative)?|surgery (\d+|two|three) (days|weeks) ago"),
    ("immobilisation", r"immobili[sz](ed|ation)|bed[- ]?(bound|ridden)"),
    ("prior_dvt_pe", r"(previous|prior|history of|past) (DVT|PE|VTE|pulmonary embol\w*|deep vein thrombosis)"),
    ("malignancy", r"cancer|malignan\w*|carcinoma|metasta\w*|chemotherapy"),
    ("estrogen", r"oestrogen|estrogen|oral contraceptive|\bOCP\b|\bHRT\b|hormone replacement"),
    ("on_oxygen", r"on (supplemental |nasal )?(O2|oxygen)|supplemental oxygen|\d+ ?l(/min)? (O2|oxygen)"),
    ("labile_inr", r"labile INR|unstable INR|TTR (below|under|<) ?60"),
    ("heart_failure", r"heart failure|\bCHF\b|\bLVSD\b|LV dysfunction"),
    ("hypertension", r"hypertension|hypertensive|\bHTN\b"),
    ("diabetes", r"diabet\w*|\bT[12]DM\b|\bDM\b"),
    ("stroke_tia_te", r"\bstroke\b|\bTIA\b|transient isch(a)?emic|systemic embol\w*"),
    ("vascular_disease", r"myocardial infarction|\bMI\b|peripheral (arterial|artery|vascular) disease|\bPAD\b|aortic plaque"),
    ("bleeding", r"(major |prior |previous )?bleed(ing)?|ha?emorrhage"),
    ("liver_disease", r"cirrhosis|chronic liver disease"),
    ("on_dialysis", r"dialysis"),
    ("atrial_fibrillation", r"atrial fibrillation|\bAF\b|\bAFib\b"),
    ("cough", r"\bcough(ing)?\b"),
    ("tonsillar_exudate", r"tonsil(lar)? (exudate|swelling)|exudative tonsil\w*|swollen tonsils"),
    ("tender_nodes", r"tender (anterior )?(cervical )?(lymph )?nodes|cervical lymphadenopathy|tender lymphadenopathy"),
    ("fever", r"\bfever|febrile|pyrexi\w*"),
    ("nursing_home", r"nursing home|care home"),
    ("pleural_effusion", r"pleural effusion"),
    ("alt_dx_likely", r"alternative diagnosis (is )?(at least )?as likely|alternative diagnosis more likely"),
    ("family_history_cad", r"family history of (premature )?(CAD|coronary|heart disease|MI)"),
    ("smoker", r"\bsmoker\b|\bsmokes\b|smoking"),
]
_ASCITES = re.compile(r"\b(no|mild|moderate|severe|tense|refractory)\s+ascites\b|\bascites\s*:?\s*(none|absent|mild|moderate|severe)\b", re.I)
_ENCEPH = re.compile(r"\b(no|grade\s*[1-4]|mild|severe)\s+(hepatic\s+)?encephalopathy\b|\bencephalopathy\s*(grade\s*[1-4]|none|absent)\b", re.I)
_ECG = re.compile(r"\bECG\s*:?\s*(normal|non[- ]?specific|repolari[sz]ation|ST (depression|elevation|deviation))", re.I)
_HISTORY = re.compile(r"\b(slightly|moderately|highly) suspicious\b", re.I)
_TROPONIN = re.compile(r"\btroponin\s*:?\s*(normal|negative|<\s*1x?|1-3x|1 ?to ?3 ?x|>\s*3x|more than 3x|3x)", re.I)
_SCALE2 = re.compile(r"\b(SpO2 )?scale\s*2\b|hypercapnic respiratory failure", re.I)
_ACVPU = re.compile(r"\b(alert|responds to voice|responds to pain|unresponsive)\b", re.I)


def _negated(text: str, start: int) -> bool:
    return _NEG.search(text[max(0, start - 40):start]) is not None


def parse_values(text: str) -> dict[str, tuple[Any, str, str]]:
    """Score inputs written in `text`, each as (value, unit, matched text).

    Raises:
        UserError: a value written with a unit that cannot be converted.
    """
    out: dict[str, tuple[Any, str, str]] = {}
    if not text:
        return out
    if (m := _BP.search(text)):
        out["sbp"] = (float(m.group(1)), "mmHg", m.group(0))
        out["dbp"] = (float(m.group(2)), "mmHg", m.group(0))
    elif (m := _SBP.search(text)):
        out["sbp"] = (float(m.group(1)), "mmHg", m.group(0))
    for key, rx, default in _NUMBERS:
        m = rx.search(text)
        if not m:
            continue
        value = float(m.group(1))
        unit = (m.group(2) if (m.lastindex or 0) >= 2 else None) or default
        span = m.group(0).strip()
        if key == "urea_mmol":
            if unit is None:  # BUN is reported in mg/dL, urea in mmol/L
                unit = "mg/dL" if re.match(r"bun|blood urea nitrogen", span, re.I) else "mmol/L"
        elif key == "creatinine_mg_dl" and unit is None:
            unit = "umol/L" if value > 20 else "mg/dL"
        elif key == "glucose_mg_dl" and unit is None:
            unit = "mmol/L" if value < 35 else "mg/dL"
        elif key == "bilirubin_mg_dl" and unit is None:
            unit = "umol/L" if value > 15 else "mg/dL"
        elif key == "albumin_g_dl" and unit is None:
            unit = "g/L" if value > 10 else "g/dL"
        elif key == "platelets" and unit is None:
            unit = "10^9/L"
        elif key == "pao2" and unit is None:
            unit = "kPa" if value < 25 else "mmHg"
        elif key == "temp_c" and unit is not None:
            unit = "degF" if "f" in unit.lower() else "Cel"
        elif key == "weight_kg" and unit is None:
            unit = "kg"
        if key in ("temp_c", "weight_kg", "urea_mmol", "creatinine_mg_dl", "glucose_mg_dl", "bilirubin_mg_dl",
                   "albumin_g_dl", "platelets", "pao2"):
            value = round(to_canonical(key, value, unit), 3)
        out[key] = (value, unit or "", span)
    if (m := _AGE.search(text)):
        out["age"] = (int(m.group(1) or m.group(2)), "years", m.group(0))
    if (m := _SEX.search(text)):
        out["female"] = (m.group(1).lower() in ("female", "woman", "lady", "girl"), "", m.group(0))
    if (m := _GCS_PARTS.search(text)):
        out["gcs_eye"], out["gcs_verbal"], out["gcs_motor"] = ((int(m.group(i)), "", m.group(0)) for i in (1, 2, 3))
    for key, pattern in _FINDINGS:
        for m in re.finditer(pattern, text, re.I):
            out[key] = (not _negated(text, m.start()), "", m.group(0))
            break
    if "cough" in out:
        out["no_cough"] = (not out.pop("cough")[0], "", "cough")
    if (m := _ASCITES.search(text)):
        word = (m.group(1) or m.group(2)).lower()
        out["ascites"] = ({"no": "none", "none": "none", "absent": "none", "mild": "mild", "moderate": "mild"}.get(word, "severe"),
                          "", m.group(0))
    if (m := _ENCEPH.search(text)):
        word = (m.group(1) or m.group(3) or "").lower().replace(" ", "")
        grade = "none" if word in ("no", "none", "absent") else "grade_3_4" if word in ("grade3", "grade4", "severe") \
            else "grade_1_2"
        out["encephalopathy"] = (grade, "", m.group(0))
    if (m := _ECG.search(text)):
        w = m.group(1).lower()
        out["heart_ecg"] = (0 if w == "normal" else 2 if w.startswith("st") else 1, "", m.group(0))
    if (m := _HISTORY.search(text)):
        out["heart_history"] = ({"slightly": 0, "moderately": 1, "highly": 2}[m.group(1).lower()], "", m.group(0))
    if (m := _TROPONIN.search(text)):
        w = m.group(1).lower().replace(" ", "")
        out["heart_troponin"] = (0 if w in ("normal", "negative") or w.startswith("<") else 2 if (">" in w or "more" in w)
                                 else 1, "", m.group(0))
    if (m := _SCALE2.search(text)):
        out["spo2_scale"] = ("scale_1" if _negated(text, m.start()) else "scale_2", "", m.group(0))
    if (m := _ACVPU.search(text)) and not _negated(text, m.start()):
        out["consciousness"] = ({"alert": "alert", "responds to voice": "voice", "responds to pain": "pain",
                                 "unresponsive": "unresponsive"}[m.group(1).lower()], "", m.group(0))
    if "confusion" in out and out["confusion"][0] and "consciousness" not in out:
        out["consciousness"] = ("confusion", "", out["confusion"][2])
    if re.search(r"\broom air\b", text, re.I) and "on_oxygen" not in out:
        out["on_oxygen"] = (False, "", "room air")
    return out
