"""Follow-up records: a proposal (not yet accepted) and a scheduled follow-up, plus the clock.

Dates are calendar dates in the local time zone (ISO `YYYY-MM-DD`); a follow-up is due from the
start of its date. The clock is injectable so tests (and scripts) can move time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from bot.errors import UserError

Clock = Callable[[], dt.datetime]
STATUSES = ("scheduled", "asked", "done", "cancelled")
OPEN = ("scheduled", "asked")  # asked: the check-in question was shown, no reply yet


def system_clock() -> dt.datetime:
    """Now, as an aware datetime in the local time zone."""
    return dt.datetime.now().astimezone()


def today(clock: Clock) -> dt.date:
    return clock().date()


def parse_due(text: str, clock: Clock) -> dt.date:
    """A follow-up date given by a person: ISO format, today or later.

    Raises:
        UserError: not a YYYY-MM-DD date, or a date in the past.
    """
    try:
        due = dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise UserError(f"follow-up date '{text}' is not a date (use YYYY-MM-DD)") from None
    now = today(clock)
    if due < now:
        raise UserError(f"follow-up date {due.isoformat()} is in the past (today is {now.isoformat()})")
    return due


@dataclass
class Proposal:
    """What the agent suggests after a turn; nothing is stored until the person accepts.

    Attributes:
        due: ISO date of the check-in.
        subject: what it is about, addressed to the person ("your headache").
        question: what medbot will ask ("how is it now?").
        urgent_if: what would make it urgent ("a stiff neck, fever, ...").
        reason: why it was proposed (shown to the person).
    """

    due: str
    subject: str
    question: str
    urgent_if: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Proposal":
        """Rebuild a proposal (e.g. from a stored message's meta).

        Raises:
            UserError: missing fields.
        """
        try:
            return cls(**{k: str(data[k]) for k in ("due", "subject", "question", "urgent_if", "reason")})
        except (KeyError, TypeError):
            raise UserError("not a follow-up proposal") from None

    def text(self) -> str:
        """One plain sentence for the chat and the terminal."""
        return (f"Shall I check in with you on {self.due} about {self.subject}? I would ask: {self.question} "
                f"It is urgent if you have {self.urgent_if}. ({self.reason})")


@dataclass
class FollowUp:
    """An accepted follow-up, tied to its conversation."""

    id: str
    conversation_id: str
    user: str
    status: str
    due: str
    subject: str
    question: str
    urgent_if: str
    reason: str
    outcome: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def is_due(self, clock: Clock) -> bool:
        return self.status in OPEN and dt.date.fromisoformat(self.due) <= today(clock)
