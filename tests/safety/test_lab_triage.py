"""Lab results in triage: INR above range (with or without bleeding) and potassium thresholds."""

import pytest

from bot.safety.concepts import FINDINGS, THRESHOLDS, findings
from bot.safety.lab_concepts import inr_readings, inr_upper_limit, lab_measurements
from bot.safety.triage import normalize, triage


@pytest.mark.parametrize("message", [
    "My INR was 4.2 yesterday, what does that mean?",
    "my INR is 4.2",
    "INR 5 no bleeding",
    "INR came back at 5.5 this morning, no bleeding or bruising",
    "my inr is too high the nurse said",
    "my target inr is 2.5 and today it was 3.8",
    "my target INR is 2.5 to 3.5 and today it was 3.8",
    "my inr was 1.8 last week and 4.6 today",
    "I have a mechanical valve and my INR is 4.1",
])
def test_inr_above_range_without_bleeding_is_same_day(message):
    r = triage(message)
    assert r.level == "urgent", (message, r.reasons)
    assert any("INR above the target range" in x and "today" in x for x in r.reasons)
    assert r.banner.startswith("**Please contact a doctor")


@pytest.mark.parametrize("message", [
    "my inr is 5 and my gums are bleeding",
    "INR 4.5 and there is blood in my pee",
    "on warfarin, inr 6.1 and black poo",
    "inr of 8 and a nosebleed that won't stop",
    "my INR is too high and I'm vomiting blood",
])
def test_inr_above_range_with_bleeding_is_an_emergency(message):
    r = triage(message)
    assert r.level == "emergency", (message, r.reasons)
    assert "INR above the target range with bleeding (blood thinner: warfarin)" in r.reasons
    assert "911" in r.banner


@pytest.mark.parametrize("message", [
    "my potassium is 6.8",
    "potassium came back at 6.6 mmol/l",
    "my K+ was 7.1 mEq/L on the blood test",
    "potassium level 6.5",
])
def test_potassium_at_or_above_6_5_is_an_emergency(message):
    r = triage(message)
    assert r.level == "emergency", (message, r.reasons)
    assert r.reasons == ["very high potassium (6.5 mmol/L or more)"]


@pytest.mark.parametrize("message, reason", [
    ("my potassium is 6.2", "high potassium (6.0 mmol/L or more)"),
    ("potassium 2.1 mmol/l", "very low potassium (below 2.5 mmol/L)"),
])
def test_moderate_high_and_very_low_potassium_are_same_day(message, reason):
    r = triage(message)
    assert r.level == "urgent" and r.reasons == [reason]


@pytest.mark.parametrize("message", [
    "my INR is 2.5, in range",
    "my inr reading is 2.5",          # a reading word is no blood sugar
    "INR 2.8 today",
    "my INR is 3.2, in range",
    "my target inr is 2.5 to 3.5 and today it was 3.3",
    "I have a mechanical valve, inr 3.4",
    "inr 2-3",
    "my inr should be 2.5 but I missed my test",
    "inr test in 3 days",
    "my inr isn't high",
    "potassium 4.2",
    "my potassium level is 4.9",
    "my potassium level is 2.5",       # not a low blood sugar, and not below 2.5
    "I take potassium 99 mg tablets",
    "potassium 6.8 mg in a banana?",
    "what does a high INR mean?",      # general question
    "what is a normal potassium range, 3.5 to 5?",
])
def test_in_range_results_ranges_and_general_questions_are_routine(message):
    r = triage(message)
    assert r.level == "routine", (message, r.reasons)


def test_other_analytes_are_not_read_as_blood_sugar():
    for text in ["my inr reading is 2.5", "my potassium level is 2.5", "my a1c levels are 14", "ketone level 2.5"]:
        assert not findings(normalize(text)) & {"glucose_low", "glucose_high"}, text
    # a blood sugar named after another test still counts
    assert "glucose_low" in findings(normalize("inr fine but my sugar reading is 2.5"))
    assert "glucose_low" in findings(normalize("my blood sugar reading is 2.5"))


def test_inr_readings_and_upper_limit():
    assert inr_readings("my target inr is 2.5 to 3.5 and today it was 3.8") == [3.8]
    assert inr_readings("my inr was 4.2 yesterday. what does that mean?") == [4.2]
    assert inr_readings("inr 2-3") == [] and inr_readings("target inr 2.5") == []
    assert inr_upper_limit("inr 3.3") == 3.0
    assert inr_upper_limit("i have a mechanical heart valve") == 3.5
    assert inr_upper_limit("my range is 2 to 2.5") == 2.5
    assert lab_measurements("my range is 2 to 2.5 and my inr is 2.8") == {"inr_high"}


def test_lab_rules_are_recorded_with_sources():
    rows = {t.finding: t for t in THRESHOLDS}
    assert {"inr_high", "potassium_severe", "potassium_high", "potassium_very_low"} <= set(rows)
    assert ">= 6.5" in rows["potassium_severe"].rule and "ERC 2021" in rows["potassium_severe"].source
    assert "2.0-3.0" in rows["inr_high"].source
    assert "inr_high" in FINDINGS and "bleeding_sign" in FINDINGS
