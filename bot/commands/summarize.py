"""`medbot summarize CASE`: a traceable case summary of a FHIR R4 bundle or free-text notes.

The facts and the clinical scores are extracted, not generated: they are shown at once. The
narrative streams under them, each sentence shown once it has passed the traceability check; the
home's background fill pauses meanwhile, as it does for `ask`.
"""

from __future__ import annotations

import argparse
import sys
import time

from bot.cli_common import add_json_flag, add_model_flags


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summarize", help="summarize a case (FHIR R4 bundle JSON or notes text)",
                       description="Facts and clinical scores are extracted from the record and shown at once; the "
                                   "narrative comes from the LLM; every number and date is checked against the record.")
    p.add_argument("case", metavar="CASE", help="FHIR R4 Bundle JSON file or a notes text file ('-' reads stdin)")
    p.add_argument("--role", choices=["clinician", "patient"], default="clinician",
                   help="reader of the summary (default clinician; a patient sees no treatment text)")
    p.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                   help="summary date for ages (default: the latest clinical date in the bundle)")
    p.add_argument("--no-llm", dest="no_llm", action="store_true",
                   help="assemble the narrative from the facts instead of asking the LLM")
    p.add_argument("--no-scores", dest="no_scores", action="store_true",
                   help="leave out the clinical scores that apply to the case")
    p.add_argument("--timings", action="store_true",
                   help="print the seconds spent per stage (facts, model load, prompt, generation, check) on stderr")
    add_json_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def _read_case(args, settings):
    from pathlib import Path

    from bot.cases import case_from_file, case_from_text
    from bot.errors import UserError

    if args.case != "-":
        return case_from_file(settings, Path(args.case), as_of=args.as_of)
    data = sys.stdin.buffer.read()
    limit = settings.safety.max_upload_mb.get("text", 10) * 1_000_000
    if len(data) > limit:
        raise UserError(f"standard input is over the {limit / 1e6:.0f} MB limit for text")
    try:
        return case_from_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError("standard input is not UTF-8 text") from None


def handle(args: argparse.Namespace) -> int:
    import contextlib

    from bot.cases import RULES, summarize_facts
    from bot.cases.scores import case_scores
    from bot.cli_common import print_json, settings_from_args

    t0 = time.perf_counter()
    settings = settings_from_args(args)
    facts, rec = _read_case(args, settings)
    scores = [] if args.no_scores else case_scores(rec)
    facts_s = time.perf_counter() - t0

    def show(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    factory = None
    pause = contextlib.nullcontext()
    if not args.no_llm:
        from bot.cases.cpu import current_threads
        from bot.llm import load_backend
        from retrieval.dense_fill import answering

        settings.ensure_home()
        model_settings = settings.model_copy(update={"threads": current_threads(settings.threads)})
        factory = lambda: load_backend(model_settings)  # noqa: E731 - loaded once the facts are on screen
        pause = answering(settings.home)  # the background fill yields the CPU while the model writes
    with pause:
        summary = summarize_facts(facts, role=args.role, scores=scores, emit=None if args.json else show,
                                  backend_factory=factory)
    if factory is not None:
        summary.timings["threads"] = model_settings.threads
    summary.timings = {"facts_s": round(facts_s, 3), **summary.timings,
                       "total_s": round(time.perf_counter() - t0, 3)}
    if args.timings:
        sys.stderr.write("timings: " + ", ".join(f"{k} {v}" for k, v in summary.timings.items()) + "\n")
    if args.json:
        out = summary.to_json()
        out["rules"] = RULES
        out["model"] = summary.model
        print_json(out)
        return 0
    removed = [f for f in summary.flags if f.get("token")]
    if removed:
        show(f"\n_{len(removed)} number(s) or date(s) not traceable to the record were removed "
             "from the narrative._\n")
    if summary.model_is_demo:
        show("\n_Narrative drafted by the small demo model; facts above come from the record._\n")
    return 0
