"""PHI redaction: custom recognizers, presidio over the local spaCy model, messages, logs."""

import json
import logging

import pytest

from bot.cli import main
from bot.safety import phi
from bot.safety.eval_phi import ENTITY_TYPES, score, synthetic_notes

NOTE = ("Patient: Maria Garcia DOB: 03/14/1962 MRN: 00482913. Lives at 221 Baker Street, Springfield, IL 62704. "
        "Phone (555) 123-4567, email maria.garcia@example.com, SSN 123-45-6789. Next of kin: Jose Garcia.")


@pytest.mark.parametrize("needle,tag", [
    ("Maria Garcia", "PERSON"), ("03/14/1962", "DATE"), ("00482913", "MRN"), ("221 Baker Street", "ADDRESS"),
    ("(555) 123-4567", "PHONE"), ("maria.garcia@example.com", "EMAIL"), ("123-45-6789", "NATIONAL_ID"),
    ("Jose Garcia", "PERSON"),
])
def test_patterns_alone_find_every_type(needle, tag):
    out = phi._apply(NOTE, phi.pattern_findings(NOTE))
    assert needle not in out and f"<{tag}>" in out


def test_clinical_content_survives():
    text = "Started metformin 500 mg twice daily on 2 days ago; HbA1c 7.1%; BP 135/85."
    assert phi._apply(text, phi.pattern_findings(text)) == text


def test_redact_messages_keeps_system_and_redacts_tool_arguments():
    msgs = [{"role": "system", "content": "You are medbot. Dr. Who wrote this prompt."},
            {"role": "user", "content": NOTE},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "1", "type": "function", "function": {
                "name": "summarize_case", "arguments": json.dumps({"note": "MRN: 99887766"})}}]}]
    out = phi.redact_messages(msgs)
    assert out[0] == msgs[0] and msgs[1]["content"] == NOTE  # input untouched
    assert "00482913" not in out[1]["content"] and "<MRN>" in out[1]["content"]
    assert "99887766" not in out[2]["tool_calls"][0]["function"]["arguments"]


def test_log_filter_redacts_records(caplog):
    logger = logging.getLogger("medbot.test.phi")
    handler = logging.Handler()
    seen = []
    handler.emit = lambda rec: seen.append(rec.getMessage())
    logger.addHandler(handler)
    try:
        phi.install_log_redaction(logger)
        phi.install_log_redaction(logger)  # idempotent
        assert sum(isinstance(f, phi.RedactingFilter) for f in handler.filters) == 1
        logger.warning("upload from %s, MRN %s", "maria.garcia@example.com", "MRN: 1234567")
    finally:
        logger.removeHandler(handler)
    assert seen and "maria.garcia@example.com" not in seen[0] and "1234567" not in seen[0]


def test_patterns_recall_on_synthetic_notes_for_structured_types():
    r = score(synthetic_notes(25, seed=3), lambda t: [(f.start, f.end) for f in phi.pattern_findings(t)])
    for t in ("DATE", "MRN", "PHONE", "ADDRESS", "EMAIL", "NATIONAL_ID"):
        assert r["recall"][t] >= 0.95, (t, r["misses"])
    assert r["over_redaction"] <= 0.02


def test_synthetic_notes_carry_every_type_with_exact_spans():
    for text, spans in synthetic_notes(10, seed=1):
        assert {k for _, _, k in spans} == set(ENTITY_TYPES)
        for s, e, _ in spans:
            assert text[s:e] and text[s:e] == text[s:e].strip()


presidio = pytest.importorskip("presidio_analyzer")


@pytest.fixture(scope="module")
def redactor():
    red = phi.get_redactor()
    if red is None:
        pytest.skip("spaCy model en_core_web_sm not installed")
    return red


def test_presidio_finds_unlabelled_names(redactor):
    out = redactor.redact("Yesterday John Thompson brought his mother Elizabeth Thompson to the clinic.")
    assert "John Thompson" not in out and "Elizabeth Thompson" not in out and out.count("<PERSON>") == 2


def test_presidio_is_asked_only_for_entities_it_recognizes(redactor, caplog):
    """No "Entity EMAIL_ADDRESS doesn't have the corresponding recognizer" warning on every call."""
    with caplog.at_level(logging.WARNING):
        out = redactor.redact("Write to jane.roe@example.org or call 555-123-4567.")
    assert "<EMAIL>" in out and "<PHONE>" in out
    assert "corresponding recognizer" not in caplog.text
    assert "EMAIL_ADDRESS" not in redactor.entities and "MEDBOT_EMAIL" in redactor.entities


def test_presidio_recall_per_type_on_synthetic_notes(redactor):
    r = score(synthetic_notes(30, seed=5), lambda t: [(f.start, f.end) for f in redactor.findings(t)])
    assert min(r["recall"].values()) >= 0.8, r["recall"]
    assert r["over_redaction"] <= 0.05


def test_eval_phi_cli(capsys):
    assert main(["eval", "phi", "--notes", "15", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res["metrics"]) >= {f"recall_{t.lower()}" for t in ENTITY_TYPES}
    assert res["metrics"]["recall_min"] >= 0.8
