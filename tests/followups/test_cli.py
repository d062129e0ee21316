"""`medbot followups ...`, `medbot ask --yes` and `medbot chat` in-process: output, JSON, exit codes."""

import json

import pytest
from icalendar import Calendar

from bot.cli import main


@pytest.fixture(autouse=True)
def offline_agent(monkeypatch):
    """No LLM or index needed: without sources the agent says so and still proposes a follow-up."""
    import bot.llm
    import retrieval
    from bot.llm.scripted import ScriptedBackend
    from retrieval.errors import UserError as RetrievalUserError

    def no_index(settings):
        raise RetrievalUserError("no index")

    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: ScriptedBackend(["Rest helps."]))
    monkeypatch.setattr(retrieval, "get_retriever", no_index)


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


def _json(capsys, argv):
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_ask_yes_schedules_and_list_due_export(capsys, tmp_path):
    assert main(["ask", "--yes", "I have had a headache since yesterday"]) == 0
    out = capsys.readouterr().out
    assert "Follow-up" in out and "scheduled for" in out
    rows = _json(capsys, ["followups", "list", "--json"])
    assert len(rows) == 1 and rows[0]["subject"] == "your headache" and rows[0]["status"] == "scheduled"
    assert _json(capsys, ["followups", "due", "--json"]) == []  # three days away
    assert main(["followups", "export", "--ics", str(tmp_path / "f.ics")]) == 0
    events = Calendar.from_ical((tmp_path / "f.ics").read_bytes()).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["medbot check-in"]
    assert events[0].decoded("dtstart").isoformat() == rows[0]["due"]
    assert main(["followups", "done", rows[0]["id"]]) == 0
    assert _json(capsys, ["followups", "list", "--json"]) == []
    assert _json(capsys, ["followups", "list", "--all", "--json"])[0]["status"] == "done"
    assert main(["followups", "cancel", rows[0]["id"]]) == 2
    assert "already done" in _err(capsys)


def test_ask_without_yes_only_proposes_then_accept(capsys):
    assert main(["ask", "--json", "I have had a headache since yesterday"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["followup"]["subject"] == "your headache" and "id" not in res["followup"]
    assert _json(capsys, ["followups", "list", "--json"]) == []
    assert main(["followups", "accept", res["conversation_id"]]) == 0
    assert len(_json(capsys, ["followups", "list", "--json"])) == 1
    assert main(["followups", "accept", res["conversation_id"]]) == 2  # consumed: never scheduled twice
    assert "no follow-up proposal" in _err(capsys)


@pytest.mark.parametrize("argv, message", [
    (["ask", "--yes", "--followup-due", "2001-01-01", "I have a headache"], "in the past"),
    (["ask", "--yes", "--followup-due", "soon", "I have a headache"], "not a date"),
    (["followups", "done", "nope"], "no follow-up 'nope'"),
    (["followups", "cancel", "nope"], "no follow-up 'nope'"),
    (["followups", "accept", "nope"], "no conversation 'nope'"),
    (["followups", "export", "--ics", "/nonexistent-folder/f.ics"], "no such folder"),
])
def test_bad_input_one_line_exit_2(capsys, argv, message):
    assert main(argv) == 2
    assert message in _err(capsys)
    assert main(["history", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing stored by a refused command


def test_export_to_a_folder_path(capsys, tmp_path):
    assert main(["followups", "export", "--ics", str(tmp_path)]) == 2
    assert "is a folder" in _err(capsys)


def test_chat_asks_before_scheduling(capsys, monkeypatch):
    answers, prompts = iter(["I have a sore throat", "y", "/quit"]), []
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or next(answers))
    assert main(["chat"]) == 0
    assert any("Schedule this check-in?" in p for p in prompts)
    assert "scheduled for" in capsys.readouterr().out
    rows = _json(capsys, ["followups", "list", "--json"])
    assert [r["subject"] for r in rows] == ["your sore throat"]


def test_chat_decline_schedules_nothing(capsys, monkeypatch):
    answers = iter(["I have a sore throat", "n", "/quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["chat"]) == 0
    assert "No follow-up scheduled." in capsys.readouterr().out
    assert _json(capsys, ["followups", "list", "--json"]) == []
