"""`medbot eval SUITE`: one command for every measurement.

Each suite is a module exposing `add_arguments(parser)` (stdlib only at import) and
`run(args) -> dict` (the result record: metrics plus what was measured: model, corpus, seeds).
A suite whose module is not present yet is reported as not built instead of a number.
"""

from __future__ import annotations

import argparse
import importlib

from bot.cli_common import add_json_flag, add_model_flags
from bot.evals.suites import SUITE_HELP, SUITES

def _load(module: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="measure answer quality, retrieval, safety, imaging, variants")
    suites = p.add_subparsers(dest="suite", metavar="SUITE")
    for name, module in SUITES.items():
        sp = suites.add_parser(name, help=SUITE_HELP.get(name, f"run the {name} suite"))
        add_json_flag(sp)
        add_model_flags(sp)
        sp.add_argument("--limit", type=int, help="evaluate at most N items (quick runs)")
        mod = _load(module)
        if mod is not None and hasattr(mod, "add_arguments"):
            mod.add_arguments(sp)
        sp.set_defaults(handler=_handler, suite_name=name, suite_module=module)
    rp = suites.add_parser("results", help="regenerate docs/RESULTS.md from the stored results")
    rp.add_argument("--out", default="docs/RESULTS.md")
    rp.set_defaults(handler=_results_handler)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _handler(args: argparse.Namespace) -> int:
    from bot.errors import UserError
    from bot.evals.results import record_result, render_result

    mod = _load(args.suite_module)
    if mod is None or not hasattr(mod, "run"):
        raise UserError(f"suite '{args.suite_name}' is not built yet: no measurement to report")
    result = mod.run(args)
    result.setdefault("suite", args.suite_name)
    path = record_result(result, args)
    render_result(result, as_json=args.json, stored=path)
    return 0


def _results_handler(args: argparse.Namespace) -> int:
    from bot.evals.results import write_results_md

    path = write_results_md(args.out)
    print(f"wrote {path}")
    return 0
