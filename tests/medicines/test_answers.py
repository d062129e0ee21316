"""The four question shapes, answered from label text. Interaction pairs come from label sentences;
pairs the labels are silent on must say so and never call the pair safe."""

from __future__ import annotations

import pytest

from retrieval.errors import UserError
from retrieval.medicines import answer

# (brand or name, other, verdict)
SAME_AS = [
    ("Augmentin", "amoxicillin", "contains"),
    ("amoxicillin", "Augmentin", "contains"),
    ("Advil", "Motrin", "same"),
    ("Tylenol", "paracetamol", "same"),
    ("Tylenol", "acetaminophen", "same"),
    ("Zyrtec", "cetirizine", "same"),
    ("Benadryl", "diphenhydramine", "same"),
    ("Claritin", "loratadine", "same"),
    ("Prilosec", "omeprazole", "same"),
    ("Coumadin", "warfarin", "same"),
    ("Zituvimet", "metformin", "contains"),
    ("Janumet", "Zituvimet", "same"),
    ("Advil", "Tylenol", "different"),
    ("Aleve", "Advil", "different"),
    ("Zyrtec", "Claritin", "different"),
    ("Glucophage", "metformin", "same"),
    ("Norvasc", "amlodipine", "same"),
    ("Zoloft", "sertraline", "same"),
    ("Lipitor", "atorvastatin", "same"),
    ("Zestril", "lisinopril", "same"),
    ("Zestoretic", "lisinopril", "contains"),
    ("Vytorin", "simvastatin", "contains"),
    ("Synthroid", "levothyroxine", "same"),
    ("Plavix", "clopidogrel", "same"),
    ("Claritin-D", "Claritin", "contains"),
    ("NyQuil", "Tylenol", "contains"),
    ("Nexium", "Prilosec", "different"),
    ("Lexapro", "Celexa", "different"),
]

# Pairs where a label sentence names the other drug, its ingredient or its class: (a, b, words of that sentence)
LABEL_SAYS = [
    ("ibuprofen", "warfarin", "blood thinning (anticoagulant)"),
    ("Advil", "aspirin", "ibuprofen may decrease this benefit of aspirin"),
    ("ibuprofen", "naproxen", "NSAIDs [aspirin, ibuprofen, naproxen, or others]"),
    ("ibuprofen", "alcohol", "3 or more alcoholic drinks every day"),
    ("Tylenol", "warfarin", "taking the blood thinning drug warfarin"),
    ("Tylenol", "alcohol", "3 or more alcoholic drinks every day"),
    ("Tylenol", "paracetamol", "other drugs containing acetaminophen"),
    ("aspirin", "warfarin", "blood thinning (anticoagulant)"),
    ("aspirin", "prednisone", "steroid drug"),
    ("Zyrtec", "alcohol", "alcohol, sedatives, and tranquilizers may increase drowsiness"),
    ("warfarin", "sertraline", "Serotonin Reuptake Inhibitors"),
    ("warfarin", "clopidogrel", "Antiplatelet Agents aspirin, cilostazol, clopidogrel"),
    ("warfarin", "omeprazole", "omeprazole"),
    ("warfarin", "ciprofloxacin", "ciprofloxacin"),
    ("warfarin", "St. John's wort", "St. John’s wort"),
    ("warfarin", "amoxicillin", "antibiotic or antifungal"),
    ("metformin", "alcohol", "Alcohol is known to potentiate the effect of metformin on lactate metabolism"),
    ("metformin", "topiramate", "Topiramate, zonisamide, acetazolamide"),
    ("metformin", "glipizide", "insulin secretagogue (e.g., sulfonylurea)"),
    ("metformin", "hydrochlorothiazide", "Thiazides and other diuretics"),
    ("Benadryl", "diphenhydramine", "any other product containing diphenhydramine"),
    # labels carried over from the rest of the extract
    ("sertraline", "tramadol", "Selective serotonin reuptake inhibitors (SSRIs)"),
    ("sertraline", "alcohol", "concomitant use of sertraline hydrochloride and alcohol is not recommended"),
    ("Zoloft", "warfarin", "Altered anticoagulant effects, including increased bleeding"),
    ("tramadol", "alcohol", "other CNS depressants, including alcohol"),
    ("tramadol", "warfarin", "alteration of warfarin effect"),
    ("tramadol", "cyclobenzaprine", "cyclobenzaprine"),
    ("lisinopril", "Advil", "co-administration of NSAIDs, including selective COX-2 inhibitors, with ACE inhibitors"),
    ("lisinopril", "alcohol", "Alcohol, barbiturates, or narcotics - potentiation of orthostatic hypotension"),
    ("losartan", "ibuprofen", "NSAIDs: Increased risk of renal impairment"),
    ("losartan", "lisinopril", "combination of losartan and lisinopril"),
    ("naproxen", "warfarin", "Naproxen and anticoagulants such as warfarin have a synergistic effect on bleeding"),
    ("meloxicam", "lisinopril", "co-administration of an NSAID with ACE inhibitors or ARBs"),
    ("escitalopram", "aspirin", "NSAIDs, Aspirin, Warfarin"),
    ("clopidogrel", "omeprazole", "Avoid concomitant use of clopidogrel with omeprazole or esomeprazole"),
    ("clopidogrel", "ibuprofen", "Coadministration of clopidogrel and NSAIDs increases the risk of gastrointestinal bleeding"),
    ("Eliquis", "aspirin", "aspirin, and chronic NSAID use increases the risk of bleeding"),
    ("Lipitor", "grapefruit juice", "Grapefruit juice consumption"),
    ("amlodipine", "simvastatin", "Limit the dose of simvastatin in patients on amlodipine to 20 mg daily"),
    ("Vytorin", "amlodipine", "For patients taking amiodarone, amlodipine, or ranolazine"),
    ("zolpidem", "alcohol", "CNS depressants, including alcohol"),
    ("gabapentin", "tramadol", "coadministration of gabapentin with opioids"),
    ("levothyroxine", "omeprazole", "proton pump inhibitors may cause hypochlorhydria"),
    ("fluoxetine", "alprazolam", "increased alprazolam plasma concentrations"),
    ("metoprolol", "fluoxetine", "quinidine, fluoxetine, paroxetine, and propafenone"),
    ("Augmentin", "warfarin", "oral anticoagulants"),
    ("cyclobenzaprine", "alcohol", "may enhance the effects of alcohol"),
    ("pantoprazole", "warfarin", "Increased INR and prothrombin time"),
    ("Xanax", "oxycodone", "concomitant use of benzodiazepines and opioids increases the risk of respiratory depression"),
    ("alprazolam", "alcohol", "avoiding concomitant use of alcohol"),
    ("oxycodone", "gabapentin", "gabapentinoids (gabapentin or pregabalin)"),
    ("Norco", "alcohol", "including alcohol"),
    ("trazodone", "tramadol", "tramadol"),
    ("Cymbalta", "tramadol", "opioids"),
    ("Wellbutrin", "alcohol", "reduced alcohol tolerance"),
    ("celecoxib", "warfarin", "Celecoxib and anticoagulants such as warfarin have a synergistic effect on bleeding"),
    ("furosemide", "lisinopril", "angiotensin converting enzyme inhibitors"),
    ("glipizide", "prednisone", "corticosteroids"),
    ("albuterol", "metoprolol", "Beta-blockers"),
    ("tamsulosin", "Viagra", "Concomitant use of PDE5 inhibitors with tamsulosin"),
    ("Voltaren", "warfarin", "blood thinning (anticoagulant)"),
    ("venlafaxine", "metoprolol", "Caution should be exercised with coadministration of venlafaxine and metoprolol"),
    ("Entresto", "lisinopril", "Concomitant use of ENTRESTO with an ACE inhibitor is contraindicated"),
    ("Zithromax", "warfarin", "may potentiate the effects of oral anticoagulants such as warfarin"),
    ("Zofran", "sertraline", "including SSRIs and SNRIs"),
    ("ondansetron", "tramadol", "ondansetron may increase patient-controlled administration of tramadol"),
    ("cephalexin", "metformin", "Administration of cephalexin with metformin results in increased plasma metformin"),
    ("Ativan", "oxycodone", "Concomitant use of benzodiazepines and opioids may result in profound sedation"),
    ("lorazepam", "alcohol", "other CNS depressants such as alcohol"),
    # labels added later from the same extract
    ("Viagra", "nitroglycerin", "organic nitrates"),
    ("Flagyl", "alcohol", "alcoholic beverages"),
    ("metronidazole", "warfarin", "potentiate the anticoagulant effect of warfarin"),
    ("lamotrigine", "birth control pills", "Estrogen-containing oral contraceptives"),
    ("Xarelto", "St. John's wort", "rifampin, St. John's wort"),
    ("levofloxacin", "prednisone", "taking corticosteroid drugs"),
    ("Bactrim", "warfarin", "the anticoagulant warfarin"),
    ("Tegretol", "grapefruit juice", "grapefruit juice"),
    ("diazepam", "oxycodone", "benzodiazepines and opioids"),
    ("allopurinol", "warfarin", "may inhibit the metabolism of warfarin"),
    ("sertraline", "St. John's wort", "St. John's Wort"),
]

# Pairs the shipped labels say nothing about.
SILENT = [
    ("Zyrtec", "Benadryl"),
    ("Tylenol", "Advil"),
    ("Claritin", "alcohol"),
    ("loratadine", "ibuprofen"),
    ("Zyrtec", "Claritin"),
    ("Benadryl", "alcohol"),
    ("amlodipine", "levothyroxine"),
    ("montelukast", "amlodipine"),
    ("Flonase", "Lipitor"),
    ("esomeprazole", "gabapentin"),
    ("budesonide", "loratadine"),
    ("Norvasc", "Zyrtec"),
    ("tamsulosin", "Zyrtec"),
]


@pytest.mark.parametrize("a,b,verdict", SAME_AS)
def test_same_as(a, b, verdict):
    res = answer("same_as", [a, b])
    assert res.data["verdict"] == verdict
    if verdict == "same":
        assert res.markdown.startswith("**Yes.**")
    elif verdict == "different":
        assert res.markdown.startswith("**No.**")


def test_combination_product_lists_both_ingredients():
    res = answer("same_as", ["Augmentin"])
    assert "amoxicillin + clavulanate" in res.markdown and "combination" in res.markdown
    assert "generic amoxicillin and clavulanate potassium product" in res.markdown


@pytest.mark.parametrize("a,b,words", LABEL_SAYS)
def test_together_quotes_the_label_sentence_that_names_the_other(a, b, words):
    res = answer("together", [a, b])
    assert res.data["verdict"] == "label_says"
    quotes = res.data["quotes"]
    assert any(words in q["text"] for q in quotes), [q["text"] for q in quotes]
    assert "dailymed.nlm.nih.gov" in res.markdown and "Ask a pharmacist" in res.markdown


@pytest.mark.parametrize("a,b", SILENT)
def test_together_silent_pairs_are_never_called_safe(a, b):
    res = answer("together", [a, b])
    assert res.data["verdict"] == "labels_silent"
    assert res.markdown.startswith("**The labels do not say; ask a pharmacist.**")
    assert "does not mean the combination is safe" in res.markdown
    low = res.markdown.lower()
    assert "it is safe" not in low and "safe to take" not in low


def test_allergy_sentence_naming_a_class_is_not_an_interaction():
    # Children's Zyrtec: "...allergic reaction ... to an antihistamine containing hydroxyzine"
    res = answer("together", ["Zyrtec", "Benadryl"])
    assert not any("hydroxyzine" in q["text"] for q in res.data["quotes"])


def test_how_much_quotes_otc_directions_with_adult_and_child_rows():
    res = answer("how_much", ["ibuprofen"])
    md = res.markdown
    assert "**Ibuprofen Dye Free** (CVS Pharmacy" in md
    assert "adults and children 12 years and over: take 1 tablet every 4 to 6 hours" in md
    assert "children under 12 years: ask a doctor" in md
    assert "do not exceed 6 tablets in 24 hours" in md
    assert "Directions / Dosage and Administration" in md


def test_how_much_prints_no_number_the_label_does_not():
    import re

    for drug in ("ibuprofen", "Tylenol", "Zyrtec", "Claritin", "Benadryl", "aspirin", "omeprazole"):
        res = answer("how_much", [drug])
        label_text = " ".join(res.data["labels"][0]["rows"] + res.data["labels"][0]["too_much"])
        for num in re.findall(r"\d[\d,.]*\s?mg", res.markdown):
            assert num in label_text, (drug, num)


def test_how_much_quotes_the_labels_own_warning_about_taking_too_much():
    res = answer("how_much", ["Tylenol"])
    assert any("Severe liver damage may occur if you take more than 4,000 mg" in t for t in res.data["labels"][0]["too_much"])
    assert "What the label warns about taking too much" in res.markdown and "Warnings" in res.markdown
    # a sentence that leans on the one before ("The risk is higher if ...") is not quoted alone
    assert not any(t.startswith(("The risk", "The chance")) for t in answer("how_much", ["ibuprofen"]).data["labels"][0]["too_much"])


def test_labels_silent_on_a_pair_still_show_each_labels_own_cautions_apart():
    res = answer("together", ["Zyrtec", "Benadryl"])
    assert res.data["verdict"] == "labels_silent"
    assert any("drowsiness may occur" in c["text"] for c in res.data["cautions"])
    assert "not a statement about this pair" in res.markdown
    # "The chance is higher if you: ..." leans on the warning before it: never quoted alone
    both = answer("together", ["Tylenol", "Advil"])
    assert not any(c["text"].startswith(("The chance", "The risk")) for c in both.data.get("cautions", []))


def test_how_much_for_a_brand_says_which_product_it_quotes():
    res = answer("how_much", ["Advil"])
    assert "not Advil's own label" in res.markdown and "Ibuprofen Dye Free" in res.markdown


def test_how_much_without_a_dosing_section_gives_no_dose():
    res = answer("how_much", ["pantoprazole"])  # medbot's copy of this (intravenous) label has no dosing section
    assert res.data["verdict"] == "no_directions"
    assert "set by the prescriber" in res.markdown


def test_how_much_of_a_prescription_medicine_says_the_prescribed_dose_comes_first():
    res = answer("how_much", ["warfarin"])
    assert res.data["verdict"] == "label_directions"
    assert res.markdown.index("take the dose your prescriber set") < res.markdown.index("word for word")


def test_table_examples_row_is_quoted_with_its_clinical_impact():
    res = answer("together", ["sertraline", "tramadol"])
    texts = [q["text"] for q in res.data["quotes"]]
    i = next(i for i, t in enumerate(texts) if t.startswith("Examples: Selective serotonin reuptake inhibitors"))
    assert i > 0 and "has resulted in serotonin syndrome" in texts[i - 1]


def test_combination_label_answers_for_its_single_ingredient_and_says_so():
    res = answer("what_is", ["lisinopril"])
    assert "Lisinopril and Hydrochlorothiazide" in res.markdown and "combination product" in res.markdown
    res = answer("same_as", ["Augmentin", "amoxicillin"])
    assert res.markdown.startswith("**Not exactly.**")


def test_what_is_side_effects_from_a_new_prescription_label():
    res = answer("what_is", ["atorvastatin"], focus="side_effects")
    assert "nasopharyngitis, arthralgia, diarrhea, pain in extremity, and urinary tract infection" in res.markdown


def test_how_much_prescription_label_quotes_its_printed_dose_only():
    res = answer("how_much", ["Norvasc"])
    assert res.data["verdict"] == "label_directions"
    assert "5 mg once daily with maximum dose 10 mg once daily" in res.markdown


def test_two_products_with_the_same_ingredient_are_flagged():
    res = answer("together", ["Norco", "Tylenol"])
    assert "both contain acetaminophen" in res.markdown


def test_pregnancy_field_quotes_an_old_format_prescription_label():
    res = answer("what_is", ["prednisone"], focus="pregnancy")
    assert "Usage in pregnancy" in res.markdown or "pregnancy, nursing mothers" in res.markdown


def test_a_combination_brand_uses_each_ingredients_own_label():
    res = answer("together", ["Percocet", "Xanax"])
    labels = res.data["medicines"][0]["labels"]
    assert sorted(labels) == ["acetaminophen", "oxycodone"]
    assert "hydrocodone-acetaminophen" not in labels


def test_how_much_without_a_label():
    res = answer("how_much", ["rosuvastatin"])
    assert res.data["verdict"] == "no_label" and "gives no dose" in res.markdown


def test_what_is_card_has_every_field_cited_or_marked_missing():
    res = answer("what_is", ["ibuprofen"])
    for title in ("Uses", "How to take it", "Maximum daily dose", "Common side effects", "Boxed and serious warnings",
                  "Interactions", "Pregnancy and breastfeeding"):
        assert f"**{title}" in res.markdown
    assert "20 weeks or later in pregnancy" in res.markdown
    assert "Class" in res.markdown or "class:" in res.markdown


def test_what_is_focus_and_combination_note():
    res = answer("what_is", ["metformin"], focus="side_effects")
    assert "ZITUVIMET" in res.markdown and "combination product" in res.markdown
    assert "diarrhea" in res.markdown and "**Uses**" not in res.markdown


@pytest.mark.parametrize("question,drugs", [("together", ["ibuprofen"]), ("what_is", ["notadrugname"]),
                                            ("how_much", ["alcohol"]), ("nonsense", ["ibuprofen"]),
                                            ("what_is", ["a", "b", "c"])])
def test_bad_questions_raise_user_error(question, drugs):
    with pytest.raises(UserError):
        answer(question, drugs)


def test_typo_is_corrected_and_said():
    res = answer("what_is", ["ibuprofin"], focus="uses")
    assert "“ibuprofin” read as **ibuprofen**" in res.markdown


def test_a_side_effect_asked_by_name_quotes_the_label_sentences_that_name_it():
    res = answer("what_is", ["Levaquin"], focus="side_effects", effect="tendon")
    quotes = res.data["cards"][0]["effect"]["quotes"]
    assert quotes and all("tendon" in q["text"].lower() for q in quotes)
    assert res.markdown.index("tendon rupture") < res.markdown.index("Label text, not personal advice")
    # the label's word, not the patient's: "swollen ankles" is "edema" on the label
    res = answer("what_is", ["amlodipine"], focus="side_effects", effect="ankles swollen")
    assert any("edema" in q["text"] for q in res.data["cards"][0]["effect"]["quotes"])
    # a label copy silent on the effect says so, and never that it cannot happen
    res = answer("what_is", ["Zoloft"], focus="side_effects", effect="gain weight")
    assert res.data["cards"][0]["effect"]["quotes"] == []
    assert "does not mention it" in res.markdown and "Silence is not proof" in res.markdown


def test_a_label_sentence_that_leans_on_the_one_before_is_quoted_with_it():
    res = answer("together", ["Advil", "Eliquis"])
    texts = [q["text"] for q in res.data["quotes"]]
    i = next(i for i, t in enumerate(texts) if t.startswith("The chance is higher if you"))
    assert i > 0 and texts[i - 1].startswith("Stomach bleeding warning")


def test_a_long_label_unit_is_quoted_from_the_start_of_the_sentence_that_names_the_drug():
    import re

    from retrieval.medicines.answer import _window

    sentence = ("The development of a potentially life-threatening serotonin syndrome has been reported with SNRIs and "
                "SSRIs, including sertraline, alone but particularly with concomitant use of other serotonergic drugs "
                "(including triptans, tricyclic antidepressants, fentanyl, lithium, tramadol, tryptophan, buspirone, "
                "and St. John's Wort) and with drugs that impair metabolism of serotonin (in particular, MAOIs, both "
                "those intended to treat psychiatric disorders and also others, such as linezolid).")
    unit = "Serotonin syndrome is a warning. " + sentence + " " + "Monitor all patients for these symptoms. " * 12
    quote = _window(unit, re.search("St. John's Wort", unit))
    # the claim the name hangs on is kept: a window around the name alone cut off "serotonin syndrome"
    assert quote == "…" + sentence + "…"


def test_together_shows_each_thing_once_and_names_each_label_once():
    res = answer("together", ["metformin", "alcohol"])
    md = res.markdown
    assert res.data["verdict"] == "label_says" and "lactic acidosis" in md
    # the label repeats its alcohol warning in four sections; the answer says it at most twice
    assert md.count("lactate metabolism") <= 2, md
    assert md.count("FDA label: *ZITUVIMET*") == 1 and 'sections "' in md
    assert sum(line.startswith("- “") for line in md.splitlines()) <= 4
