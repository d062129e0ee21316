"""System prompts per role, shipped as package data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

ROLES = ("patient", "clinician")


@lru_cache(maxsize=None)
def system_prompt(role: str) -> str:
    """The system prompt for `role` ("patient" or "clinician")."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return resources.files(__package__).joinpath(f"{role}.txt").read_text(encoding="utf-8").strip()


@lru_cache(maxsize=None)
def answer_prompt(role: str) -> str:
    """The system prompt that asks the LLM for the direct answer from the numbered sources, for `role`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    return resources.files(__package__).joinpath(f"answer_{role}.txt").read_text(encoding="utf-8").strip()
