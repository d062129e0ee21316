"""Keep dose instructions out of answers to patients about their pharmacogenomic results."""

from __future__ import annotations

import re

DISCUSS = "Discuss these results with your clinician before changing any medicine."

_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|µg|ug|g|ml|mL|units?|%)\b(?:/\w+)?"
    r"|\b(?:doses?|dosing|dosage|titrat\w*|increase|reduce|decrease|lower|raise|double|halve|stop|start|switch)\b"
    r"|\b(?:avoid|use|take|prescribe)\s+(?:\w+\s+){0,3}(?:instead|alternative|at)\b",
    re.I)


def strip_dose_instructions(text: str) -> str:
    """Drop every sentence that gives a dose or tells the reader to change a medicine."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    kept = [p for p in parts if p.strip() and not _DOSE.search(p)]
    return " ".join(kept).strip()
