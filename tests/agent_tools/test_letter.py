"""Patient letters from Synthea cases: plain sections, every number and date traceable to the bundle."""

from __future__ import annotations

import json
import re

import pytest

from bot.cli import main
from bot.config import load_settings
from bot.errors import UserError
from bot.letters import letter_for_case, letter_for_conversation, write_letter
from bot.llm.scripted import ScriptedBackend
from bot.store import Store
from test_case_summary import untraceable_tokens

SECTIONS = ("## What was found", "## What to do", "## When to come back")


def _check_traceable(markdown: str, bundle_path) -> None:
    bundle = json.loads(bundle_path.read_text(encoding="utf-8"))
    from bot.cases import facts_from_file

    derived = [d.__dict__ for d in facts_from_file(None, bundle_path).derived]
    body = "\n".join(line for line in markdown.splitlines() if "emergency services" not in line)
    assert untraceable_tokens(body, bundle, derived) == []


def test_rule_letters_of_all_bundles_are_traceable(synthea_bundles):
    s = load_settings()
    for path in synthea_bundles:
        letter = letter_for_case(s, path)
        assert letter.flags == [] and letter.opening_source == "rule"
        assert all(h in letter.markdown for h in SECTIONS), path.name
        _check_traceable(letter.markdown, path)
        assert f"call {s.emergency} (emergency services)" in letter.markdown
        assert all(o["origin"] for o in letter.origins)


def test_llm_opening_is_checked(rich_bundle):
    from bot.cases import facts_from_file

    facts = facts_from_file(None, rich_bundle)
    problem = facts.problems[0].text
    llm = ScriptedBackend([f"Your record shows {problem}. Your blood pressure was 987/654 mmHg on 2031-01-01."])
    letter = letter_for_case(load_settings(), rich_bundle, backend=llm)
    assert letter.opening_source == "llm"
    assert "987/654" not in letter.markdown and "2031" not in letter.markdown
    assert f"Your record shows {problem}." in letter.markdown
    assert {f["token"] for f in letter.flags} >= {"987", "654", "2031-01-01"}
    _check_traceable(letter.markdown, rich_bundle)
    prompt = llm.calls[0]["messages"]
    assert "FACTS\n<<<" in prompt[1]["content"] and "plain words" in prompt[0]["content"]


def test_cli_letter_md_pdf_json(rich_bundle, tmp_path, capsys):
    assert main(["letter", str(rich_bundle)]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# A letter about your health record") and all(h in md for h in SECTIONS)
    out = tmp_path / "letter.pdf"
    assert main(["letter", str(rich_bundle), "--format", "pdf", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert "When to come back" in text
    capsys.readouterr()
    assert main(["letter", str(rich_bundle), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["flags"] == [] and data["origins"] and data["path"] is None


@pytest.mark.parametrize("argv, message", [
    (["letter", "missing.json"], "no such file"),
    (["letter", "CASE", "--format", "pdf"], "needs --out"),
    (["letter", "CASE", "--out", "/nonexistent-folder/l.md"], "no such folder"),
])
def test_cli_bad_input(argv, message, rich_bundle, capsys):
    argv = [str(rich_bundle) if a == "CASE" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_letter_for_a_summarized_conversation(medbot_home, tmp_path):
    s = load_settings()
    store = Store(medbot_home)
    cid = store.create()
    with pytest.raises(UserError, match="no case summary"):
        letter_for_conversation(s, store, cid)
    notes = ("Clinic note 2024-03-02\nProblems: essential hypertension (2015-06-01)\n"
             "Medications: lisinopril 10 mg daily\nBP 142/88 mmHg\n")
    store.append(cid, "assistant", "summary", {"tool_calls": [{"name": "summarize_case", "arguments": {"text": notes}}]})
    letter = letter_for_conversation(s, store, cid)
    assert "high blood pressure" in letter.markdown and "lisinopril 10 mg" in letter.markdown.lower()
    numbers = re.findall(r"\d+", letter.markdown)
    assert set(numbers) <= set(re.findall(r"\d+", notes)) | {s.emergency}
    path = write_letter(letter.markdown, tmp_path / "l.md")
    assert path.read_text(encoding="utf-8") == letter.markdown


def test_plain_words():
    from bot.letters.plain import plain_name, plain_test, plain_unit

    assert plain_name("Essential hypertension (disorder)") == "high blood pressure (essential hypertension)"
    assert plain_name("Asthma (disorder)") == "asthma"
    assert plain_name("Chronic sinusitis (disorder)") == "sinus infection (chronic sinusitis)"
    assert plain_name("Viral sinusitis (disorder)").startswith("sinus infection")
    assert plain_name("COPD") == "long-term lung disease (copd)"
    assert plain_name("Unusual thing (finding)") == "unusual thing"
    assert (plain_unit("mm[Hg]"), plain_unit("Cel"), plain_unit("mg/dL"), plain_unit(None)) == ("mmHg", "°C", "mg/dL", "")
    assert plain_test("Calcium [Mass/volume] in Blood") == "Calcium in Blood"
