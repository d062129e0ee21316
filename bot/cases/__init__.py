"""Clinician case summaries from FHIR R4 bundles or free-text notes.

Pipeline: load (size limit, JSON and bundle checks) -> deterministic facts with provenance ->
narrative (LLM or rule) -> traceability check over the whole text -> `CaseSummary`.

    from bot.cases import summarize_file
    summary = summarize_file(settings, Path("patient.json"), backend=None)  # rule narrative
"""

from __future__ import annotations

from pathlib import Path

from bot.cases.model import CaseFacts, CaseSummary, Derived, Item
from bot.errors import UserError

RULES = {
    "age": "age in completed years from Patient.birthDate to the summary date (or the date of death)",
    "summary_date": "latest clinical date recorded in the bundle unless given",
    "rounding": "quantities are rounded for display: 2 decimals below 10, otherwise 1 decimal; whole numbers as integers",
    "counts": "counts of entries left out for length",
}


def _limit_bytes(settings, kind: str) -> int | None:
    if settings is None:
        return None
    mb = settings.safety.max_upload_mb.get(kind)
    return int(mb * 1_000_000) if mb else None


def detect_case_kind(path: Path) -> str:
    """'fhir' for JSON files (by name or first character), else 'notes'."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return "fhir"
    try:
        with open(path, "rb") as fh:
            head = fh.read(64).lstrip()
    except OSError as exc:
        raise UserError(f"cannot read {path.name}: {exc.strerror}") from None
    return "fhir" if head.startswith((b"{", b"[")) else "notes"


def facts_from_file(settings, path: Path, as_of: str | None = None) -> CaseFacts:
    """Extract facts from a FHIR JSON bundle or a notes text file.

    Raises:
        UserError: missing or oversized file, malformed JSON, bundle without a Patient, unknown
            resource types, notes without clinical content.
    """
    from bot.cases.fhir_facts import extract_facts, load_bundle
    from bot.cases.notes_facts import extract_notes_facts, read_notes

    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if detect_case_kind(path) == "fhir":
        return extract_facts(load_bundle(path, _limit_bytes(settings, "json")), as_of=as_of)
    return extract_notes_facts(read_notes(path, _limit_bytes(settings, "text")))


def facts_from_text(text: str) -> CaseFacts:
    """Facts from notes given as a string (or a FHIR bundle given as a JSON string)."""
    import json

    from bot.cases.fhir_facts import check_bundle, extract_facts
    from bot.cases.notes_facts import extract_notes_facts

    stripped = (text or "").lstrip()
    if stripped.startswith("{"):
        try:
            obj = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise UserError(f"malformed JSON at line {exc.lineno} column {exc.colno}") from None
        return extract_facts(check_bundle(obj, "text"))
    return extract_notes_facts(text)


def summarize_facts(facts: CaseFacts, backend=None, role: str = "clinician", action: str = "remove") -> CaseSummary:
    """Narrative + traceability check for extracted facts.

    Args:
        facts: from `facts_from_file` / `facts_from_text`.
        backend: an LLM backend for the narrative; None uses the rule narrative.
        role: "clinician" or "patient" (tone of the narrative).
        action: "remove" untraceable sentences, or "flag" them in place.

    Returns:
        CaseSummary whose Markdown holds no number or date that is not traceable.
    """
    from bot.cases.narrative import llm_narrative, rule_narrative
    from bot.cases.render import facts_markdown
    from bot.cases.trace import TraceIndex, check_text

    index = TraceIndex.from_facts(facts)
    source = "rule"
    flags: list[dict[str, str]] = []
    narrative = ""
    if backend is not None:
        raw = llm_narrative(facts, backend, role)
        narrative, flags = check_text(raw, index, action=action)
        source = "llm"
    if not narrative.strip():
        if backend is not None:
            flags.append({"token": "", "sentence": "", "action": "LLM narrative empty after the check; rule narrative used"})
        narrative, more = check_text(rule_narrative(facts, role), index, action=action)
        flags += more
        source = "rule"
    body = facts_markdown(facts)
    # the facts section is built from the sources; check it too so a rendering bug cannot slip through
    for line in body.splitlines():
        from bot.cases.trace import untraceable

        for t in untraceable(line, index):
            flags.append({"token": t.text, "sentence": line, "action": "flagged"})
    label = "Narrative (written by the language model from the facts above; checked)" if source == "llm" \
        else "Narrative (assembled from the facts above)"
    markdown = f"{body}\n### {label}\n{narrative}\n"
    return CaseSummary(facts=facts, narrative=narrative, narrative_source=source, markdown=markdown, flags=flags)


def facts_from_json(data: dict) -> CaseFacts:
    """Rebuild CaseFacts from `CaseFacts.to_json()` (e.g. a summarize_case tool result's data["facts"])."""
    import dataclasses

    lists = {"problems", "social", "medications", "allergies", "vitals", "labs", "procedures", "imaging", "genomics"}
    known = {f.name for f in dataclasses.fields(CaseFacts)}
    kw = {k: v for k, v in data.items() if k in known}
    for k in lists & kw.keys():
        kw[k] = [Item(**i) for i in kw[k]]
    kw["derived"] = [Derived(**d) for d in kw.get("derived", [])]
    return CaseFacts(**kw)


def check_answer(text: str, facts_json: dict, action: str = "remove") -> tuple[str, list[dict[str, str]]]:
    """Check a chat answer about a case: drop (or flag) sentences with numbers/dates not in the facts.

    Args:
        text: the LLM's answer.
        facts_json: `data["facts"]` of a summarize_case result.
        action: "remove" or "flag".

    Returns:
        (checked text, flags).
    """
    from bot.cases.trace import TraceIndex, check_text

    return check_text(text, TraceIndex.from_facts(facts_from_json(facts_json)), action=action)


def summarize_file(settings, path: Path, backend=None, role: str = "clinician", as_of: str | None = None) -> CaseSummary:
    """Summarize a FHIR bundle or notes file (see `summarize_facts`)."""
    return summarize_facts(facts_from_file(settings, path, as_of=as_of), backend=backend, role=role)


__all__ = ["CaseFacts", "CaseSummary", "Derived", "Item", "RULES", "check_answer", "facts_from_file",
           "facts_from_json", "facts_from_text",
           "summarize_facts", "summarize_file", "detect_case_kind"]
