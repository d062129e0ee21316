"""MMLU-Med suite logic with scripted scorers, and the CLI in-process with a fake backend."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from bot.cli import main
from bot.errors import UserError
from bot.evals import mmlu
from bot.evals.mmlu_data import Question, load_questions, select
from bot.evals.scorers import Prediction


def _q(i, subject, answer):
    return Question(f"{subject}/{i}", subject, f"question {i} about {subject}", ("w", "x", "y", "z"), answer)


FIXTURE = [_q(0, "anatomy", "A"), _q(1, "anatomy", "B"), _q(2, "anatomy", "C"), _q(3, "anatomy", "D"),
           _q(4, "medical genetics", "A"), _q(5, "medical genetics", "C")]


class HintScorer:
    """Answers the letter a passage names ('KEY=X'), else always 'A'; records the prompts it saw."""

    method = "loglikelihood"

    def __init__(self):
        self.prompts = []

    def choose(self, prompt, letters):
        self.prompts.append(prompt)
        for x in letters:
            if f"KEY={x}" in prompt:
                return Prediction(x)
        return Prediction("A")


def _passage(text, title="Doc"):
    return SimpleNamespace(text=text, source={"title": title})


def test_closed_book_counts_per_subject_and_overall():
    out = mmlu.evaluate(FIXTURE, HintScorer(), None, progress=False, retrieval_unavailable="no index here")
    closed = out["without_retrieval"]
    assert (closed["correct"], closed["n"]) == (2, 6)
    assert closed["accuracy"] == pytest.approx(2 / 6)
    assert closed["per_subject"]["anatomy"] == {"n": 4, "correct": 1, "accuracy": 0.25}
    assert closed["per_subject"]["medical genetics"]["accuracy"] == 0.5
    assert closed["macro_accuracy"] == pytest.approx((0.25 + 0.5) / 2)
    assert out["with_retrieval"] == {"available": False, "reason": "no index here"}
    assert closed["picked"] == {"A": 6}
    result = mmlu.build_result(out, subjects=["anatomy", "medical genetics"], meta={"scoring": "loglikelihood"})
    assert "closed-book: the model chose A for 6 of 6 questions (a letter prior, not knowledge)." in result["notes"]


def test_retrieved_passages_reach_the_prompt_and_change_the_score():
    answers = {q.question: q.answer for q in FIXTURE}
    calls = []

    def search(query, k):
        calls.append((query, k))
        if "anatomy" in query:  # the index "knows" the anatomy answers only
            return [_passage(f"KEY={answers[query]} is right")] * k
        return []

    scorer = HintScorer()
    out = mmlu.evaluate(FIXTURE, scorer, search, k=2, progress=False)
    rag = out["with_retrieval"]
    assert rag["available"] is True and rag["questions_with_passages"] == 4
    assert (rag["correct"], rag["n"]) == (5, 6)
    assert rag["picked"] == {"A": 3, "B": 1, "C": 1, "D": 1}
    assert rag["per_subject"]["anatomy"]["accuracy"] == 1.0
    assert calls == [(q.question, 2) for q in FIXTURE]
    closed_prompts, rag_prompts = scorer.prompts[:6], scorer.prompts[6:]
    assert not any("Relevant documents" in p for p in closed_prompts)
    assert rag_prompts[0].count("KEY=") == 2 and "[1] Doc: KEY=A is right" in rag_prompts[0]
    assert rag_prompts[0].endswith("Answer:")


def test_empty_index_or_failing_search_is_reported_not_scored():
    out = mmlu.evaluate(FIXTURE, HintScorer(), lambda q, k: [], progress=False)
    assert out["with_retrieval"] == {"available": False, "reason": "the literature index returned no passages"}

    def broken(q, k):
        raise UserError("collection 'medline' was built with another embedder")

    out = mmlu.evaluate(FIXTURE, HintScorer(), broken, progress=False)
    assert out["with_retrieval"]["available"] is False
    assert "another embedder" in out["with_retrieval"]["reason"]


def test_unreadable_replies_count_wrong_and_are_reported():
    class Mute:
        method = "letter"

        def choose(self, prompt, letters):
            return Prediction(None, reply="hmm")

    out = mmlu.evaluate(FIXTURE, Mute(), None, progress=False)
    assert out["without_retrieval"]["accuracy"] == 0.0 and out["without_retrieval"]["unanswered"] == 6
    result = mmlu.build_result(out, subjects=["anatomy", "medical genetics"], meta={"scoring": "letter"})
    assert any("6 closed-book replies" in n for n in result["notes"])


def test_build_result_table_and_headline():
    out = mmlu.evaluate(FIXTURE, HintScorer(), None, progress=False, retrieval_unavailable="no index")
    result = mmlu.build_result(out, subjects=["medical genetics", "anatomy", "college biology"],
                               meta={"scoring": "loglikelihood", "model": "m"})
    assert result["metrics"] == {"accuracy_without_retrieval": pytest.approx(1 / 3),
                                 "accuracy_with_retrieval": "n/a (no index)", "questions": 6}
    rows = result["tables"][0]["rows"]
    assert rows[0] == ["medical genetics", 2, 0.5, "n/a"]
    assert rows[1] == ["anatomy", 4, 0.25, "n/a"]
    assert rows[2][0] == "**overall**" and rows[3][:2] == ["mean over 2 subjects", ""]  # no college biology row
    assert result["model"] == "m" and result["suite"] == "mmlu-med"


class FakeLocal:
    """A 'local model' that finds ' X' most likely when a passage says KEY=X, else ' A'."""

    name = "fake.gguf"
    is_demo = True
    supports_tools = False

    def loglikelihoods(self, prompt, conts):
        best = next((c for c in conts if f"KEY={c.strip()}" in prompt), " A")
        return [-1.0 if c == best else -2.0 for c in conts]


class FakeRetriever:
    def __init__(self, answers):
        self.answers = answers

    def search(self, query, k=5, filters=None, prefer=None):
        return [_passage(f"KEY={self.answers[query]}")]

    def describe(self):
        return {"chunks": 42}


def test_cli_json_run_is_stored_and_exact(monkeypatch, capsys, medbot_home):
    import bot.llm

    picked = select(load_questions(), 12, seed=5)
    answers = {q.question: q.answer for q in picked}
    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: FakeLocal())
    monkeypatch.setattr(mmlu, "open_retriever", lambda settings: (FakeRetriever(answers), None))
    rc = main(["eval", "mmlu-med", "--limit", "12", "--seed", "5", "--json"])
    out = capsys.readouterr().out
    assert rc == 0
    data = json.loads(out)
    expected = sum(q.answer == "A" for q in picked) / 12
    assert data["metrics"]["accuracy_without_retrieval"] == pytest.approx(expected)
    assert data["metrics"]["accuracy_with_retrieval"] == 1.0
    assert data["scoring"] == "loglikelihood" and data["model"] == "fake.gguf" and data["seed"] == 5
    assert data["limit"] == 12 and data["sample"] == "stratified" and data["corpus"]["chunks"] == 42
    assert (medbot_home / "eval" / "mmlu-med").is_dir()
    stored = json.loads(open(data["stored"], encoding="utf-8").read())
    assert stored["metrics"] == data["metrics"]
    assert open(data["stored"][:-5] + ".md", encoding="utf-8").read().startswith("## mmlu-med")


def test_cli_without_index_says_so(monkeypatch, capsys):
    import bot.llm

    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: FakeLocal())
    monkeypatch.setattr(mmlu, "open_retriever", lambda settings: (None, "no literature index: run medbot ingest"))
    rc = main(["eval", "mmlu-med", "--limit", "3", "--sample", "first"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "not measured: no literature index: run medbot ingest" in out
    assert re.search(r"\| college medicine \| 3 \| 0\.000 \| [01]\.\d{3} \| n/a \| n/a \|", out) and "stored:" in out


@pytest.mark.parametrize("flags, message", [
    (["--limit", "0"], "--limit must be a positive number"),
    (["--subjects", "anatomy,astrology"], "unknown MMLU-Med subject"),
    (["--k", "0"], "--k must be a positive number"),
])
def test_cli_bad_input_is_one_line_exit_2_nothing_stored(monkeypatch, capsys, medbot_home, flags, message):
    import bot.llm

    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: FakeLocal())
    rc = main(["eval", "mmlu-med", *flags])
    err = capsys.readouterr().err
    assert rc == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (medbot_home / "eval").exists()


class BiasedScorer:
    """Log-likelihoods with a strong prior for 'A' plus a smaller bump on the right letter."""

    method = "loglikelihood"

    def __init__(self, answers):
        self.answers = answers

    def choose(self, prompt, letters):
        right = next(a for q, a in self.answers.items() if q in prompt)
        scores = {x: (-0.5 if x == "A" else -3.0) + (1.5 if x == right else 0.0) for x in letters}
        return Prediction(max(letters, key=lambda x: scores[x]), scores)


def test_debiased_accuracy_removes_the_letter_prior_in_the_same_pass():
    fixture = [_q(i, "anatomy", "ABCD"[i % 4]) for i in range(12)]
    out = mmlu.evaluate(fixture, BiasedScorer({q.question + "\n": q.answer for q in fixture}), None, progress=False)
    closed = out["without_retrieval"]
    assert closed["picked"] == {"A": 12} and closed["accuracy"] == pytest.approx(0.25)
    fair = closed["debiased"]
    assert fair["accuracy"] == 1.0 and fair["picked"] == {"A": 3, "B": 3, "C": 3, "D": 3}
    result = mmlu.build_result(out, subjects=["anatomy"], meta={"scoring": "loglikelihood"})
    assert result["metrics"]["accuracy_without_retrieval_debiased"] == 1.0
    assert "accuracy_without_retrieval_debiased" in result["headline"]
    assert result["tables"][0]["columns"][3] == "without, debiased"
    overall = next(r for r in result["tables"][0]["rows"] if r[0] == "**overall**")
    assert overall[2:4] == [0.25, 1.0]


def test_letter_scoring_has_no_debiased_column():
    out = mmlu.evaluate(FIXTURE, HintScorer(), None, progress=False)
    assert "debiased" not in out["without_retrieval"]
    result = mmlu.build_result(out, subjects=["anatomy", "medical genetics"], meta={"scoring": "letter"})
    assert "accuracy_without_retrieval_debiased" not in result["metrics"]
    assert len(result["tables"][0]["columns"]) == 4


def test_retrieval_on_a_draw_is_paired_with_closed_book_on_the_same_questions():
    """Closed-book covers all questions; retrieval only the draw, compared with closed-book on that draw."""
    answers = {q.question: q.answer for q in FIXTURE}
    draw = [FIXTURE[1], FIXTURE[4]]
    scorer = HintScorer()
    out = mmlu.evaluate(FIXTURE, scorer, lambda query, k: [_passage(f"KEY={answers[query]}")], k=1,
                        progress=False, rag_questions=draw)
    assert out["without_retrieval"]["n"] == 6 and out["without_retrieval"]["correct"] == 2
    assert out["with_retrieval"]["n"] == 2 and out["with_retrieval"]["accuracy"] == 1.0
    same = out["without_retrieval_same_questions"]
    assert (same["n"], same["correct"]) == (2, 1)  # 'A' is right for question 4 only
    assert len(scorer.prompts) == 6 + 2  # the paired column costs no model call
    result = mmlu.build_result(out, subjects=["anatomy", "medical genetics"], meta={"scoring": "loglikelihood"})
    assert result["metrics"]["accuracy_without_retrieval_same_questions"] == 0.5
    assert result["metrics"]["questions_with_retrieval"] == 2 and result["metrics"]["questions"] == 6
    first, second = result["tables"]
    assert first["title"] == "Closed-book, all 6 questions" and first["columns"] == ["subject", "questions",
                                                                                     "without retrieval"]
    assert second["rows"][0] == ["anatomy", 1, 0.0, 1.0] and second["rows"][2][:4] == ["**overall**", 2, 0.5, 1.0]


def test_cli_retrieval_limit_draws_as_limit_would(monkeypatch, capsys, medbot_home):
    import bot.llm

    every = load_questions()
    in_draw = select(select(every, 20, seed=3), 8, seed=3)
    answers = {q.question: q.answer for q in in_draw}
    monkeypatch.setattr(bot.llm, "load_backend", lambda settings: FakeLocal())
    monkeypatch.setattr(mmlu, "open_retriever", lambda settings: (FakeRetriever(answers), None))
    rc = main(["eval", "mmlu-med", "--limit", "20", "--retrieval-limit", "8", "--seed", "3", "--json",
               "--no-passage-cache"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["metrics"]["questions"] == 20 and data["metrics"]["questions_with_retrieval"] == 8
    assert data["retrieval_limit"] == 8 and data["metrics"]["accuracy_with_retrieval"] == 1.0
    assert data["metrics"]["accuracy_without_retrieval_same_questions"] == pytest.approx(
        sum(q.answer == "A" for q in in_draw) / 8)
    assert main(["eval", "mmlu-med", "--retrieval-limit", "0"]) == 2
    assert "--retrieval-limit must be a positive number" in capsys.readouterr().err
