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


class _Alarmist:
    """A second opinion that calls everything an emergency."""

    def predict(self, text):
        return "emergency", 1.0, "alarm"


def test_questions_about_what_a_condition_does_over_time_get_no_second_opinion():
    q = "What does high blood pressure do to my body if I leave it untreated?"
    assert triage(q, classifier=_Alarmist()).level == "routine"
    assert triage("What happens to my kidneys in the long run with diabetes?", classifier=_Alarmist()).level == "routine"
    # the same wording with a symptom now still reaches the rules and the second opinion
    assert triage("What does it do to my heart if I ignore it? my chest feels tight right now",
                  classifier=_Alarmist()).level == "emergency"


def test_context_of_earlier_messages_counts():
    r = triage("and now I'm sweating and feel sick", history=["I have had chest pain for an hour"])
    assert r.level == "emergency"
