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


def case_from_file(settings, path: Path, as_of: str | None = None):
    """Facts and the scores' record of one case file, reading (and checking) the file once.

    Returns:
        (CaseFacts, bot.scores.record.ScoreRecord) with the same summary date.

    Raises:
        UserError: as `facts_from_file`.
    """
    from bot.cases.fhir_facts import extract_facts, load_bundle
    from bot.cases.notes_facts import extract_notes_facts, read_notes
    from bot.scores import record

    path = Path(path)
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if detect_case_kind(path) == "fhir":
        bundle = load_bundle(path, _limit_bytes(settings, "json"))
        facts = extract_facts(bundle, as_of=as_of)
        return facts, record.from_bundle(bundle, as_of=as_of)  # the same summary-date rule as the facts
    text = read_notes(path, _limit_bytes(settings, "text"))
    facts = extract_notes_facts(text)
    rec = record.from_notes(text)
    if as_of:
        rec.as_of, rec.as_of_rule = as_of, "summary date given by the user"
    return facts, rec


def case_from_text(text: str):
    """Facts and the scores' record of notes (or a FHIR bundle) given as a string (see `facts_from_text`)."""
    from bot.scores import record

    facts = facts_from_text(text)
    rec = record.from_text(text, as_of=facts.as_of if facts.kind == "fhir" else None)
    return facts, rec


def summarize_facts(facts: CaseFacts, backend=None, role: str = "clinician", action: str = "remove",
                    scores: list | None = None, emit=None, backend_factory=None) -> CaseSummary:
    """Narrative + traceability check for extracted facts, with the case's clinical scores.

    The facts (and scores) are rendered before the model is asked anything; with `emit`, they are
    shown at once and each narrative sentence is shown as soon as it has passed the check.

    Args:
        facts: from `facts_from_file` / `facts_from_text`.
        backend: an LLM backend for the narrative; None uses the rule narrative.
        role: "clinician" or "patient" (tone of the narrative; a patient's scores hold no treatment text).
        action: "remove" untraceable sentences, or "flag" them in place.
        scores: `bot.scores.ScoreResult`s of the case (from `bot.cases.scores.case_scores`), or None.
        emit: called with each piece of Markdown as it is ready (facts and scores, the narrative
            heading, each checked sentence, the end); None shows nothing.
        backend_factory: instead of `backend`, a function that loads it; called once the facts
            are shown, so that a reader has them while the model loads.

    Returns:
        CaseSummary whose Markdown holds no number or date that is not traceable; its `timings`
        hold the seconds of the prompt (to the first token), the generation and the checks.
    """
    import time

    from bot.cases.narrative import rule_narrative, stream_narrative
    from bot.cases.render import facts_markdown
    from bot.cases.scores import scores_markdown
    from bot.cases.trace import TraceIndex, check_text, untraceable

    out = emit or (lambda _text: None)
    index = TraceIndex.from_facts(facts)
    flags: list[dict[str, str]] = []
    body = facts_markdown(facts)
    # the facts section is built from the sources; check it too so a rendering bug cannot slip through
    for line in body.splitlines():
        for t in untraceable(line, index):
            flags.append({"token": t.text, "sentence": line, "action": "flagged"})
    scores = list(scores or [])
    head = body + ("\n" + scores_markdown(scores, role) if scores else "")
    out(head)
    timings: dict[str, float] = {}
    if backend is None and backend_factory is not None:
        t0 = time.perf_counter()
        backend = backend_factory()
        timings["model_load_s"] = round(time.perf_counter() - t0, 3)
    source = "rule"
    narrative = ""
    if backend is not None:
        out("\n### Narrative (written by the language model from the facts above; checked)\n")
        kept, more, spent = stream_narrative(facts, backend, role, index, action=action, emit=out)
        timings.update(spent)
        narrative, source = " ".join(kept), "llm"
        flags += more
    if not narrative.strip():
        if backend is not None:
            flags.append({"token": "", "sentence": "", "action": "LLM narrative empty after the check; rule narrative used"})
        t0 = time.perf_counter()
        narrative, more = check_text(rule_narrative(facts, role), index, action=action)
        timings["rule_s"] = round(time.perf_counter() - t0, 4)
        flags += more
        source = "rule"
        label = "Narrative (assembled from the facts above)"
        out(("_The model's text held nothing traceable; assembled from the facts instead:_ " if backend is not None
             else f"\n### {label}\n") + narrative)
    out("\n")
    label = "Narrative (written by the language model from the facts above; checked)" if source == "llm" \
        else "Narrative (assembled from the facts above)"
    markdown = f"{head}\n### {label}\n{narrative}\n"
    return CaseSummary(facts=facts, narrative=narrative, narrative_source=source, markdown=markdown, flags=flags,
                       scores=scores, role=role, timings=timings,
                       model=getattr(backend, "name", None) if backend is not None else None,
                       model_is_demo=bool(getattr(backend, "is_demo", False)))


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


def summarize_file(settings, path: Path, backend=None, role: str = "clinician", as_of: str | None = None,
                   with_scores: bool = True, emit=None) -> CaseSummary:
    """Summarize a FHIR bundle or notes file with the scores that apply (see `summarize_facts`)."""
    from bot.cases.scores import case_scores

    facts, rec = case_from_file(settings, path, as_of=as_of)
    scores = case_scores(rec) if with_scores else []
    return summarize_facts(facts, backend=backend, role=role, scores=scores, emit=emit)


__all__ = ["CaseFacts", "CaseSummary", "Derived", "Item", "RULES", "case_from_file", "case_from_text", "check_answer",
           "facts_from_file",
           "facts_from_json", "facts_from_text",
           "summarize_facts", "summarize_file", "detect_case_kind"]
