"""Tell clinical problems from social and administrative entries on a problem list.

Synthea (and many EHRs) record social determinants ("Full-time employment (finding)") and
administrative situations ("Medication review due (situation)") as Conditions. A summary lists
them apart from disorders. SNOMED CT semantic tags decide first; findings, situations and
events are clinical unless they match a social/administrative pattern.
"""

from __future__ import annotations

import re

SOCIAL_TAGS = {"person", "social concept", "occupation", "environment", "record artifact", "regime/therapy"}
CLINICAL_TAGS = {"disorder", "morphologic abnormality", "disease"}

_SOCIAL_WORDS = re.compile(
    r"employ|labor force|labour force|education|school|military service|social (isolation|contact)|"
    r"limited social|isolation|refugee|housing|homeless|transport|income|poverty|incarcerat|prison|"
    r"criminal record|intimate partner|abuse victim|victim of|risk activity|unhealthy alcohol|"
    r"medication review|review due|lack of access|reports of violence|stress\b|dental care|"
    r"sexual orientation|gender identity|language|insurance|care plan|awaiting|referral",
    re.I)

_TAG = re.compile(r"\(([^()]+)\)\s*$")


def semantic_tag(display: str) -> str | None:
    """The SNOMED CT semantic tag at the end of a display ("Migraine (disorder)" -> "disorder")."""
    m = _TAG.search(display or "")
    return m.group(1).strip().lower() if m else None


def is_social(display: str) -> bool:
    """Whether a problem-list entry is social or administrative rather than clinical.

    Args:
        display: the coded display text of the Condition.

    Returns:
        True for social/administrative entries, False for clinical disorders and findings.
    """
    tag = semantic_tag(display)
    if tag in CLINICAL_TAGS:
        return False
    if tag in SOCIAL_TAGS:
        return True
    return bool(_SOCIAL_WORDS.search(display or ""))


def clean_display(display: str) -> str:
    """Drop the semantic tag for display ("Migraine (disorder)" -> "Migraine")."""
    return _TAG.sub("", display or "").strip() or (display or "").strip()
