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

    from bot.agent import Agent
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
    if settings.safety.audit:  # the audit record is redacted with presidio: load it while the model loads
        from bot.safety.phi import preload_redactor

        preload_redactor()
    agent = Agent(settings)
    stream = not args.json
    result = None
    for ev in agent.turn(question, conversation_id=args.conversation, uploads=[Path(u) for u in args.upload],
                         role=args.role):
        if ev.kind == "token" and stream:
            sys.stdout.write(ev.data)
            sys.stdout.flush()
        elif ev.kind == "tool" and stream:
            status = "error: " + ev.data["error"] if "error" in ev.data else "ok"
            sys.stderr.write(f"[tool {ev.data['name']}: {status}]\n")
        elif ev.kind == "done":
            result = ev.data
    scheduled = None
    if result.followup and args.yes:
        from bot.followups import accept

        scheduled = accept(agent.followups, result.conversation_id, result.followup, settings.user,
                           due=args.followup_due)
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
