"""Benchmark helpers: query rules, metrics, and the `medbot eval retrieval` suite on the fixture corpus."""

import argparse
import random

from retrieval.quality import mesh_query, reword_title, score
from retrieval_fakes import FakeEmbedder


def test_mesh_query_drops_check_tags_and_needs_three_terms():
    assert mesh_query(["Humans", "Aspirin", "Male", "Myocardial Infarction", "Secondary Prevention"]) == \
        "aspirin myocardial infarction secondary prevention"
    assert mesh_query(["Humans", "Aspirin", "Rats"]) is None
    assert mesh_query(["Sodium, Dietary", "Hypertension", "Blood Pressure", "Diet", "Salt"]) == \
        "sodium dietary hypertension blood pressure diet"


def test_reword_title_applies_lay_terms_and_drops_words_deterministically():
    q1 = reword_title("Renal failure after myocardial infarction in patients with hypertension", random.Random(3))
    q2 = reword_title("Renal failure after myocardial infarction in patients with hypertension", random.Random(3))
    assert q1 == q2
    full = reword_title("Renal failure after myocardial infarction in patients with hypertension", random.Random(0))
    words = set(full.split())
    assert words <= {"kidney", "failure", "heart", "attack", "high", "blood", "pressure"}
    assert len(words) >= 2 and "renal" not in full and "patients" not in full


def test_score_recall_and_mrr():
    m = score([("a", ["a", "b"]), ("b", ["x", "y", "b"]), ("c", ["x"]), ("d", [f"z{i}" for i in range(9)] + ["d"])])
    assert m == {"recall@1": 0.25, "recall@5": 0.5, "recall@10": 0.75, "mrr@10": round((1 + 1 / 3 + 0.1) / 4, 4),
                 "queries": 4}


def test_eval_suite_runs_on_a_small_corpus(home, data_dir, monkeypatch):
    from bot.evals import retrieval_suite as eval_suite
    from retrieval.readers import read_documents

    docs = [d for f in ("pubmed19n0001.xml", "pubmed19n0900.xml") for d in read_documents(data_dir / f) if not d.deleted]
    latest = {}
    for d in docs:
        latest[d.doc_id] = d
    monkeypatch.setattr("retrieval.quality.load_default_documents", lambda: list(latest.values()))
    monkeypatch.setattr("retrieval.index.make_embedder", lambda spec=None, threads=None: FakeEmbedder())
    parser = argparse.ArgumentParser()
    eval_suite.add_arguments(parser)
    args = parser.parse_args([])
    args.limit = 6
    res = eval_suite.run(args)
    assert set(res["metrics"]) == {"dense", "bm25", "hybrid"}
    assert res["measured"]["queries"] == 6 and res["measured"]["index"]["documents"] == 9
    assert res["metrics"]["hybrid"]["recall@10"] == 1.0  # 9 articles: every target is in the top 10
    assert res["metrics"]["bm25"]["recall@1"] >= 0.5
