"""The `medicines` tool and `medbot medicines` command adapt the library without changing its answers."""

from __future__ import annotations

import json

import pytest

from bot.errors import UserError
from bot.tools import TOOL_MODULES, ToolRegistry


def test_registered_and_answers_with_the_cited_markdown():
    assert TOOL_MODULES["medicines"] == "bot.tools.medicines:Medicines"
    res = ToolRegistry(None, names=["medicines"]).run("medicines", {"question": "together",
                                                                    "drugs": ["Tylenol", "warfarin"]})
    assert res.data["verdict"] == "label_says"
    assert "taking the blood thinning drug warfarin" in res.text and "dailymed.nlm.nih.gov" in res.text
    assert res.for_role("patient").text == res.text


def test_tool_plan_gives_arguments_the_tool_accepts():
    from bot.tools.medicines import plan

    args = plan("How many ibuprofen can I take?")
    res = ToolRegistry(None, names=["medicines"]).run("medicines", args)
    assert "do not exceed 6 tablets in 24 hours" in res.text


def test_unknown_name_is_a_user_error():
    with pytest.raises(UserError, match="medicines"):
        ToolRegistry(None, names=["medicines"]).run("medicines", {"question": "what_is", "drugs": ["zzzzqq"]})


def test_cli_prints_markdown_and_json(capsys):
    from bot.cli import main

    assert main(["medicines", "Is", "Augmentin", "the", "same", "as", "amoxicillin?"]) == 0
    assert "amoxicillin + clavulanate" in capsys.readouterr().out
    assert main(["medicines", "can i take tylenol and advil together", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["arguments"] == {"question": "together", "drugs": ["tylenol", "advil"]}
    assert out["verdict"] == "labels_silent"


def test_cli_non_medicine_question_exits_2(capsys):
    from bot.cli import main

    assert main(["medicines", "how do I fix a leaky faucet"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "medicines" in err
