"""Plain-language letters to patients, drafted from a case summary's facts.

    from bot.letters import letter_for_case, write_letter
    letter = letter_for_case(settings, Path("patient.json"), backend=None)   # rule opening
    write_letter(letter.markdown, Path("letter.pdf"), fmt="pdf")

What was found, what to do and when to come back; every number and date is traceable to the
record (`Letter.origins`), as in case summaries.
"""

from __future__ import annotations

from pathlib import Path

from bot.letters.draft import Letter, draft_letter
from bot.letters.write import FORMATS, write_letter


def letter_for_case(settings, path: Path, backend=None, as_of: str | None = None) -> Letter:
    """Draft the letter for a FHIR bundle or notes file.

    Raises:
        UserError: missing or bad case file (see `bot.cases.facts_from_file`).
    """
    from bot.cases import facts_from_file

    return draft_letter(facts_from_file(settings, Path(path), as_of=as_of), backend=backend,
                        emergency=settings.emergency)


def letter_for_conversation(settings, store, conversation_id: str, backend=None) -> Letter:
    """Draft the letter for the case summarized last in a conversation (the web chat's button).

    Raises:
        UserError: unknown conversation, or no successful case summary in it.
    """
    from bot.cases import facts_from_file, facts_from_text
    from bot.errors import UserError
    from bot.tools.summarize_case import resolve_input

    conv = store.get(conversation_id, settings.user)
    for m in reversed(conv.messages):
        for call in reversed(m.meta.get("tool_calls") or []):
            if call.get("name") != "summarize_case" or call.get("error"):
                continue
            args = call.get("arguments") or {}
            if args.get("path"):
                facts = facts_from_file(settings, resolve_input(settings, args["path"]))
            else:
                facts = facts_from_text(str(args.get("text") or ""))
            return draft_letter(facts, backend=backend, emergency=settings.emergency)
    raise UserError("no case summary in this conversation yet: upload a case and ask for a summary first")


__all__ = ["FORMATS", "Letter", "draft_letter", "letter_for_case", "letter_for_conversation", "write_letter"]
