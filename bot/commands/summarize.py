"""`medbot summarize CASE`: a traceable case summary of a FHIR R4 bundle or free-text notes.

The facts and the clinical scores are extracted, not generated: they are shown at once. The
narrative streams under them, each sentence shown once it has passed the traceability check; the
home's background fill pauses meanwhile, as it does for `ask`. When a warm medbot with the same
settings runs (`medbot serve --background`), it writes the summary with its loaded model and the
output streams back; otherwise (or with `--no-warm`) this process loads the model.
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
    p.add_argument("--no-warm", dest="no_warm", action="store_true",
                   help="summarize in this process even when a warm medbot (`medbot serve`) runs")
    p.add_argument("--timings", action="store_true",
                   help="print the seconds spent per stage (facts, model load, prompt, generation, check) on stderr")
    add_json_flag(p)
    add_model_flags(p)
    p.set_defaults(handler=handle)


def _stdin_text(settings) -> str:
    """The case given on standard input ('-'), within the text upload limit."""
    from bot.errors import UserError

    data = sys.stdin.buffer.read()
    limit = settings.safety.max_upload_mb.get("text", 10) * 1_000_000
    if len(data) > limit:
        raise UserError(f"standard input is over the {limit / 1e6:.0f} MB limit for text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError("standard input is not UTF-8 text") from None


def _case(args, settings) -> dict:
    """The case as `bot.warm.summarize` takes it: {"path": FILE} or {"text": TEXT}."""
    from pathlib import Path

    from bot.errors import UserError

    if args.case == "-":
        return {"text": _stdin_text(settings)}
    if not Path(args.case).exists():  # said here, with the path as given, wherever the summary is written
        raise UserError(f"no such file: {Path(args.case)}")
    return {"path": args.case}


def _show(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _finish(args, out_json: dict, result: dict, t0: float) -> int:
    """Print what follows the narrative (or the JSON), the same for an in-process and a warm summary."""
    from bot.cli_common import print_json

    timings = {**result["timings"], "total_s": round(time.perf_counter() - t0, 3)}
    if args.timings:
        sys.stderr.write("timings: " + ", ".join(f"{k} {v}" for k, v in timings.items()) + "\n")
    if args.json:
        print_json({**out_json, "timings": timings})
        return 0
    if result["removed"]:
        _show(f"\n_{result['removed']} number(s) or date(s) not traceable to the record were removed "
              "from the narrative._\n")
    if result["model_is_demo"]:
        _show("\n_Narrative drafted by the small demo model; facts above come from the record._\n")
    return 0


def _warm(args, settings, case: dict, t0: float) -> int | None:
    """Hand the summary to a warm medbot with the same settings; None when none takes it (run here)."""
    from bot.warm.client import open_summary, queued_text

    job = open_summary(settings, case, as_of=args.as_of, role=args.role, scores=not args.no_scores,
                       stream=not args.json)
    if job is None:
        return None
    for ev in job.events():
        if ev.kind == "text":
            _show(ev.data)
        elif ev.kind == "queued":
            sys.stderr.write(queued_text(ev.data) + "\n")
            sys.stderr.flush()
        elif ev.kind == "done":
            result = ev.data
    fields = {k: getattr(result, k) for k in ("model", "model_is_demo", "removed", "timings")}
    return _finish(args, result.to_json(), fields, t0)


def handle(args: argparse.Namespace) -> int:
    import contextlib

    from bot.cli_common import settings_from_args
    from bot.warm.summarize import summarize_case, summary_json, summary_result

    t0 = time.perf_counter()
    settings = settings_from_args(args)
    case = _case(args, settings)
    if not args.no_llm and not args.no_warm:
        done = _warm(args, settings, case, t0)
        if done is not None:
            return done

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
        summary = summarize_case(settings, case, as_of=args.as_of, role=args.role, with_scores=not args.no_scores,
                                 emit=None if args.json else _show, backend_factory=factory)
    if factory is not None:
        summary.timings["threads"] = model_settings.threads
    return _finish(args, summary_json(summary), summary_result(summary), t0)
