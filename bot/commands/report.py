"""`medbot report`: a preliminary diagnostic report (Markdown, PDF or FHIR R4 DiagnosticReport)."""

from __future__ import annotations

import argparse

from bot.cli_common import add_json_flag, add_model_flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write a diagnostic report of a conversation or a case",
                       description="Findings, tool outputs (measurements, overlay images, variant tables), "
                                   "conclusion, citations and disclaimer; status preliminary.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--conversation", metavar="ID", help="report on this stored conversation")
    src.add_argument("--case", metavar="FILE", help="report on a FHIR R4 bundle or notes file")
    p.add_argument("--format", dest="fmt", choices=["md", "pdf", "fhir"], default="md",
                   help="md (Markdown), pdf, or fhir (FHIR R4 DiagnosticReport JSON); default md")
    p.add_argument("--out", required=True, metavar="PATH", help="file to write")
    p.add_argument("--llm", action="store_true", help="case reports: let the LLM draft the narrative (checked)")
    add_json_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cli_common import print_json, settings_from_args
    from bot.errors import UserError
    from bot.reports import write_report

    settings = settings_from_args(args)
    backend = None
    if args.case:
        if not Path(args.case).is_file():
            raise UserError(f"no such file: {args.case}")
        if args.llm:
            from bot.llm import load_backend

            backend = load_backend(settings)
    path = write_report(settings, conversation_id=args.conversation, case=Path(args.case) if args.case else None,
                        fmt=args.fmt, out=Path(args.out), backend=backend)
    if args.json:
        print_json({"path": str(path), "format": args.fmt, "status": "preliminary",
                    "source": args.conversation or args.case})
    else:
        print(f"wrote {path} (preliminary {args.fmt} report; needs clinician review)")
    return 0
