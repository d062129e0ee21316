"""Audit trail: one PHI-redacted, hash-chained record per turn; owner-only; tamper evident."""

import json
import os
import stat

from bot.agent import Agent
from bot.config import load_settings
from bot.llm.scripted import ScriptedBackend
from bot.safety import audit
from bot.tools import ToolRegistry
from safety_fakes import Doc, StaticRetriever


class NoTools(ToolRegistry):
    def __init__(self):
        super().__init__(None, names=[])


def make_agent(replies, user="local"):
    s = load_settings({"user": user, "safety": {"triage_classifier": "rules"}})
    docs = [Doc("d1", "Metformin lowers glucose in type 2 diabetes.", source={"kind": "file", "doc_id": "m1",
                                                                              "title": "Metformin"})]
    return Agent(s, backend=ScriptedBackend(replies, supports_tools=False), retriever=StaticRetriever(docs),
                 tools=NoTools())


def test_turn_writes_redacted_record_with_the_required_fields():
    agent = make_agent(["Metformin lowers glucose [DOC:m1]."])
    q = "I'm Maria Garcia, MRN: 00482913, call me on (555) 123-4567 - I have chest pain and I'm sweating"
    res = agent.ask(q)
    recs = audit.read(agent.settings.home)
    assert len(recs) == 1
    r = recs[0]
    assert {"time", "user", "role", "tools", "model", "triage", "conversation_id"} <= set(r)
    assert r["user"] == "local" and r["role"] == "patient" and r["model"] == "scripted"
    assert r["triage"] == "emergency" and r["conversation_id"] == res.conversation_id
    line = audit.audit_path(agent.settings.home).read_text()
    assert "00482913" not in line and "123-4567" not in line and "<MRN>" in line
    mode = stat.S_IMODE(os.stat(audit.audit_path(agent.settings.home)).st_mode)
    assert mode == 0o600
    # the conversation itself keeps the raw text for resume and reports
    assert agent.store.get(res.conversation_id).messages[0].content.startswith("I'm Maria Garcia")


def test_chain_detects_edits_and_deletions():
    agent = make_agent(["One [DOC:m1].", "Two [DOC:m1].", "Three [DOC:m1]."])
    for q in ("metformin dose?", "metformin side effects?", "metformin and alcohol?"):
        agent.ask(q)
    home = agent.settings.home
    assert audit.verify(home) == (True, 0)
    path = audit.audit_path(home)
    lines = path.read_text().splitlines()
    edited = json.loads(lines[1])
    edited["triage"] = "routine" if edited["triage"] != "routine" else "emergency"
    path.write_text("\n".join([lines[0], json.dumps(edited, sort_keys=True), lines[2]]) + "\n")
    assert audit.verify(home) == (False, 3)  # the line after the edit no longer chains
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    assert audit.verify(home) == (False, 2)


def test_off_switch_and_events():
    s = load_settings({"safety": {"audit": False}})
    assert audit.record_event(s, "delete", conversation_id="x") is None
    s = load_settings()
    rec = audit.record_event(s, "delete", conversation_id="abc")
    assert rec["event"] == "delete" and audit.read(s.home)[-1]["conversation_id"] == "abc"
