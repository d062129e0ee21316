"""`medbot scores CASE [--score NAME...] [--json]`: clinical scores from a FHIR bundle or notes."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("scores", help="clinical scores from a case (CHA2DS2-VASc, HAS-BLED, CURB-65, eGFR...)",
                       description="Each input is read from the record with its source, or listed missing; a score "
                                   "with missing inputs is given as the range it can take.")
    p.add_argument("case", metavar="CASE", help="FHIR R4 Bundle JSON file or a notes text file ('-' reads stdin)")
    p.add_argument("--score", action="append", metavar="NAME",
                   help="score to compute (repeatable; default: the scores that apply to the case)")
    p.add_argument("--input", action="append", metavar="NAME=VALUE", dest="inputs",
                   help="a value stated by the clinician, replacing the record's (e.g. labile_inr=false, urea_mmol=8)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD", help="summary date (default: latest date in the record)")
    p.add_argument("--role", choices=["clinician", "patient"], default="clinician", help="reader (default clinician)")
    p.add_argument("--list", action="store_true", help="list the scores medbot knows and exit")
    add_json_flag(p)
    p.set_defaults(handler=handle)


def _value(text: str):
    low = text.strip().lower()
    if low in ("true", "yes", "y"):
        return True
    if low in ("false", "no", "n"):
        return False
    try:
        return float(text)
    except ValueError:
        return text.strip()


def handle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.cli_common import print_json, settings_from_args
    from bot.errors import UserError
    from bot.scores import record, score_case
    from bot.scores.render import markdown, patient_text

    if args.list:
        from bot.scores.catalog import SCORES

        for sd in SCORES.values():
            sys.stdout.write(f"{sd.key:16} {sd.title} — {sd.citation}\n")
        return 0
    inputs = {}
    for item in args.inputs or []:
        if "=" not in item:
            raise UserError(f"--input wants NAME=VALUE, not '{item}'")
        k, v = item.split("=", 1)
        inputs[k.strip()] = _value(v)
    settings = settings_from_args(args)
    if args.case == "-":
        data = sys.stdin.buffer.read()
        try:
            rec = record.from_text(data.decode("utf-8"), as_of=args.as_of)
        except UnicodeDecodeError:
            raise UserError("standard input is not UTF-8 text") from None
    else:
        rec = record.from_file(settings, Path(args.case), as_of=args.as_of)
    results, why = score_case(rec, names=args.score, inputs=inputs)
    if args.json:
        print_json({"as_of": rec.as_of, "as_of_rule": rec.as_of_rule, "applicable": [{"score": k, "why": w} for k, w in why],
                    "scores": [r.to_json() for r in results]})
        return 0
    if not results:
        sys.stdout.write("No score applies to this case from its conditions; name one with --score (see --list).\n")
        return 0
    sys.stdout.write((patient_text(results) if args.role == "patient" else markdown(results, why)) + "\n")
    return 0
