"""What the web chat does for each signed-in user, without Gradio: turns, conversations, follow-ups,
reports and the index state. The panels call these; tests call them directly."""

from __future__ import annotations

import threading
import time
from typing import Any

from bot.agent import Agent


class ChatApp:
    """Holds the shared agent pieces; one Agent view per user.

    Args:
        settings: bot.config.Settings.
        agent: a prebuilt Agent (tests, benchmarks); default: one for `settings`.
        clock: returns the current aware datetime (dates follow-ups).
    """

    INDEX_STATUS_TTL_S = 10.0  # every open page asks every 10 s; one answer serves them all

    def __init__(self, settings, agent: Agent | None = None, clock=None):
        self.settings = settings
        self.agent = agent or Agent(settings, clock=clock)
        self._lock = threading.Lock()  # one generation at a time on the local model
        self._status: tuple[float, str] | None = None
        from bot.ui.index_words import ProgressCounter

        self._progress = ProgressCounter()
        from bot.safety.ratelimit import RateLimiter

        self.limiter = RateLimiter(settings.safety.rate_limit_per_minute)

    def admit(self, user: str, n_files: int = 0) -> str | None:
        """None when `user` may send a message with `n_files` files now, else the reason why not."""
        limit = self.settings.safety.max_upload_files
        if n_files > limit:
            return f"At most {limit} files per message."
        wait = self.limiter.check(user)
        if wait:
            return (f"Too many messages: at most {self.settings.safety.rate_limit_per_minute} per minute. "
                    f"Try again in {wait:.0f} s.")
        return None

    def api_turn(self, user: str, message: str, conversation_id: str | None, client_id: str | None) -> dict[str, Any]:
        """One turn for API clients, idempotent on `client_id`: a retry returns the stored reply."""
        from bot.errors import UserError

        agent = self.agent_for(user)
        if client_id:
            hit = agent.store.find_client_message(user, client_id, conversation_id or None)
            if hit and hit[2] is not None:
                return {"conversation_id": hit[0], "answer": hit[2], "replayed": True}
            if hit:
                conversation_id = hit[0]
        why = self.admit(user)
        if why:
            raise UserError(why)
        with self._lock:
            res = agent.ask(message, conversation_id=conversation_id or None, client_id=client_id or None)
        return {"conversation_id": res.conversation_id, "answer": res.answer, "triage": res.triage,
                "followup": res.followup, "replayed": False}

    def agent_for(self, user: str | None) -> Agent:
        if not user or user == self.settings.user:
            return self.agent
        s = self.settings.model_copy(update={"user": user})
        return Agent(s, backend=self.agent.backend, retriever=self.agent._retriever, tools=self.agent.tools,
                     store=self.agent.store, clock=self.agent.clock)

    # ---- conversations ------------------------------------------------------------------------
    def conversations(self, user: str, limit: int = 50) -> list[dict[str, Any]]:
        """The user's conversations, most recently updated first (id, title, role, updated, messages)."""
        return self.agent.store.list(user, limit=limit)

    def messages(self, user: str, conv_id: str):
        """A conversation of `user` with its messages.

        Raises:
            UserError: no such conversation for this user.
        """
        return self.agent.store.get(conv_id, user)

    def rename(self, user: str, conv_id: str | None, title: str) -> str:
        """Give one of the user's conversations a new title; returns the title as stored.

        Raises:
            UserError: no conversation chosen, an empty title, or not one of the user's conversations.
        """
        from bot.errors import UserError

        if not conv_id:
            raise UserError("Choose a conversation to rename.")
        return self.agent.store.rename(conv_id, title, user)

    def delete(self, user: str, conv_id: str | None) -> None:
        """Delete one of the user's conversations with its uploads and derived files (audited).

        Raises:
            UserError: no conversation chosen, or not one of the user's conversations.
        """
        from bot.errors import UserError
        from bot.safety.audit import record_event

        if not conv_id:
            raise UserError("Choose a conversation to delete.")
        agent = self.agent_for(user)
        agent.store.delete(conv_id, user)
        record_event(agent.settings, "delete", conversation_id=conv_id)

    # ---- what the panels offer after a turn ------------------------------------------------
    def open_conversation(self, user: str, conv_id: str | None, followup_id: str | None = None) -> str | None:
        """The conversation to show when the page opens: a due check-in's (asked now), else the
        follow-up named in the link, else the browser's own."""
        from bot.errors import UserError
        from bot.followups import open_checkin

        book = self.agent_for(user).followups
        due = open_checkin(book, user)
        if followup_id:
            try:
                return book.get(followup_id, user).conversation_id
            except UserError:
                pass
        return due.conversation_id if due else conv_id

    def pending_proposal(self, user: str, conv_id: str | None) -> dict[str, Any] | None:
        """The follow-up proposed by the last answer of a conversation, unless already decided."""
        if not conv_id:
            return None
        conv = self.agent_for(user).store.get(conv_id, user)
        last = conv.messages[-1] if conv.messages else None
        if last is None or last.role != "assistant":
            return None
        return last.meta.get("followup_proposal") or None

    def has_summary(self, user: str, conv_id: str | None) -> bool:
        """Whether the last answer of a conversation carries a case summary (the letter button shows)."""
        if not conv_id:
            return False
        conv = self.agent_for(user).store.get(conv_id, user)
        last = next((m for m in reversed(conv.messages) if m.role == "assistant"), None)
        return last is not None and any(c.get("name") == "summarize_case" and not c.get("error")
                                        for c in last.meta.get("tool_calls") or [])

    def has_report(self, user: str, conv_id: str | None) -> bool:
        """Whether a conversation holds something to report: a tool's result (a case summary, a
        measured image, variant calls) or an uploaded file."""
        if not conv_id:
            return False
        conv = self.agent_for(user).store.get(conv_id, user)
        for m in conv.messages:
            if m.role == "user" and m.meta.get("uploads"):
                return True
            if m.role == "assistant" and any(not c.get("error") for c in m.meta.get("tool_calls") or []):
                return True
        return False

    def report_visible(self, user: str, role: str, conv_id: str | None) -> bool:
        """The report panel shows for clinicians, and for patients once there is something to report."""
        if role == "clinician":
            return True
        try:
            return self.has_report(user, conv_id)
        except Exception:  # noqa: BLE001 - an unknown conversation has nothing to report
            return False

    # ---- index -------------------------------------------------------------------------------
    def index_status(self) -> str:
        """The knowledge sources' state in words (markdown), cached for a few seconds."""
        now = time.monotonic()
        if self._status and now - self._status[0] < self.INDEX_STATUS_TTL_S:
            return self._status[1]
        from bot.ui.index_words import retriever_words

        text = retriever_words(self.agent.retriever(), self.settings.home, self._progress)
        self._status = (now, text)
        return text
