"""Pregnancy, after-birth and newborn triage: the context, the three urgency levels, the second opinion's context line."""

import pytest

from bot.safety.concepts import findings
from bot.safety.maternal_concepts import MATERNAL_PRESENTATIONS, MATERNAL_URGENT
from bot.safety.maternal_context import maternal_context
from bot.safety.triage import normalize, triage


def ctx(text, earlier=()):
    return maternal_context(normalize(text), [normalize(e) for e in earlier])


@pytest.mark.parametrize("text,present,absent", [
    ("I'm 34 weeks pregnant", {"pregnant", "gestation_viable", "gestation_20plus", "preterm", "pregnant_not_early"},
     {"pregnant_early", "term"}),
    ("34 wks, seeing zigzag lights", {"pregnant", "gestation_viable"}, set()),
    ("my wife is 38 weeks", {"pregnant", "term"}, {"preterm"}),
    ("I'm about 6 weeks, sharp pain", {"pregnant", "pregnant_early", "gestation_early"}, {"pregnant_not_early"}),
    ("missed my period and the test was positive", {"pregnant", "pregnant_early"}, {"pregnant_not_early"}),
    ("I'm expecting", {"pregnant", "pregnant_early", "pregnant_not_early", "gestation_unknown"}, set()),
    ("I was expecting the pain to stop", set(), {"pregnant"}),
    ("I'm not pregnant but my period is late", set(), {"pregnant"}),
    ("tested positive for covid, the test was positive twice", set(), {"pregnant"}),
    ("I've had a cough for 3 weeks", set(), {"pregnant"}),
    ("2 weeks after my c-section", {"postpartum", "postpartum_12w"}, {"pregnant"}),
    ("had my daughter 2 months ago", {"postpartum_12w", "postpartum_year"}, {"postpartum", "infant"}),
    ("gave birth 5 days ago", {"postpartum"}, {"infant", "newborn"}),
    ("my 5 week old", {"infant", "infant_u3m"}, {"newborn", "pregnant"}),
    ("our newborn", {"infant", "newborn"}, {"day_one"}),
    ("baby was born this morning", {"day_one", "newborn", "postpartum"}, set()),
    ("my son is less than 24 hours old", {"day_one"}, set()),
    ("my 4 month old", {"infant"}, {"infant_u3m"}),
])
def test_context_from_lay_words(text, present, absent):
    got = ctx(text).findings()
    assert present <= got and not (absent & got), (text, got)


def test_context_stays_over_recent_turns():
    c = ctx("my hands have gone puffy", ["I'm 33 weeks pregnant with my first"])
    assert c.pregnant and c.weeks == 33
    assert ctx("she feels hot", ["my 3 week old has been grizzly"]).infant_days == 21
    assert ctx("my hands are puffy").pregnant is False


@pytest.mark.parametrize("msg", [
    # pre-eclampsia and eclampsia
    "36 weeks, my vision's gone blurry and I've got a headache",
    "I'm 31 weeks pregnant, my fingers and face have swollen up and there's pain under my right ribs",
    "my partner is 39 weeks and having a seizure",
    # possible ectopic
    "positive test 3 days ago, awful pain in my left side and shoulder tip pain",
    "7 weeks pregnant, pain on the right side low down and I fainted at work",
    # heavy bleeding, waters, movements
    "I'm 24 weeks and bleeding heavily with clots",
    "I'm 29 weeks and leaking clear fluid since this morning",
    "I'm 37 weeks and haven't felt him kick all day",
    # chest pain or breathlessness in pregnancy / after birth
    "I'm 30 weeks and I've got chest pain and can't get my breath",
    "pregnant 25 weeks, sudden shortness of breath and my heart is pounding",
    "gave birth 10 days ago, now short of breath even at rest and coughing blood",
    # after birth
    "gave birth last week and now I'm soaking through a pad every hour",
    "4 days after my c-section I've got a temperature of 38.9 and the wound smells",
    "postpartum 8 days, fever and shivers and my lochia smells off",
    # newborns and infants
    "my 6 week old is burning up, 38.7",
    "my newborn is floppy and won't wake for feeds",
    "our 4 week old keeps pausing her breathing for ages when asleep",
    "baby born 6 hours ago and his skin looks yellow",
    "baby's lips are blue and she's struggling to breathe",
    "my 5 month old has hardly any wet nappies and a sunken soft spot",
])
def test_emergencies_of_pregnancy_birth_and_babies(msg):
    r = triage(msg)
    assert r.level == "emergency", (msg, r)
    assert r.banner.startswith("**This may be an emergency")


@pytest.mark.parametrize("msg", [
    "8 weeks pregnant and I can't keep any fluids down",               # severe vomiting
    "32 weeks and the baby is moving less than normal",                 # reduced movements
    "I'm 16 weeks pregnant with some spotting",                         # bleeding, no faintness
    "I'm 6 weeks pregnant with a pain on my left side",                 # one-sided pain alone
    "35 weeks and my face puffed up today",                             # a single pre-eclampsia sign
    "I'm 39 weeks and my waters just broke",                            # waters at term
    "my 3 week old isn't feeding well today",
    "my 4 day old looks a bit yellow",
])
def test_same_day_signs_are_urgent_not_emergency(msg):
    r = triage(msg)
    assert r.level == "urgent", (msg, r)
    assert r.banner.startswith("**Please contact a doctor")


@pytest.mark.parametrize("msg", [
    "I'm 39 weeks, when will my waters break?",
    "30 weeks pregnant and a bit out of breath after walking up the stairs",
    "I'm 25 weeks, is it normal to get heartburn and chest burning after meals?",
    "my newborn breathes irregularly with short pauses, is that normal?",
    "I'm 8 weeks and feel queasy in the mornings",
    "is it ok to eat prawns when pregnant?",
    "my 6 month old is teething and grumpy",
    "6 weeks pregnant, mild cramps but no bleeding",
    "I'm 20 weeks and my ankles swell a little in the evening",
    "I'm pregnant and craving pickles",
    "my baby has blue eyes, will they change?",
    "gave birth 2 weeks ago, the bleeding is lighter now",
    "my 7 week old has a temperature of 37.2, is that normal?",
    "I'm 34 weeks pregnant, which pram is best?",
])
def test_normal_pregnancy_and_baby_questions_stay_routine(msg):
    r = triage(msg)
    assert r.level == "routine", (msg, r)


def test_context_changes_what_a_symptom_means():
    assert triage("I have a bad headache and blurry vision").level != "emergency"
    assert triage("I'm 34 weeks and have a bad headache and blurry vision").level == "emergency"
    assert triage("I've got a bad headache and I'm seeing spots", ["I'm 34 weeks pregnant"]).level == "emergency"
    assert triage("pain on my left side and I feel faint").level != "emergency"
    assert triage("missed period, pain on my left side and I feel faint").level == "emergency"
    assert triage("my baby has a temperature of 38.1").level != "emergency"
    assert triage("she has a temperature of 38.1", ["my 5 week old daughter is unsettled"]).level == "emergency"


def test_negation_right_before_a_sign_and_not_across_the_sentence():
    assert "bleeding_any" not in findings(normalize("6 weeks pregnant, cramps but no bleeding"))
    assert "sunken_fontanelle" in findings(normalize("no wet nappies since last night and her soft spot is sunken"))


def test_second_opinion_reads_the_context_first():
    class Seen:
        def __init__(self):
            self.seen = []

        def predict(self, text):
            self.seen.append(text)
            return "routine", 0.1, ""

    clf = Seen()
    triage("I feel a bit off today", ["I'm 33 weeks pregnant"], classifier=clf)
    assert clf.seen == ["Context: pregnant, 33 weeks.\nI'm 33 weeks pregnant\nI feel a bit off today"]


def test_maternal_presentations_cite_recognised_sources():
    for p in MATERNAL_PRESENTATIONS + MATERNAL_URGENT:
        assert any(s in p.source for s in ("ACOG", "AIM", "NICE", "WHO", "NHS", "RCOG")), p.name
    assert {p.level for p in MATERNAL_URGENT} == {"urgent"}
    assert {p.level for p in MATERNAL_PRESENTATIONS} == {"emergency"}


def test_judge_uses_its_own_threshold_for_messages_with_a_context_line():
    from bot.safety.classifier import LlmJudge

    judge = LlmJudge.__new__(LlmJudge)  # the thresholds only; no model
    judge.name, judge.emergency_threshold, judge.urgent_threshold, judge.context_threshold = "fake", 0.3, None, 0.9
    judge.emergency_margin = 0.0
    judge.probabilities = lambda text: {"routine": 0.4, "urgent": 0.0, "emergency": 0.6}
    assert judge.predict("my grandad is acting a bit off today")[0] == "emergency"
    assert judge.predict("Context: pregnant, 33 weeks.\nI feel a bit off today")[0] == "routine"


def test_judge_calls_an_emergency_only_when_it_leads_the_other_levels():
    from bot.safety.classifier import LlmJudge, load_calibration

    judge = LlmJudge.__new__(LlmJudge)  # the thresholds only; no model
    judge.name, judge.emergency_threshold, judge.urgent_threshold, judge.context_threshold = "fake", 0.32, None, 0.55
    judge.emergency_margin = load_calibration()["emergency_margin"]
    # near-even probabilities ("I think I pulled a muscle in my back") are not an emergency
    judge.probabilities = lambda text: {"routine": 0.277, "urgent": 0.357, "emergency": 0.365}
    assert judge.predict("I think I pulled a muscle in my back lifting boxes")[0] == "routine"
    judge.probabilities = lambda text: {"routine": 0.171, "urgent": 0.357, "emergency": 0.473}
    assert judge.predict("found my toddler with an open bottle of oven cleaner")[0] == "emergency"
