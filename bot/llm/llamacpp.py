"""llama.cpp backend (default): the bundled SmolLM2 GGUF or any GGUF path, via llama-cpp-python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

from bot.errors import UserError
from bot.llm.base import Chunk, Completion, collect


class LlamaCppBackend:
    supports_tools = False  # routed deterministically; see bot.agent

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, threads: int | None = None, seed: int = 0,
                 lora_path: Path | None = None, is_demo: bool = False, defaults: dict[str, Any] | None = None):
        from llama_cpp import Llama

        self.model_path = Path(model_path)
        self.is_demo = is_demo
        self.name = self.model_path.name + (f" + LoRA {Path(lora_path).name}" if lora_path else "")
        self.defaults = dict(defaults or {})
        kwargs: dict[str, Any] = dict(model_path=str(self.model_path), n_ctx=n_ctx, seed=seed, verbose=False,
                                      n_threads=threads or max(1, os.cpu_count() or 1))
        if lora_path:
            kwargs["lora_path"] = str(lora_path)
        try:
            self.llm = Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise UserError(f"cannot load GGUF model {self.model_path}: {exc}") from None

    @classmethod
    def from_settings(cls, settings) -> "LlamaCppBackend":
        from bot.llm import bundled_gguf

        if settings.model:
            path = Path(settings.model).expanduser()
            if not path.is_file():
                raise UserError(f"model file not found: {settings.model}")
            demo = False
        else:
            path, demo = bundled_gguf(), True
        lora = None
        if settings.adapter:
            from finetune.export import adapter_to_gguf

            lora = adapter_to_gguf(Path(settings.adapter).expanduser(), path, cache_dir=settings.home / "adapters")
        return cls(path, n_ctx=settings.n_ctx, threads=settings.threads, seed=settings.seed, lora_path=lora,
                   is_demo=demo, defaults={"max_tokens": settings.max_tokens, "temperature": settings.temperature})

    def _gen(self, gen: dict[str, Any]) -> dict[str, Any]:
        out = {**self.defaults, **{k: v for k, v in gen.items() if v is not None}}
        out.setdefault("max_tokens", 384)
        return out

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               tool_choice: Any = None, **gen: Any) -> Iterator[Chunk]:
        kwargs = self._gen(gen)
        if tools and tool_choice:
            # llama.cpp constrains the output to the forced tool's JSON schema with a grammar.
            out = self.llm.create_chat_completion(messages=messages, tools=tools, tool_choice=tool_choice, **kwargs)
            choice = out["choices"][0]
            calls = [_parse_call(tc) for tc in (choice["message"].get("tool_calls") or [])]
            yield Chunk(text=choice["message"].get("content") or "", tool_calls=calls,
                        finish_reason=choice.get("finish_reason"))
            return
        for part in self.llm.create_chat_completion(messages=messages, stream=True, **kwargs):
            choice = part["choices"][0]
            text = choice.get("delta", {}).get("content") or ""
            if text or choice.get("finish_reason"):
                yield Chunk(text=text, finish_reason=choice.get("finish_reason"))

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion:
        return collect(self.stream(messages, tools, **gen))

    def loglikelihood(self, prompt: str, continuation: str) -> float:
        """Sum of log-probabilities of `continuation` after `prompt` (for multiple-choice scoring)."""
        import numpy as np

        ctx = self.llm.tokenize(prompt.encode(), add_bos=True, special=True)
        full = self.llm.tokenize((prompt + continuation).encode(), add_bos=True, special=True)
        n_ctx = len(ctx)
        while n_ctx > 0 and full[:n_ctx] != ctx[:n_ctx]:
            n_ctx -= 1
        cont = full[n_ctx:]
        if not cont:
            return 0.0
        self.llm.reset()
        if not self.llm.context_params.logits_all:
            raise RuntimeError("loglikelihood needs a model opened with logits_all=True")
        self.llm.eval(full)
        logits = np.asarray(self.llm.scores[: len(full)], dtype=np.float64)
        total = 0.0
        for i, tok in enumerate(cont):
            row = logits[n_ctx + i - 1]
            m = row.max()
            total += row[tok] - (m + np.log(np.exp(row - m).sum()))
        return float(total)


def _parse_call(tc: dict[str, Any]) -> dict[str, Any]:
    import json

    fn = tc.get("function", {})
    args = fn.get("arguments") or "{}"
    try:
        parsed = json.loads(args) if isinstance(args, str) else dict(args)
    except json.JSONDecodeError:
        parsed = {"_raw": args}
    return {"id": tc.get("id", ""), "name": fn.get("name", ""), "arguments": parsed}
