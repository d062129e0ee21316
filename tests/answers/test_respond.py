"""Read, write, check: the answer path with a scripted model and literal passages."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.answers import respond, resolve_follow_up
from bot.answers.check import CheckStats, check_sentence, checked_sentences
from bot.answers.cite import numbered, numbers_in, source_entry, strip
from bot.answers.read import read_sources
from bot.llm.scripted import ScriptedBackend


@dataclass
class P:
    text: str
    source: dict = field(default_factory=dict)
    similarity: float | None = None


HEART = P("Some of the most common warning symptoms of a heart attack are:\n- chest pain or discomfort\n"
          "- shortness of breath\n- pain in one or both arms, the back, neck or jaw\n- nausea, cold sweat or "
          "light-headedness\nCall 911 right away if you think you or someone else may be having a heart attack. "
          "Heart attacks are treated in hospital.",
          {"doc_id": "medquad:NHLBI-1-1", "title": "What are the symptoms of a heart attack?", "collection": "consumer",
           "publisher": "National Heart, Lung, and Blood Institute", "note": "NIH, as of 2017",
           "url": "https://www.nhlbi.nih.gov/health/heart-attack"})
COLD = P("Rest and drink plenty of fluids to feel better with a cold. Colds are caused by viruses. "
         "Antibiotics do not help a cold. See your doctor if a fever lasts more than three days.",
         {"doc_id": "medquad:CDC-2-1", "title": "Common cold", "collection": "consumer"})
SHINGLES = P("Shingles is not spread from person to person, but the virus can spread to a person who never had "
             "chickenpox. The shingles vaccine is recommended for adults 50 years and older.",
             {"doc_id": "medquad:NIA-3-1", "title": "Shingles", "collection": "consumer"})


def run(question, passages, replies, role="patient"):
    llm = ScriptedBackend(replies, supports_tools=False)
    gen = respond(question, role, passages, llm)
    pieces = []
    try:
        while True:
            pieces.append(next(gen))
    except StopIteration as stop:
        return stop.value, pieces, llm


def test_the_model_reads_whole_sources_and_writes_the_direct_answer_first():
    ans, pieces, llm = run("What are the symptoms of a heart attack?", [HEART],
                           ["The most common heart attack symptoms are chest pain and shortness of breath [1]."])
    prompt = llm.calls[0]["messages"][-1]["content"]
    assert "[1] What are the symptoms of a heart attack?" in prompt and "nausea, cold sweat" in prompt  # the whole list
    assert pieces[0] == [{"n": 1, "title": "What are the symptoms of a heart attack?", "label": "DOC:medquad:NHLBI-1-1"}]
    assert ans.text.startswith("The most common heart attack symptoms are chest pain and shortness of breath [1].")
    # the source's own list follows, kept whole, item by item
    assert "**Key points**" in ans.text and "  - Nausea, cold sweat or light-headedness" in ans.text
    assert "**When to get help**\n- Call 911 right away" in ans.text
    assert ans.cited == [1] and ans.grounding["supported"] == 1 and not ans.fallback
    assert "DOC:" not in ans.text  # people read numbers, not labels


def test_a_contradicting_sentence_is_replaced_by_the_source_and_two_failures_fall_back():
    ans, _, _ = run("Do antibiotics help a cold?", [COLD], ["Yes, antibiotics help a cold [1]."])
    assert "Yes, antibiotics help" not in ans.text
    assert ans.grounding["dropped"][0]["why"] in ("negation", "polarity")
    assert "Antibiotics do not help a cold. [1]" in ans.text or "Antibiotics do not help a cold [1]" in ans.text
    ans, _, _ = run("What helps a cold?", [COLD], ["Antibiotics cure colds fast [1]. Colds last 20 weeks [1]."])
    assert ans.fallback and len(ans.grounding["dropped"]) == 2
    assert "cure colds" not in ans.text and "20 weeks" not in ans.text
    assert "Rest and drink plenty of fluids" in ans.text


def test_yes_and_no_carry_their_claim_and_the_polarity_is_checked():
    src = read_sources([SHINGLES])
    ok, shown = check_sentence("No, shingles is not spread from person to person [1].", src)
    assert ok.supported and shown.endswith("[1].")
    bad, _ = check_sentence("No, the shingles vaccine is recommended for adults 50 years and older [1].", src)
    assert not bad.supported and bad.reason == "polarity"
    flipped, _ = check_sentence("Yes, shingles is spread from person to person [1].", src)
    assert not flipped.supported
    # a yes with a negative claim says yes and no at once ("Is shingles contagious?" "Yes, shingles is not contagious")
    mixed, _ = check_sentence("Yes, shingles is not spread from person to person [1].", src,
                              question="Is shingles spread from person to person?")
    assert not mixed.supported and mixed.reason == "polarity"
    # unless the question itself is negative
    assert check_sentence("Yes, shingles is not spread from person to person [1].", src,
                          question="Is it true that shingles is not spread from person to person?")[0].supported
    # a yes that takes the question's word the source never says is not backed
    import numpy as np

    def same(texts):  # an embedder that finds every sentence identical in meaning
        return np.full((len(texts), 4), 0.5)

    cold = read_sources([COLD])
    echo, _ = check_sentence("Yes, colds are contagious [1].", cold, embed=same, question="Are colds contagious?")
    assert not echo.supported and echo.reason.startswith("unsupported contagi")
    assert check_sentence("Yes, colds are contagious [1].", cold, embed=same)[0].supported  # what the rule adds


def test_what_you_can_do_comes_from_the_sources_and_only_when_asked():
    ans, _, _ = run("I have a bad cold, what can I do?", [COLD], ["Rest and drink plenty of fluids [1]."])
    assert ans.text.startswith("Rest and drink plenty of fluids [1].")
    assert "**When to get help**\n- See your doctor if a fever lasts more than three days. [1]" in ans.text
    ans, _, _ = run("What causes colds?", [COLD], ["Colds are caused by viruses [1]."])
    assert "**What you can do**" not in ans.text


def test_a_child_without_specific_advice_is_sent_to_a_clinician():
    ans, _, _ = run("My 2 year old has a cold, what can I do?", [COLD], ["Rest and drink plenty of fluids [1]."])
    assert "no specific advice for a child" in ans.text


def test_sentences_stream_one_by_one_with_numbers_fixed_and_labels_removed():
    src = read_sources([HEART])
    stats = CheckStats()
    chunks = ["[1] Call 911 right away if you think ", "someone is having a heart attack. Chest pain ",
              "is common [DOC:medquad:x] [7]. Unfinished"]
    out = list(checked_sentences(iter(chunks), src, stats))
    assert out == ["Call 911 right away if you think someone is having a heart attack [1].",
                   "Chest pain is common [1]."]
    assert stats.sentences == 2 and stats.supported == 2


def test_reading_is_budgeted_and_keeps_the_chosen_units():
    long = P(" ".join(f"Sentence number {i} talks about topic {i}." for i in range(100)) + " The key fact is here.",
             {"doc_id": "d1", "title": "Long"})
    (src,) = read_sources([long], chosen=["The key fact is here."], budget=300)
    assert len(src.text) <= 300 and "The key fact is here." in src.text
    two = read_sources([HEART, HEART, COLD], budget=2000)
    assert [s.n for s in two] == [1, 2] and two[1].label == "DOC:medquad:CDC-2-1"  # one source per document


def test_citation_grammar():
    assert numbers_in("a [1, 3] b [2][3]") == [1, 3, 2]
    assert numbered("x [DOC:a] y [PMID:12][DOC:zz].", {"DOC:a": 1, "PMID:12": 2}) == "x [1] y [2]."
    assert strip("Chest pain [1] is common [DOC:a].") == "Chest pain is common."
    line = source_entry(1, HEART.source)
    assert line.startswith("[1] What are the symptoms of a heart attack? — National Heart")
    assert "NIH, as of 2017" in line and line.endswith("<https://www.nhlbi.nih.gov/health/heart-attack>")


@pytest.mark.parametrize("before, message, resolved", [
    ("What is shingles?", "Is there a vaccine for it?", "Is there a vaccine for shingles?"),
    ("What are the symptoms of iron deficiency anemia?", "What foods help with that?",
     "What foods help with iron deficiency anemia?"),
    ("What causes migraines?", "What can I take for one?", "What can I take for migraines?"),
    ("What is sleep apnea?", "Is it dangerous?", "Is sleep apnea dangerous?"),
    ("What is shingles?", "What are the symptoms of the flu?", "What are the symptoms of the flu?"),  # stands alone
    ("What is shingles?", "and how long does it last?", "And how long does shingles last?"),
    ("What is gout?", "And for how long?", "Gout: and for how long?"),
])
def test_follow_ups_are_resolved_from_the_conversations_topic(before, message, resolved):
    assert resolve_follow_up(message, [before]) == resolved


def test_a_yes_must_restate_a_source_not_sit_near_it():
    import numpy as np

    def near(texts):  # the claim at cosine 0.66 from every unit: related, not restated
        return np.array([[1.0, 0.0]] + [[0.66, 0.7513]] * (len(texts) - 1))

    src = read_sources([COLD])
    verdict, _ = check_sentence("Yes, rest helps a cold [1].", src, embed=near, question="Does rest help a cold?")
    assert not verdict.supported and verdict.reason == "yes/no claim not stated"
    plain, _ = check_sentence("Rest helps a cold [1].", src, embed=near)
    assert plain.supported  # the stricter bar is for yes/no claims only


def test_a_yes_no_the_sources_do_not_settle_says_so():
    ans, _, _ = run("Is a cold contagious?", [COLD], ["Yes, a cold is contagious [1]."])
    assert "Yes, a cold is contagious" not in ans.text
    assert ans.text.startswith("The sources I found do not answer this yes-or-no question directly.")
    assert ans.fallback and "[1]" in ans.text


def test_when_nothing_the_model_wrote_holds_the_answer_says_so_first():
    ans, pieces, _ = run("What helps a cold?", [COLD], ["Antibiotics cure a cold quickly [1]."])
    # the model's answer failed, not the sources: their own words follow, introduced as such
    assert ans.text.startswith("What the sources themselves say:")
    assert "Antibiotics cure" not in ans.text and "[1]" in ans.text
    # the stand-in never comes before the line that introduces it
    text = [p for p in pieces if isinstance(p, str)]
    assert text[0].startswith("What the sources themselves say:")


def test_a_line_about_the_sources_is_not_a_claim():
    stats = CheckStats()
    out = list(checked_sentences(iter(["Rest and drink plenty of fluids [1]. Sources: [1] and [2]."]), read_sources([COLD]),
                                 stats))
    assert out == ["Rest and drink plenty of fluids [1]."] and stats.sentences == 1


def test_key_points_leave_out_sentences_that_lean_on_the_one_before():
    gout = P("Gout is a painful joint disease. This is the most disabling stage of gout. Gout attacks often start "
             "in the big toe.", {"doc_id": "medquad:g-1", "title": "Gout", "collection": "consumer"})
    ans, _, _ = run("What is gout?", [gout], ["Gout is a painful joint disease [1]."])
    assert "This is the most disabling" not in ans.text and "big toe" in ans.text


def test_the_fallback_never_quotes_a_sentence_that_leans_on_the_one_before():
    gout = P("This is the most disabling stage of gout. Gout attacks often start in the big toe.",
             {"doc_id": "medquad:g-2", "title": "Gout", "collection": "consumer"})
    ans, _, _ = run("Where do gout attacks start?", [gout], ["Gout never hurts [1]. Gout is 12 feet long [1]."])
    assert ans.fallback and "This is the most disabling" not in ans.text and "big toe" in ans.text


def test_a_patients_key_points_leave_out_a_guidelines_prescribing_dose():
    met = P("Metformin is the preferred initial medication for type 2 diabetes. Starting dose: 500 mg once or twice "
            "daily with meals. Gastrointestinal side effects are common and lessen with slow titration.",
            {"doc_id": "guideline:ada-1", "title": "Pharmacologic treatment", "collection": "guideline",
             "section": "Metformin"})
    ans, _, _ = run("What is the starting dose of metformin?", [met], ["Metformin is the preferred initial medication [1]."])
    assert "500 mg" not in ans.text
    clin, _, _ = run("What is the starting dose of metformin?", [met], ["Metformin is the preferred initial medication [1]."],
                     role="clinician")
    assert "500 mg" in clin.text


@pytest.mark.parametrize("sentence, leans", [
    ("In most people, this raises blood sugar.", True),
    ("If it doesn't, you have hypoglycemia.", True),
    ("As a result, the quality of your sleep is poor.", True),
    ("This is the most disabling stage of gout.", True),
    ("In people with asthma, the airways swell and narrow.", False),
    ("If you have a fever, drink plenty of fluids.", False),
    ("A slight fever can make it harder for them to survive.", True),
    ("Children with fevers should not take aspirin because it can harm them.", False),
    ("Most people recover on their own.", False),
])
def test_a_sentence_that_leans_on_the_one_before_is_recognised(sentence, leans):
    from bot.answers.check import clean_unit
    from bot.answers.text import leans_back

    assert leans_back(sentence) is leans
    assert (clean_unit(sentence) == "") is leans


def test_a_pages_furniture_is_never_quoted():
    from bot.answers.select import select_evidence

    page = P("Blood pressure readings of 138/82 are in the pre-hypertension range. (Click the table on the right to "
             "see the stages of high blood pressure in adults.", {"doc_id": "medquad:hbp-1", "title": "High Blood Pressure",
                                                                  "collection": "consumer"})
    texts = [e.text for e in select_evidence("What are the stages of high blood pressure?", [page])]
    assert texts and not any("Click" in t for t in texts)


def test_a_clinicians_recommendations_leave_out_a_sentence_that_leans_on_the_one_before():
    gout = P("Colchicine, NSAIDs, or glucocorticoids are recommended as first-line therapy for gout flares. IL-1 "
             "inhibitors are reserved for refractory flares. These are not first-line agents.",
             {"doc_id": "guideline:acr-gout", "title": "Flare Management in Gout", "collection": "guideline",
              "section": "Acute Gout Flare Treatment"})
    ans, _, _ = run("Are IL-1 inhibitors first-line agents for gout flares?", [gout],
                    ["Colchicine, NSAIDs, or glucocorticoids are recommended as first-line therapy for gout flares [1]."],
                    role="clinician")
    assert "These are not first-line agents" not in ans.text and "refractory" in ans.text


def test_the_rest_of_something_is_not_self_care():
    chol = P("You can lower your cholesterol with a heart-healthy eating plan. Then the machine returns the rest of "
             "the blood back to the person. Limit foods with saturated fat.",
             {"doc_id": "medlineplus:c-1", "title": "Cholesterol", "collection": "consumer"})
    ans, _, _ = run("How can I lower my cholesterol without meds?", [chol],
                    ["You can lower your cholesterol with a heart-healthy eating plan [1]."])
    assert "the rest of the blood" not in ans.text and "Limit foods with saturated fat" in ans.text


def test_the_fallback_quotes_a_sentence_that_shares_a_word_with_the_question_first():
    flu = P("Some tests are quick and give results in 15-20 minutes. When someone with the flu coughs or sneezes, "
            "they spray tiny droplets that carry the virus.",
            {"doc_id": "medlineplus:f-1", "title": "Flu", "collection": "consumer"})
    ans, _, _ = run("How long is someone contagious with the flu?", [flu], ["The flu lasts 40 weeks [1]."])
    assert ans.text.startswith("What the sources themselves say:")
    first_quote = ans.text.split("say:", 1)[1].strip()
    assert first_quote.startswith("When someone with the flu coughs"), ans.text


def test_should_i_go_asks_what_to_do():
    fever = P("A fever is a body temperature that is higher than normal. Treatment depends on the cause of your fever. "
              "It is also important to drink enough liquids, to prevent dehydration. Children with fevers should "
              "not take aspirin.", {"doc_id": "medlineplus:fv-1", "title": "Fever", "collection": "consumer"})
    ans, _, _ = run("my 2 yr old has a fever of 39.5 should i go to the er", [fever],
                    ["A fever is a body temperature that is higher than normal [1]."])
    assert "**What you can do**\n- It is also important to drink enough liquids" in ans.text, ans.text


def test_what_do_i_do_after_a_sprain_gets_the_sources_first_aid():
    sprain = P("A sprain is a stretched or torn ligament. At first, treatment of both sprains and strains usually "
               "involves resting the injured area, icing it, wearing a bandage or device that compresses the area, "
               "and medicines. Later treatment might include exercise and physical therapy.",
               {"doc_id": "medlineplus:sp-1", "title": "Sprains and Strains", "collection": "consumer"})
    ans, _, _ = run("i think i sprained my ankle what do i do", [sprain], ["A sprain is a stretched or torn ligament [1]."])
    assert "**What you can do**" in ans.text and "resting the injured area, icing it" in ans.text, ans.text


def test_a_clinicians_recommendations_name_each_guideline_once():
    src = {"doc_id": "guideline:af-1", "title": "Rate control", "collection": "guideline", "section": "Target Heart Rate",
           "guideline": "2023 ACC/AHA/ACCP/HRS Guideline for Diagnosis and Management of Atrial Fibrillation"}
    af = P("Lenient rate control (resting HR < 110 bpm) is a reasonable initial approach (Class IIa). Strict rate "
           "control (resting HR < 80 bpm) should be considered if symptoms persist despite lenient control (Class IIa).",
           src)
    ans, _, _ = run("rate control target in afib", [af], ["Lenient rate control is a reasonable initial approach [1]."],
                    role="clinician")
    assert ans.text.count("2023 ACC/AHA/ACCP/HRS Guideline") == 1, ans.text
    assert "  - Strict rate control (resting HR < 80 bpm)" in ans.text


def test_you_can_get_hurt_is_not_self_care():
    from bot.answers.sections import _SELF_CARE

    assert not _SELF_CARE.search("You can also injure other parts of the ankle such as tendons.")
    assert not _SELF_CARE.search("You can get the flu more than once.")
    assert _SELF_CARE.search("You can lower your cholesterol through heart-healthy lifestyle changes.")


def test_a_backed_sentence_the_model_repeats_is_shown_once():
    ans, _, _ = run("What helps a cold?", [COLD], ["Rest and drink plenty of fluids [1]. Rest and drink plenty of fluids [1]. "
                                               "Rest and drink plenty of fluids to feel better [1]."])
    direct = ans.text.split("\n\n")[0]
    assert direct.count("Rest and drink plenty of fluids") == 1, ans.text
    assert not ans.fallback and not ans.grounding["dropped"]


def test_a_clinicians_stand_in_need_not_share_a_word_with_a_terse_question():
    sepsis = P("Sepsis is life-threatening organ dysfunction caused by a dysregulated host response to infection. "
               "Obtain blood cultures before administering antibiotics.",
               {"doc_id": "guideline:s-1", "title": "Sepsis Definition", "collection": "guideline", "section": "The 1-Hour Bundle",
                "guideline": "Sepsis-3"})
    ans, _, _ = run("What defines sepsis?", [sepsis],
                    ["Sepsis is organ dysfunction caused by infection [1]. Obtain blood cultures after giving fluids "
                     "and antibiotics within 6 hours [1]."], role="clinician")
    assert "Obtain blood cultures before administering antibiotics" in ans.text, ans.text
