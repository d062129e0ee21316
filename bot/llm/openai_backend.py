"""OpenAI-compatible HTTP backend (vLLM, TGI, Ollama, llama-server, llama_cpp.server), streaming."""

from __future__ import annotations

import json
from typing import Any, Iterator

from bot.errors import UserError
from bot.llm.base import Chunk, Completion, collect


def _base_url(url: str) -> str:
    url = url.rstrip("/")
    return url if url.endswith("/v1") else url + "/v1"


class OpenAIBackend:
    is_demo = False
    supports_tools = True

    def __init__(self, base_url: str, *, model_name: str | None = None, api_key: str | None = None,
                 defaults: dict[str, Any] | None = None, redact=None, timeout: float = 120.0):
        import httpx
        import openai

        self.base_url = _base_url(base_url)
        self.client = openai.OpenAI(base_url=self.base_url, api_key=api_key or "not-needed", timeout=timeout,
                                    max_retries=0)
        self.defaults = dict(defaults or {})
        self.redact = redact  # callable(messages) -> messages, applied before anything leaves the machine
        try:
            served = [m.id for m in self.client.models.list().data]
        except (openai.APIConnectionError, httpx.HTTPError) as exc:
            raise UserError(f"cannot reach model server at {base_url}: {type(exc).__name__}") from None
        except openai.APIStatusError as exc:
            raise UserError(f"model server at {base_url} answered HTTP {exc.status_code}") from None
        if model_name and served and model_name not in served:
            raise UserError(f"model '{model_name}' is not served at {base_url} (served: {', '.join(served)})")
        self.model_name = model_name or (served[0] if served else "default")
        self.name = f"{self.model_name} @ {base_url}"

    @classmethod
    def from_settings(cls, settings) -> "OpenAIBackend":
        redact = None
        if settings.safety.redact_remote:
            from bot.safety.phi import redact_messages

            redact = redact_messages
        return cls(settings.model, model_name=settings.model_name, api_key=settings.api_key, redact=redact,
                   defaults={"max_tokens": settings.max_tokens, "temperature": settings.temperature,
                             "seed": settings.seed})

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               tool_choice: Any = None, **gen: Any) -> Iterator[Chunk]:
        import openai

        opts = {**self.defaults, **{k: v for k, v in gen.items() if v is not None}}
        if self.redact:
            messages = self.redact(messages)
        kwargs: dict[str, Any] = dict(model=self.model_name, messages=messages, stream=True, **opts)
        if tools:
            kwargs["tools"] = tools
            if tool_choice:
                kwargs["tool_choice"] = tool_choice
        try:
            stream = self.client.chat.completions.create(**kwargs)
            calls: dict[int, dict[str, Any]] = {}
            finish = None
            for part in stream:
                if not part.choices:
                    continue
                choice = part.choices[0]
                delta = choice.delta
                for tc in delta.tool_calls or []:
                    slot = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                    slot["id"] = tc.id or slot["id"]
                    if tc.function:
                        slot["name"] += tc.function.name or ""
                        slot["arguments"] += tc.function.arguments or ""
                if delta.content:
                    yield Chunk(text=delta.content)
                finish = choice.finish_reason or finish
        except openai.APIConnectionError as exc:
            raise UserError(f"lost the model server at {self.base_url}: {exc}") from None
        except openai.APIStatusError as exc:
            raise UserError(f"model server error HTTP {exc.status_code}: {str(exc.message)[:200]}") from None
        parsed = []
        for slot in calls.values():
            try:
                args = json.loads(slot["arguments"] or "{}")
            except json.JSONDecodeError:
                args = {"_raw": slot["arguments"]}
            parsed.append({"id": slot["id"], "name": slot["name"], "arguments": args})
        yield Chunk(tool_calls=parsed, finish_reason=finish)

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion:
        return collect(self.stream(messages, tools, **gen))
