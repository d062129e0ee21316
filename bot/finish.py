"""The end of a turn: the answer text with what goes under it.

Under the streamed text: notes (what the check removed), the numbered source list (title,
publisher, date, link), the age of the evidence, tool tables, and the disclaimers a patient and a
small model need. Citations in the text are numbers; `citations` (for `--json`, the store, the
audit log and reports) keeps each source's raw id with its number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.answers.cite import numbered, source_list, strip
from bot.citations import citation_record, evidence_note


#: Tools whose text is the answer: deterministic and cited (label quotes, calculated scores); the
#: model never rewrites them (a dose or a score must not be paraphrased).
DIRECT_TOOLS = frozenset({"medicines", "scores"})


@dataclass
class Finished:
    answer: str
    footer: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def finish(role: str, text: str, tri, results, answer, backend, settings, notes: list[str] | None = None) -> Finished:
    """Assemble the final answer.

    Args:
        role: "patient" or "clinician".
        text: the streamed answer text (citations as numbers when `answer` is given).
        tri: the TriageResult (its banner leads).
        results: (tool name, ToolResult) pairs of the turn.
        answer: the `bot.answers.Answer` the text came from, or None (tool results, not covered).
        backend: the LLM backend (its honest label).
        settings: bot.config.Settings.
        notes: notes to show under the answer.
    """
    notes = list(notes or [])
    if answer is not None:
        g = answer.grounding
        if g.get("replaced"):
            notes.append(f"{g['replaced']} sentence(s) of the model replaced by the source's own words: "
                         "not backed by the cited source.")
        removed = len(g.get("dropped") or []) - int(g.get("replaced") or 0)
        if removed > 0:
            notes.append(f"{removed} sentence(s) of the model removed: not backed by the cited sources.")
        if answer.fallback:
            notes.append("The model's answer did not hold up against its sources, so their own sentences answer instead.")
    for name, res in results:
        if name == "summarize_case" and res.data.get("facts"):
            from bot.cases import check_answer

            # numbers and dates the LLM writes about a case must come from the case
            text, flags = check_answer(text, res.data["facts"])
            if flags:
                notes.append(f"{len(flags)} sentence(s) removed: numbers or dates not found in the case.")
    direct = bool(results) and all(name in DIRECT_TOOLS for name, _ in results)
    if answer is None and not direct:
        text = strip(numbered(text, {}))  # a freely written answer cites nothing it did not read
    cited = [s for s in (answer.sources if answer is not None else []) if s.n in answer.cited]
    head: list[str] = []
    if tri.banner and not getattr(tri, "crisis", False):
        head.append(tri.banner)  # (the crisis reply is the text itself)
    if text:
        head.append(text.strip())
    body: list[str] = [f"_{n}_" for n in notes]
    if cited:
        body.append(source_list((s.n, s.source) for s in cited))
        note = evidence_note([s.passage for s in cited], settings.retrieval.evidence_max_age_years)
        if note:
            body.append(note)
    for _, res in results if not direct else ():  # a direct tool's tables are its answer already
        for title, table in res.tables.items():
            body.append(f"**{title}**\n\n{table}")
    if role == "patient" and not getattr(tri, "crisis", False):
        if any(res.patient for name, res in results if name == "pharmacogenomics"):  # results that name medicines
            from bot.safety.dosing import DISCUSS

            body.append(f"**{DISCUSS}**")
        body.append("_medbot gives general information, not a diagnosis. Talk to a clinician about your own care._")
    if getattr(tri, "crisis", False) or direct:
        pass  # the crisis reply and a direct tool's answer are not the model's words
    elif getattr(backend, "is_demo", False):
        body.append("_Answer written by the small demo model (SmolLM2-135M); it is often wrong._")
    elif getattr(backend, "notice", None):  # a bundled small model: an honest label on every answer
        body.append(f"_Answer written by a small local model ({backend.name}); it can be wrong. Not medical advice._")
    citations = [{**citation_record(s.passage), "n": s.n} for s in cited]
    footer = "\n\n".join(body)
    return Finished("\n\n".join(head + body), footer, citations, notes)
