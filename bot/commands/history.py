"""`medbot history list|export|delete`: the user's stored conversations."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("history", help="list, export or delete stored conversations")
    hs = p.add_subparsers(dest="action", metavar="ACTION")
    ls = hs.add_parser("list", help="list conversations")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=handle_list)
    ex = hs.add_parser("export", help="export one conversation as JSON")
    ex.add_argument("id")
    ex.add_argument("--out", help="write to this file instead of standard output")
    ex.set_defaults(handler=handle_export)
    de = hs.add_parser("delete", help="delete a conversation with its uploads and derived files")
    de.add_argument("id")
    de.set_defaults(handler=handle_delete)
    pr = hs.add_parser("purge", help="apply the retention setting (delete conversations and self-check results older than N days)")
    pr.add_argument("--days", type=int, help="default: safety.retention_days")
    pr.set_defaults(handler=handle_purge)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _store():
    from bot.config import load_settings
    from bot.store import Store

    s = load_settings()
    return s, Store.from_settings(s)


def handle_list(args) -> int:
    import datetime as dt

    from bot.cli_common import print_json

    s, store = _store()
    rows = store.list(s.user)
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        when = dt.datetime.fromtimestamp(r["updated"]).strftime("%Y-%m-%d %H:%M")
        print(f"{r['id']}  {when}  {r['role']:<9} {r['messages']:>3} msgs  {r['title']}")
    if not rows:
        print("no conversations")
    return 0


def handle_export(args) -> int:
    import json
    import os
    import tempfile
    from dataclasses import asdict
    from pathlib import Path

    s, store = _store()
    conv = store.get(args.id, s.user)
    text = json.dumps(asdict(conv), ensure_ascii=False, indent=2, default=str)
    if not args.out:
        print(text)
        return 0
    out = Path(args.out)
    fd, tmp = tempfile.mkstemp(dir=out.parent if out.parent.exists() else None, prefix=".export-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, out)
    print(f"wrote {out}")
    return 0


def handle_delete(args) -> int:
    from bot.safety.audit import record_event

    s, store = _store()
    store.delete(args.id, s.user)
    record_event(s, "delete", conversation_id=args.id)
    print(f"deleted {args.id}")
    return 0


def handle_purge(args) -> int:
    from bot.errors import UserError

    s, store = _store()
    days = args.days if args.days is not None else s.safety.retention_days
    if not days or days < 0:
        raise UserError("no retention set: pass --days N or set safety.retention_days")
    n = store.purge_older_than(days, s.user)
    checks = store.purge_selfchecks_older_than(days, s.user)
    from bot.safety.audit import record_event

    record_event(s, "purge", days=days, deleted=n)  # counts only: self-check results stay out of the audit trail
    print(f"deleted {n} conversation(s) and {checks} self-check result(s) older than {days} days")
    return 0
