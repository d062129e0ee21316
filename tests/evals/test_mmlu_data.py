"""MMLU-Med loading and deterministic sampling."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.errors import UserError
from bot.evals.mmlu_data import SUBJECTS, Question, load_questions, mmlu_path, parse_rows, select

SIZES = {"anatomy": 135, "clinical knowledge": 265, "college medicine": 173, "medical genetics": 100,
         "professional medicine": 272, "college biology": 144}


def _row(topic, answer="B", q="Q?"):
    return json.dumps({"question": q, "answer_a": "a", "answer_b": "b", "answer_c": "c", "answer_d": "d",
                       "correct_answer": answer, "topic": topic})


def test_shipped_file_has_the_1089_medical_questions():
    assert mmlu_path().name == "mmlu.jsonl"
    qs = load_questions()
    assert len(qs) == 1089
    assert Counter(q.subject for q in qs) == SIZES
    assert {q.answer for q in qs} == {"A", "B", "C", "D"}
    assert all(len(q.options) == 4 and q.question for q in qs)
    assert len({q.id for q in qs}) == 1089


def test_parse_rows_keeps_medical_subjects_skips_header_and_numbers_ids():
    lines = [_row("anatomy", "C", "first"), _row("professional law"), "",
             _row("answer", "answer"), _row("anatomy", "answer"), _row("college biology", "A"), _row("anatomy", "D", "second")]
    qs = parse_rows(lines)
    assert [q.id for q in qs] == ["anatomy/0", "college biology/0", "anatomy/1"]
    assert qs[0] == Question("anatomy/0", "anatomy", "first", ("a", "b", "c", "d"), "C")
    assert qs[2].answer == "D"


def test_parse_rows_rejects_broken_lines():
    with pytest.raises(UserError, match="line 2"):
        parse_rows([_row("anatomy"), "{not json"])
    with pytest.raises(UserError, match="line 1"):
        parse_rows([json.dumps({"topic": "anatomy", "correct_answer": "A"})])


def test_unknown_subject_is_a_user_error():
    with pytest.raises(UserError, match="unknown MMLU-Med subject"):
        load_questions(subjects=["astrology"])


def test_stratified_limit_keeps_each_subjects_share_and_file_order():
    qs = load_questions()
    picked = select(qs, 100, seed=0)
    assert len(picked) == 100
    assert Counter(q.subject for q in picked) == {"professional medicine": 25, "clinical knowledge": 24,
                                                  "college medicine": 16, "anatomy": 13, "college biology": 13,
                                                  "medical genetics": 9}
    index = {q.id: i for i, q in enumerate(qs)}
    assert [index[q.id] for q in picked] == sorted(index[q.id] for q in picked)


def test_selection_is_deterministic_per_seed():
    qs = load_questions()
    a, b, c = select(qs, 30, seed=7), select(qs, 30, seed=7), select(qs, 30, seed=8)
    assert [q.id for q in a] == [q.id for q in b]
    assert [q.id for q in a] != [q.id for q in c]


def test_first_mode_all_and_bad_limits():
    qs = load_questions(subjects=["medical genetics"])
    assert [q.id for q in select(qs, 3, mode="first")] == ["medical genetics/0", "medical genetics/1", "medical genetics/2"]
    assert select(qs, None) == qs and select(qs, 10_000) == qs
    small = select(qs, 1, seed=3)
    assert len(small) == 1 and small[0].subject == "medical genetics"
    with pytest.raises(UserError, match="positive"):
        select(qs, 0)
    with pytest.raises(UserError, match="sampling mode"):
        select(qs, 3, mode="random")


def test_every_subject_is_known():
    assert set(SIZES) == set(SUBJECTS)
