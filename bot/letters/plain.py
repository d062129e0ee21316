"""Plain-language names for common record terms, units and test names ("Essential hypertension" ->
"high blood pressure (essential hypertension)", "mm[Hg]" -> "mmHg").

A letter shows the plain name with the record's own term in brackets, so nothing is lost; terms not
listed keep their record name (with the SNOMED CT tag removed). No digits appear in the plain names,
so they cannot add a number to a letter.
"""

from __future__ import annotations

import re

from bot.cases.classify import clean_display

# (pattern on the record term, plain name)
PLAIN: list[tuple[str, str]] = [
    (r"essential hypertension|^hypertension", "high blood pressure"),
    (r"hyperlipid|hypercholesterol", "high cholesterol or blood fats"),
    (r"type 2 diabetes|diabetes mellitus type 2", "type two diabetes"),
    (r"prediabetes", "blood sugar above normal"),
    (r"ischemic heart disease|coronary", "narrowed heart arteries"),
    (r"chronic kidney disease", "reduced kidney function"),
    (r"anemia|anaemia", "low red blood cells"),
    (r"obesity|body mass index 30", "weight above the healthy range"),
    (r"chronic obstructive|copd|emphysema", "long-term lung disease"),
    (r"asthma", "asthma"),
    (r"osteoarthritis", "wear-and-tear arthritis"),
    (r"osteoporosis", "thinning bones"),
    (r"atrial fibrillation", "irregular heartbeat"),
    (r"heart failure", "the heart pumping less well than it should"),
    (r"hypothyroid", "underactive thyroid"),
    (r"gout", "gout"),
    (r"migraine", "migraine headaches"),
    (r"sinusitis", "sinus infection"),
    (r"pharyngitis", "sore throat"),
    (r"bronchitis", "chest infection"),
    (r"gingivitis|gingival disease", "gum disease"),
    (r"chronic pain", "long-term pain"),
    (r"anxiety", "anxiety"),
    (r"depress", "depression"),
]
_COMPILED = [(re.compile(p, re.I), name) for p, name in PLAIN]


def plain_name(term: str) -> str:
    """The plain name of a record term, with the record's term kept in brackets when it differs."""
    clean = clean_display(term)
    for pattern, name in _COMPILED:
        if pattern.search(clean):
            return name if name.lower() == clean.lower() else f"{name} ({clean.lower()})"
    return clean if clean[:2].isupper() else clean[:1].lower() + clean[1:]  # keep acronyms (COPD)


_UNITS = {"mm[Hg]": "mmHg", "Cel": "°C", "/min": "per minute", "{score}": "points", "kg/m2": "kg/m²",
          "[degF]": "°F", "[lb_av]": "lb", "[in_i]": "in"}
_LOINC_AXES = re.compile(r"\s*\[[^\]]*\]")


def plain_unit(unit: str | None) -> str:
    """A unit as people write it ("mm[Hg]" -> "mmHg", "Cel" -> "°C"); others unchanged."""
    return _UNITS.get(unit or "", unit or "")


def plain_test(name: str) -> str:
    """A test name without LOINC's bracketed axes ("Calcium [Mass/volume] in Blood" -> "Calcium in Blood")."""
    return _LOINC_AXES.sub("", name).strip() or name
