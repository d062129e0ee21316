"""Calendar export: parse what was written back with icalendar; private details only on request."""

import datetime as dt

import pytest
from icalendar import Calendar

from bot.errors import UserError
from bot.followups import FollowUpBook, Proposal
from bot.followups.ics import write_ics
from bot.store import Store
from followup_fakes import FakeClock

LINK = "http://127.0.0.1:7860"


@pytest.fixture
def followups(medbot_home):
    book = FollowUpBook(Store(medbot_home), FakeClock())
    cid = book.store.create()
    a = book.schedule(cid, Proposal("2026-03-05", "your headache", "how is it now?", "a stiff neck", "r"))
    b = book.schedule(cid, Proposal("2026-03-09", "your new medicine (metformin)", "any side effects?", "a rash", "r"))
    return [a, b]


def _events(path):
    cal = Calendar.from_ical(path.read_bytes())
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}


def test_round_trip_without_details(followups, tmp_path):
    out = write_ics(followups, tmp_path / "f.ics", LINK)
    events = _events(out)
    assert set(events) == {f"{f.id}@medbot" for f in followups}
    for f in followups:
        ev = events[f"{f.id}@medbot"]
        assert str(ev["summary"]) == "medbot check-in"
        assert ev.decoded("dtstart") == dt.date.fromisoformat(f.due)
        assert ev.decoded("dtend") == dt.date.fromisoformat(f.due) + dt.timedelta(days=1)
        assert str(ev["url"]) == f"{LINK}/?followup={f.id}"
    raw = out.read_text().lower()
    assert "headache" not in raw and "metformin" not in raw and "stiff" not in raw
    assert (out.stat().st_mode & 0o077) == 0


def test_round_trip_with_details(followups, tmp_path):
    events = _events(write_ics(followups, tmp_path / "f.ics", LINK, details=True))
    ev = events[f"{followups[0].id}@medbot"]
    assert str(ev["summary"]) == "medbot check-in: your headache"
    assert "how is it now?" in str(ev["description"]) and "a stiff neck" in str(ev["description"])


def test_unwritable_paths(followups, tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        write_ics(followups, tmp_path / "missing" / "f.ics", LINK)
    with pytest.raises(UserError, match="folder"):
        write_ics(followups, tmp_path, LINK)
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    with pytest.raises(UserError, match="no such folder"):
        write_ics(followups, blocker / "f.ics", LINK)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]  # no temporary file left behind
