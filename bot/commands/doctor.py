"""`medbot doctor`: check the setup and print what works, with the fix for what does not."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag

_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the setup: models and hashes, index, tools, binaries, GPU",
                       description="Check the setup and print one line per check (ok / WARN / FAIL, with the "
                       "fix). Exit code 1 when a check fails, 0 otherwise.")
    p.add_argument("--no-hash", dest="no_hash", action="store_true",
                   help="skip the full sha256 of each bundled model (seconds per GB)")
    p.add_argument("--chroma-url", dest="chroma_url", help="check this Chroma server (http://HOST:PORT)")
    add_json_flag(p)
    p.set_defaults(handler=handle)


def render(checks) -> str:
    """The checks as an aligned text table, fixes indented under their line."""
    width = max((len(f"{c.group}: {c.name}") for c in checks), default=10)
    lines = []
    for c in checks:
        lines.append(f"{_MARK[c.status]}  {f'{c.group}: {c.name}':<{width}}  {c.detail}")
        if c.fix and c.status != "ok":
            lines.append(f"      {'':<{width}}  fix: {c.fix}")
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    from bot.checks import run_checks, summary
    from bot.cli_common import print_json, settings_from_args

    settings = settings_from_args(args)
    checks = run_checks(settings, verify=not args.no_hash)
    result = summary(checks)
    if args.json:
        print_json({**result, "checks": [c.to_json() for c in checks]})
    else:
        print(render(checks))
        n = result["counts"]
        print(f"\n{n['ok']} ok, {n['warn']} warnings, {n['fail']} failed")
    sys.stdout.flush()
    return 0 if result["ok"] else 1
