"""The web chat's follow-up and letter pieces without a browser (ChatApp on a scripted agent)."""

import pytest

pytest.importorskip("gradio")

from bot.followups import accept  # noqa: E402
from bot.ui import ChatApp  # noqa: E402
from followup_fakes import FakeClock, make_agent  # noqa: E402


def test_open_switches_to_a_due_checkin_once():
    clock = FakeClock()
    agent, _ = make_agent(["Rest helps."], clock)
    app = ChatApp(agent.settings, agent)
    res = agent.ask("I have a headache")
    assert app.pending_proposal("local", res.conversation_id)["subject"] == "your headache"
    fu = accept(agent.followups, res.conversation_id, res.followup)
    assert app.pending_proposal("local", res.conversation_id) is None  # decided
    other = agent.store.create()
    assert app.open_conversation("local", other) == other  # nothing due: the browser's own conversation
    clock.advance(days=3)
    assert app.open_conversation("local", other) == res.conversation_id
    assert app.open_conversation("local", None) == res.conversation_id
    msgs = agent.store.get(res.conversation_id).messages
    assert sum(1 for m in msgs if m.meta.get("checkin") == fu.id) == 1
    assert app.open_conversation("local", other, followup_id=fu.id) == res.conversation_id
    assert app.open_conversation("bob", other) == other  # another user's follow-ups stay theirs


def test_letter_button_only_after_a_summary():
    clock = FakeClock()
    agent, _ = make_agent(["Rest helps."], clock)
    app = ChatApp(agent.settings, agent)
    res = agent.ask("I have a headache")
    assert not app.has_summary("local", res.conversation_id) and not app.has_summary("local", None)
    cid = agent.store.create()
    agent.store.append(cid, "assistant", "summary", {"tool_calls": [{"name": "summarize_case", "arguments": {}}]})
    assert app.has_summary("local", cid)
