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
    if args.json:
        print_json(result.to_json())
    else:
        if result.footer:
            sys.stdout.write("\n\n" + result.footer)
        sys.stdout.write(f"\n\n(conversation {result.conversation_id}; model {result.model})\n")
    return 0
