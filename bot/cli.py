"""The `medbot` command. Subcommands live in small modules, each with `register(subparsers)`.

Modules are imported at start-up, so they must import only the standard library at top level;
heavy libraries load inside the handlers. Errors are one line on stderr: exit 2 for bad input,
1 for internal failures (set MEDBOT_DEBUG=1 for a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from bot import __version__
from bot.errors import REPORTED_ERRORS

COMMAND_MODULES = (
    "bot.commands.ask",
    "bot.commands.chat",
    "bot.commands.serve",
    "bot.commands.stop",
    "bot.commands.history",
    "bot.commands.followups",
    "bot.commands.letter",
    "bot.commands.summarize",
    "bot.commands.scores",
    "bot.commands.report",
    "bot.commands.literature",
    "bot.commands.index",
    "bot.commands.imaging",
    "bot.commands.classifier",
    "bot.commands.variants",
    "bot.commands.pgx",
    "bot.commands.medicines",
    "bot.commands.finetune",
    "bot.commands.eval",
    "bot.commands.doctor",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2
        sys.stderr.write(f"medbot: error: {message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="medbot", description="Offline-first medical assistant (small local model by default; not medical advice).")
    parser.add_argument("--version", action="version", version=f"medbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a package that has no CLI yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (also used in-process by tests)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        _setup_logging()
        return int(args.handler(args) or 0)
    except REPORTED_ERRORS as exc:
        if os.environ.get("MEDBOT_DEBUG"):
            raise
        sys.stderr.write(f"medbot: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("medbot: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the CLI promises no tracebacks
        if os.environ.get("MEDBOT_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        sys.stderr.write(f"medbot: internal error: {type(exc).__name__}: {first}\n")
        return 1


def _setup_logging() -> None:
    """Warnings to stderr, with PHI redacted from every log record."""
    import logging

    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setLevel(logging.WARNING)  # libraries that set DEBUG on their own loggers stay quiet
        handler.setFormatter(logging.Formatter("medbot: %(levelname)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    from bot.safety.phi import install_log_redaction

    install_log_redaction()


def run() -> None:
    raise SystemExit(main())


if __name__ == "__main__":
    run()
