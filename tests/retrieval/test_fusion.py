from retrieval.fusion import rrf


def test_rrf_sums_reciprocal_ranks_and_orders_deterministically():
    out = rrf({"dense": ["a", "b", "c"], "bm25": ["b", "d", "a"]}, k=60)
    ids = [i for i, _, _ in out]
    assert ids == ["b", "a", "d", "c"]
    scores = {i: s for i, s, _ in out}
    assert abs(scores["b"] - (1 / 62 + 1 / 61)) < 1e-12
    assert abs(scores["a"] - (1 / 61 + 1 / 63)) < 1e-12
    assert dict((i, r) for i, _, r in out)["d"] == {"bm25": 2}


def test_rrf_one_list_and_empty():
    assert [i for i, _, _ in rrf({"dense": [], "bm25": ["x", "y"]})] == ["x", "y"]
    assert rrf({"dense": [], "bm25": []}) == []


def test_rrf_ties_break_on_best_rank_then_id():
    out = rrf({"dense": ["a", "b"], "bm25": ["b", "a"]})
    assert [i for i, _, _ in out] == ["a", "b"]


def test_rrf_weights_scale_a_list():
    out = rrf({"dense": ["a"], "bm25": ["b"]}, weights={"dense": 0.1})
    assert [i for i, _, _ in out] == ["b", "a"]
    assert abs(out[1][1] - 0.1 / 61) < 1e-12


def test_rrf_item_weights_scale_single_items():
    out = rrf({"bm25": ["a", "b"], "question": ["b", "a"]}, item_weights={"question": {"b": 3.0}})
    assert [i for i, _, _ in out] == ["b", "a"]
    assert abs(out[0][1] - (1 / 62 + 3 / 61)) < 1e-12 and abs(out[1][1] - (1 / 61 + 1 / 62)) < 1e-12
