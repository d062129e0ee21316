"""Follow-up care between visits: proposed by the agent, accepted by the person, checked in, exported.

    book = FollowUpBook(store, clock)              # the same SQLite store as conversations
    proposal = propose(message, answer, "routine", book.today())   # or None
    fu = accept(book, conversation_id, proposal)   # only after the person says yes
    open_checkin(book)                             # when the chat opens: ask the due one
    write_ics(book.list(), path, link)             # calendar export

Modules: `model` (records, clock, date checks), `propose` (rules), `book` (storage), `checkin`
(check-in text, triage context, closing answered check-ins), `ics` (calendar export).
"""

from bot.followups.book import FollowUpBook
from bot.followups.checkin import accept, after_turn, checkin_text, open_checkin, triage_history
from bot.followups.model import FollowUp, Proposal, parse_due, system_clock
from bot.followups.propose import propose

__all__ = ["FollowUp", "FollowUpBook", "Proposal", "accept", "after_turn", "checkin_text", "open_checkin",
           "parse_due", "propose", "system_clock", "triage_history"]
