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
    p.add_argument("--no-warm", dest="no_warm", action="store_true",
                   help="answer in this process even when a warm medbot (`medbot serve`) runs")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cli_common import settings_from_args
    from bot.errors import USER_ERRORS
    from bot.llm import DEMO_NOTICE

    settings = settings_from_args(args)
    session = _Session(settings, warm=not args.no_warm)
    conv_id = args.resume
    if conv_id:
        conv = session.store.get(conv_id, settings.user)
        for m in conv.messages:
            print(f"{'you' if m.role == 'user' else 'medbot'}> {m.content}\n")
    name, notice, is_demo = session.model_header()
    notice = notice or (DEMO_NOTICE if is_demo else None)
    if notice:
        print(f"Model: {name}. {notice}")
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
            for ev in session.turn(line, conv_id, pending, args.role):
                if ev.kind == "token":
                    sys.stdout.write(ev.data)
                    sys.stdout.flush()
                elif ev.kind == "queued":
                    from bot.warm.client import queued_text

                    sys.stdout.write(queued_text(ev.data) + "\n")
                    sys.stdout.flush()
                elif ev.kind == "done":
                    conv_id = ev.data.conversation_id
                    if ev.data.footer:
                        sys.stdout.write("\n\n" + ev.data.footer)
                    if ev.data.followup:
                        _offer_followup(session.followups, conv_id, ev.data.followup, settings.user, args.yes)
        except USER_ERRORS as exc:  # bad input ends the turn, not the chat
            sys.stdout.write(f"error: {exc}")
        pending = []
        sys.stdout.write("\n\n")
    if conv_id:
        print(f"(conversation {conv_id}; resume with: medbot chat --resume {conv_id})")
    return 0


class _Session:
    """Where the chat's turns run: handed to a warm medbot with the same settings when one
    answers, else an agent in this process (created on first need)."""

    def __init__(self, settings, warm: bool):
        self.settings = settings
        self.warm = warm
        self._agent = None
        self._store = None

    @property
    def agent(self):
        if self._agent is None:
            from bot.agent import Agent
            from bot.commands.ask import prepare_index

            self._agent = Agent(self.settings, retriever=prepare_index(self.settings))
        return self._agent

    @property
    def store(self):
        if self._agent is not None:
            return self._agent.store
        if self._store is None:
            from bot.store import Store

            self._store = Store.from_settings(self.settings)
        return self._store

    @property
    def followups(self):
        from bot.followups import FollowUpBook

        return self._agent.followups if self._agent is not None else FollowUpBook(self.store)

    def model_header(self) -> tuple[str, str | None, bool]:
        """(model name, notice, is_demo) for the first line; from the warm medbot when it has the model."""
        if self.warm and self._agent is None:
            from bot.warm.client import hello, matches

            info = hello(self.settings)
            if matches(self.settings, info):
                return info.get("model") or "", info.get("notice"), bool(info.get("is_demo"))
        backend = self.agent.backend
        return backend.name, getattr(backend, "notice", None), bool(getattr(backend, "is_demo", False))

    def turn(self, message: str, conversation_id, uploads, role):
        """The events of one turn (warm when possible: each turn is offered anew)."""
        if self.warm:
            from bot.warm.client import open_turn

            turn = open_turn(self.settings, message, conversation_id=conversation_id, uploads=uploads,
                             role=role or self.settings.role)
            if turn is not None:
                return turn.events()
        return self.agent.turn(message, conversation_id=conversation_id, uploads=uploads, role=role)


def _offer_followup(book, conversation_id: str, proposal: dict, user: str, yes: bool) -> None:
    """Show a proposed follow-up and schedule it only if the person says yes (or passed --yes)."""
    from bot.followups import Proposal, accept

    sys.stdout.write("\n\n" + Proposal.from_json(proposal).text())
    if not yes:
        try:
            yes = input("\nSchedule this check-in? [y/N] ").strip().lower() in ("y", "yes")
        except EOFError:
            yes = False
    if yes:
        fu = accept(book, conversation_id, proposal, user)
        sys.stdout.write(f"\nFollow-up {fu.id} scheduled for {fu.due}.")
    else:
        sys.stdout.write("\nNo follow-up scheduled.")
