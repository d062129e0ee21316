"""medbot's error types, re-exported so finetune modules read `from finetune.errors import UserError`."""

from bot.errors import InternalError, MedbotError, UserError

__all__ = ["InternalError", "MedbotError", "UserError"]
