"""Access: rate limit, file-count limit, idempotent API turns, owner-only data, audited deletions."""

import os
import stat

import pytest

from bot.agent import Agent
from bot.cli import main
from bot.config import load_settings
from bot.errors import UserError
from bot.llm.scripted import ScriptedBackend
from bot.safety import audit
from bot.safety.ratelimit import RateLimiter
from bot.tools import ToolRegistry


def test_rate_limiter_sliding_window():
    now = [0.0]
    rl = RateLimiter(3, clock=lambda: now[0])
    assert [rl.check("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = rl.check("a")
    assert 59.0 < wait <= 60.0
    assert rl.check("b") == 0.0  # per user
    now[0] = 60.5
    assert rl.check("a") == 0.0
    assert RateLimiter(0).check("a") == 0.0  # 0 = no limit


def make_app(limit=30, files=10):
    pytest.importorskip("gradio")
    from bot.ui import ChatApp

    s = load_settings({"safety": {"rate_limit_per_minute": limit, "max_upload_files": files,
                                  "triage_classifier": "rules", "audit": False}})
    llm = ScriptedBackend(supports_tools=False)
    agent = Agent(s, backend=llm, retriever=False, tools=ToolRegistry(s, names=[]))
    return ChatApp(s, agent), llm


def test_admit_limits_files_and_rate():
    app, _ = make_app(limit=2, files=1)
    assert app.admit("alice", 2) == "At most 1 files per message."
    assert app.admit("alice") is None and app.admit("alice") is None
    assert app.admit("alice").startswith("Too many messages: at most 2 per minute")
    assert app.admit("bob") is None


def test_api_turn_is_idempotent_on_client_id():
    app, llm = make_app()
    first = app.api_turn("alice", "is 60 bpm a normal heart rate?", "", "msg-1")
    again = app.api_turn("alice", "is 60 bpm a normal heart rate?", "", "msg-1")
    assert again["replayed"] and again["conversation_id"] == first["conversation_id"]
    assert again["answer"] == first["answer"]
    conv = app.agent.store.get(first["conversation_id"], "alice")
    assert [m.role for m in conv.messages] == ["user", "assistant"]
    # a crash after the user message was stored: the retry answers it once, without a second copy
    cid = first["conversation_id"]
    app.agent.store.append(cid, "user", "and at night?", client_id="msg-2")
    res = app.api_turn("alice", "and at night?", cid, "msg-2")
    conv = app.agent.store.get(cid, "alice")
    assert not res["replayed"] and [m.role for m in conv.messages] == ["user", "assistant", "user", "assistant"]
    # bob cannot replay alice's message id
    assert app.agent.store.find_client_message("bob", "msg-1") is None


def test_api_turn_rate_limited_with_one_line_error():
    app, _ = make_app(limit=1)
    app.api_turn("carol", "hello there, what is HbA1c?", "", "c1")
    with pytest.raises(UserError, match="Too many messages"):
        app.api_turn("carol", "second question about HbA1c", "", "c2")


def test_serve_refuses_other_addresses_without_auth(capsys):
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "--auth-file" in err and len(err.strip().splitlines()) == 1


def test_store_files_are_owner_only_and_deletion_is_audited(capsys):
    s = load_settings({"safety": {"triage_classifier": "rules"}})
    agent = Agent(s, backend=ScriptedBackend(supports_tools=False), retriever=False,
                  tools=ToolRegistry(s, names=[]))
    res = agent.ask("what is a normal temperature?")
    assert stat.S_IMODE(os.stat(s.db_path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(s.home).st_mode) == 0o700
    assert main(["history", "delete", res.conversation_id]) == 0
    events = [r["event"] for r in audit.read(s.home)]
    assert events == ["turn", "delete"]
    assert audit.verify(s.home) == (True, 0)
