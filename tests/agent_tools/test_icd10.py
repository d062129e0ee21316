"""Offline ICD-10-CM lookup (code -> description, text -> codes)."""

import pytest

from bot.cases.icd10 import describe, looks_like_code, lookup, search
from bot.errors import UserError


@pytest.mark.parametrize("query, code, words", [
    ("E11.9", "E11.9", "Type 2 diabetes mellitus without complications"),
    ("e119", "E11.9", "Type 2 diabetes mellitus without complications"),
    ("I10", "I10", "Essential (primary) hypertension"),
    ("J45", "J45", "Asthma"),
])
def test_code_gives_description(query, code, words):
    hit = describe(query)
    assert (hit.code, hit.description) == (code, words)


def test_billable_flag():
    assert describe("E11.9").billable and not describe("E11").billable


@pytest.mark.parametrize("text, expected", [
    ("type 2 diabetes", "E11"), ("asthma", "J45"), ("migraine", "G43"), ("hypertension", "I10"),
    ("heart failure", "I50"), ("COPD", "J44.9"),
    ("chronic kidney disease stage 2", "N18.2"),
])
def test_text_gives_codes_best_first(text, expected):
    hits = search(text, limit=5)
    assert hits[0].code == expected
    assert len(hits) <= 5 and len({h.code for h in hits}) == len(hits)


def test_lookup_dispatches_on_the_query():
    assert looks_like_code("E11.9") and looks_like_code("E08-E13") and not looks_like_code("asthma")
    assert [h.code for h in lookup("E11.9")] == ["E11.9"]
    assert lookup("asthma")[0].code == "J45"


@pytest.mark.parametrize("query, message", [
    ("Z99.999", "unknown ICD-10-CM code"), ("", "empty ICD-10 query"), ("?!", "empty ICD-10 query"),
    ("qwertyzzz blorf", "no ICD-10-CM code matches"),
])
def test_bad_queries(query, message):
    with pytest.raises(UserError, match=message):
        lookup(query)
