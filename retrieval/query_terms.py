"""Query rewriting before search (pure): lay <-> clinical synonyms, numbers glued to their word,
and the question type a consumer question asks for (MedQuAD's `qtype`)."""

from __future__ import annotations

import re

# Groups of equivalent lay and clinical terms; a query holding one gets the others added.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("heart attack", "myocardial infarction", "acute coronary syndrome"), ("high blood pressure", "hypertension"),
    ("low blood pressure", "hypotension"), ("high blood sugar", "hyperglycemia"), ("low blood sugar", "hypoglycemia"),
    ("blood clot", "thrombosis"), ("mini-stroke", "transient ischemic attack"), ("mini stroke", "transient ischemic attack"),
    ("shortness of breath", "dyspnea"), ("high cholesterol", "hypercholesterolemia"), ("blood thinner", "anticoagulant"),
    ("water pill", "diuretic"), ("irregular heartbeat", "arrhythmia"), ("kidney failure", "renal failure"),
    ("chest pain", "angina"), ("heartburn", "gastroesophageal reflux"), ("brain bleed", "intracranial hemorrhage"),
    ("blood poisoning", "sepsis"), ("warning signs", "symptoms"), ("overdose", "poisoning"),
    ("long term", "long-term", "indefinitely", "lifelong"),
    ("underactive thyroid", "hypothyroidism"), ("overactive thyroid", "hyperthyroidism"),
    ("ear infection", "otitis media"), ("ear infections", "otitis media"),
    ("bladder infection", "cystitis", "urinary tract infection"), ("dehydrated", "dehydration"),
    ("high potassium", "hyperkalemia"), ("hyperkalaemia", "hyperkalemia"), ("low potassium", "hypokalemia"),
    ("keep my cholesterol down", "lower cholesterol"),
    ("throwing up", "vomiting"), ("a cold", "common cold"), ("head cold", "common cold"),
    ("colonoscopy", "colonoscopies", "colorectal cancer screening"), ("mammogram", "mammograms", "breast cancer screening"),
    ("pap smear", "pap test", "cervical cancer screening"), ("psa test", "prostate cancer screening"),
    ("burnt", "burns"), ("burned", "burns"), ("scalded", "burns"),
    ("stung", "insect bites and stings"), ("bee sting", "insect bites and stings"), ("wasp sting", "insect bites and stings"), ("stomach flu", "gastroenteritis"), ("pink eye", "conjunctivitis"),
    ("hay fever", "allergic rhinitis"), ("cold sore", "herpes simplex"), ("water on the brain", "hydrocephalus"),
)

# Clinicians' shorthand, spelled out (one way: "treatment" in a query does not add "tx").
ABBREVIATIONS: dict[str, str] = {
    "tx": "treatment", "rx": "treatment", "mgmt": "management", "abx": "antibiotics", "dx": "diagnosis",
    "htn": "hypertension", "afib": "atrial fibrillation", "a fib": "atrial fibrillation", "t2dm": "type 2 diabetes",
    "t2d": "type 2 diabetes", "t1dm": "type 1 diabetes", "dm2": "type 2 diabetes", "chf": "heart failure",
    "hfref": "heart failure reduced ejection fraction", "ckd": "chronic kidney disease",
    "copd": "chronic obstructive pulmonary disease", "uti": "urinary tract infection", "dvt": "deep vein thrombosis",
    "vte": "venous thromboembolism", "dka": "diabetic ketoacidosis", "gerd": "gastroesophageal reflux",
    "ssri": "selective serotonin reuptake inhibitor", "nsaid": "nonsteroidal anti-inflammatory drug",
    "nsaids": "nonsteroidal anti-inflammatory drugs", "ppi": "proton pump inhibitor", "h pylori": "helicobacter pylori",
    "acs": "acute coronary syndrome", "stemi": "myocardial infarction",
    "nstemi": "myocardial infarction", "mi": "myocardial infarction", "tia": "transient ischemic attack",
    "pt": "patient", "yo": "year old", "st johns wort": "st john's wort hypericum", "dm": "diabetes mellitus",
    "cad": "coronary artery disease", "hld": "hyperlipidemia", "hf": "heart failure", "pna": "pneumonia",
    "bph": "benign prostatic hyperplasia", "oa": "osteoarthritis",
}

# Question types of MedQuAD and the words that ask for them (first match wins).
QTYPE_CUES: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(rx, re.I)) for name, rx in (
    ("symptoms", r"\b(symptoms?|signs?|warning|feel like|look like|how (?:can|do|would|will) (?:i|you|we) (?:tell|know) (?:if|whether))\b"),
    ("complications", r"\bcomplications?\b"),
    ("exams and tests", r"\b(diagnos\w*|tests?|tested|screen\w*|detect\w*)\b"),
    ("prevention", r"\b(prevent\w*|avoid\w*|lower (?:my|the|your) risk)\b"),
    ("treatment", r"\b(treat\w*|therap\w*|first[- ]line|cure\w*|manag\w*|medications?|medicines?|drugs? for|"
                  r"take for|get rid of|relie(?:f|ve)\w*|remed(?:y|ies))\b"),
    ("causes", r"\b(caus\w*|why do\w*|what makes|triggers?|triggered|sets? off|brings? on)\b"),
    ("outlook", r"\b(outlook|prognosis|life expectancy|surviv\w*|how long (?:does|do|will|can) .{0,40}\blast)\b"),
    ("susceptibility", r"\b(who (?:is|gets|get)|at risk|risk factors?)\b"),
    ("frequency", r"\b(how common|how many|prevalen\w*)\b"),
    ("inheritance", r"\b(inherit\w*|passed down|hereditary|run in families)\b"),
    ("genetic changes", r"\b(genes?|genetic|mutations?)\b"),
    ("information", r"^\s*(what is|what are|what's|tell me about|explain|information about|do you have information)\b"),
))
# Words whose number names a kind ("type 2", "stage 3", "covid 19"); a number after any other word is a
# value ("potassium 5.9", "egfr 45") and the word must stay a term of its own.
_NUMBERED = ("type|types|stage|stages|grade|class|phase|covid|hpv|hiv|hsv|trisomy|factor|chromosome|omega|"
             "interleukin|il|cd|apoe|tier|schedule|step|level")
_NUMBER = re.compile(rf"\b({_NUMBERED})[ -](\d{{1,2}})\b(?![.,]\d)", re.IGNORECASE)
_WORDS = re.compile(r"[a-z0-9]+")


def glue_numbers(text: str) -> str:
    """'type 2 diabetes' -> 'type2 diabetes', so that a tokenizer dropping one-character tokens keeps it.

    Only after a word that names a kind by number (`_NUMBERED`): 'potassium 5.9' and 'egfr 45' stay apart.
    """
    return _NUMBER.sub(r"\1\2", text)


_ABBREVIATED = "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len, reverse=True))
_NEGATED = re.compile(rf"(?i)\b(without|w/o|no|not|non-?)\s+({_ABBREVIATED})(?![A-Za-z0-9])")


def drop_negated(query: str) -> str:
    """'in a 55yo pt without CKD' -> 'in a 55yo pt without': a condition the question rules out is not searched for."""
    return _NEGATED.sub(r"\1", query)


_SHORTHAND = re.compile(rf"(?i)(?<![A-Za-z0-9])({_ABBREVIATED})(?![A-Za-z0-9])")


def spell_out(query: str) -> str:
    """The query with clinicians' shorthand replaced in place ("first line tx for HTN" -> "first line
    treatment for hypertension"), for an embedder that never learnt the abbreviations."""
    return _SHORTHAND.sub(lambda m: ABBREVIATIONS[m.group(1).lower()], drop_negated(query))


def add_synonyms(query: str) -> str:
    """The query with the other terms of each lay/clinical group it mentions appended (and a
    shorthand condition the question rules out, "without CKD", left out)."""
    query = drop_negated(query)
    low = words(query)
    extra = [full for short, full in ABBREVIATIONS.items() if words(short) in low and words(full) not in low]
    for group in SYNONYMS:
        if any(words(t) in low for t in group):
            extra.extend(t for t in group if words(t) not in low)
    return query + (" " + " ".join(dict.fromkeys(extra)) if extra else "")


# "potassium 5.9 on my blood test, should i worry", "my TSH is 8.5 what does it mean": a result to
# read, not a question about how a disease is tested for.
_LAB_RESULT = re.compile(r"(?i)\b(?:on|in|from) my (?:blood ?(?:test|work)|labs?|results?)\b|"
                         r"\b\d+(?:[.,]\d+)?\s*(?:mg/dl|mmol/l|%|ng/ml|miu/l|u/l|g/dl)?\s*(?:on|in)? ?(?:my )?"
                         r"(?:blood ?test|labs?|results?)?\W{0,3}\b(?:is that|what does|should i worry|mean|normal|bad|good)\b|"
                         r"\bmy \w+(?: \w+)? (?:is|was|came back(?: at)?) \d")


def question_type(query: str) -> str | None:
    """The MedQuAD question type a query asks for, or None when no cue says (and for a lab result
    to read: "potassium 5.9 on my blood test" asks what the number means, not how a disease is tested)."""
    if _LAB_RESULT.search(query):
        return None
    for name, rx in QTYPE_CUES:
        if rx.search(query):
            return name
    return None


def words(text: str) -> str:
    """Lower-case words joined by single spaces and padded, for whole-phrase containment tests."""
    return " " + " ".join(_WORDS.findall(text.lower())) + " "
