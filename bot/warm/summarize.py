"""The work of `medbot summarize`, the same whether it runs in the command's process or in the warm medbot.

A case is given as `{"path": FILE}` (absolute when handed to the warm medbot, whose working folder
differs) or `{"text": NOTES_OR_BUNDLE}` (standard input, read by the command).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable


def read_case(settings, case: dict[str, Any], as_of: str | None = None):
    """Facts and the scores' record of a case (see `bot.cases.case_from_file` / `case_from_text`).

    Raises:
        bot.errors.UserError: a missing, oversized or malformed case, or neither a path nor a text.
    """
    from bot.cases import case_from_file, case_from_text
    from bot.errors import UserError

    if isinstance(case.get("text"), str):
        return case_from_text(case["text"])
    if isinstance(case.get("path"), str) and case["path"]:
        return case_from_file(settings, Path(case["path"]), as_of=as_of)
    raise UserError("no case given: a FHIR bundle or notes file, or '-' for standard input")


def summarize_case(settings, case: dict[str, Any], *, as_of: str | None = None, role: str = "clinician",
                   with_scores: bool = True, emit: Callable[[str], None] | None = None,
                   backend_factory: Callable[[], Any] | None = None):
    """Read a case, score it and write its summary (facts and scores first through `emit`, then the
    narrative sentence by sentence as each passes the check).

    Args:
        settings: the application settings (upload limits).
        case: {"path": FILE} or {"text": TEXT}.
        as_of: summary date YYYY-MM-DD for a file (default: the latest clinical date in it).
        role: "clinician" or "patient".
        with_scores: add the clinical scores that apply.
        emit: called with each piece of Markdown as it is ready; None shows nothing.
        backend_factory: loads (or returns the loaded) LLM once the facts are out; None: the rule narrative.

    Returns:
        The `bot.cases.CaseSummary`; its timings start with `facts_s`.

    Raises:
        bot.errors.UserError: as `read_case`, or a bad `as_of`.
    """
    from bot.cases import summarize_facts
    from bot.cases.scores import case_scores

    t0 = time.perf_counter()
    facts, rec = read_case(settings, case, as_of)
    scores = case_scores(rec) if with_scores else []
    facts_s = time.perf_counter() - t0
    summary = summarize_facts(facts, role=role, scores=scores, emit=emit, backend_factory=backend_factory)
    summary.timings = {"facts_s": round(facts_s, 3), **summary.timings}
    return summary


def job_threads(backend, threads: int) -> Callable[[], None] | None:
    """Let a loaded llama.cpp model generate this job with `threads` CPU threads.

    The warm model was loaded with the configured threads; a summary, like one written in its own
    process, uses the cores idle now (`bot.cases.cpu.current_threads`): on busy cores fewer threads
    write several times faster. A llama.cpp context can change its threads between calls.

    Returns:
        A function that puts the model's threads back, or None where the backend cannot change them.
    """
    backend = getattr(backend, "inner", backend)  # a SerialBackend's model (its attributes come wrapped)
    llm = getattr(backend, "llm", None)  # LlamaCppBackend's llama_cpp.Llama
    setter = getattr(getattr(llm, "_ctx", None), "set_n_threads", None)
    before = (getattr(llm, "n_threads", None), getattr(llm, "n_threads_batch", None))
    if not callable(setter) or not all(isinstance(n, int) for n in before):
        return None
    setter(threads, threads)
    return lambda: setter(*before)


def summary_json(summary) -> dict[str, Any]:
    """What `medbot summarize --json` prints for a summary."""
    from bot.cases import RULES

    out = summary.to_json()
    out["rules"] = RULES
    out["model"] = summary.model
    return out


def summary_result(summary) -> dict[str, Any]:
    """The parts of a summary the command prints after the narrative (and the timings)."""
    return {"model": summary.model, "model_is_demo": bool(summary.model_is_demo),
            "removed": sum(1 for f in summary.flags if f.get("token")), "timings": dict(summary.timings)}
