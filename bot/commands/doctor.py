"""`medbot doctor`: check the setup and print what works, with the fix for what does not."""

from __future__ import annotations

import argparse
import sys

from bot.cli_common import add_json_flag

_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check the setup: models and hashes, index, tools, binaries, GPU",
                       description="Check the setup and print one line per check (ok / WARN / FAIL, with the "
                       "fix). Exit code 1 when a check fails, 0 otherwise.")
    p.add_argument("--no-hash", dest="no_hash", action="store_true",
                   help="skip the full sha256 of each bundled model (seconds per GB)")
    p.add_argument("--chroma-url", dest="chroma_url", help="check this Chroma server (http://HOST:PORT)")
    add_json_flag(p)
    p.set_defaults(handler=handle)


def render(checks) -> str:
    """The checks as an aligned text table, fixes indented under their line."""
    width = max((len(f"{c.group}: {c.name}") for c in checks), default=10)
    lines = []
    for c in checks:
        lines.append(f"{_MARK[c.status]}  {f'{c.group}: {c.name}':<{width}}  {c.detail}")
        if c.fix and c.status != "ok":
            lines.append(f"      {'':<{width}}  fix: {c.fix}")
    return "\n".join(lines)


def source_check(settings):
    """The home's knowledge, source by source: "NIH consumer answers 16,407/16,407 · MEDLINE abstracts
    3,072/75,070 (filling, about 40 min left)" (passages searchable by meaning out of all).

    Returns:
        A `bot.checks.Check` ("index: sources"): a warning when some are not searchable by meaning
        and no fill runs; None for an external Chroma server or a home without sources.
    """
    from bot.checks import OK, WARN, Check
    from retrieval.dense_fill import home_status, sources_words

    if settings.retrieval.chroma_url:
        return None
    st = home_status(settings.home)
    if not st["sources"]:
        return None
    words = sources_words(st)
    if st["filling"] or all(s["state"] == "dense" for s in st["sources"]):
        return Check("index", "sources", OK, words)
    return Check("index", "sources", WARN, words, "medbot index start (resumes where it stopped)")


def _with_sources(checks: list, settings) -> list:
    """The checks with the per-source line after the last index line."""
    from bot.checks import FAIL, Check, _first_line

    try:
        extra = source_check(settings)
    except Exception as exc:  # noqa: BLE001 - one broken area must not hide the others
        extra = Check("index", "sources", FAIL, _first_line(exc), "run with MEDBOT_DEBUG=1 for details")
    if extra is None:
        return checks
    at = max((i + 1 for i, c in enumerate(checks) if c.group == "index"), default=len(checks))
    return checks[:at] + [extra] + checks[at:]


def handle(args: argparse.Namespace) -> int:
    from bot.checks import run_checks, summary
    from bot.cli_common import print_json, settings_from_args

    settings = settings_from_args(args)
    checks = _with_sources(run_checks(settings, verify=not args.no_hash), settings)
    result = summary(checks)
    if args.json:
        print_json({**result, "checks": [c.to_json() for c in checks]})
    else:
        print(render(checks))
        n = result["counts"]
        print(f"\n{n['ok']} ok, {n['warn']} warnings, {n['fail']} failed")
    sys.stdout.flush()
    return 0 if result["ok"] else 1
