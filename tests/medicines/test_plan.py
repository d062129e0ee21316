"""Chat messages to tool arguments."""

from __future__ import annotations

import pytest

from retrieval.medicines import plan

CASES = [
    ("Can I take Zyrtec and Benadryl at the same time?", {"question": "together", "drugs": ["Zyrtec", "Benadryl"]}),
    ("Is Augmentin the same as amoxicillin?", {"question": "same_as", "drugs": ["Augmentin", "amoxicillin"]}),
    ("How many ibuprofen can I take?", {"question": "how_much", "drugs": ["ibuprofen"]}),
    ("is it ok to drink alcohol with tylenol", {"question": "together", "drugs": ["tylenol", "alcohol"]}),
    ("can you drink on metformin", {"question": "together", "drugs": ["metformin", "alcohol"]}),
    ("can i take ibuprofen with my warfarin", {"question": "together", "drugs": ["ibuprofen", "warfarin"]}),
    ("whats the generic name for zyrtec", {"question": "same_as", "drugs": ["zyrtec"]}),
    ("is advil the same as motrin", {"question": "same_as", "drugs": ["advil", "motrin"]}),
    ("Is Tylenol and paracetamol the same thing", {"question": "same_as", "drugs": ["Tylenol", "paracetamol"]}),
    ("side effects of metformin?", {"question": "what_is", "drugs": ["metformin"], "focus": "side_effects"}),
    ("my ankles are swollen since i started amlodipine 10mg",
     {"question": "what_is", "drugs": ["amlodipine"], "focus": "side_effects", "effect": "ankles swollen"}),
    ("muscle pain on atorvastatin normal??",
     {"question": "what_is", "drugs": ["atorvastatin"], "focus": "side_effects", "effect": "muscle pain"}),
    # the effect asked about is passed on; a general question names none
    ("can cipro cause tendon problems", {"question": "what_is", "drugs": ["cipro"], "focus": "side_effects",
                                         "effect": "tendon"}),
    ("does zoloft make you gain weight", {"question": "what_is", "drugs": ["zoloft"], "focus": "side_effects",
                                          "effect": "gain weight"}),
    ("what are the side effects of prednisone 20 mg",
     {"question": "what_is", "drugs": ["prednisone"], "focus": "side_effects"}),
    ("is it safe to take ibuprofen while pregnant", {"question": "what_is", "drugs": ["ibuprofen"], "focus": "pregnancy"}),
    ("how much benadryl can i give my 8 year old", {"question": "how_much", "drugs": ["benadryl"]}),
    ("whats the max tylenol in a day", {"question": "how_much", "drugs": ["tylenol"]}),
    ("ibuprofin dose", {"question": "how_much", "drugs": ["ibuprofen"]}),
    ("what is warfarin", {"question": "what_is", "drugs": ["warfarin"]}),
    ("sertraline and tramadol together safe?", {"question": "together", "drugs": ["sertraline", "tramadol"]}),
    ("claritin vs claritin-d", {"question": "same_as", "drugs": ["claritin", "claritin-d"]}),
    ("is norvasc a blood pressure med", {"question": "what_is", "drugs": ["norvasc"], "focus": "uses"}),
    ("what is zoloft the generic for", {"question": "same_as", "drugs": ["zoloft"]}),
    ("what is in nyquil", {"question": "same_as", "drugs": ["nyquil"]}),
    ("i take lisinopril can i take advil for my back", {"question": "together", "drugs": ["lisinopril", "advil"]}),
    ("is glucophage metformin", {"question": "same_as", "drugs": ["glucophage", "metformin"]}),
    # a herb as people spell it
    ("pt on sertraline wants to start st johns wort - issues?",
     {"question": "together", "drugs": ["sertraline", "st johns wort"]}),
]


@pytest.mark.parametrize("message,expected", CASES)
def test_plan(message, expected):
    assert plan(message) == expected


@pytest.mark.parametrize("message", ["how do i fix a leaky faucet", "my 2 yr old has a fever of 39.5", "",
                                     "what is a normal resting heart rate", "at what age should i start colonoscopies"])
def test_not_a_medicine_question(message):
    assert plan(message) is None


@pytest.mark.parametrize("message, product, ingredients", [
    ("whats in zyrtec d", "zyrtec-d", {"cetirizine", "pseudoephedrine"}),
    ("claritin d vs claritin", "claritin-d", {"loratadine", "pseudoephedrine"}),
])
def test_a_product_suffix_typed_as_a_word_names_the_combination(message, product, ingredients):
    from retrieval.medicines.answer import _default_names

    meds = _default_names().find(message)
    assert meds[0].query.lower() == product and set(meds[0].ingredients) == ingredients
