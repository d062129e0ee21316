"""Helpers of the shared tool test (kept out of conftest so other folders can reuse the idea)."""

from __future__ import annotations

from typing import Any

# A value of the wrong JSON type for each schema type.
WRONG_VALUE: dict[str, Any] = {"string": 12345, "integer": "not a number", "number": "not a number",
                               "boolean": "yes", "array": "not a list", "object": "not an object"}


def wrong_type_calls(schema: dict[str, Any], good: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Copies of a good call with one property replaced by a value of the wrong type."""
    out = []
    for name, prop in schema.get("properties", {}).items():
        t = prop.get("type")
        if isinstance(t, str) and t in WRONG_VALUE:
            out.append((name, {**good, name: WRONG_VALUE[t]}))
    return out
