"""`medbot stop`: end the warm medbot (web chat or `medbot serve --background`) of this home."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stop", help="stop the warm medbot (`medbot serve --background`) of this home")
    p.add_argument("--user", help="the user whose warm medbot to stop (default: the configured user)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from bot.cli_common import settings_from_args
    from bot.warm.client import stop

    settings = settings_from_args(args)
    pid = stop(settings)
    if pid is None:
        print(f"no warm medbot runs for {settings.home} (user '{settings.user}')")
    else:
        print(f"stopped the warm medbot (pid {pid})")
    return 0
