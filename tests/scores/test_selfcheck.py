"""Patient self-checks (PHQ-9, GAD-7): totals and bands from the score engine, the crisis reply for
PHQ-9 item 9, the patient's words (no treatment text), storage for the owner only, deletion, the
migration of an existing store, and nothing of it in the audit trail."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from bot.config import load_settings
from bot.errors import UserError
from bot.safety.audit import audit_path, read
from bot.scores.render import TREATMENT
from bot.scores.selfcheck import (ANSWERS, GAD7, PHQ9, complete, crisis_for_answer, questionnaire, result,
                                  result_markdown, unanswered)
from bot.store import SCHEMA, Store


def answers(q, values):
    return {k: v for (k, _), v in zip(q.items, values)}


def phq(*values):
    return answers(PHQ9, values)


@pytest.mark.parametrize("values,total,band", [
    ([0] * 9, 0, "minimal"), ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "minimal"), ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "mild"),
    ([3, 3, 3, 0, 0, 0, 0, 0, 0], 9, "mild"), ([3, 3, 3, 1, 0, 0, 0, 0, 0], 10, "moderate"),
    ([3, 3, 3, 3, 2, 0, 0, 0, 0], 14, "moderate"), ([3, 3, 3, 3, 3, 0, 0, 0, 0], 15, "moderately severe"),
    ([3, 3, 3, 3, 3, 3, 1, 0, 0], 19, "moderately severe"), ([3, 3, 3, 3, 3, 3, 2, 0, 0], 20, "severe"),
    ([3] * 9, 27, "severe")])
def test_phq9_totals_and_kroenke_bands(values, total, band):
    res = result("phq9", phq(*values))
    assert (res.total, res.band) == (total, band)
    assert res.category == f"{band} depressive symptoms"  # the engine's category, same band
    assert res.doi == "10.1046/j.1525-1497.2001.016009606.x" and "Kroenke" in res.citation
    assert res.crisis is (values[8] > 0)


@pytest.mark.parametrize("values,total,band", [
    ([0] * 7, 0, "minimal"), ([1, 1, 1, 1, 1, 0, 0], 5, "mild"), ([2, 2, 2, 2, 2, 0, 0], 10, "moderate"),
    ([3, 3, 3, 3, 2, 0, 0], 14, "moderate"), ([3, 3, 3, 3, 3, 0, 0], 15, "severe"), ([3] * 7, 21, "severe")])
def test_gad7_totals_and_spitzer_bands(values, total, band):
    res = result("gad7", answers(GAD7, values))
    assert (res.total, res.band, res.category) == (total, band, f"{band} anxiety symptoms")
    assert res.doi == "10.1001/archinte.166.10.1092" and "Spitzer" in res.citation and not res.crisis


def test_items_are_the_published_ones_in_order():
    assert len(PHQ9.items) == 9 and len(GAD7.items) == 7
    assert PHQ9.items[0][1] == "Little interest or pleasure in doing things"
    assert PHQ9.items[8] == ("phq9_selfharm", "Thoughts that you would be better off dead or of hurting yourself "
                                              "in some way")
    assert GAD7.items[6][1] == "Feeling afraid as if something awful might happen"
    assert ANSWERS == ("Not at all", "Several days", "More than half the days", "Nearly every day")
    assert questionnaire("PHQ-9") is PHQ9 and questionnaire("gad7") is GAD7


def test_answers_may_be_their_wording_and_bad_answers_are_refused():
    res = result("phq9", phq(*(["Several days"] * 8 + ["Not at all"])))
    assert res.total == 8 and not res.crisis
    for bad in (4, -1, 1.5, True, "often"):
        with pytest.raises(UserError):
            result("phq9", phq(*([0] * 8 + [bad])))
    with pytest.raises(UserError, match="still open: 2, 9"):
        result("phq9", {k: 0 for k, _ in PHQ9.items if k not in ("phq9_down", "phq9_selfharm")})
    with pytest.raises(UserError, match="no item"):
        result("gad7", {**answers(GAD7, [0] * 7), "gad7_extra": 1})
    with pytest.raises(UserError, match="unknown self-check"):
        questionnaire("beck")
    assert unanswered("gad7", {"gad7_nervous": 0, "gad7_control": None}) == [2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("value", [1, 2, 3, "Several days", "Nearly every day"])
def test_item9_above_zero_brings_the_crisis_reply_at_once(value):
    us = crisis_for_answer("phq9", "phq9_selfharm", value, load_settings({"locale": "en-US"}))
    assert "988" in us and "Call 911" in us and "not alone" in us
    uk = crisis_for_answer("phq9", "phq9_selfharm", value, load_settings({"locale": "en-GB"}))
    assert "116 123" in uk and "Call 999" in uk and "988" not in uk


@pytest.mark.parametrize("key,item,value", [("phq9", "phq9_selfharm", 0), ("phq9", "phq9_selfharm", None),
                                            ("phq9", "phq9_selfharm", "Not at all"), ("phq9", "phq9_down", 3),
                                            ("gad7", "gad7_afraid", 3)])
def test_no_crisis_reply_for_other_answers(key, item, value):
    assert crisis_for_answer(key, item, value, "en-US") is None


def test_result_words_total_band_source_and_screening_note_without_treatment():
    res = result("phq9", phq(3, 3, 3, 1, 0, 0, 0, 0, 0))
    text = result_markdown(res, "en-US")
    assert "**10** of 27" in text and "Moderate" in text and "10–14" in text
    assert "Kroenke" in text and "doi.org/10.1046/j.1525-1497.2001.016009606.x" in text
    assert "screening questionnaire, not a diagnosis" in text and "clinician" in text
    assert "988" not in text  # no crisis reply when item 9 was 0
    assert not TREATMENT.search(text)
    assert TREATMENT.search(res.to_json()["category"] + " pharmacotherapy")  # the check can fail
    for values in ([0] * 9, [3] * 9, [1] * 9):
        assert not TREATMENT.search(result_markdown(result("phq9", phq(*values)), "en-US").split("---")[-1])
    for values in ([0] * 7, [3] * 7):
        assert not TREATMENT.search(result_markdown(result("gad7", answers(GAD7, values)), "en-GB"))


def test_result_with_item9_leads_with_the_crisis_reply():
    text = result_markdown(result("phq9", phq(0, 0, 0, 0, 0, 0, 0, 0, 1)), "en-GB")
    assert text.index("116 123") < text.index("PHQ-9 total") and "better off dead" in text
    shown_below_item9 = result_markdown(result("phq9", phq(0, 0, 0, 0, 0, 0, 0, 0, 1)), "en-GB", with_crisis=False)
    assert "116 123" not in shown_below_item9 and "better off dead" in shown_below_item9


# ---- storage ----------------------------------------------------------------------------------
def test_selfchecks_are_the_owners_only_and_can_be_deleted(tmp_path):
    store = Store(tmp_path)
    _, a1, _ = complete(store, "alice", "phq9", phq(1, 1, 1, 1, 1, 0, 0, 0, 0))
    _, a2, _ = complete(store, "alice", "gad7", answers(GAD7, [2] * 7))
    _, b1, _ = complete(store, "bob", "phq9", phq(*[0] * 9))
    mine = store.selfchecks("alice")
    assert [r["id"] for r in mine] == [a2, a1]
    assert mine[1]["answers"] == phq(1, 1, 1, 1, 1, 0, 0, 0, 0) and mine[1]["total"] == 5 and mine[1]["band"] == "mild"
    assert [r["id"] for r in store.selfchecks("bob")] == [b1]
    assert store.selfchecks("carol") == []
    with pytest.raises(UserError):
        store.delete_selfcheck(a1, "bob")  # bob cannot delete alice's
    assert len(store.selfchecks("alice")) == 2
    store.delete_selfcheck(a1, "alice")
    assert [r["id"] for r in store.selfchecks("alice")] == [a2]
    with pytest.raises(UserError):
        store.delete_selfcheck(a1, "alice")  # already gone
    assert store.delete_selfchecks("alice") == 1
    assert store.selfchecks("alice") == [] and [r["id"] for r in store.selfchecks("bob")] == [b1]
    raw = sqlite3.connect(store.path).execute("SELECT COUNT(*) FROM selfchecks WHERE user='alice'").fetchone()[0]
    assert raw == 0  # deleted from the file, not hidden


def test_an_existing_store_gains_the_table_and_keeps_its_conversations(tmp_path):
    old_schema = SCHEMA.split("CREATE TABLE IF NOT EXISTS selfchecks")[0] + "\n".join(
        line for line in SCHEMA.split("\n") if line.startswith("CREATE INDEX") and "selfchecks" not in line)
    assert "selfchecks" not in old_schema
    db = sqlite3.connect(tmp_path / "medbot.sqlite3")
    db.executescript(old_schema)
    db.execute("INSERT INTO conversations VALUES ('c1','alice','patient','Old talk','',1.0,2.0)")
    db.execute("INSERT INTO messages (conversation_id,seq,role,content,meta,created) VALUES ('c1',0,'user','hi','{}',1)")
    db.commit()
    db.close()
    store = Store(tmp_path)
    conv = store.get("c1", "alice")
    assert conv.title == "Old talk" and [m.content for m in conv.messages] == ["hi"]
    complete(store, "alice", "gad7", answers(GAD7, [0] * 7))
    store.close()
    again = Store(tmp_path)  # opening it again changes nothing
    assert len(again.selfchecks("alice")) == 1 and again.get("c1", "alice").messages[0].content == "hi"


def test_selfchecks_stay_out_of_the_audit_trail(tmp_path):
    """A chat turn and a deletion are audited; the self-checks, their answers and totals never are."""
    from bot.agent import Agent
    from bot.llm.scripted import ScriptedBackend
    from bot.tools import ToolRegistry

    settings = load_settings({"home": str(tmp_path), "safety": {"rate_limit_per_minute": 0,
                                                                "triage_classifier": "rules", "audit": True}})
    agent = Agent(settings, backend=ScriptedBackend(supports_tools=False), retriever=False,
                  tools=ToolRegistry(settings, names=[]))
    agent.ask("What is high blood pressure?")
    before = read(settings.home)
    assert before and before[-1]["event"] == "turn"  # the trail is on and written
    store = agent.store
    _, sid, _ = complete(store, settings.user, "phq9", phq(3, 2, 3, 2, 3, 2, 1, 2, 1), settings)
    complete(store, settings.user, "gad7", answers(GAD7, [3, 2, 1, 0, 1, 2, 3]), settings)
    store.delete_selfcheck(sid, settings.user)
    store.delete_selfchecks(settings.user)
    assert read(settings.home) == before
    raw = audit_path(settings.home).read_text()
    for word in ("phq", "gad", "selfcheck", "self-check", "depressive", "anxiety", "total", "answers"):
        assert word not in raw.lower()


def test_selfcheck_module_needs_no_gradio_and_no_heavy_import():
    code = ("import sys; from bot.scores.selfcheck import result, crisis_for_answer; "
            "from bot.scores.selfcheck import PHQ9; result('phq9', {k: 1 for k, _ in PHQ9.items}); "
            "print(sorted(m for m in ('gradio', 'torch', 'chromadb', 'llama_cpp') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().replace("'", '"')) == []


def test_bundle_resource_types_are_checked_without_building_model_classes():
    """`medbot scores` checks a bundle's resource types by name (fast) and still refuses unknown ones."""
    code = ("import sys; from bot.cases.fhir_facts import is_known_type as k; "
            "ok = [k(t) for t in ('Patient', 'Observation', 'Condition', 'MedicationRequest', 'ExplanationOfBenefit')]; "
            "bad = [k(t) for t in ('Foo', 'patient', 'PATIENT', '', 'Patient.name', '../x')]; "
            "print(all(ok), any(bad), 'fhir.resources.R4B.patient' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "False"]
