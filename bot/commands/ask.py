"""`medbot ask QUESTION`: one streamed, cited answer (or one JSON object with --json)."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag, add_model_flags, add_role_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask one question (streamed answer with citations)")
    p.add_argument("question", nargs="*", help="the question ('-' reads it from standard input)")
    add_role_flag(p)
    add_json_flag(p)
    add_model_flags(p)
    p.add_argument("--conversation", help="continue this conversation id")
    p.add_argument("--upload", action="append", default=[], metavar="FILE",
                   help="attach a file (FHIR bundle, image, VCF/BAM, notes); repeatable")
    p.add_argument("--chroma-url", dest="chroma_url", help="use a Chroma server (http://HOST:PORT)")
    p.add_argument("--yes", action="store_true", help="accept the follow-up check-in medbot proposes, if any")
    p.add_argument("--followup-due", dest="followup_due", metavar="YYYY-MM-DD",
                   help="with --yes: schedule the follow-up on this date instead of the proposed one")
    p.add_argument("--no-warm", dest="no_warm", action="store_true",
                   help="answer in this process even when a warm medbot (`medbot serve`) runs")
    p.set_defaults(handler=handle)


def read_question(words: list[str]) -> str:
    """Join argv words (or read stdin for '-'), rejecting empty or non-UTF-8 text."""
    from bot.errors import UserError

    if words == ["-"]:
        data = sys.stdin.buffer.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise UserError("the question is not valid UTF-8 text") from None
    else:
        text = " ".join(words)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # undecodable argv bytes arrive as surrogates
            raise UserError("the question is not valid UTF-8 text") from None
    if "\x00" in text:
        raise UserError("the question contains NUL bytes")
    return text.strip()


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cli_common import print_json, settings_from_args
    from bot.errors import UserError

    question = read_question(args.question)
    if not question and not args.upload:
        raise UserError("empty question")
    if args.followup_due:
        if not args.yes:
            raise UserError("--followup-due needs --yes (it sets the date of an accepted follow-up)")
        from bot.followups import parse_due, system_clock

        parse_due(args.followup_due, system_clock)  # a bad date fails before the question is stored
    settings = settings_from_args(args)
    uploads = [Path(u) for u in args.upload]
    turn = None if args.no_warm else _warm_turn(settings, question, args.conversation, uploads, args.role)
    agent = None
    if turn is not None:
        events = turn.events()
    else:
        from bot.agent import Agent

        if settings.safety.audit:  # the audit record is redacted with presidio: load it while the model loads
            from bot.safety.phi import preload_redactor

            preload_redactor()
        agent = Agent(settings, retriever=prepare_index(settings))
        events = agent.turn(question, conversation_id=args.conversation, uploads=uploads, role=args.role)
    stream = not args.json
    result = None
    for ev in events:
        if ev.kind == "token" and stream:
            sys.stdout.write(ev.data)
            sys.stdout.flush()
        elif ev.kind == "reading" and stream:  # on screen while the model reads them
            from bot.answers.cite import reading_line

            sys.stderr.write(reading_line(ev.data) + "\n")
        elif ev.kind == "tool" and stream:
            status = "error: " + ev.data["error"] if "error" in ev.data else "ok"
            sys.stderr.write(f"[tool {ev.data['name']}: {status}]\n")
        elif ev.kind == "queued":
            from bot.warm.client import queued_text

            sys.stderr.write(queued_text(ev.data) + "\n")
            sys.stderr.flush()
        elif ev.kind == "done":
            result = ev.data
    scheduled = None
    if result.followup and args.yes:
        from bot.followups import accept

        book = agent.followups if agent is not None else _followups(settings)
        scheduled = accept(book, result.conversation_id, result.followup, settings.user, due=args.followup_due)
    if args.json:
        out = result.to_json()
        if scheduled is not None:
            out["followup"] = scheduled.to_json()
        print_json(out)
    else:
        if result.footer:
            sys.stdout.write("\n\n" + result.footer)
        if scheduled is not None:
            sys.stdout.write(f"\n\nFollow-up {scheduled.id} scheduled for {scheduled.due}: {scheduled.subject}.")
        elif result.followup:
            from bot.followups import Proposal

            sys.stdout.write(f"\n\n{Proposal.from_json(result.followup).text()}\nNot scheduled: accept with "
                             f"`medbot followups accept {result.conversation_id}` (or pass --yes).")
        sys.stdout.write(f"\n\n(conversation {result.conversation_id}; model {result.model})\n")
    return 0


def _warm_turn(settings, question: str, conversation_id, uploads, role):
    """The turn handed to a warm medbot with the same settings, or None (answer in-process)."""
    from bot.warm.client import open_turn

    return open_turn(settings, question, conversation_id=conversation_id, uploads=uploads,
                     role=role or settings.role)


def _followups(settings):
    """The follow-up book of the home (when the turn ran in a warm medbot)."""
    from bot.followups import FollowUpBook
    from bot.store import Store

    return FollowUpBook(Store.from_settings(settings))


def prepare_index(settings):
    """On a new home, build the index now, its progress on stderr from the first second (before
    the model loads); None otherwise (the agent opens the index when it first searches)."""
    from bot.errors import REPORTED_ERRORS

    try:
        from retrieval.first_run import FirstRunProgress, needed

        if not needed(settings):
            return None
        from retrieval import get_retriever

        progress = FirstRunProgress(settings.home)
        progress.stage("opening")  # on screen while the index and its embedder open
        progress.relabel("opening the index")
        try:
            return get_retriever(settings, progress=progress)
        finally:
            progress.finish()
    except (ImportError, *REPORTED_ERRORS):
        return None  # the agent meets the same error when it searches, and reports it there
