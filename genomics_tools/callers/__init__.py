"""Variant callers behind one protocol, and their registry (`CALLERS`: name -> "module:Class")."""

from __future__ import annotations

import importlib

from genomics_tools.errors import UserError
from genomics_tools.callers.base import VariantCaller

CALLERS: dict[str, str] = {
    "cnn": "genomics_tools.callers.cnn:CnnCaller",
    "bcftools": "genomics_tools.callers.bcftools:BcftoolsCaller",
}


def get_caller(name: str, **kwargs) -> VariantCaller:
    """Instantiate the caller registered as `name`.

    Raises:
        UserError: unknown caller name.
    """
    try:
        module, cls = CALLERS[name].split(":")
    except KeyError:
        raise UserError(f"unknown caller '{name}' (known: {', '.join(CALLERS)})") from None
    return getattr(importlib.import_module(module), cls)(**kwargs)


__all__ = ["CALLERS", "VariantCaller", "get_caller"]
