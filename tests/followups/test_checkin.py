"""A headache conversation ends with an accepted follow-up; when due, the check-in opens the chat,
and the reply runs a full turn with triage first."""

import pytest

from bot.followups import accept, checkin_text, open_checkin
from followup_fakes import FakeClock, make_agent


def test_nothing_is_scheduled_without_consent():
    clock = FakeClock()
    agent, _ = make_agent(["Rest and fluids usually help [PMID:1000001]."], clock)
    res = agent.ask("I've had a headache since yesterday, what can I do?")
    assert res.followup["subject"] == "your headache" and res.followup["due"] == "2026-03-05"
    assert res.to_json()["followup"] == res.followup
    assert agent.followups.list() == []  # proposed, not scheduled
    stored = agent.store.get(res.conversation_id).messages[-1]
    assert stored.meta["followup_proposal"] == res.followup


def test_check_in_then_worse_reply_escalates():
    clock = FakeClock()
    agent, llm = make_agent(["Rest and fluids usually help [PMID:1000001].", "Please get help now."], clock)
    res = agent.ask("I've had a headache since yesterday, what can I do?")
    fu = accept(agent.followups, res.conversation_id, res.followup)
    assert open_checkin(agent.followups) is None  # not due yet
    clock.advance(days=3)
    asked = open_checkin(agent.followups)
    assert asked.id == fu.id and asked.status == "asked"
    assert open_checkin(agent.followups).id == fu.id  # reopening does not repeat the question
    conv = agent.store.get(res.conversation_id)
    checkins = [m for m in conv.messages if m.meta.get("checkin") == fu.id]
    assert len(checkins) == 1
    assert checkins[0].content.startswith("Three days ago you asked about your headache: how is it now?")

    events = list(agent.turn("worse, and now my neck is stiff", conversation_id=res.conversation_id))
    assert events[0].kind == "triage" and events[0].data.level == "emergency"
    assert "meningitis" in " ".join(events[0].data.reasons)
    done = events[-1].data
    assert done.answer.startswith("**This may be an emergency")
    assert done.followup is None  # an emergency is acted on now, not in three days
    closed = agent.followups.get(fu.id)
    assert closed.status == "done" and closed.outcome["reply_triage"] == "emergency"
    assert agent.followups.due() == []


def test_better_reply_closes_routine():
    clock = FakeClock()
    agent, _ = make_agent(["Rest helps.", "Good to hear."], clock)
    res = agent.ask("I have a headache")
    fu = accept(agent.followups, res.conversation_id, res.followup)
    clock.advance(days=4)
    open_checkin(agent.followups)
    reply = agent.ask("much better, thanks", conversation_id=res.conversation_id)
    assert reply.triage["level"] == "routine"
    assert agent.followups.get(fu.id).outcome["reply_triage"] == "routine"


def test_without_check_in_context_the_same_words_are_not_an_emergency():
    """The escalation above comes from the check-in's subject, not from the reply alone."""
    clock = FakeClock()
    agent, _ = make_agent(["Noted."], clock)
    res = agent.ask("worse, and now my neck is stiff")
    assert res.triage["level"] != "emergency"


def test_same_subject_is_not_proposed_twice_and_date_override():
    clock = FakeClock()
    agent, _ = make_agent(["Rest helps.", "Rest helps."], clock)
    res = agent.ask("I have a headache")
    fu = accept(agent.followups, res.conversation_id, res.followup, due="2026-03-10")
    assert fu.due == "2026-03-10"
    again = agent.ask("my headache is still there", conversation_id=res.conversation_id)
    assert again.followup is None


@pytest.mark.parametrize("days, start", [(0, "Earlier today"), (1, "Yesterday"), (12, "Twelve days ago"),
                                         (40, "40 days ago")])
def test_checkin_wording(days, start):
    import datetime as dt

    from bot.followups.model import FollowUp

    clock = FakeClock()
    fu = FollowUp("f1", "c1", "local", "scheduled", "2026-03-02", "your cough", "how is it now?", "chest pain", "r",
                  created=clock.now.timestamp())
    assert checkin_text(fu, clock.now.date() + dt.timedelta(days=days)).startswith(f"{start} you asked about your cough")
