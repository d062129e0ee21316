"""Prompt building for MMLU-Med: the question with lettered options, optionally after passages."""

from __future__ import annotations

from typing import Any, Sequence

from bot.evals.mmlu_data import LETTERS, Question
from bot.evals.prompts import template


def format_passages(passages: Sequence[Any], max_chars: int) -> str:
    """Number retrieved passages `[1] title: text`, stopping before `max_chars` is exceeded.

    Args:
        passages: objects with `text` and optionally `source` (a dict with `title`).
        max_chars: budget for the joined text; a passage that does not fit is cut at a word
            boundary, and the rest are dropped.

    Returns:
        The numbered passages, one per line ("" when there are none).
    """
    lines: list[str] = []
    used = 0
    for i, p in enumerate(passages, 1):
        source = getattr(p, "source", None) or {}
        title = str(source.get("title") or "").strip()
        body = " ".join(str(getattr(p, "text", "")).split())
        line = f"[{i}] {title}: {body}" if title else f"[{i}] {body}"
        room = max_chars - used
        if room <= 0:
            break
        if len(line) > room:
            line = line[:room].rsplit(" ", 1)[0] + " ..."
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def build_prompt(q: Question, passages: Sequence[Any] = (), max_context_chars: int = 1000) -> str:
    """The prompt for one question, ending in "Answer:" (options lettered A-D).

    Args:
        q: the question.
        passages: retrieved passages to show before the question (none: closed-book).
        max_context_chars: character budget for the passages.

    Returns:
        The prompt text.
    """
    options = "\n".join(f"{letter}. {text}" for letter, text in zip(LETTERS, q.options))
    context = ""
    joined = format_passages(passages, max_context_chars) if passages else ""
    if joined:
        context = template("mmlu_context").format(passages=joined) + "\n\n"
    return template("mmlu_question").format(subject=q.subject, context=context, question=q.question, options=options)


def letter_system_prompt() -> str:
    """System instruction for scoring by the answer letter a chat model writes."""
    return template("mmlu_letter_system")
