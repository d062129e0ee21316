"""Code sets that map a record to score inputs: conditions (SNOMED CT, ICD-10, words), observations
(LOINC) and medicines (ingredient names).

A condition set matches a Condition by SNOMED CT code, by ICD-10(-CM) code prefix, or (for notes and
uncoded entries) by a word pattern on its text. Observation sets list LOINC codes; units are checked
and converted where the value is read (`bot.scores.units`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ConditionSet:
    """One clinical concept as the scores define it."""

    label: str
    snomed: frozenset[str] = field(default_factory=frozenset)
    icd10: tuple[str, ...] = ()
    words: str = ""  # regex on the display text (case-insensitive)

    def matches(self, codes: set[str], text: str) -> bool:
        for c in codes:
            system, _, code = c.partition(":")
            if system == "SNOMED" and code in self.snomed:
                return True
            if system == "ICD10" and code.replace(".", "").upper().startswith(tuple(p.replace(".", "") for p in self.icd10)):
                return True
        if any(c.startswith(("SNOMED:", "ICD10:")) for c in codes):
            return False  # a coded entry is judged by its codes only (words would match "prediabetes")
        return bool(self.words) and re.search(self.words, text or "", re.I) is not None


def _s(*codes: str) -> frozenset[str]:
    return frozenset(codes)


CONDITIONS: dict[str, ConditionSet] = {
    "atrial_fibrillation": ConditionSet("atrial fibrillation or flutter", _s("49436004", "5370000", "440059007", "282825002"),
                                        ("I48",), r"\batrial (fibrillation|flutter)\b|\bAF\b"),
    "heart_failure": ConditionSet("heart failure or LV systolic dysfunction",
                                  _s("84114007", "88805009", "42343007", "85232009", "417996009", "703272007", "134401001"),
                                  ("I50", "I11.0", "I13.0", "I13.2"), r"heart failure|\bCHF\b|LV(SD| systolic dysfunction)|cardiac failure"),
    "hypertension": ConditionSet("hypertension (diagnosis)", _s("38341003", "59621000", "1201005", "73410007"),
                                 ("I10", "I11", "I12", "I13", "I15"), r"hypertension|\bHTN\b"),
    "diabetes": ConditionSet("diabetes mellitus", _s("44054006", "46635009", "73211009", "127013003", "90781000119102",
                                                     "368581000119106", "1551000119108", "97331000119101", "157141000119108"),
                             ("E10", "E11", "E13", "E14"), r"(?<!pre)(?<!pre-)diabet"),
    "stroke_tia_te": ConditionSet("stroke, TIA or thromboembolism", _s("230690007", "422504002", "266257000", "432504007",
                                                                      "195190007", "413758000"),
                                  # systemic (arterial) thromboembolism only: venous thromboembolism is not a criterion
                                  ("I63", "I64", "G45", "I74", "Z86.73"),
                                  r"\bstroke\b|cerebral infarct|transient isch(a)?emic|\bTIA\b|systemic embol|arterial embol"),
    "stroke": ConditionSet("stroke", _s("230690007", "422504002", "432504007", "195190007", "413758000", "266257000"),
                           ("I60", "I61", "I62", "I63", "I64", "Z86.73"), r"\bstroke\b|cerebral infarct|intracerebral ha?emorrhage"),
    "vascular_disease": ConditionSet("vascular disease (MI, PAD, aortic plaque)",
                                     _s("22298006", "399211009", "401303003", "401314000", "399957001", "840580004",
                                        "233958001", "1755008"),
                                     ("I21", "I22", "I25.2", "I70", "I73.9"),
                                     r"myocardial infarction|\bMI\b|peripheral (arterial|artery|vascular) disease|\bPAD\b|aortic plaque"),
    "atherosclerosis": ConditionSet("atherosclerotic disease (prior MI, PCI/CABG, stroke/TIA, PAD)",
                                    _s("22298006", "399211009", "401303003", "401314000", "53741008", "414545008",
                                       "230690007", "266257000", "399957001", "840580004", "1755008"),
                                    ("I20", "I21", "I22", "I25", "I63", "G45", "I70", "I73.9", "Z95.1", "Z95.5"),
                                    r"coronary|myocardial infarction|\bstroke\b|transient ischemic|peripheral (arterial|artery) disease|atheroscl"),
    "hyperlipidemia": ConditionSet("hypercholesterolaemia", _s("55822004", "13644009", "267432004", "398036000"),
                                   ("E78.0", "E78.2", "E78.4", "E78.5"), r"hyperlipid|hypercholesterol|dyslipid"),
    "obesity": ConditionSet("obesity (BMI > 30)", _s("162864005", "408512008", "414916001", "238136002"),
                            ("E66",), r"obes|body mass index 30\+|body mass index 40\+"),
    "smoker": ConditionSet("current smoker", _s("449868002", "65568007", "77176002"), ("F17",), r"\bsmok|tobacco"),
    "bleeding": ConditionSet("prior major bleeding or predisposition", _s("131148009", "74474003", "37372002", "12063002",
                                                                          "165002", "438599002", "28293008"),
                             ("K92.2", "K92.0", "K92.1", "I61", "D68", "D69.6", "D66", "D67"),
                             r"ha?emorrhag|bleed|ha?emophilia|thrombocytopenia|melena|hematemesis"),
    "cirrhosis_liver": ConditionSet("chronic liver disease or cirrhosis", _s("19943007", "235856003", "197321007",
                                                                            "128302006", "61977001", "235869004"),
                                    ("K70", "K71", "K72", "K73", "K74", "K75.4", "K76.0", "B18"),
                                    r"cirrhosis|chronic (active )?hepatitis|chronic liver|hepatic fibrosis"),
    "dialysis_transplant": ConditionSet("dialysis or kidney transplant", _s("105502003", "46177005", "161665007",
                                                                           "265764009", "302497006", "236435004"),
                                        ("Z99.2", "Z94.0", "N18.6", "Z49"),
                                        r"dialysis|kidney transplant|renal transplant|end[- ]stage renal"),
    "ckd": ConditionSet("chronic kidney disease", _s("709044004", "431855005", "431856006", "433144002", "431857002",
                                                     "46177005", "90688005"),
                        ("N18",), r"chronic kidney disease|\bCKD\b|renal failure|kidney failure"),
    "malignancy": ConditionSet("malignancy", _s("363346000", "254637007", "424132000", "94260004", "126906006",
                                                "93761005", "109838007", "254632001", "92691004", "363406005",
                                                "188151006", "93143009", "91861009"),
                               ("C",), r"cancer|carcinoma|malignan|neoplasm|lymphoma|leuka?emia|sarcoma|metasta"),
    "dvt_pe": ConditionSet("deep vein thrombosis or pulmonary embolism", _s("128053003", "59282003", "706870000",
                                                                           "233935004", "132281000119108"),
                           ("I26", "I82.4", "I82.5", "Z86.71", "Z86.711", "Z86.718"),
                           r"deep (vein|venous) thrombosis|\bDVT\b|pulmonary embol|\bPE\b"),
    "dvt": ConditionSet("deep vein thrombosis", _s("128053003", "132281000119108"), ("I82.4", "I82.5", "Z86.718"),
                        r"deep (vein|venous) thrombosis|\bDVT\b"),
    "pneumonia": ConditionSet("pneumonia", _s("233604007", "385093006", "53084003", "278516003", "75570004"),
                              ("J12", "J13", "J14", "J15", "J16", "J17", "J18"), r"pneumonia"),
    "sepsis": ConditionSet("sepsis or suspected infection", _s("91302008", "10001005", "76571007"),
                           ("A40", "A41", "R65.2"), r"sepsis|septic"),
    "pharyngitis": ConditionSet("sore throat / pharyngitis", _s("405737000", "195662009", "43878008", "162397003"),
                                ("J02", "J03"), r"pharyngitis|sore throat|tonsillitis|strep throat"),
    "chest_pain": ConditionSet("chest pain / acute coronary syndrome", _s("29857009", "274640006", "4557003", "394659003"),
                               ("R07", "I20", "I24"), r"chest pain|angina|acute coronary"),
    "depression": ConditionSet("depression", _s("35489007", "370143000", "36923009", "192080009"),
                               ("F32", "F33"), r"depress"),
    "anxiety": ConditionSet("anxiety", _s("197480006", "21897009", "48694002"), ("F41",), r"anxiety"),
    "head_injury": ConditionSet("head injury or reduced consciousness", _s("82271004", "127295002", "62106007", "3006004"),
                                ("S06", "R40"), r"head injury|concussion|brain injury|coma|unconscious"),
    "hypercapnic_failure": ConditionSet("hypercapnic respiratory failure", _s("65710008", "13645005", "185086009"),
                                        ("J96.02", "J96.12", "J96.22", "J44"), r"hypercapni|COPD|chronic obstructive"),
    "confusion": ConditionSet("new confusion or altered mental status", _s("286933003", "2776000", "419284004"),
                              ("R41.0", "F05"), r"confus|delirium|disorient|altered mental"),
    "hemoptysis": ConditionSet("haemoptysis", _s("66857006"), ("R04.2",), r"ha?emoptysis|coughing (up )?blood"),
    "cough": ConditionSet("cough", _s("49727002", "68154008"), ("R05",), r"\bcough"),
    "fever": ConditionSet("fever", _s("386661006"), ("R50",), r"\bfever\b|pyrexia"),
    "ascites": ConditionSet("ascites", _s("389026000"), ("R18",), r"ascites"),
    "encephalopathy": ConditionSet("hepatic encephalopathy", _s("13920009", "72836002"), ("K72.9", "K76.82"),
                                   r"hepatic encephalopathy"),
    "pleural_effusion": ConditionSet("pleural effusion", _s("60046008"), ("J90", "J91"), r"pleural effusion"),
    "alcohol": ConditionSet("alcohol use disorder (>= 8 drinks a week)", _s("7200002", "15167005", "66590003"),
                            ("F10.1", "F10.2"), r"alcoholism|alcohol (abuse|dependence|use disorder)"),
    "trauma_recent": ConditionSet("injury (fracture, laceration, burn...)", _s(), ("S", "T0", "T1"),
                                  r"fracture|laceration|injury|sprain|burn|contusion|trauma"),
    "nursing_home": ConditionSet("nursing home resident", _s("160734000", "105529008"), ("Z59.3",),
                                 r"nursing home|care home|residential care"),
}

# observations: canonical input -> LOINC codes (first is preferred); units handled in units.py
OBSERVATIONS: dict[str, tuple[str, ...]] = {
    "sbp": ("8480-6",), "dbp": ("8462-4",), "hr": ("8867-4",), "rr": ("9279-1",),
    "temp_c": ("8310-5", "8331-1"), "spo2": ("59408-5", "2708-6"), "weight_kg": ("29463-7",),
    "bmi": ("39156-5",), "creatinine_mg_dl": ("2160-0", "38483-4", "14682-9"),
    "urea_mmol": ("6299-2", "3094-0", "22664-7"), "sodium": ("2951-2", "2947-0"),
    "glucose_mg_dl": ("2339-0", "2345-7", "15074-8"), "hematocrit": ("4544-3", "20570-8"),
    "ph": ("2744-1",), "pao2": ("2703-7",), "bilirubin_mg_dl": ("1975-2", "14631-6"),
    "albumin_g_dl": ("1751-7", "61151-7"), "inr": ("6301-6", "34714-6"), "ast": ("1920-8",), "alt": ("1742-6",),
    "platelets": ("777-3", "26515-7"), "gcs_total": ("9269-2",), "gcs_eye": ("9267-6",), "gcs_verbal": ("9270-0",),
    "gcs_motor": ("9268-4",), "phq9_total": ("44261-6",), "gad7_total": ("70274-6",),
}

# questionnaire items: (canonical, LOINC), in form order
PHQ9_ITEMS = (("phq9_interest", "44250-9"), ("phq9_down", "44255-8"), ("phq9_sleep", "44259-0"),
              ("phq9_energy", "44254-1"), ("phq9_appetite", "44251-7"), ("phq9_self", "44258-2"),
              ("phq9_concentration", "44252-5"), ("phq9_psychomotor", "44253-3"), ("phq9_selfharm", "44260-8"))
GAD7_ITEMS = (("gad7_nervous", "69725-0"), ("gad7_control", "68509-9"), ("gad7_worry", "69733-4"),
              ("gad7_relax", "69734-2"), ("gad7_restless", "69735-9"), ("gad7_annoyed", "69689-8"),
              ("gad7_afraid", "69736-7"))
# LOINC answer codes of the PHQ/GAD frequency scale
FREQUENCY_ANSWERS = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
FREQUENCY_WORDS = {"not at all": 0, "several days": 1, "more than half the days": 2, "nearly every day": 3}
SMOKING_STATUS = "72166-2"
CURRENT_SMOKER = re.compile(r"current (every day |some day )?smoker|smokes tobacco daily|heavy tobacco", re.I)

# medicines by class: ingredient-name patterns on the medication's display text
MEDICINES: dict[str, str] = {
    "anticoagulant": r"warfarin|apixaban|rivaroxaban|dabigatran|edoxaban|heparin|enoxaparin|dalteparin|tinzaparin|"
                     r"fondaparinux|acenocoumarol|phenprocoumon|coumadin|eliquis|xarelto|pradaxa|lovenox",
    "vka": r"warfarin|acenocoumarol|phenprocoumon|coumadin",
    "antiplatelet": r"aspirin|acetylsalicylic|clopidogrel|prasugrel|ticagrelor|dipyridamole|cilostazol|ticlopidine|"
                    r"plavix|brilinta|effient",
    "nsaid": r"ibuprofen|naproxen|diclofenac|celecoxib|meloxicam|indomethacin|ketorolac|ketoprofen|etodolac|"
             r"piroxicam|nabumetone|sulindac|etoricoxib|advil|motrin|aleve",
    "estrogen": r"estradiol|estrogen|mestranol|estropipate|ethinyl|conjugated estrogens|premarin",
}

# procedures that count as surgery (words on the SNOMED display)
SURGERY_WORDS = re.compile(r"ectomy|otomy|ostomy|plasty|arthroplasty|replacement|repair|excision|resection|transplant|"
                           r"amputation|fixation|bypass|surgery|surgical|laparoscop|implantation", re.I)
