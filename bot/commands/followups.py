"""`medbot followups list|due|accept|done|cancel|export`: follow-ups between visits."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("followups", help="list, accept, close or export follow-up check-ins",
                       description="Follow-ups are proposed by medbot after an answer and stored only when you "
                                   "accept them (here, with `medbot ask --yes`, or in the web chat).")
    fs = p.add_subparsers(dest="action", metavar="ACTION")
    ls = fs.add_parser("list", help="open follow-ups (--all: also done and cancelled)")
    ls.add_argument("--all", action="store_true", help="include done and cancelled follow-ups")
    ls.add_argument("--json", action="store_true", help="print one JSON array")
    ls.set_defaults(handler=handle_list)
    du = fs.add_parser("due", help="open follow-ups whose date has come")
    du.add_argument("--json", action="store_true", help="print one JSON array")
    du.set_defaults(handler=handle_due)
    ac = fs.add_parser("accept", help="accept the follow-up medbot proposed in a conversation")
    ac.add_argument("conversation", metavar="CONVERSATION", help="conversation id (shown after each answer)")
    ac.add_argument("--due", metavar="YYYY-MM-DD", help="another date than the proposed one (today or later)")
    ac.set_defaults(handler=handle_accept)
    for name, helptext in (("done", "close a follow-up as done"), ("cancel", "cancel a follow-up")):
        c = fs.add_parser(name, help=helptext)
        c.add_argument("id", metavar="ID")
        c.set_defaults(handler=handle_close, close=name)
    ex = fs.add_parser("export", help="write open follow-ups as an iCalendar (.ics) file",
                       description="One all-day event per follow-up. Events say only 'medbot check-in' and a "
                                   "link back unless --details is given (calendars often sync to the cloud).")
    ex.add_argument("--ics", required=True, metavar="FILE", help="calendar file to write")
    ex.add_argument("--details", action="store_true", help="put the subject, question and urgency in the events")
    ex.add_argument("--link", metavar="URL", help="web chat address for the link back (default: http://HOST:PORT "
                                                  "of the settings)")
    ex.set_defaults(handler=handle_export)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _book():
    from bot.config import load_settings
    from bot.followups import FollowUpBook
    from bot.store import Store

    s = load_settings()
    return s, FollowUpBook(Store.from_settings(s))


def _print(rows, as_json: bool, empty: str) -> int:
    from bot.cli_common import print_json

    if as_json:
        print_json([f.to_json() for f in rows])
        return 0
    for f in rows:
        print(f"{f.id}  {f.due}  {f.status:<9} {f.subject}: {f.question}  (conversation {f.conversation_id})")
    if not rows:
        print(empty)
    return 0


def handle_list(args) -> int:
    from bot.followups.model import OPEN

    s, book = _book()
    return _print(book.list(s.user, None if args.all else OPEN), args.json, "no follow-ups")


def handle_due(args) -> int:
    s, book = _book()
    return _print(book.due(s.user), args.json, "no follow-up is due")


def handle_accept(args) -> int:
    from bot.errors import UserError
    from bot.followups import accept

    s, book = _book()
    conv = book.store.get(args.conversation, s.user)
    last = next((m for m in reversed(conv.messages) if m.role == "assistant"), None)
    proposal = last.meta.get("followup_proposal") if last is not None else None
    if not proposal:
        raise UserError(f"conversation '{args.conversation}' has no follow-up proposal to accept")
    fu = accept(book, conv.id, proposal, s.user, due=args.due)
    print(f"scheduled follow-up {fu.id} for {fu.due}: {fu.subject}")
    return 0


def handle_close(args) -> int:
    s, book = _book()
    fu = book.done(args.id, s.user) if args.close == "done" else book.cancel(args.id, s.user)
    print(f"follow-up {fu.id}: {fu.status}")
    return 0


def handle_export(args) -> int:
    from pathlib import Path

    from bot.followups.ics import write_ics
    from bot.followups.model import OPEN

    s, book = _book()
    rows = book.list(s.user, OPEN)
    link = args.link or f"http://{s.host}:{s.port}"
    out = write_ics(rows, Path(args.ics), link, details=args.details)
    print(f"wrote {out} ({len(rows)} event{'s' if len(rows) != 1 else ''}"
          f"{', with details' if args.details else ''})")
    return 0
