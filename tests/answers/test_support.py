"""The support check on planted contradictions and on faithful rewrites (no embedder: word coverage)."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from bot.answers.support import check_support, direction, negated, numbers

ITEMS = yaml.safe_load(resources.files("bot.evals").joinpath("data/contradictions.yaml").read_text())["items"]
PLANTED = [(it["evidence"], c["text"], c["kind"]) for it in ITEMS for c in it["contradictions"]]
FAITHFUL = [(it["evidence"], f) for it in ITEMS for f in it["faithful"]]


@pytest.fixture(scope="module")
def drugs(tmp_path_factory):
    from retrieval.drug_names import DrugNames

    return DrugNames(tmp_path_factory.mktemp("drugs")).generics_in


def test_the_planted_set_is_large_enough():
    assert len(PLANTED) >= 50
    assert {k for _, _, k in PLANTED} == {"negation", "number", "drug", "condition", "direction", "antonym"}


def test_the_check_catches_planted_contradictions(drugs):
    missed = [(text, kind) for ev, text, kind in PLANTED if check_support(text, [ev], drugs=drugs).supported]
    assert len(missed) <= len(PLANTED) // 10, missed  # at least 90 % caught


def test_the_check_keeps_faithful_rewrites(drugs):
    dropped = [(text, check_support(text, [ev], drugs=drugs).reason) for ev, text in FAITHFUL
               if not check_support(text, [ev], drugs=drugs).supported]
    assert len(dropped) <= len(FAITHFUL) // 5, dropped


@pytest.mark.parametrize("sentence, evidence, reason", [
    ("Aspirin is not useful after a heart attack.",
     "Low-dose aspirin is recommended long term after a heart attack.", "negation"),
    ("Take 500 mg of aspirin daily after a heart attack.",
     "Take 75 mg of aspirin daily after a heart attack.", "number 500"),
    ("Statins raise LDL cholesterol.", "Statins lower LDL cholesterol.", "antonym"),
    ("The weather in Paris is sunny in June.", "Statins lower LDL cholesterol.", "unsupported"),
])
def test_each_reason(sentence, evidence, reason):
    v = check_support(sentence, [evidence])
    assert not v.supported and v.reason == reason
    assert v.best == evidence


def test_citation_labels_and_empty_claims_are_ignored():
    ev = ["Statins lower LDL cholesterol and reduce the risk of heart attack."]
    assert check_support("Statins lower LDL cholesterol [DOC:abc].", ev).supported
    assert check_support("Yes.", ev).supported
    assert not check_support("Statins lower LDL cholesterol.", []).supported


def test_drug_names_are_checked(drugs):
    ev = ["Low-dose aspirin is recommended after a heart attack."]
    assert check_support("Low-dose Bayer aspirin is recommended after a heart attack.", ev, drugs=drugs).supported
    v = check_support("Low-dose warfarin is recommended after a heart attack.", ev, drugs=drugs)
    assert not v.supported and v.reason == "name warfarin"


def test_helpers():
    assert negated("Aspirin does not help.") and not negated("Aspirin helps.")
    assert direction("Aspirin is recommended.") == 1 and direction("Avoid aspirin.") == -1
    assert direction("Aspirin is not recommended.") == -1
    assert numbers("Give 1,000 mg, then 2.50 mg or 0,5 mg [PMID:123].") == {"1000", "2.5", "0.5"}


def test_an_embedder_is_used_when_given():
    calls = []

    def embed(texts):
        import numpy as np

        calls.append(list(texts))
        return np.array([[1.0, 0.0]] * len(texts), dtype="float32")  # everything identical: cosine 1

    v = check_support("Aspirin is not useful after a heart attack.", ["Aspirin is useful after a heart attack."], embed)
    assert calls and not v.supported and v.reason == "negation" and v.similarity == pytest.approx(1.0)
