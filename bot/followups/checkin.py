"""Check-ins: the question a due follow-up asks when the chat opens, and what a reply does.

The check-in is stored as an assistant message of the follow-up's own conversation, so the reply
is an ordinary turn of that conversation: triage runs first, with the follow-up's subject as
context ("worse, and now my neck is stiff" after a headache check-in is a meningitis red flag).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.errors import UserError
from bot.followups.book import FollowUpBook
from bot.followups.model import OPEN, FollowUp, Proposal

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen"]


def _ago(days: int) -> str:
    if days <= 0:
        return "Earlier today"
    if days == 1:
        return "Yesterday"
    return f"{_WORDS[days].capitalize() if days < len(_WORDS) else days} days ago"


def checkin_text(fu: FollowUp, today: dt.date) -> str:
    """'Three days ago you asked about your headache: how is it now? ...' for a due follow-up."""
    asked = dt.datetime.fromtimestamp(fu.created).astimezone().date()
    return (f"{_ago((today - asked).days)} you asked about {fu.subject}: {fu.question} "
            f"If you now have {fu.urgent_if}, please say so: that needs a clinician soon.")


def _checkin_of(message) -> str | None:
    meta = getattr(message, "meta", None) or {}
    return meta.get("checkin") if message.role == "assistant" else None


def triage_history(messages: list) -> list[str]:
    """Earlier user messages for triage, with each check-in's subject in the person's own words.

    Args:
        messages: stored `bot.store.Message`s of the conversation (oldest first).
    """
    out: list[str] = []
    for m in messages:
        if m.role == "user":
            out.append(m.content)
        elif _checkin_of(m):
            subject = str(m.meta.get("subject") or "")
            out.append(("my " + subject[5:]) if subject.startswith("your ") else subject)
    return out


def open_checkin(book: FollowUpBook, user: str = "local") -> FollowUp | None:
    """Ask the earliest due follow-up's question in its conversation (once) and return it, or None.

    Safe to call on every page load: the question is appended with a fixed client id, so reloading
    or two open tabs never repeat it; the follow-up stays open (`asked`) until the person replies or
    closes it.
    """
    due = book.due(user)
    if not due:
        return None
    fu = due[0]
    text = checkin_text(fu, book.today())
    book.store.append(fu.conversation_id, "assistant", text, {"checkin": fu.id, "subject": fu.subject},
                      client_id=f"checkin:{fu.id}")
    if fu.status == "scheduled":
        try:
            fu = book.mark_asked(fu.id, user)
        except UserError:  # another tab marked it meanwhile
            fu = book.get(fu.id, user)
    return fu


def after_turn(book: FollowUpBook, conversation_id: str, user: str, message: str, answer: str, triage: Any,
               history: list) -> dict[str, Any] | None:
    """Close an answered check-in and return this turn's follow-up proposal (JSON) or None.

    Args:
        book: the follow-up book (its clock decides dates).
        conversation_id: the conversation of the turn.
        user: its owner.
        message: the person's message.
        answer: the final answer text.
        triage: the turn's `TriageResult`.
        history: the stored messages before this turn.
    """
    from bot.followups.propose import propose

    last = next((m for m in reversed(history) if m.role == "assistant"), None)
    answered = _checkin_of(last) if last is not None else None
    if answered:
        try:
            fu = book.get(answered, user)
            if fu.status in OPEN:
                book.done(fu.id, user, outcome={"reply_triage": triage.level, "reasons": list(triage.reasons),
                                                 "answered": book.clock().isoformat(timespec="seconds")})
        except UserError:  # cancelled or deleted meanwhile: nothing to close
            pass
    proposal = propose(message, answer, triage.level, book.today())
    if proposal is None:
        return None
    open_subjects = {f.subject for f in book.list(user, OPEN, conversation_id=conversation_id)}
    if proposal.subject in open_subjects:
        return None  # already followed
    return proposal.to_json()


def accept(book: FollowUpBook, conversation_id: str, proposal: dict[str, Any] | Proposal, user: str = "local",
           due: str | None = None) -> FollowUp:
    """Schedule a proposal the person accepted (optionally on another date they chose) and record
    the acceptance in the conversation.

    Raises:
        UserError: malformed proposal, a date in the past, unknown conversation.
    """
    p = proposal if isinstance(proposal, Proposal) else Proposal.from_json(proposal)
    if due:
        p = Proposal(due.strip(), p.subject, p.question, p.urgent_if, p.reason)
    fu = book.schedule(conversation_id, p, user)
    # the consent is part of the conversation (and the proposal counts as answered)
    book.store.append(conversation_id, "assistant", confirmation_text(fu), {"followup": fu.id})
    return fu


def confirmation_text(fu: FollowUp) -> str:
    return (f"Follow-up scheduled for {fu.due}: I will ask about {fu.subject} when you open the chat then "
            f"(follow-up {fu.id}).")
