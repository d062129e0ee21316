"""Build a `Report` from a stored conversation or from a case file."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.reports.model import Report, ReportImage

_IMAGE_EXT = (".png", ".jpg", ".jpeg")
_KIND_BY_TOOL = {"segment_image": "imaging", "call_variants": "genomics", "summarize_case": "case", "scores": "case",
                 "pharmacogenomics": "genomics"}
_PGX_TABLES = ("Pharmacogenomics", "CPIC recommendations")  # shown by the report's own section instead


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def _conclusion(answer: str) -> str:
    """The answer text without the footer (notes, sources, tables, disclaimers)."""
    keep = []
    for para in re.split(r"\n\s*\n", answer.strip()):
        p = para.strip()
        if not p or p.startswith(("_", "Sources:", "|", "**This may be an emergency")) or re.match(r"^\*\*[^*]+\*\*$", p):
            continue
        if p.startswith("**") and "\n|" in p:
            continue
        keep.append(p)
    return "\n\n".join(keep)


def from_conversation(settings, conversation_id: str, store=None) -> Report:
    """Report of a conversation: tool outputs, tables, images, citations, last answer as conclusion.

    Raises:
        UserError: unknown conversation, or one without any answer yet.
    """
    from bot.store import Store

    own = store is None
    store = store or Store.from_settings(settings)
    try:
        conv = store.get(conversation_id, settings.user)
    finally:
        if own:
            store.close()
    answers = [m for m in conv.messages if m.role == "assistant"]
    if not answers:
        raise UserError(f"conversation '{conversation_id}' has no answer to report yet")
    findings: list[str] = []
    tables: dict[str, str] = {}
    images: list[ReportImage] = []
    files: dict[str, str] = {}
    citations: dict[str, dict[str, Any]] = {}
    kinds: list[str] = []
    pgx: dict[str, Any] | None = None
    scores: dict[str, Any] = {}  # score key -> latest result of the conversation
    scores_subject: str | None = None
    for m in answers:
        for call in m.meta.get("tool_calls", []):
            name = call.get("name", "tool")
            if name == "make_report":
                continue
            if isinstance(call.get("report"), dict) and call["report"].get("kind") == "pharmacogenomics":
                pgx = call["report"]
            if isinstance(call.get("report"), dict) and call["report"].get("kind") == "scores":
                from bot.cases.scores import score_from_json

                for s in call["report"].get("scores") or []:
                    scores[s["key"]] = score_from_json(s)
                scores_subject = call["report"].get("subject") or scores_subject
            kinds.append(_KIND_BY_TOOL.get(name, "general"))
            if call.get("error"):
                findings.append(f"**{name}** failed: {call['error']}")
            elif call.get("summary"):
                findings.append(f"**{name}**: {call['summary']}")
        for title, table in (m.meta.get("tables") or {}).items():
            tables[title] = table
        for key, path in (m.meta.get("files") or {}).items():
            p = Path(path)
            if not p.is_file():
                continue
            if p.suffix.lower() in _IMAGE_EXT:
                if all(i.path != p for i in images):
                    images.append(ReportImage(key.replace(":", " — ").replace("_", " "), p))
            else:
                files[key] = str(p)
        for c in m.meta.get("citations") or []:
            citations.setdefault(c.get("id") or c.get("title", ""), c)
    kind = next((k for k in ("imaging", "genomics", "case") if k in kinds), "general")
    title = {"imaging": "Imaging report", "genomics": "Variant report", "case": "Case report"}.get(kind, "Report")
    if scores:
        tables = {k: v for k, v in tables.items() if k != "Clinical scores"}  # the report's own section instead
    if pgx is not None:
        tables = {k: v for k, v in tables.items() if k not in _PGX_TABLES}
        if kind == "genomics" and "call_variants" not in [c.get("name") for m in answers for c in m.meta.get("tool_calls", [])]:
            title = "Pharmacogenomics report"
    questions = [m.content for m in conv.messages if m.role == "user"]
    if questions:
        findings.insert(0, "**Question:** " + questions[-1].strip()[:500])
    return Report(title=f"{title} (preliminary)", kind=kind, source=f"conversation {conversation_id}",
                  subject="", created=_now(), findings=findings, tables=tables, images=images, files=files,
                  conclusion=_conclusion(answers[-1].content), citations=list(citations.values()),
                  model=answers[-1].meta.get("model", conv.model or ""), pharmacogenomics=pgx,
                  scores=list(scores.values()), scores_subject=scores_subject)


def from_case(settings, path: Path, backend=None) -> Report:
    """Report of a case file (FHIR bundle or notes) built on its traceable summary.

    Raises:
        UserError: see `bot.cases.facts_from_file`.
    """
    from bot.cases import case_from_file, summarize_facts
    from bot.cases.render import demographics, facts_markdown
    from bot.cases.scores import case_scores, patient_reference

    path = Path(path)
    facts, rec = case_from_file(settings, path)
    summary = summarize_facts(facts, backend=backend, role="clinician")
    scores = case_scores(rec)
    facts = summary.facts
    body = facts_markdown(facts)
    # the vitals and labs tables become report tables; the rest of the facts are findings
    tables: dict[str, str] = {}
    findings: list[str] = []
    for block in re.split(r"\n(?=### )", body):
        head, _, rest = block.partition("\n")
        if not head.startswith("### "):
            continue
        title = head[4:].strip()
        if rest.lstrip().startswith("|"):
            table, _, tail = rest.strip().partition("\n\n")
            tables[title] = table
            if tail.strip():
                findings.append(tail.strip())
        else:
            findings.append(f"**{title}**\n\n{rest.strip()}")
    for flag in summary.flags:
        if flag.get("token"):
            findings.append(f"_Removed from the narrative (not traceable to the record): {flag['token']}_")
    return Report(title="Case report (preliminary)", kind="case", source=path.name, subject=demographics(facts),
                  created=_now(), findings=findings, tables=tables, conclusion=summary.narrative,
                  model=getattr(backend, "name", "") if backend is not None else "rule-based summary",
                  effective=facts.as_of, scores=scores, scores_subject=patient_reference(rec))
