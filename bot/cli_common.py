"""Helpers shared by every `medbot` subcommand module (kept import-light)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def settings_from_args(args: argparse.Namespace, **extra: Any):
    """See `bot.config.settings_from_args` (imported here lazily: pydantic stays off `--help`)."""
    from bot.config import settings_from_args as _settings_from_args

    return _settings_from_args(args, **extra)


def add_model_flags(p: argparse.ArgumentParser) -> None:
    """--model/--model-name/--adapter: the LLM, the same everywhere."""
    p.add_argument("--model", help="LLM: a .gguf path (llama.cpp), a Hugging Face model folder "
                   "(transformers), an http(s):// OpenAI-compatible base URL, or a bundled model: qwen1.5b "
                   "(default, Qwen2.5-Coder-1.5B-Instruct), smollm2 (SmolLM2-135M: fast, low memory), qwen0.5b")
    p.add_argument("--model-name", dest="model_name", help="model id served at the --model URL")
    p.add_argument("--adapter", help="PEFT LoRA adapter folder (transformers or llama.cpp backends)")
    p.add_argument("--max-tokens", dest="max_tokens", type=int, help="longest answer in tokens")
    p.add_argument("--temperature", type=float)
    p.add_argument("--seed", type=int)


def add_role_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", choices=["patient", "clinician"], help="who is asking (default patient)")


def add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object")


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
