"""`medbot chat`: interactive multi-turn chat in the terminal (`--resume ID` continues one)."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_model_flags, add_role_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="interactive chat in the terminal")
    add_role_flag(p)
    add_model_flags(p)
    p.add_argument("--resume", metavar="ID", help="continue a stored conversation")
    p.add_argument("--chroma-url", dest="chroma_url", help="use a Chroma server (http://HOST:PORT)")
    p.add_argument("--yes", action="store_true", help="accept every follow-up check-in medbot proposes "
                                                      "(default: ask each time)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.agent import Agent
    from bot.cli_common import settings_from_args
    from bot.errors import USER_ERRORS, UserError
    from bot.llm import DEMO_NOTICE

    settings = settings_from_args(args)
    agent = Agent(settings)
    conv_id = args.resume
    if conv_id:
        conv = agent.store.get(conv_id, settings.user)
        for m in conv.messages:
            print(f"{'you' if m.role == 'user' else 'medbot'}> {m.content}\n")
    notice = getattr(agent.backend, "notice", None) or (DEMO_NOTICE if getattr(agent.backend, "is_demo", False) else None)
    if notice:
        print(f"Model: {agent.backend.name}. {notice}")
    print("Type your question; '/upload PATH' attaches a file, '/quit' ends. Emergencies: call "
          f"{settings.emergency}.\n")
    pending: list[Path] = []
    while True:
        try:
            line = input("you> ")
        except EOFError:
            break
        line = line.strip()
        if line in ("/quit", "/exit"):
            break
        if line.startswith("/upload "):
            pending.append(Path(line.split(" ", 1)[1].strip()).expanduser())
            print(f"(attached {pending[-1].name}; it goes with your next message)")
            continue
        if not line and not pending:
            continue
        sys.stdout.write("medbot> ")
        try:
            for ev in agent.turn(line, conversation_id=conv_id, uploads=pending, role=args.role):
                if ev.kind == "token":
                    sys.stdout.write(ev.data)
                    sys.stdout.flush()
                elif ev.kind == "done":
                    conv_id = ev.data.conversation_id
                    if ev.data.footer:
                        sys.stdout.write("\n\n" + ev.data.footer)
                    if ev.data.followup:
                        _offer_followup(agent, conv_id, ev.data.followup, settings.user, args.yes)
        except USER_ERRORS as exc:  # bad input ends the turn, not the chat
            sys.stdout.write(f"error: {exc}")
        pending = []
        sys.stdout.write("\n\n")
    if conv_id:
        print(f"(conversation {conv_id}; resume with: medbot chat --resume {conv_id})")
    return 0


def _offer_followup(agent, conversation_id: str, proposal: dict, user: str, yes: bool) -> None:
    """Show a proposed follow-up and schedule it only if the person says yes (or passed --yes)."""
    from bot.followups import Proposal, accept

    sys.stdout.write("\n\n" + Proposal.from_json(proposal).text())
    if not yes:
        try:
            yes = input("\nSchedule this check-in? [y/N] ").strip().lower() in ("y", "yes")
        except EOFError:
            yes = False
    if yes:
        fu = accept(agent.followups, conversation_id, proposal, user)
        sys.stdout.write(f"\nFollow-up {fu.id} scheduled for {fu.due}.")
    else:
        sys.stdout.write("\nNo follow-up scheduled.")
