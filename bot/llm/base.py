"""The LLM backend contract: `stream(messages, tools=None, **gen) -> Iterator[Chunk]` and `complete`.

Messages use the OpenAI chat format (`{"role": ..., "content": ...}`); every backend applies the
model's own chat template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol


@dataclass
class Chunk:
    """One streamed piece: text, or (at the end) tool calls and the finish reason."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # [{"id", "name", "arguments": dict}]
    finish_reason: str | None = None


@dataclass
class Completion:
    text: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None


class Backend(Protocol):
    name: str  # what the UI and --json show as "model"
    supports_tools: bool  # native tool calls via the chat template / API
    is_demo: bool  # the bundled tiny model

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               **gen: Any) -> Iterator[Chunk]: ...

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion: ...


def collect(chunks: Iterator[Chunk]) -> Completion:
    """Join a stream into one Completion (what `complete` does for streaming backends)."""
    parts: list[str] = []
    calls: list[dict[str, Any]] = []
    finish = None
    for c in chunks:
        parts.append(c.text)
        calls.extend(c.tool_calls)
        finish = c.finish_reason or finish
    return Completion("".join(parts), calls, finish)


def common_prefix(a, b) -> int:
    """Length of the longest common prefix of two token lists."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
