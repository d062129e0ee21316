"""Proposal rules with literal inputs: what is proposed, for when, and what is not."""

import datetime as dt

import pytest

from bot.followups.propose import propose, window_days

TODAY = dt.date(2026, 3, 2)


def test_headache_gets_a_three_day_check_in():
    p = propose("I've had a headache since yesterday, what can I take?", "Rest and drink water.", "routine", TODAY)
    assert p.due == "2026-03-05" and p.subject == "your headache" and p.question == "how is it now?"
    assert "stiff neck" in p.urgent_if


def test_written_window_sets_the_date():
    p = propose("I have a cough", "If it is not better in 10 days, see a doctor.", "routine", TODAY)
    assert (p.subject, p.due) == ("your cough", "2026-03-12")
    assert window_days("see your GP if it persists within two weeks") == 14
    assert window_days("nothing here") is None


def test_urgent_triage_checks_in_the_next_day():
    p = propose("I have a fever of 40 and feel awful", "", "urgent", TODAY)
    assert p.due == "2026-03-03" and "doctor or nurse" in p.question and p.subject == "your fever"


def test_new_medicine_and_test_recheck():
    p = propose("I started taking metformin last week", "", "routine", TODAY)
    assert p.subject == "your new medicine (metformin)" and p.due == "2026-03-09" and "side effects" in p.question
    p = propose("My doctor wants to recheck my potassium level in 2 weeks", "", "routine", TODAY)
    assert p.subject == "your test result" and p.due == "2026-03-16"


@pytest.mark.parametrize("message, level", [
    ("What are the symptoms of migraine?", "routine"),  # a general question
    ("Tell me about aspirin", "routine"),  # nothing to follow
    ("I have a sudden thunderclap headache, worst of my life", "emergency"),  # act now, not in three days
    ("", "routine"),
])
def test_no_proposal(message, level):
    assert propose(message, "Some answer.", level, TODAY) is None
