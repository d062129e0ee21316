"""Follow-ups in the conversation store: dates, owners, closing, restarts, deletion."""

import datetime as dt
import os
import stat

import pytest

from bot.errors import UserError
from bot.followups import FollowUpBook, Proposal
from bot.store import Store
from followup_fakes import FakeClock

P = Proposal("2026-03-05", "your headache", "how is it now?", "a stiff neck", "should settle")


@pytest.fixture
def book(medbot_home):
    return FollowUpBook(Store(medbot_home), FakeClock())


def test_schedule_list_due_done(book):
    cid = book.store.create()
    fu = book.schedule(cid, P)
    assert (fu.status, fu.due, fu.conversation_id) == ("scheduled", "2026-03-05", cid)
    assert [f.id for f in book.list()] == [fu.id] and book.due() == []
    book.clock.advance(days=3)
    assert [f.id for f in book.due()] == [fu.id]
    assert book.done(fu.id).status == "done"
    assert book.due() == [] and book.list(statuses=("scheduled", "asked")) == []
    with pytest.raises(UserError, match="already done"):
        book.cancel(fu.id)


def test_bad_input(book):
    cid = book.store.create()
    with pytest.raises(UserError, match="in the past"):
        book.schedule(cid, Proposal("2026-03-01", "x", "q", "u", "r"))
    with pytest.raises(UserError, match="not a date"):
        book.schedule(cid, Proposal("next week", "x", "q", "u", "r"))
    with pytest.raises(UserError, match="no follow-up 'nope'"):
        book.done("nope")
    with pytest.raises(UserError, match="no conversation"):
        book.schedule("missing", P)
    assert book.list() == []  # nothing half-stored


def test_today_is_allowed_and_owners_are_separate(book):
    cid = book.store.create(user="ann")
    fu = book.schedule(cid, Proposal("2026-03-02", "x", "q", "u", "r"), user="ann")
    assert book.list("bob") == [] and book.due("bob") == []
    with pytest.raises(UserError):
        book.cancel(fu.id, "bob")
    with pytest.raises(UserError):  # bob cannot attach a follow-up to ann's conversation
        book.schedule(cid, P, user="bob")
    assert [f.id for f in book.due("ann")] == [fu.id]


def test_survives_restart_and_goes_with_its_conversation(medbot_home):
    clock = FakeClock()
    store = Store(medbot_home)
    cid = store.create()
    fid = FollowUpBook(store, clock).schedule(cid, P).id
    store.close()
    store = Store(medbot_home)
    book = FollowUpBook(store, clock)
    assert book.get(fid).subject == "your headache"
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    store.delete(cid)
    with pytest.raises(UserError):
        book.get(fid)


def test_created_follows_the_clock(book):
    cid = book.store.create()
    fu = book.schedule(cid, P)
    assert dt.datetime.fromtimestamp(fu.created, book.clock.now.tzinfo) == book.clock.now
