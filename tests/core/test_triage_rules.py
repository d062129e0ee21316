import pytest

from bot.safety.triage import triage


@pytest.mark.parametrize("msg", [
    "I have crushing chest pain and I'm sweating a lot",
    "my dad's face is drooping and his speech is slurred",
    "my throat is swelling after a bee sting",
    "I want to kill myself",
    "the cut on my leg is bleeding and won't stop",
])
def test_clear_emergencies(msg):
    r = triage(msg, emergency_number="112")
    assert r.level == "emergency" and r.reasons
    assert "Call 112" in r.banner


@pytest.mark.parametrize("msg", [
    "What are the warning signs of a stroke?",
    "How does aspirin work after a heart attack?",
    "I had a stroke 5 years ago, can I exercise?",
    "What causes anaphylaxis?",
])
def test_questions_and_past_events_are_routine(msg):
    assert triage(msg).level == "routine"


def test_context_of_earlier_messages_counts():
    r = triage("and now I'm sweating and feel sick", history=["I have had chest pain for an hour"])
    assert r.level == "emergency"
