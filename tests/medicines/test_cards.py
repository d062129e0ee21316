"""The shipped label cards: every quote is verbatim label text, every card cites its source."""

from __future__ import annotations

import json

import pytest

from retrieval.medicines.cards import DATA_DIR, load_brands, load_cards
from retrieval.medicines.answer import card_fields, direction_rows

CARDS = load_cards()


def test_data_records_licence_and_source():
    data = json.loads((DATA_DIR / "labels.json").read_text(encoding="utf-8"))
    assert "public domain" in data["licence"].lower()
    assert "PharmaGraphRAG" in data["attribution"]
    assert (DATA_DIR / "SOURCES.md").is_file()
    for card in CARDS:
        assert card.source["repository"] == "jmponcebe/PharmaGraphRAG" and len(card.source["commit"]) == 40
        assert card.source["path"].startswith("data/demo/dailymed/")


def test_checked_subset_leaves_out_what_is_not_the_plain_drug():
    ids = {c.id for c in CARDS}
    assert "melatonin" not in ids  # the extract's "melatonin" file is a homeopathic mixture
    assert "ranitidine" not in ids  # withdrawn in 2020
    combo = next(c for c in CARDS if c.id == "sitagliptin-metformin")
    assert combo.product == "ZITUVIMET" and set(combo.substances) == {"metformin hydrochloride", "sitagliptin"}


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_every_field_quote_is_verbatim_from_its_section(card):
    for field, quotes in card_fields(card).items():
        for q in quotes:
            assert q.text.rstrip(".") in card.sections[q.section], (field, q.text)


@pytest.mark.parametrize("card", CARDS, ids=lambda c: c.id)
def test_citation_names_product_section_date_and_dailymed(card):
    cite = card.citation("warnings")
    assert card.product in cite and "Warnings" in cite and "dailymed.nlm.nih.gov" in cite
    assert "label date" in cite


def test_units_split_otc_headings_and_drop_cross_references():
    ibu = next(c for c in CARDS if c.id == "ibuprofen")
    units = ibu.units("warnings")
    assert any(u.startswith("Ask a doctor or pharmacist before use if") for u in units)
    warf = next(c for c in CARDS if c.id == "warfarin")
    assert all(not u.startswith("(") for u in warf.units("drug_interactions"))


def test_direction_rows_keep_adult_and_child_rows_apart():
    ibu = next(c for c in CARDS if c.id == "ibuprofen")
    rows = direction_rows(ibu)
    assert any(r.startswith("adults and children 12 years and over") for r in rows)
    assert "children under 12 years: ask a doctor" in rows
    assert "".join(rows).replace(" ", "") == ibu.sections["dosage_and_administration"].replace(" ", "")


def test_brand_table_entries_name_their_source():
    brands = load_brands()
    assert brands["augmentin"]["ingredients"] == ["amoxicillin", "clavulanate potassium"]
    assert all(e["source"] for e in brands.values())
