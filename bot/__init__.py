"""medbot: an offline-first conversational medical assistant."""

__version__ = "0.1.0"
