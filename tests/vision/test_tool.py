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
