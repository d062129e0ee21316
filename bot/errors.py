"""Error types the CLI turns into one-line messages."""


class MedbotError(Exception):
    """Base class for errors that medbot reports without a traceback."""

    exit_code = 1


class UserError(MedbotError):
    """Bad input from the user (file, flag, question, config): exit code 2."""

    exit_code = 2


class InternalError(MedbotError):
    """Something failed inside medbot or a dependency: exit code 1."""

    exit_code = 1
