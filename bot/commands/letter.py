"""`medbot letter CASE`: a plain-language letter to the patient, drafted from a case summary."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag, add_model_flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("letter", help="draft a plain-language letter to the patient from a case",
                       description="What was found, what to do and when to come back, from a FHIR R4 bundle or "
                                   "notes file. Every number and date is checked against the record.")
    p.add_argument("case", metavar="CASE", help="FHIR R4 Bundle JSON file or a notes text file")
    p.add_argument("--format", dest="fmt", choices=["md", "pdf"], default="md", help="md (default) or pdf")
    p.add_argument("--out", metavar="FILE", help="file to write (required for pdf; md goes to standard output "
                                                 "without it)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                   help="record date (default: the latest clinical date in the bundle)")
    p.add_argument("--llm", action="store_true", help="let the LLM write the opening paragraph (checked)")
    add_json_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cli_common import print_json, settings_from_args
    from bot.errors import UserError
    from bot.letters import letter_for_case, write_letter

    if args.fmt == "pdf" and not args.out:
        raise UserError("--format pdf needs --out FILE")
    if args.out:
        out = Path(args.out).expanduser()
        if out.is_dir() or not out.parent.is_dir():  # checked before the LLM runs
            raise UserError(f"cannot write {out}: " + ("it is a folder" if out.is_dir() else f"no such folder {out.parent}"))
    settings = settings_from_args(args)
    backend = None
    if args.llm:
        from bot.llm import load_backend

        backend = load_backend(settings)
    letter = letter_for_case(settings, Path(args.case), backend=backend, as_of=args.as_of)
    path = write_letter(letter.markdown, Path(args.out), args.fmt) if args.out else None
    if args.json:
        out = letter.to_json()
        out.update({"path": str(path) if path else None, "format": args.fmt,
                    "model": getattr(backend, "name", None)})
        print_json(out)
    elif path:
        print(f"wrote {path} (draft letter; a clinician should review it)")
    else:
        sys.stdout.write(letter.markdown + "\n")
    return 0
