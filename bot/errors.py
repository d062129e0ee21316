"""Error types the CLI turns into one-line messages.

medbot's libraries (`retrieval`, `vision_tools`, `genomics_tools`, `finetune`) know nothing of
`bot`: each raises its own `UserError` (bad input, exit 2) and `InternalError` (exit 1). The tuples
below let the application catch theirs and its own in one `except` clause.
"""

from retrieval.errors import RetrievalError, UserError as _RetrievalUserError
from vision_tools.errors import UserError as _VisionUserError, VisionError
from genomics_tools.errors import GenomicsError, UserError as _GenomicsUserError
from finetune.errors import FinetuneError, UserError as _FinetuneUserError


class MedbotError(Exception):
    """Base class for errors that medbot reports without a traceback."""

    exit_code = 1


class UserError(MedbotError):
    """Bad input from the user (file, flag, question, config): exit code 2."""

    exit_code = 2


class InternalError(MedbotError):
    """Something failed inside medbot or a dependency: exit code 1."""

    exit_code = 1


# Every error medbot reports as one line (each carries `exit_code`), and the bad-input ones.
REPORTED_ERRORS: tuple[type[Exception], ...] = (MedbotError, RetrievalError, VisionError, GenomicsError, FinetuneError)
USER_ERRORS: tuple[type[Exception], ...] = (UserError, _RetrievalUserError, _VisionUserError, _GenomicsUserError,
                                            _FinetuneUserError)
