"""Grounding: fence retrieved passages as data, describe citations and the age of the evidence.

Citation labels and their grammar live in `bot.answers.cite`.

Pure functions over passages (objects with `id`, `text`, `source` dict), tested with literals.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from bot.answers.cite import label


def citation_record(p: Any) -> dict[str, Any]:
    """The `--json` citation object of a passage: id, kind, collection, title, url and the source's
    citation fields (a guideline summary says "summary of <guideline> (doi:...)" in `cite_as`;
    an NIH answer says "NIH, as of 2017" in `note`)."""
    s = p.source
    kind = s.get("kind") or ("pubmed" if s.get("pmid") else "file")
    rec: dict[str, Any] = {"id": label(s), "kind": kind, "collection": s.get("collection") or "literature",
                           "title": s.get("title") or "", "snippet": " ".join(p.text.split())[:300]}
    for key in ("pmid", "journal", "year", "path", "page", "url", "doi", "section", "note", "cite_as"):
        if s.get(key) not in (None, ""):
            rec[key] = s[key]
    if s.get("pmid") and not rec.get("url"):
        rec["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{s['pmid']}/"
    return rec


def evidence_note(passages: list[Any], max_age_years: int = 10, today: _dt.date | None = None) -> str:
    """'Evidence from 1976-1998.' plus a warning when all of it is older than `max_age_years`."""
    years = sorted({int(p.source["year"]) for p in passages if str(p.source.get("year") or "").isdigit()})
    if not years:
        return ""
    today = today or _dt.date.today()
    span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
    note = f"Evidence published {span}."
    if today.year - years[-1] > max_age_years:
        note += (f" Caution: all of it is more than {max_age_years} years old; current guidance may differ,"
                 " so check recent guidelines or ask a clinician.")
    return note


def not_covered_text(role: str) -> str:
    if role == "clinician":
        return ("The indexed sources (NIH consumer answers, guideline summaries, MEDLINE) do not cover this "
                "question; no cited evidence is available.")
    return ("The health sources I can search (NIH health pages, guideline summaries and medical articles) do "
            "not cover this question, so I can't give you a sourced answer. Please ask a doctor, nurse or "
            "pharmacist.")
