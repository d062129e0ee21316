"""The crisis reply: thoughts of suicide or of harming oneself or a baby get a warm, fixed reply with the crisis line."""

import pytest

from bot.config import load_settings
from bot.safety.crisis import CRISIS_LINES, crisis_reply, locale_for_number
from bot.safety.triage import triage


@pytest.mark.parametrize("msg", [
    "I don't want to live anymore. Everything feels pointless.",        # no plan
    "i keep thinking everyone would be better off without me",
    "I wish I could go to sleep and never wake up",
    "honestly I can't go on like this",
    "I've been having thoughts of hurting myself",
    "I keep thinking about killing myself",
    "I haven't slept for days and I want to die",                       # a negation earlier in the sentence
    "I've got the pills lined up and I'm going to take them all tonight",  # a plan
    "i wrote a goodbye note to my family",
    "I had my son a month ago and I've thought about ending my life",
    "since the birth I keep having thoughts of hurting my baby",
])
def test_thoughts_of_suicide_or_harm_are_a_crisis(msg):
    r = triage(msg, emergency_number="911")
    assert r.level == "emergency" and r.crisis, (msg, r)
    assert "988" in r.banner and "This may be an emergency" not in r.banner
    assert r.to_json()["crisis"] is True


@pytest.mark.parametrize("msg", [
    "this headache is killing me",
    "I could kill for a coffee",
    "my grandfather died by suicide years ago, what are warning signs?",   # a question about the topic
    "I'm not suicidal, just exhausted with a newborn",
    "I don't want to die from this, is the lump serious?",
    "I would never hurt my baby, but how do I cope with the crying?",
    "For my psychology class, what are the warning signs that someone is suicidal?",
    "my chest hurts and I'm sweating",                                       # an emergency, not a crisis
])
def test_figures_of_speech_denials_and_questions_are_not_a_crisis(msg):
    assert not triage(msg).crisis, msg


def test_reply_for_each_locale_has_the_line_the_number_and_no_referral_elsewhere():
    us = crisis_reply("en-US")
    assert "call or text **988**" in us and "Call 911" in us and "not alone" in us
    uk = crisis_reply(load_settings({"locale": "en-GB"}))
    assert "116 123" in uk and "Call 999" in uk and "85258" in uk
    assert "000" in crisis_reply("en-AU") and "13 11 14" in crisis_reply("en-AU")
    for reply in (us, uk, crisis_reply("ja-JP")):
        low = reply.lower()
        assert "pharmacist" not in low and "not cover" not in low and "keep talking" in low
    assert "Call 119" in crisis_reply(load_settings({"locale": "ja-JP"}))    # unknown locale: its emergency number
    assert crisis_reply("999") == crisis_reply("en-GB")
    assert locale_for_number("112") is None and all(line.emergency for line in CRISIS_LINES.values())


def test_a_configured_emergency_number_is_used():
    s = load_settings({"locale": "en-US", "emergency_number": "112"})
    assert "Call 112" in crisis_reply(s) and "988" in crisis_reply(s)


def test_harm_already_done_puts_the_emergency_number_first_and_a_baby_adds_safety():
    r = triage("I took a whole bottle of pills because I want to die", emergency_number="999")
    assert r.crisis
    lines = [line for line in r.banner.splitlines() if line.startswith("- ")]
    assert "Call 999 now" in lines[0]
    plain = crisis_reply("en-GB")
    assert "116 123" in [line for line in plain.splitlines() if line.startswith("- ")][0]
    baby = triage("since having the baby I keep thinking about hurting her", emergency_number="999")
    assert baby.crisis and "cot" in baby.banner
