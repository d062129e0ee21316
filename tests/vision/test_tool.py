"""The `segment_image` agent tool returns the overlay PNG and the measurements table."""

from __future__ import annotations

import pytest

from bot.errors import UserError
from bot.tools import ToolRegistry


def test_segment_image_tool(sphere_nifti, torchscript_model):
    from bot.config import load_settings

    tool = ToolRegistry(load_settings(), names=["segment_image"]).get("segment_image")
    assert tool.schema()["function"]["name"] == "segment_image"
    res = tool.run(path=str(sphere_nifti), segmenter=str(torchscript_model))
    assert res.files["overlay"].suffix == ".png" and res.files["overlay"].is_file()
    table = res.tables["Measurements"]
    assert table.startswith("| structure | volume (mL)") and "bright spot 1" in table
    assert "1 bright spot found" in res.text
    assert res.data["measurements"]["finding_counts"] == {"bright spot": 1}
    assert res.to_json()["files"]["overlay"].endswith(".png")


def test_segment_image_tool_bad_arguments(tmp_path):
    from bot.config import load_settings

    tool = ToolRegistry(load_settings(), names=["segment_image"]).get("segment_image")
    with pytest.raises(UserError, match="bad arguments"):
        tool.run(file="x.png")
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(UserError, match="not an image"):
        tool.run(path=str(bad))


def test_chat_answer_and_report_carry_the_lesion_table(tmp_path, sphere_nifti, torchscript_model):
    """An uploaded scan in the chat: the answer shows the per-lesion table and the report keeps it."""
    from bot.agent import Agent
    from bot.config import load_settings
    from bot.llm.scripted import ScriptedBackend
    from bot.reports import write_report

    settings = load_settings()
    settings.vision.segmenter = str(torchscript_model)
    llm = ScriptedBackend(["One bright spot was measured."], supports_tools=False)
    agent = Agent(settings, backend=llm, retriever=False, tools=ToolRegistry(settings, names=["segment_image", "make_report"]))
    res = agent.ask("Please measure the lesion in this scan", uploads=[sphere_nifti], role="clinician")
    assert [c["name"] for c in res.tool_calls] == ["segment_image"] and "error" not in res.tool_calls[0]
    assert "Lesions" in res.tables and "no classifier" in res.tables["Lesions"]
    assert "**Lesions**" in res.answer and "| # | volume (mL) |" in res.answer
    assert "bright spot 1: " in llm.calls[0]["messages"][-1]["content"]  # the per-lesion sentence reaches the LLM
    out = write_report(agent.settings, conversation_id=res.conversation_id, fmt="md", out=tmp_path / "r.md")
    text = out.read_text(encoding="utf-8")
    assert "### Lesions" in text and "| location |" in text
