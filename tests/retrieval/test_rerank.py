"""Question-entailment rerank: the result about what the message names moves up."""

from __future__ import annotations

import pytest

from retrieval.rerank import TYPE_SHARE, Candidate, entailment, rerank


def test_entailment_weighs_the_named_focus():
    cands = [Candidate("uti", 1.0, ["What I need to know about My Child's Urinary Tract Infections"], "considerations"),
             Candidate("toddler", 1.0, ["Toddler Health"], "information"),
             Candidate("fever", 1.0, ["Fever", "Pyrexia"], "information"),
             Candidate("paper", 1.0, [], "")]
    e = entailment("Fever in my toddler, when to worry?", cands)
    assert e[2] == 1.0  # named whole
    assert e[1] == pytest.approx(0.25)  # half named: squared
    assert e[0] == 0.0 and e[3] == 0.0  # nothing of it named; no focus at all (literature)
    # a synonym counts like the focus; plurals and case are stemmed away
    assert entailment("PYREXIAS in babies", cands)[2] == 1.0


def test_question_type_adds_only_with_a_named_focus():
    cands = [Candidate("t", 1.0, ["Lupus"], "treatment"), Candidate("i", 1.0, ["Lupus"], "information"),
             Candidate("x", 1.0, ["Gout"], "treatment")]
    e = entailment("how is lupus treated", cands)
    assert e == [1.0 + TYPE_SHARE, 1.0, 0.0]
    assert entailment("lupus", cands, qtype="information") == [1.0, 1.0 + TYPE_SHARE, 0.0]


def test_rerank_moves_the_named_page_up_and_keeps_the_rest_in_order():
    cands = [Candidate("what-to-do-acromegaly", 0.050, ["Acromegaly"], "considerations"),
             Candidate("irak4", 0.049, ["IRAK-4 deficiency"], "information"),
             Candidate("fever", 0.030, ["Fever"], "information"),
             Candidate("paper-a", 0.029, []), Candidate("paper-b", 0.028, [])]
    got = rerank("my 2 year old has a fever of 39 C what do i do", cands)
    assert [i for i, _ in got] == ["fever", "what-to-do-acromegaly", "irak4", "paper-a", "paper-b"]
    assert [s for _, s in got] == [c.score for c in cands]  # each place keeps its score
    # beyond the depth nothing moves, and what is below stays below
    shallow = rerank("my 2 year old has a fever of 39 C what do i do", cands, depth=2)
    assert [i for i, _ in shallow] == ["what-to-do-acromegaly", "irak4", "fever", "paper-a", "paper-b"]
    # no focus named: the fused order stands
    assert [i for i, _ in rerank("what should i do", cands)] == [c.id for c in cands]


def test_rerank_keeps_each_collections_places():
    # a clinician's list: guideline places stay guideline places even when the message names a consumer page
    cands = [Candidate("g1", 0.05, ["Metformin"], "", "guideline"),
             Candidate("c1", 0.04, ["Diabetes"], "treatment", "consumer"),
             Candidate("g2", 0.03, ["Type 2 Diabetes"], "", "guideline"),
             Candidate("lit", 0.02, [], "", "literature"),
             Candidate("c2", 0.01, ["Type 2 Diabetes"], "treatment", "consumer")]
    got = [i for i, _ in rerank("first-line treatment of type 2 diabetes", cands)]
    assert [c.group for c in cands] == [{c.id: c.group for c in cands}[i] for i in got]
    assert got == ["g2", "c1", "g1", "lit", "c2"]  # g2 names the focus whole; c2 is too far down to pass c1
