"""What the web chat shows, as plain data (no Gradio): chat messages, the sources list, the
conversation list's labels. Answers are markdown and are shown as they come; citation labels in
them are not parsed here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")
NO_SOURCES = "### Sources\nNo sources yet."


def sources_md(citations: list[dict[str, Any]]) -> str:
    """The sources of the last answer as a numbered markdown list, in the answer's citation order."""
    if not citations:
        return "### Sources\nNo sources cited in the last answer."
    lines = ["### Sources"]
    for n, c in enumerate(citations, 1):
        title = c.get("title") or c.get("cite_as") or c.get("id") or "Untitled source"
        link = f"[{title}]({c['url']})" if c.get("url") else title
        meta = c.get("cite_as") if c.get("cite_as") and c.get("cite_as") != title else ""
        meta = meta or ", ".join(str(x) for x in (c.get("journal"), c.get("year")) if x)
        note = f" ({c['note']})" if c.get("note") else ""
        lines.append(f"{n}. {link}{' — ' + meta if meta else ''}{note}")
    return "\n".join(lines)


def answered_by(model: str) -> str:
    """The line under the sources that says which model wrote the last answer."""
    return f"\n\n<span class='medbot-banner'>Answered by **{model}**.</span>" if model else ""


def tool_messages(tool_calls: list[dict[str, Any]], files: dict[str, str]) -> list[dict[str, Any]]:
    """Collapsible tool-call messages, then the images the tools made."""
    msgs: list[dict[str, Any]] = []
    for call in tool_calls:
        body = call.get("error") and f"Error: {call['error']}" or call.get("summary", "")
        msgs.append({"role": "assistant", "content": body or "(no output)",
                     "metadata": {"title": f"🔧 {call['name']}", "status": "done"}})
    for path in files.values():
        if str(path).lower().endswith(IMAGE_EXT) and Path(path).is_file():
            msgs.append({"role": "assistant", "content": {"path": str(path)}})
    return msgs


def history_messages(conv) -> list[dict[str, Any]]:
    """Chatbot messages for a stored conversation (text, tool calls, images)."""
    out: list[dict[str, Any]] = []
    for m in conv.messages:
        if m.role == "user":
            out.append({"role": "user", "content": m.content})
            continue
        out.extend(tool_messages(m.meta.get("tool_calls", []), m.meta.get("files", {})))
        out.append({"role": "assistant", "content": m.content})
    return out


def last_sources(conv) -> str:
    """The sources panel for a stored conversation: the last answer's citations."""
    last = next((m for m in reversed(conv.messages) if m.role == "assistant" and "citations" in m.meta), None)
    if last is None:
        return NO_SOURCES
    return sources_md(last.meta.get("citations") or []) + answered_by(last.meta.get("model", ""))


def when(ts: float, now: dt.datetime | None = None) -> str:
    """A short local date for a list: "14:02" today, "3 Mar" this year, else "3 Mar 2024"."""
    t = dt.datetime.fromtimestamp(ts)
    now = now or dt.datetime.now()
    if t.date() == now.date():
        return t.strftime("%H:%M")
    if t.year == now.year:
        return f"{t.day} {t.strftime('%b')}"
    return f"{t.day} {t.strftime('%b %Y')}"


def conversation_choices(rows: list[dict[str, Any]], now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """(label, id) pairs for the conversation list: the title (or "Untitled conversation") and when."""
    return [(f"{(r.get('title') or '').strip() or 'Untitled conversation'} · {when(r['updated'], now)}", r["id"])
            for r in rows]
