"""Lab results for triage: an INR above the target range and a dangerous potassium, read from numbers.

"My INR is 4.2", "INR 5, no bleeding" and "my INR is too high" mean the anticoagulation needs a
clinician today; with bleeding they are an emergency. A potassium of 6.5 mmol/L or more is an
emergency on its own. Numbers are read after the test's name ("INR was 4.2 yesterday", "potassium
came back at 6.8 mmol/L"); a range or target written with them ("my target is 2.5 to 3.5") sets the
upper limit, and a number followed by another unit (potassium 99 mg tablets) is not a result.

Sources (each rule cites its own):
- INR target range 2.0-3.0 for warfarin: ACC/AHA/ACCP/HRS atrial fibrillation guideline 2023 and ASH
  venous thromboembolism guideline 2020 (recommendation 21), as summarised by `open-medicine`
  (guidelines acc_aha_af_2023 'target INR is 2.0-3.0', ash_vte_2020 'INR range of 2.0-3.0'); the
  open-medicine lab terminology lists INR '0.8-1.2 (normal), 2.0-3.0 (therapeutic)'.
- Mechanical heart valves (upper limit 3.5): 2020 ACC/AHA valvular heart disease guideline (Otto CM
  et al., Circulation 2021;143:e72, doi:10.1161/CIR.0000000000000923): INR goal 3.0 (2.5-3.5) for a
  mechanical mitral valve or an aortic valve with risk factors.
- Above range without bleeding: CHEST antithrombotic guideline (Holbrook A et al., Chest
  2012;141(2 Suppl):e152S, doi:10.1378/chest.11-2295): the dose is held or lowered and the INR
  rechecked by the clinician who manages it; with major bleeding, rapid reversal.
  `open-medicine` bleeding_disorders.json red flags: 'Supratherapeutic INR on warfarin', 'Major
  hemorrhage requiring reversal agents' (DOI 10.1111/ijlh.12822).
- Potassium: European Resuscitation Council Guidelines 2021, cardiac arrest in special
  circumstances (Lott C et al., Resuscitation 2021;161:152, doi:10.1016/j.resuscitation.2021.02.011)
  and UK Kidney Association, Treatment of acute hyperkalaemia in adults (2020/2023): hyperkalaemia
  moderate 6.0-6.4, severe >= 6.5 mmol/L (emergency treatment); severe hypokalaemia < 2.5 mmol/L.
  `open-medicine` acute_kidney_injury.json red flag 'Hyperkalemia requiring emergent treatment'
  (DOI 10.1038/kisup.2012.1). mmol/L and mEq/L are the same number for potassium.
"""

from __future__ import annotations

import re

from bot.safety.presentation import Presentation, _p

__all__ = ["LAB_FINDINGS", "LAB_PRESENTATIONS", "LAB_URGENT", "LAB_THRESHOLD_ROWS", "OTHER_ANALYTE", "lab_measurements",
           "inr_upper_limit"]

INR_UPPER_DEFAULT = 3.0      # ACC/AHA AF 2023, ASH VTE 2020: target 2.0-3.0
INR_UPPER_MECHANICAL = 3.5   # ACC/AHA VHD 2020: mechanical mitral valve 2.5-3.5
K_SEVERE = 6.5               # ERC 2021 / UKKA: severe hyperkalaemia, emergency
K_MODERATE = 6.0             # ERC 2021 / UKKA: moderate hyperkalaemia
K_VERY_LOW = 2.5             # ERC 2021: severe hypokalaemia

# Lay words (the numbers come from `lab_measurements`); negation is applied by `concepts.findings`.
LAB_FINDINGS: dict[str, str] = {
    "inr_high": r"(inr|pt/inr|inr level|inr result|inr reading)s? (is |was |has been |came back |has gone |went |'s |are )?"
                r"(too |very |really |quite |a bit |a little |dangerously |way |much )?(high|higher than|elevated|raised|"
                r"over (my |the )?(range|target)|above (my |the )?(range|target))|(high|raised|elevated|supratherapeutic) inr",
    "bleeding_sign": r"\bbleed|bleeding|blood in (my |the |his |her )?(urine|pee|wee|stool|stools|poo|poop|vomit|spit|phlegm|sputum)|"
                     r"(black|tarry) (stool|stools|poo|poop)|(vomit|throw|threw|cough)\w* (up )?blood|nose ?bleed|"
                     r"(red|pink|brown|dark red) (urine|pee|wee)|(pee|urine|wee) (is |looks )?(red|pink|brown)|"
                     r"bruis\w* (all over|everywhere|for no reason|without)|(big|large|huge) bruises",
}

# Another analyte named right before a number: the number is not a blood sugar ("INR reading 2.5").
OTHER_ANALYTE = re.compile(r"\b(inr|pt|potassium|k\+|sodium|a1c|hba1c|tsh|t4|creatinine|egfr|gfr|cholesterol|ldl|hdl|"
                           r"triglycerides?|platelets?|haemoglobin|hemoglobin|hb|ketones?|calcium|magnesium|alt|ast|bilirubin|"
                           r"ferritin|vitamin d|b12|psa|wbc|white (blood )?cells?|urea|bun|albumin)\b")

_NUM = r"(\d{1,2}(?:\.\d{1,2})?)"
_RANGE_WORDS = re.compile(r"target|range|goal|aim|supposed|should|between|usually|normally|meant to|needs to")
_STATED_RANGE = re.compile(r"(target|range|goal|aim|supposed to be|should be|meant to be|between)[^.;!?]{0,25}?"
                           r"(\d(?:\.\d{1,2})?)\s*(?:-|–|to|and)\s*(\d(?:\.\d{1,2})?)")
_IN_RANGE = re.compile(r"\b(in|within|inside) (my |the |its )?(target |normal |therapeutic )?range\b|\bon target\b|\bin target\b")
_MECHANICAL = re.compile(r"mechanical (heart |mitral |aortic )?valve|metal (heart )?valve|(mitral|aortic) valve replacement")
_INR_NAME = re.compile(r"\b(?:pt/)?inr\b")
_NUMBER = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2})?)(?![\d])(\s*(?:-|–|to|and)\s*\d{1,2}(?:\.\d{1,2})?)?")
_K_VALUE = re.compile(r"(potassium|\bk\+|\bserum k\b|\bk (?:level|of|was|is))([^.,;!?\d]{0,30}?)" + _NUM +
                      r"(?!\d)(\s*(?:mmol|meq|m eq|mm)\w*(?:/l| per l\w*)?)?(\s*(?:-|–|to)\s*\d)?(\s*(?:mg|g\b|grams?|tablets?|"
                      r"pills?|caps|capsules?|supplements?|mcg|%))?")


def inr_upper_limit(text: str) -> float:
    """The INR above which a reading is above range: a stated range's top, 3.5 with a mechanical valve, else 3.0."""
    m = _STATED_RANGE.search(text)
    if m:
        top = float(m.group(3))
        if 1.5 <= top <= 4.5:
            return top
    return INR_UPPER_MECHANICAL if _MECHANICAL.search(text) else INR_UPPER_DEFAULT


def inr_readings(text: str) -> list[float]:
    """INR results in normalised text: numbers after "INR" in the same sentence that are not a target or a range.

    "my target INR is 2.5 and today it was 3.8" gives [3.8]; "INR 2-3" and "should be 2.5" give nothing.
    """
    out: list[float] = []
    for name in _INR_NAME.finditer(text):
        window = re.split(r"[!?;]|\.(?!\d)", text[name.end():name.end() + 80])[0]
        before = text[max(0, name.start() - 20):name.start()]
        anchor = 0
        for m in _NUMBER.finditer(window):
            seg = (before if anchor == 0 else "") + window[anchor:m.start()]
            anchor = m.end()
            if m.group(2) or _RANGE_WORDS.search(seg) or re.match(r"\s*(%|mg|ml|days?|weeks?|hours?|times|x\b)", window[m.end():]):
                continue
            v = float(m.group(1))
            if v <= 25:
                out.append(v)
    return out


def lab_measurements(text: str) -> set[str]:
    """Findings from lab numbers in normalised text: inr_high, potassium_severe, potassium_high, potassium_very_low."""
    out: set[str] = set()
    if "inr" in text:
        upper = inr_upper_limit(text)
        said_in_range = bool(_IN_RANGE.search(text))
        for v in inr_readings(text):
            if v > upper and not (said_in_range and v <= INR_UPPER_MECHANICAL):
                out.add("inr_high")
    if "potassium" in text or "k" in text:
        for m in _K_VALUE.finditer(text):
            if _RANGE_WORDS.search(m.group(2)) or m.group(5) or m.group(6):  # a range, or mg / tablets: not a result
                continue
            v = float(m.group(3))
            if not 1.0 <= v < 10.0:
                continue
            if v >= K_SEVERE:
                out.add("potassium_severe")
            if v >= K_MODERATE:
                out.add("potassium_high")
            if v < K_VERY_LOW:
                out.add("potassium_very_low")
    return out


A = "adult"
_INR_SRC = ("ACC/AHA AF 2023 and ASH VTE 2020 target INR 2.0-3.0 (open-medicine summaries); CHEST 2012 (Holbrook, "
            "doi:10.1378/chest.11-2295); OM bleeding_disorders.json 'Supratherapeutic INR on warfarin', "
            "'Major hemorrhage requiring reversal agents' (DOI 10.1111/ijlh.12822)")
_K_SRC = ("ERC 2021 special circumstances (Lott, doi:10.1016/j.resuscitation.2021.02.011) and UK Kidney Association 2020 "
          "acute hyperkalaemia: severe >= 6.5 mmol/L; OM acute_kidney_injury.json 'Hyperkalemia requiring emergent "
          "treatment' (DOI 10.1038/kisup.2012.1)")

LAB_PRESENTATIONS: list[Presentation] = [
    _p("bleeding with a high INR", A, "INR above the target range with bleeding (blood thinner: warfarin)",
       ["inr_high bleeding_sign|bleeding_uncontrolled|haematemesis|melaena|haemoptysis"], _INR_SRC),
    _p("severe hyperkalaemia", A, "very high potassium (6.5 mmol/L or more)", ["potassium_severe"], _K_SRC),
]
LAB_URGENT: list[Presentation] = [
    _p("INR above range", A, "INR above the target range (call the clinician or anticoagulation clinic that manages "
       "it today, before the next dose)", ["inr_high"], _INR_SRC, level="urgent"),
    _p("high potassium", A, "high potassium (6.0 mmol/L or more)", ["potassium_high"], _K_SRC, level="urgent"),
    _p("very low potassium", A, "very low potassium (below 2.5 mmol/L)", ["potassium_very_low"],
       "ERC 2021 special circumstances: severe hypokalaemia < 2.5 mmol/L (Lott, doi:10.1016/j.resuscitation.2021.02.011)",
       level="urgent"),
]
# (finding, quantity, rule, source) rows for `concepts.THRESHOLDS`.
LAB_THRESHOLD_ROWS: list[tuple[str, str, str, str]] = [
    ("inr_high", "INR", "> 3.0 (> 3.5 with a mechanical valve; a range stated in the message wins)",
     "ACC/AHA AF 2023 / ASH VTE 2020 target 2.0-3.0; ACC/AHA VHD 2020 mechanical mitral 2.5-3.5; OM "
     "bleeding_disorders.json 'Supratherapeutic INR on warfarin' (DOI 10.1111/ijlh.12822)"),
    ("potassium_severe", "serum potassium", ">= 6.5 mmol/L (mEq/L)", _K_SRC),
    ("potassium_high", "serum potassium", ">= 6.0 mmol/L (moderate hyperkalaemia)", "ERC 2021 / UK Kidney Association 2020"),
    ("potassium_very_low", "serum potassium", "< 2.5 mmol/L (severe hypokalaemia)", "ERC 2021 special circumstances"),
]
