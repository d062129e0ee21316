"""The agent with the case tools: an uploaded bundle is summarized, intents reach ICD-10 and reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bot.agent import Agent
from bot.config import load_settings
from bot.llm.scripted import ScriptedBackend
from bot.reports import write_report
from bot.tools import ToolRegistry

TOOLS = ["summarize_case", "lookup_icd10", "make_report"]


def make_agent(replies):
    settings = load_settings()
    llm = ScriptedBackend(replies, supports_tools=False)
    return Agent(settings, backend=llm, retriever=False, tools=ToolRegistry(settings, names=TOOLS)), llm


def test_uploaded_bundle_gives_the_summary_and_a_report(rich_bundle, tmp_path):
    upload = tmp_path / "patient bundle.json"
    shutil.copyfile(rich_bundle, upload)
    agent, llm = make_agent(["Here is the case summary.", "Report drafted."])
    res = agent.ask("Summarize this case", uploads=[upload], role="clinician")
    assert [c["name"] for c in res.tool_calls] == ["summarize_case"] and "error" not in res.tool_calls[0]
    assert "### Active problems" in res.answer and "### Current medications" in res.answer
    assert "Case summary" in res.tables
    assert "TOOL RESULT from summarize_case" in llm.calls[0]["messages"][-1]["content"]
    # later turn: "summarize this case" again reuses the stored upload
    again = agent.ask("please summarize this case again", conversation_id=res.conversation_id)
    assert again.tool_calls[0]["name"] == "summarize_case"
    assert again.tool_calls[0]["arguments"]["path"].endswith("patient bundle.json")
    # the web chat's report button
    out = write_report(agent.settings, conversation_id=res.conversation_id, fmt="md", out=tmp_path / "r.md")
    text = out.read_text(encoding="utf-8")
    assert "### Case summary" in text and "Active problems" in text and "## Disclaimer" in text
    obj = json.loads(write_report(agent.settings, conversation_id=res.conversation_id, fmt="fhir",
                                  out=tmp_path / "r.json").read_text())
    assert obj["status"] == "preliminary" and obj["code"]["coding"][0]["code"] == "60591-5"


def test_icd_intent_and_report_intent(tmp_path):
    agent, _ = make_agent(["Type 2 diabetes is E11.", "A report was written."])
    res = agent.ask("What is the ICD-10 code for type 2 diabetes?")
    call = res.tool_calls[0]
    assert call["name"] == "lookup_icd10" and call["arguments"] == {"query": "type 2 diabetes"}
    assert "E11" in res.tables["ICD-10-CM codes"]
    rep = agent.ask("Please write a report", conversation_id=res.conversation_id)
    call = rep.tool_calls[0]
    assert call["name"] == "make_report" and "error" not in call
    path = Path(call["files"]["report"])
    assert path.is_file() and "E11" in path.read_text(encoding="utf-8")


def test_bad_upload_is_reported_and_the_conversation_goes_on(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Observation"}}]}')
    agent, _ = make_agent(["Sorry, the file could not be read.", "Asthma is coded J45."])
    res = agent.ask("Summarize this case", uploads=[bad])
    assert "no Patient" in res.tool_calls[0]["error"]
    nxt = agent.ask("ICD code for asthma", conversation_id=res.conversation_id)
    assert "J45" in nxt.tables["ICD-10-CM codes"]
