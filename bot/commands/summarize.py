"""`medbot summarize CASE`: a traceable case summary of a FHIR R4 bundle or free-text notes."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag, add_model_flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summarize", help="summarize a case (FHIR R4 bundle JSON or notes text)",
                       description="Facts are extracted from the record; the narrative comes from the LLM; every "
                                   "number and date is checked against the record.")
    p.add_argument("case", metavar="CASE", help="FHIR R4 Bundle JSON file or a notes text file ('-' reads stdin)")
    p.add_argument("--role", choices=["clinician", "patient"], default="clinician",
                   help="reader of the summary (default clinician)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                   help="summary date for ages (default: the latest clinical date in the bundle)")
    p.add_argument("--no-llm", dest="no_llm", action="store_true",
                   help="assemble the narrative from the facts instead of asking the LLM")
    add_json_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cases import RULES, facts_from_file, facts_from_text, summarize_facts
    from bot.cli_common import print_json, settings_from_args
    from bot.errors import UserError

    settings = settings_from_args(args)
    if args.case == "-":
        data = sys.stdin.buffer.read()
        limit = settings.safety.max_upload_mb.get("text", 10) * 1_000_000
        if len(data) > limit:
            raise UserError(f"standard input is over the {limit / 1e6:.0f} MB limit for text")
        try:
            facts = facts_from_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise UserError("standard input is not UTF-8 text") from None
    else:
        facts = facts_from_file(settings, Path(args.case), as_of=args.as_of)
    backend = None
    if not args.no_llm:
        from bot.llm import load_backend

        backend = load_backend(settings)
    summary = summarize_facts(facts, backend=backend, role=args.role)
    if args.json:
        out = summary.to_json()
        out["rules"] = RULES
        out["model"] = getattr(backend, "name", None) if backend is not None else None
        print_json(out)
        return 0
    sys.stdout.write(summary.markdown)
    removed = [f for f in summary.flags if f.get("token")]
    if removed:
        sys.stdout.write(f"\n_{len(removed)} number(s) or date(s) not traceable to the record were removed "
                         "from the narrative._\n")
    if backend is not None and getattr(backend, "is_demo", False):
        sys.stdout.write("\n_Narrative drafted by the small demo model; facts above come from the record._\n")
    return 0
