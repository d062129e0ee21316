"""Errors raised by `retrieval`; the package imports nothing from the application that uses it.

`exit_code` tells a command-line program how to exit: 2 for bad input, 1 for internal failures.
"""


class RetrievalError(Exception):
    """Base class for retrieval errors that a program reports as one line, without a traceback."""

    exit_code = 1


class UserError(RetrievalError, ValueError):
    """Bad input (file, argument, model, setting): exit code 2."""

    exit_code = 2


class InternalError(RetrievalError, RuntimeError):
    """Something failed inside retrieval or one of its dependencies: exit code 1."""

    exit_code = 1


__all__ = ["RetrievalError", "InternalError", "UserError"]
