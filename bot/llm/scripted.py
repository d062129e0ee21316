"""A scripted backend for tests and demos of the agent loop: replies are queued in advance."""

from __future__ import annotations

from typing import Any, Iterator

from bot.llm.base import Chunk, Completion, collect


class ScriptedBackend:
    """Returns queued replies in order. A reply is a string or a dict `{"text":..., "tool_calls": [...]}`.

    Every call's messages and tools are recorded in `calls` so tests can check what the LLM saw.
    """

    is_demo = False

    def __init__(self, replies: list[Any] | None = None, *, supports_tools: bool = True, name: str = "scripted"):
        self.replies = list(replies or [])
        self.supports_tools = supports_tools
        self.name = name
        self.calls: list[dict[str, Any]] = []

    def queue(self, *replies: Any) -> None:
        self.replies.extend(replies)

    def stream(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
               **gen: Any) -> Iterator[Chunk]:
        self.calls.append({"messages": [dict(m) for m in messages], "tools": tools, "gen": gen})
        reply = self.replies.pop(0) if self.replies else "OK."
        if isinstance(reply, str):
            reply = {"text": reply}
        for word in reply.get("text", "").split(" "):
            yield Chunk(text=word + " ")
        yield Chunk(tool_calls=list(reply.get("tool_calls", [])),
                    finish_reason="tool_calls" if reply.get("tool_calls") else "stop")

    def complete(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]] | None = None,
                 **gen: Any) -> Completion:
        return collect(self.stream(messages, tools, **gen))
