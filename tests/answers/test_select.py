"""Selection of the units that answer a question (pure functions, literal inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.answers import select_evidence
from bot.answers.text import split_sentences


@dataclass
class P:
    text: str
    source: dict = field(default_factory=dict)
    similarity: float | None = None


STROKE = P("What are the signs of a stroke? Stroke symptoms start suddenly. The warning signs include:\n"
           "- numbness or weakness of the face, arm or leg\n- trouble speaking\n- trouble seeing\n"
           "Call 911 right away if you see these signs of a stroke. Strokes are more common in older adults.",
           {"doc_id": "medquad:1", "title": "What are the warning signs of a stroke?", "collection": "consumer"})
LYMPHOMA = P("Mantle cell lymphoma was treated with rituximab in 40 patients. Median survival was 5 years.",
             {"pmid": "123", "title": "Rituximab in mantle cell lymphoma", "collection": "literature"})


def test_split_keeps_list_items_with_their_lead_in():
    sents = split_sentences(STROKE.text)
    assert "The warning signs include: numbness or weakness of the face, arm or leg; trouble speaking; trouble seeing." in sents
    assert "Call 911 right away if you see these signs of a stroke." in sents


def test_selection_picks_answering_sentences_and_skips_unrelated_passages():
    ev = select_evidence("What are the warning signs of a stroke?", [STROKE, LYMPHOMA], min_score=0.2)
    texts = [e.text for e in ev]
    assert any(t.startswith("The warning signs include") for t in texts)
    assert not any("lymphoma" in t.lower() for t in texts)
    assert not any(t.endswith("?") for t in texts)  # a restated question is not an answer
    assert all(e.label == "DOC:medquad:1" for e in ev)
    assert [e.order for e in ev] == sorted(e.order for e in ev)  # reading order


def test_nothing_selected_when_nothing_answers():
    assert select_evidence("How do I change brake pads on a car?", [LYMPHOMA]) == []


def test_a_list_repeated_by_the_source_is_said_once():
    from bot.answers.text import drop_repeated_tail

    text = ("These are warning signs of a stroke: - sudden numbness of the face, arm, or leg. sudden confusion, "
            "trouble speaking. sudden numbness of the face, arm, or leg sudden confusion, trouble speaking.")
    assert drop_repeated_tail(text) == ("These are warning signs of a stroke: - sudden numbness of the face, arm, "
                                        "or leg. sudden confusion, trouble speaking.")
    assert drop_repeated_tail("Aspirin helps the heart a lot and it is cheap.") == "Aspirin helps the heart a lot and it is cheap."


def test_what_to_do_now_is_kept_even_when_it_scores_below_the_symptom_list():
    page = P("Stroke symptoms start suddenly. The warning signs of a stroke include sudden numbness or weakness of "
             "the face, arm or leg. Other warning signs of a stroke are sudden confusion and trouble speaking. "
             "Sudden trouble seeing in one or both eyes is a warning sign of a stroke. "
             "Sudden severe headache is a warning sign of a stroke. "
             "If you think someone is having one, call 911 immediately.",
             {"doc_id": "medquad:2", "title": "What are the warning signs of a stroke?", "collection": "consumer"})
    ev = select_evidence("What are the warning signs of a stroke?", [page], max_sentences=3, min_score=0.2)
    texts = [e.text for e in ev]
    assert len(texts) == 3 and texts[-1] == "If you think someone is having one, call 911 immediately."
    assert texts[0].startswith("The warning signs of a stroke include")
    # an off-topic passage's emergency line is never pulled in
    assert not any("911" in e.text for e in select_evidence("What are the warning signs of a stroke?",
                                                            [STROKE.__class__(page.text.replace("call 911 immediately", "rest"), page.source),
                                                             P("Call 911 if a bee sting swells your throat.", {"doc_id": "x", "title": "Bee stings"})],
                                                            max_sentences=3, min_score=0.2))


def test_sentences_about_the_page_lose_to_the_facts():
    page = P("Symptoms of depression often vary depending upon the person. However, some of the most common "
             "symptoms of depression are listed below. Common symptoms of depression are: feeling sad or empty; "
             "loss of interest in activities; sleep problems; thoughts of death or suicide.",
             {"doc_id": "medquad:3", "title": "What are the symptoms of Depression ?", "collection": "consumer"})
    ev = select_evidence("What are the symptoms of depression?", [page], max_sentences=1, min_score=0.1)
    assert ev[0].text.startswith("Common symptoms of depression are: feeling sad")


def test_the_role_nudges_between_equally_good_sources():
    nih = P("Chronic kidney disease is staged by how well the kidneys filter blood.",
            {"doc_id": "medquad:4", "title": "Kidney disease", "collection": "consumer"})
    kdigo = P("Chronic kidney disease is staged by how well the kidneys filter the blood.",
              {"doc_id": "guideline:kdigo", "title": "Kidney disease", "collection": "guideline"})
    q = "How is chronic kidney disease staged?"
    assert select_evidence(q, [nih, kdigo], max_sentences=1, min_score=0.1, prefer="clinician")[0].label == "DOC:guideline:kdigo"
    assert select_evidence(q, [nih, kdigo], max_sentences=1, min_score=0.1, prefer="patient")[0].label == "DOC:medquad:4"


def test_headings_are_skipped_and_long_lists_keep_their_head():
    page = P("Secondary High Blood Pressure.\nUntreated high blood pressure can lead to a heart attack, stroke and kidney failure. "
             "Complications of high blood pressure include: " + "; ".join(f"complication number {i} of many" for i in range(60)) + ".",
             {"doc_id": "medquad:5", "title": "What is High Blood Pressure?", "collection": "consumer"})
    ev = select_evidence("What does untreated high blood pressure lead to?", [page], min_score=0.05)
    texts = [e.text for e in ev]
    assert "Secondary High Blood Pressure." not in texts
    assert texts[0].startswith("Untreated high blood pressure can lead to")
    lists = [t for t in texts if t.startswith("Complications of high blood pressure include: complication number 0")]
    assert lists and len(lists[0]) <= 700 and lists[0].endswith("of many.")


def test_fragments_and_off_topic_pages_lose():
    dehydration = P("Signs of dehydration in a child include a dry mouth, no tears and no wet diapers for 3 hours.\n"
                    "impairment 7.5% dehydration signs child 7.5% Hypotension 7.5%.",
                    {"doc_id": "medquad:6", "title": "What is Dehydration?", "collection": "consumer"}, similarity=0.67)
    uti = P("A child with signs of a UTI may need to drink more.",
            {"doc_id": "medquad:7", "title": "My child's urinary tract infection", "collection": "consumer"}, similarity=0.33)
    ev = select_evidence("What are the signs of dehydration in a child?", [dehydration, uti], min_score=0.05)
    assert ev[0].label == "DOC:medquad:6" and ev[0].text.startswith("Signs of dehydration")
    assert not any(e.text.startswith("impairment") for e in ev)
    two = P("Signs of dehydration in a child include a dry mouth.\nA child who is dehydrated may have no tears.",
            dehydration.source, similarity=0.67)
    ev = select_evidence("What are the signs of dehydration in a child?", [two, uti], min_score=0.05)
    assert [e.label for e in ev] == ["DOC:medquad:6", "DOC:medquad:6"]  # the on-topic page said enough
    ev = select_evidence("What are the signs of dehydration in a child?", [P("Signs of dehydration in a child include a dry mouth.",
                                                                             dehydration.source, similarity=0.67), uti], min_score=0.05)
    assert [e.label for e in ev] == ["DOC:medquad:6"]  # the UTI page never says "dehydration": it adds nothing


def test_pages_sharing_only_the_kind_of_question_are_off_topic():
    """ "First-line treatment" of gout is no answer to the first-line treatment of a migraine."""
    gout = P("Colchicine, NSAIDs or glucocorticoids are strongly recommended as first-line therapy for gout flares.",
             {"doc_id": "guideline:gout", "title": "Flare Management in Gout", "section": "First-Line Therapies",
              "collection": "guideline"}, similarity=0.35)
    migraine = P("Simple pain relievers such as ibuprofen or aspirin are the first treatment to try for a migraine attack.",
                 {"doc_id": "medquad:8", "title": "What are the treatments for Migraine ?", "collection": "consumer"},
                 similarity=0.4)
    q = "What is the first-line treatment for a migraine attack?"
    ev = select_evidence(q, [gout, migraine], min_score=0.05, prefer="clinician")
    assert [e.label for e in ev] == ["DOC:medquad:8"]
    heading_only = P("Triptans are first-line for moderate to severe attacks.",
                     {"doc_id": "guideline:headache", "title": "Headache", "section": "Migraine > Acute Treatment",
                      "collection": "guideline"}, similarity=0.3)
    assert "DOC:guideline:headache" in [e.label for e in select_evidence(q, [gout, heading_only], min_score=0.05)]
    assert select_evidence(q, [gout], min_score=0.05) == []  # only off-topic pages: not covered
    assert select_evidence("What is the first-line treatment?", [gout], min_score=0.05)  # no topic word: no gate
    # other words for the same thing: a close dense match, or the generic name of a brand
    attack = P("Triptans relieve moderate to severe attacks of hemicrania.", {"doc_id": "guideline:h"}, similarity=0.55)
    assert select_evidence(q, [attack], min_score=0.05)
    statin = P("Atorvastatin lowers LDL cholesterol and the risk of heart attack.", {"doc_id": "medquad:9"},
               similarity=0.3)
    assert select_evidence("What is Lipitor used for?", [statin], min_score=0.05) == []
    assert select_evidence("What is Lipitor used for?", [statin], min_score=0.05, also_about=["atorvastatin"])


def test_a_page_heading_glued_to_its_sentence_is_left_out():
    from bot.answers.select import strip_glued_heading

    assert strip_glued_heading("Common Signs of Stroke These are warning signs of a stroke: numbness; confusion.") == \
        "These are warning signs of a stroke: numbness; confusion."
    assert strip_glued_heading('Don\'t Ignore "Mini-Strokes" Sometimes the warning signs last only minutes.') == \
        "Sometimes the warning signs last only minutes."
    for kept in ("The goal of asthma treatment is to control the disease.", "Aspirin The drug is old.",
                 "The American Heart Association recommends aspirin.", "If you believe you are having a stroke, call 911."):
        assert strip_glued_heading(kept) == kept


def test_a_passage_headed_by_the_questions_topic_covers_it_below_the_similarity_threshold():
    from bot.answers.select import names_topic

    ada = P("Side effects: Gastrointestinal intolerance (bloating, diarrhea).",
            {"doc_id": "guideline:ada/pharmacotherapy", "title": "Pharmacologic Approaches in Type 2 Diabetes",
             "section": "Medication Classes > Metformin", "collection": "guideline"}, similarity=0.34)
    assert names_topic("What are the side effects of metformin?", [ada])
    assert not names_topic("What are the side effects of lisinopril?", [ada])
    assert not names_topic("What are the side effects?", [ada])  # no topic word
    weak = P(ada.text, ada.source, similarity=0.2)
    assert not names_topic("What are the side effects of metformin?", [weak])
    paper = P("Remote communities have less access to care.",
              {"pmid": "1", "title": "Health disparities in Australia", "collection": "literature"}, similarity=0.33)
    assert not names_topic("What is the capital of Australia?", [paper])  # a paper's title names anything


def test_a_heading_glued_to_a_sentence_opening_with_a_gerund_is_left_out():
    from bot.answers.select import strip_glued_heading

    assert strip_glued_heading("Know the Signs Knowing the warning signs of stroke can lower your risk.") == \
        "Knowing the warning signs of stroke can lower your risk."
    assert strip_glued_heading("Smoking causes cancer.") == "Smoking causes cancer."


def test_a_condition_sharing_a_word_with_the_one_asked_gives_no_sentence():
    # "my 2 yr old has a fever": the Fever page is named whole; Typhoid Fever shares "fever" only
    fever = P("A fever is a body temperature that is higher than normal. Call your child's provider if a fever "
              "lasts more than 3 days. Give your child plenty of fluids.",
              {"doc_id": "medlineplus:fever.html", "title": "Fever", "focus": "Fever", "collection": "consumer"})
    typhoid = P("Persons with typhoid fever usually have a sustained fever as high as 103 to 104 F. Keep taking the "
                "prescribed antibiotics for as long as the doctor has asked.",
                {"doc_id": "medquad:typhoid", "title": "What are the symptoms of Typhoid Fever ?", "focus": "Typhoid Fever",
                 "collection": "consumer"})
    ev = select_evidence("my 2 yr old has a fever of 39.5 should i go to the er", [fever, typhoid], min_score=0.0)
    assert ev and all("typhoid" not in e.text.lower() for e in ev)
    qfever = P("Q fever is caused by the bacteria Coxiella burnetii, spread by infected farm animals.",
               {"doc_id": "medquad:qfever", "title": "What is (are) Q fever ?", "focus": "Q fever",
                "collection": "consumer"})
    ev = select_evidence("my 3 yr old has a fever of 38.9 and wont eat", [fever, qfever], min_score=0.0)
    assert ev and all("coxiella" not in e.text.lower() for e in ev)  # "Q" is a word of its name too
    # asked by its own name, the other condition is on topic
    ev = select_evidence("how high is the fever in typhoid fever", [fever, typhoid], min_score=0.0)
    assert any("typhoid" in e.text.lower() for e in ev)
    # a page for a group of people, or told another way, is not another condition
    stones = P("Kidney stones can form when substances in the urine become highly concentrated.",
               {"doc_id": "medlineplus:kidneystones.html", "title": "Kidney Stones", "focus": "Kidney Stones",
                "collection": "consumer"})
    adults = P("Kidney stones are caused by high levels of calcium, oxalate, and phosphorus in the urine.",
               {"doc_id": "medquad:adults", "title": "What causes Kidney Stones in Adults ?",
                "focus": "Kidney Stones in Adults", "collection": "consumer"})
    ev = select_evidence("What causes kidney stones?", [stones, adults], min_score=0.0)
    assert any("oxalate" in e.text for e in ev)
    # the lab guide's page is the result asked about, beside the topic page that names the same word
    potassium = P("Potassium is a mineral that your body needs to work properly.",
                  {"doc_id": "medlineplus:potassium.html", "title": "Potassium", "focus": "Potassium",
                   "collection": "consumer", "kind": "medlineplus"})
    lab = P("A potassium of 6.5 mmol/L or more is an emergency. A usual adult range is 3.5 to 5.0 mEq/L.",
            {"doc_id": "labs:potassium", "title": "Potassium blood test (K, K+, serum potassium): what your result means",
             "focus": "Potassium blood test", "collection": "consumer", "kind": "labs"})
    ev = select_evidence("potassium 5.9 on my labs, should i worry", [lab, potassium], min_score=0.0)
    assert any("3.5 to 5.0" in e.text or "6.5 mmol/L" in e.text for e in ev)


def test_player_controls_of_a_page_are_not_evidence():
    apnea = P("Sleep apnea is a common disorder in which you have pauses in breathing while you sleep. Use the buttons "
              "in the lower right corner to pause, restart, or replay the animation.",
              {"doc_id": "medquad:apnea", "title": "What is (are) Sleep Apnea ?", "focus": "Sleep Apnea",
               "collection": "consumer"})
    ev = select_evidence("what is sleep apnea", [apnea], min_score=0.0)
    assert ev and not any("animation" in e.text for e in ev)
