"""The planted contradictions of the answer shapes, through the sentence check the answers use (word
coverage only: no embedder), and the packaged set's own shape."""

from __future__ import annotations

from importlib import resources

import yaml

from bot.evals.support_suite import evaluate_shapes


def _items():
    return yaml.safe_load(resources.files("bot.evals").joinpath("data/contradictions_shapes.yaml").read_text())["items"]


def test_the_shapes_set_covers_lists_yes_no_and_self_care():
    kinds = {c["kind"] for it in _items() for c in it["contradictions"]}
    assert {"list_item", "list_negation", "yes_no", "self_care"} <= kinds
    assert all(it["question"] and it["faithful"] for it in _items())


def test_planted_shape_contradictions_are_caught_and_faithful_sentences_kept():
    out = evaluate_shapes(_items())
    assert out["faithful_kept"] == 1.0, out["faithful_dropped"]
    assert out["contradictions_caught"] >= 0.85, out["missed"]
    caught = {c["text"] for it in _items() for c in it["contradictions"]} - {m["text"] for m in out["missed"]}
    assert "Yes, the flu shot can cause flu illness [1]." in caught
    assert "Tobacco smoke, dust mites and peanuts can trigger asthma attacks [1]." in caught
    assert "Take antibiotics to help a cold get better [1]." in caught
