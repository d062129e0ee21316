"""The three collections searched together, how a document's kind maps to them, and preferences.

- consumer: NIH consumer-health answers (MedQuAD, kind "medquad"), MedlinePlus health topics ("medlineplus"),
  the lab results guide ("labs").
- guideline: third-party summaries of clinical guidelines (open-medicine, kind "guideline") and USPSTF
  recommendation statements ("uspstf").
- literature: MEDLINE citations, PMC articles and the user's own files (kinds "pubmed", "pmc", "file").

A preference weighs the fused score of each passage by its collection, so the patient audience
sees consumer text first and the clinician audience guidelines and literature first.
"""

from __future__ import annotations

from typing import Any, Mapping

from retrieval.errors import UserError

CONSUMER, GUIDELINE, LITERATURE = "consumer", "guideline", "literature"
COLLECTIONS = (CONSUMER, GUIDELINE, LITERATURE)
KIND_COLLECTION = {"medquad": CONSUMER, "medlineplus": CONSUMER, "labs": CONSUMER, "guideline": GUIDELINE,
                   "uspstf": GUIDELINE}

# Named preferences (audiences): collection -> weight on the fused score.
PREFERENCES: dict[str, dict[str, float]] = {
    "patient": {CONSUMER: 1.0, GUIDELINE: 0.9, LITERATURE: 0.6},
    "clinician": {GUIDELINE: 1.0, LITERATURE: 0.9, CONSUMER: 0.5},
}


def collection_of(kind: str) -> str:
    """The collection of a document kind (anything not bundled knowledge is literature)."""
    return KIND_COLLECTION.get(kind, LITERATURE)


def kinds_of(collections: list[str]) -> set[str] | None:
    """Document kinds of some collections, or None when literature is among them (any other kind)."""
    if LITERATURE in collections:
        return None
    return {k for k, c in KIND_COLLECTION.items() if c in collections}


def check_collections(value: Any) -> list[str]:
    """Validate a `collections` filter: a name or a list of names.

    Raises:
        UserError: unknown or empty names.
    """
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        raise UserError(f"filter collections must be a list of {', '.join(COLLECTIONS)}")
    names = [n.strip().lower() for n in names]
    bad = [n for n in names if n not in COLLECTIONS]
    if bad:
        raise UserError(f"unknown collection(s): {', '.join(bad)} (known: {', '.join(COLLECTIONS)})")
    return list(dict.fromkeys(names))


def preference_weights(prefer: str | Mapping[str, float] | None) -> dict[str, float] | None:
    """Collection weights from a named preference ("patient", "clinician") or an explicit mapping.

    Returns:
        None for no preference (all collections weigh 1.0).

    Raises:
        UserError: unknown name or collection, or a weight outside 0-1.
    """
    if prefer is None or prefer == "":
        return None
    if isinstance(prefer, str):
        if prefer not in PREFERENCES:
            raise UserError(f"unknown preference '{prefer}' (known: {', '.join(PREFERENCES)}, or collection weights)")
        return dict(PREFERENCES[prefer])
    if not isinstance(prefer, Mapping):
        raise UserError("prefer must be 'patient', 'clinician' or a mapping of collection to weight")
    out: dict[str, float] = {}
    for name, w in prefer.items():
        if name not in COLLECTIONS:
            raise UserError(f"unknown collection '{name}' in prefer (known: {', '.join(COLLECTIONS)})")
        try:
            w = float(w)
        except (TypeError, ValueError):
            raise UserError(f"prefer weight of {name} must be a number, got {w!r}") from None
        if not 0.0 <= w <= 1.0:
            raise UserError(f"prefer weight of {name} must be between 0 and 1, got {w}")
        out[name] = w
    return {c: out.get(c, 1.0) for c in COLLECTIONS}


def source_url(kind: str, meta: Mapping[str, Any]) -> str | None:
    """The link of a document: its page URL, else its DOI, PubMed or PMC page."""
    if meta.get("url"):
        return str(meta["url"])
    if meta.get("doi"):
        return f"https://doi.org/{meta['doi']}"
    if meta.get("pmid"):
        return f"https://pubmed.ncbi.nlm.nih.gov/{meta['pmid']}/"
    if meta.get("pmcid"):
        return f"https://www.ncbi.nlm.nih.gov/pmc/articles/{meta['pmcid']}/"
    return None
