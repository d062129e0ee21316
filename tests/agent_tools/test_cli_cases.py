"""`medbot summarize` and `medbot report` in-process: output, JSON, errors (exit 2, one line)."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.store import Store


def test_summarize_prints_markdown(rich_bundle, capsys):
    rc = main(["summarize", str(rich_bundle), "--no-llm"])
    out = capsys.readouterr().out
    assert rc == 0
    assert out.startswith("## Case summary") and "### Active problems" in out and "### Current medications" in out


def test_summarize_json(rich_bundle, capsys):
    rc = main(["summarize", str(rich_bundle), "--no-llm", "--json", "--as-of", "2025-01-01"])
    obj = json.loads(capsys.readouterr().out)
    assert rc == 0 and obj["facts"]["as_of"] == "2025-01-01" and obj["narrative_source"] == "rule"
    assert obj["rules"]["age"] and obj["flags"] == [] and obj["facts"]["problems"]
    assert all(p["source"].startswith("Condition/") for p in obj["facts"]["problems"])


def test_summarize_notes_from_stdin(monkeypatch, capsys):
    import io

    notes = b"45-year-old woman.\nProblems: asthma (2010-02-01)\nMedications: salbutamol inhaler\n"
    monkeypatch.setattr("sys.stdin", type("S", (), {"buffer": io.BytesIO(notes)})())
    assert main(["summarize", "-", "--no-llm"]) == 0
    out = capsys.readouterr().out
    assert "45-year-old female" in out and "asthma" in out and "salbutamol inhaler" in out


@pytest.mark.parametrize("content, message", [
    ("{not json", "malformed JSON"),
    ('{"resourceType": "Bundle", "entry": []}', "no Patient"),
    ('{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "Patient"}}, '
     '{"resource": {"resourceType": "Foo"}}]}', "unknown FHIR R4 resource type"),
])
def test_summarize_bad_input_exit_2(tmp_path, capsys, content, message):
    p = tmp_path / "case.json"
    p.write_text(content, encoding="utf-8")
    assert main(["summarize", str(p), "--no-llm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("medbot: error:") and message in err and err.count("\n") == 1


def test_summarize_missing_file_and_bad_date(rich_bundle, tmp_path, capsys):
    assert main(["summarize", str(tmp_path / "none.json"), "--no-llm"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["summarize", str(rich_bundle), "--no-llm", "--as-of", "May 5th"]) == 2
    assert "--as-of must be a date" in capsys.readouterr().err


@pytest.mark.parametrize("fmt, magic", [("md", b"# Case report"), ("pdf", b"%PDF"), ("fhir", b"{")])
def test_report_from_case(rich_bundle, tmp_path, capsys, fmt, magic):
    out = tmp_path / f"report.{fmt}"
    assert main(["report", "--case", str(rich_bundle), "--format", fmt, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(magic)
    assert "preliminary" in capsys.readouterr().out


def test_report_from_conversation_json(tmp_path, capsys):
    settings = load_settings()
    store = Store.from_settings(settings)
    cid = store.create(user=settings.user)
    store.append(cid, "user", "What is asthma?")
    store.append(cid, "assistant", "Asthma is a chronic airway disease.", {"citations": [], "tool_calls": []})
    store.close()
    out = tmp_path / "r.json"
    assert main(["report", "--conversation", cid, "--format", "fhir", "--out", str(out), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj == {"path": str(out), "format": "fhir", "status": "preliminary", "source": cid}
    assert json.loads(out.read_text())["status"] == "preliminary"


def test_report_unknown_conversation_exit_2(tmp_path, capsys):
    out = tmp_path / "r.md"
    assert main(["report", "--conversation", "nope", "--format", "md", "--out", str(out)]) == 2
    assert "no conversation 'nope'" in capsys.readouterr().err and not out.exists()


def test_report_needs_one_source(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["report", "--format", "md", "--out", str(tmp_path / "r.md")])
    assert e.value.code == 2
