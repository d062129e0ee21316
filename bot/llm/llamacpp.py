"""llama.cpp backend (default): a bundled GGUF (by short name) or any GGUF path, via llama-cpp-python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterator

from bot.errors import UserError
from bot.llm.base import Chunk, Completion, collect, common_prefix


class LlamaCppBackend:
    supports_tools = False  # routed deterministically; see bot.agent

    def __init__(self, model_path: Path, *, n_ctx: int = 4096, threads: int | None = None, seed: int = 0,
                 lora_path: Path | None = None, is_demo: bool = False, defaults: dict[str, Any] | None = None,
                 notice: str | None = None, state_dir: Path | None = None):
        from llama_cpp import Llama

        self.model_path = Path(model_path)
        self.is_demo = is_demo
        self.notice = notice  # the honest label shown with answers of a bundled small model
        self.name = self.model_path.name + (f" + LoRA {Path(lora_path).name}" if lora_path else "")
        self.defaults = dict(defaults or {})
        n_threads = threads or max(1, os.cpu_count() or 1)
        # n_threads_batch (prompt evaluation) otherwise defaults to every CPU, ignoring `threads`.
        kwargs: dict[str, Any] = dict(model_path=str(self.model_path), n_ctx=n_ctx, seed=seed, verbose=False,
                                      n_threads=n_threads, n_threads_batch=n_threads)
        if lora_path:
            kwargs["lora_path"] = str(lora_path)
        try:
            self.llm = Llama(**kwargs)
        except (ValueError, RuntimeError) as exc:
            raise UserError(f"cannot load GGUF model {self.model_path}: {exc}") from None
        self.prefix_state = None  # the saved KV state of a chat's fixed opening (see bot.llm.prefix_state)
        if state_dir is not None:
            from bot.llm.prefix_state import PrefixState

            st = self.model_path.stat()
            self.prefix_state = PrefixState(self.llm, Path(state_dir),
                                            f"{self.model_path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{lora_path}")

    @classmethod
    def from_settings(cls, settings) -> "LlamaCppBackend":
        from bot.llm import bundled

        name = settings.model or bundled.DEFAULT_MODEL
        if name in bundled.MODELS:
            path = bundled.bundled_gguf(name)
        else:
            path = Path(name).expanduser()
            if not path.is_file():
                raise UserError(f"model file not found: {settings.model}")
        known = bundled.by_path(path)
        demo = bool(known and known.demo)
        notice = known.notice if known else None
        lora = None
        if settings.adapter:
            from bot.llm.lora_gguf import adapter_to_gguf

            lora = adapter_to_gguf(Path(settings.adapter).expanduser(), path, cache_dir=settings.home / "adapters")
        return cls(path, n_ctx=settings.n_ctx, threads=settings.threads, seed=settings.seed, lora_path=lora,
                   is_demo=demo, notice=notice, state_dir=Path(settings.home) / "cache" / "kv",
                   defaults={"max_tokens": settings.max_tokens, "temperature": settings.temperature})

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
        if self.prefix_state is not None:
            self.prefix_state.prepare(messages)
        for part in self.llm.create_chat_completion(messages=messages, stream=True, **kwargs):
            choice = part["choices"][0]
            text = choice.get("delta", {}).get("content") or ""
            if text or choice.get("finish_reason"):
                yield Chunk(text=text, finish_reason=choice.get("finish_reason"))

    def prime(self, messages: list[dict[str, Any]]) -> None:
        """Put the fixed opening of `messages` in the KV cache now (the web chat's warm-up), from
        its saved state when there is one."""
        if self.prefix_state is not None:
            self.prefix_state.prepare(messages)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion:
        return collect(self.stream(messages, tools, **gen))

    def loglikelihood(self, prompt: str, continuation: str) -> float:
        """Sum of log-probabilities of `continuation` after `prompt` (for multiple-choice scoring)."""
        return self.loglikelihoods(prompt, [continuation])[0]

    def loglikelihoods(self, prompt: str, continuations: list[str]) -> list[float]:
        """Summed log-probabilities of each continuation after `prompt`.

        Works on the model as opened for chat (no `logits_all`): tokens are evaluated into the KV
        cache and only the last position's logits are read after each step, so the prompt is
        evaluated once for all continuations (and its prefix is reused from the previous call).
        The context of a continuation is the longest common token prefix of `prompt` and
        `prompt + continuation`, so a first token that merges across the boundary is still
        scored. A prompt longer than the context window keeps its last tokens.

        Args:
            prompt: the context text.
            continuations: texts to score, e.g. [" A", " B", " C", " D"].

        Returns:
            One log-probability (<= 0) per continuation.

        Raises:
            UserError: a continuation that does not fit in the context window.
        """
        ctx = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=True)
        out = []
        for continuation in continuations:
            full = self.llm.tokenize((prompt + continuation).encode("utf-8"), add_bos=True, special=True)
            n = common_prefix(ctx, full)
            context, cont = full[:n], full[n:]
            if not cont:
                out.append(0.0)
                continue
            room = self.llm.n_ctx() - len(cont)
            if room < 1:
                raise UserError(f"continuation of {len(cont)} tokens does not fit the {self.llm.n_ctx()}-token context")
            if len(context) > room:
                context = context[-room:]
            if not context:
                raise UserError("cannot score a continuation without a context token (model has no BOS token)")
            logprobs = self._next_logprobs(context)
            total = 0.0
            for i, tok in enumerate(cont):
                total += float(logprobs[tok])
                if i + 1 < len(cont):
                    logprobs = self._next_logprobs(context + cont[: i + 1])
            out.append(total)
        return out

    def _next_logprobs(self, tokens: list[int]):
        """Log-softmax of the next-token logits after `tokens`, reusing the cached common prefix."""
        import numpy as np
        import llama_cpp

        cached = self.llm.input_ids[: self.llm.n_tokens].tolist()
        if cached == tokens and getattr(self, "_last_key", None) == tuple(tokens):
            return self._last_logprobs
        keep = min(common_prefix(cached, tokens), len(tokens) - 1)  # the last token must be evaluated
        self.llm.n_tokens = keep  # eval() drops the KV cache beyond n_tokens
        self._last_key = None
        self.llm.eval(tokens[keep:])
        n_vocab = self.llm.n_vocab()
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(n_vocab,))
        row = logits.astype(np.float64)
        m = row.max()
        self._last_logprobs = row - (m + np.log(np.exp(row - m).sum()))
        self._last_key = tuple(tokens)
        return self._last_logprobs


def _parse_call(tc: dict[str, Any]) -> dict[str, Any]:
    import json

    fn = tc.get("function", {})
    args = fn.get("arguments") or "{}"
    try:
        parsed = json.loads(args) if isinstance(args, str) else dict(args)
    except json.JSONDecodeError:
        parsed = {"_raw": args}
    return {"id": tc.get("id", ""), "name": fn.get("name", ""), "arguments": parsed}
