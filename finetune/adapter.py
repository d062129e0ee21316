"""Adapter folders: PEFT files plus `medbot_adapter.json`, which records the base model's
architecture so that applying the adapter to another model fails with a clear message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from finetune.errors import UserError

META = "medbot_adapter.json"


def write_meta(adapter_dir: Path, fingerprint: dict[str, Any], base: str, extra: dict[str, Any] | None = None) -> None:
    """Record the base model next to the PEFT files."""
    meta = {"base": base, "fingerprint": fingerprint, **(extra or {})}
    (adapter_dir / META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def read_adapter(adapter_dir: str | Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(adapter_config.json, medbot_adapter.json or {}) of an adapter folder.

    Raises:
        UserError: not a folder with adapter_config.json, or unreadable JSON.
    """
    d = Path(adapter_dir).expanduser()
    cfg_file = d / "adapter_config.json"
    if not cfg_file.is_file():
        raise UserError(f"not a LoRA adapter folder (no adapter_config.json): {adapter_dir}")
    try:
        cfg = json.loads(cfg_file.read_text(encoding="utf-8"))
        meta = json.loads((d / META).read_text(encoding="utf-8")) if (d / META).is_file() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"unreadable adapter metadata in {adapter_dir}: {exc}") from None
    if cfg.get("peft_type", "LORA") != "LORA":
        raise UserError(f"adapter {adapter_dir} is {cfg.get('peft_type')}, only LoRA adapters are supported")
    return cfg, meta


def check_fits(adapter_dir: str | Path, fingerprint: dict[str, Any]) -> None:
    """Raise when the adapter was trained on a base with another architecture.

    Args:
        adapter_dir: the adapter folder.
        fingerprint: `finetune.model.base_fingerprint(config)` of the model it will be applied to
            (fields that are None on either side are not compared).

    Raises:
        UserError: naming the first field that differs.
    """
    _, meta = read_adapter(adapter_dir)
    theirs = meta.get("fingerprint") or {}
    for key, mine in fingerprint.items():
        other = theirs.get(key)
        if mine is not None and other is not None and mine != other:
            raise UserError(f"adapter {adapter_dir} was trained for another base model "
                            f"({meta.get('base', '?')}: {key}={other}, this model has {key}={mine})")
