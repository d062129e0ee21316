"""Errors raised by `vision_tools`; the package imports nothing from the application that uses it.

`exit_code` tells a command-line program how to exit: 2 for bad input, 1 for internal failures.
"""


class VisionError(Exception):
    """Base class for imaging errors that a program reports as one line, without a traceback."""

    exit_code = 1


class UserError(VisionError, ValueError):
    """Bad input (file, argument, model, setting): exit code 2."""

    exit_code = 2


class InternalError(VisionError, RuntimeError):
    """Something failed inside vision_tools or one of its dependencies: exit code 1."""

    exit_code = 1


__all__ = ["VisionError", "InternalError", "UserError"]
