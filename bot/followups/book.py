"""Follow-ups in the conversation store (`bot.store.Store`): one table, one transaction per write.

The table lives in the same SQLite file as the conversations (WAL, `synchronous=FULL`, owner-only)
and references its conversation, so deleting a conversation deletes its follow-ups. Every read and
write is filtered by user.
"""

from __future__ import annotations

import json
import uuid
from typing import Iterable

from bot.errors import UserError
from bot.followups.model import OPEN, Clock, FollowUp, Proposal, parse_due, system_clock, today

_COLS = "id,conversation_id,user,status,due,subject,question,urgent_if,reason,outcome,created,updated"


def _row(r: tuple) -> FollowUp:
    return FollowUp(*r[:9], outcome=json.loads(r[9] or "{}"), created=r[10], updated=r[11])


class FollowUpBook:
    """Schedule, list and close follow-ups.

    Args:
        store: the conversation store (`bot.store.Store`).
        clock: returns an aware datetime (default: the system clock); decides "today" and "due".
    """

    def __init__(self, store, clock: Clock | None = None):
        self.store = store
        self.clock = clock or system_clock

    def schedule(self, conversation_id: str, proposal: Proposal, user: str = "local") -> FollowUp:
        """Store an accepted proposal.

        Raises:
            UserError: unknown conversation, a due date that is malformed or in the past.
        """
        parse_due(proposal.due, self.clock)
        self.store.get(conversation_id, user)  # raises for unknown ids / other users
        fid = uuid.uuid4().hex[:8]
        now = self.clock().timestamp()
        with self.store.transaction() as c:
            c.execute(f"INSERT INTO followups ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                      (fid, conversation_id, user, "scheduled", proposal.due, proposal.subject, proposal.question,
                       proposal.urgent_if, proposal.reason, "{}", now, now))
        return self.get(fid, user)

    def get(self, followup_id: str, user: str = "local") -> FollowUp:
        """Raises: UserError for an unknown id (or another user's follow-up)."""
        rows = self.store.query(f"SELECT {_COLS} FROM followups WHERE id=? AND user=?", (str(followup_id), user))
        if not rows:
            raise UserError(f"no follow-up '{followup_id}'")
        return _row(rows[0])

    def list(self, user: str = "local", statuses: Iterable[str] | None = None,
             conversation_id: str | None = None) -> list[FollowUp]:
        """Follow-ups of `user` by due date (optionally only these statuses / this conversation)."""
        sql, params = f"SELECT {_COLS} FROM followups WHERE user=?", [user]
        if statuses:
            statuses = list(statuses)
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            params += statuses
        if conversation_id:
            sql += " AND conversation_id=?"
            params.append(conversation_id)
        return [_row(r) for r in self.store.query(sql + " ORDER BY due, created", tuple(params))]

    def due(self, user: str = "local") -> list[FollowUp]:
        """Open follow-ups whose date has come (earliest first)."""
        return [f for f in self.list(user, OPEN) if f.is_due(self.clock)]

    def _set(self, followup_id: str, user: str, status: str, outcome: dict | None = None,
             allowed: tuple[str, ...] = OPEN) -> FollowUp:
        fu = self.get(followup_id, user)
        if fu.status not in allowed:
            raise UserError(f"follow-up '{followup_id}' is already {fu.status}")
        with self.store.transaction() as c:
            c.execute("UPDATE followups SET status=?, outcome=?, updated=? WHERE id=? AND user=?",
                      (status, json.dumps(outcome if outcome is not None else fu.outcome), self.clock().timestamp(),
                       fu.id, user))
        return self.get(fu.id, user)

    def done(self, followup_id: str, user: str = "local", outcome: dict | None = None) -> FollowUp:
        """Close an open follow-up as done. Raises: UserError (unknown id, already closed)."""
        return self._set(followup_id, user, "done", outcome)

    def cancel(self, followup_id: str, user: str = "local") -> FollowUp:
        """Cancel an open follow-up. Raises: UserError (unknown id, already closed)."""
        return self._set(followup_id, user, "cancelled")

    def mark_asked(self, followup_id: str, user: str = "local") -> FollowUp:
        """Record that the check-in question was shown."""
        return self._set(followup_id, user, "asked", allowed=("scheduled",))

    def today(self):
        return today(self.clock)
