"""Calendar export: one all-day iCalendar (RFC 5545) event per follow-up, written with `icalendar`.

Calendars often sync to the cloud, so by default an event says only "medbot check-in" and carries a
link back to the web chat; `details=True` adds the subject, the question and what makes it urgent.
The file is written through a temporary file and renamed (owner-only), so a failure leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from bot.errors import UserError
from bot.followups.model import FollowUp

PRODID = "-//medbot//follow-ups//EN"
SUMMARY = "medbot check-in"


def followup_link(base_url: str, followup_id: str) -> str:
    """The web chat address that opens this follow-up's conversation."""
    return f"{base_url.rstrip('/')}/?followup={followup_id}"


def calendar_bytes(followups: list[FollowUp], base_url: str, details: bool = False,
                   stamp: dt.datetime | None = None) -> bytes:
    """The iCalendar text of `followups`.

    Args:
        followups: the follow-ups to export (one VEVENT each).
        base_url: the web chat's address for the link back.
        details: include subject, question and urgency (private health data) in the events.
        stamp: DTSTAMP of every event (default: now, UTC).
    """
    from icalendar import Calendar, Event

    stamp = (stamp or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    for fu in followups:
        day = dt.date.fromisoformat(fu.due)
        link = followup_link(base_url, fu.id)
        ev = Event()
        ev.add("uid", f"{fu.id}@medbot")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("url", link)
        ev.add("transp", "TRANSPARENT")
        if details:
            ev.add("summary", f"{SUMMARY}: {fu.subject}")
            ev.add("description", f"medbot will ask about {fu.subject}: {fu.question}\n"
                                  f"It is urgent if you have {fu.urgent_if}.\n{link}")
        else:
            ev.add("summary", SUMMARY)
            ev.add("description", link)
        cal.add_component(ev)
    return cal.to_ical()


def write_ics(followups: list[FollowUp], out: Path, base_url: str, details: bool = False,
              stamp: dt.datetime | None = None) -> Path:
    """Write the calendar file atomically and return its path.

    Raises:
        UserError: the folder is missing or not writable, or `out` is a folder.
    """
    out = Path(out).expanduser()
    if out.is_dir():
        raise UserError(f"cannot write {out}: it is a folder (give a file path such as followups.ics)")
    if not out.parent.is_dir():
        raise UserError(f"cannot write {out}: no such folder {out.parent}")
    data = calendar_bytes(followups, base_url, details=details, stamp=stamp)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    except OSError as exc:
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise UserError(f"cannot write {out}: {exc.strerror}") from None
    return out
