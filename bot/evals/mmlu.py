"""`medbot eval mmlu-med`: the 1,089 medical questions of MMLU, closed-book and with retrieval.

Accuracy per subject and overall, without and with retrieved passages, as the MIRAGE benchmark
reports MMLU-Med. Local models (llama.cpp, transformers) are scored by the log-likelihood of each
answer letter after "Answer:"; OpenAI-compatible servers by the letter parsed from their reply.
`--limit N` draws a stratified sample (each subject keeps its share; `random.Random(seed)`)
unless `--sample first` asks for the first N in file order.

Small models prefer one letter whatever the question (SmolLM2-135M says "A" to most of them).
With log-likelihood scoring the same pass also reports a *debiased* accuracy: each question's
letter probabilities (softmax over the four letters) are divided by the model's mean probability
of each letter over all questions of the run, which removes the letter prior without labels and
without a second model call (prior estimation as in Zheng et al., ICLR 2024, "Large language
models are not robust multiple choice selectors").
"""

from __future__ import annotations

import argparse
import functools
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

SUITE = "mmlu-med"
_STATUS_NOISE = {"filling", "rate", "eta_s", "fill_state"}  # retriever status keys that say nothing of the corpus


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Flags of the suite (the eval command adds --model/--adapter/--seed/--limit/--json)."""
    p.add_argument("--subjects", help="comma-separated subjects (default: all six: anatomy, clinical knowledge, "
                   "college medicine, medical genetics, professional medicine, college biology)")
    p.add_argument("--sample", choices=("stratified", "first"), default="stratified",
                   help="how --limit picks questions: stratified by subject with --seed (default) or the first N")
    p.add_argument("--scoring", choices=("auto", "loglikelihood", "letter"), default="auto",
                   help="auto: answer-letter log-likelihood for local models, parsed letter for servers")
    p.add_argument("--k", type=int, help="passages retrieved per question (default: retrieval.k)")
    p.add_argument("--max-context-chars", dest="max_context_chars", type=int, default=1000,
                   help="character budget of the retrieved passages in a prompt (default 1000, about 250 tokens)")
    p.add_argument("--retrieval-limit", dest="retrieval_limit", type=int,
                   help="with retrieval, only a draw of N of the questions (as --limit N would draw them); "
                        "closed-book still covers all, and is also reported on those N for a paired comparison")
    p.add_argument("--no-retrieval", dest="no_retrieval", action="store_true",
                   help="closed-book only (skip the with-retrieval column)")
    p.add_argument("--chroma-url", dest="chroma_url", help="retrieve from a Chroma server (http://HOST:PORT)")
    p.add_argument("--no-passage-cache", dest="no_passage_cache", action="store_true",
                   help="search again instead of reusing passages cached for the same index under MEDBOT_HOME/eval/cache")


@dataclass
class Tally:
    """Correct answers per subject for one condition."""

    correct: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0  # replies with no readable letter (counted wrong)
    with_passages: int = 0  # questions that got at least one retrieved passage
    picked: dict[str, int] = field(default_factory=dict)  # chosen letter -> count (shows a letter prior)
    scored: list[tuple[str, str, dict[str, float]]] = field(default_factory=list)  # (subject, answer, letter scores)
    records: list[tuple[str, str, str, str | None, dict[str, float]]] = field(default_factory=list)
    # ^ one per question: (id, subject, answer, chosen letter, letter scores)

    def add(self, subject: str, ok: bool) -> None:
        self.total[subject] = self.total.get(subject, 0) + 1
        self.correct[subject] = self.correct.get(subject, 0) + int(ok)

    def record(self, qid: str, subject: str, answer: str, pick: str | None, scores: dict[str, float],
               with_passages: bool = False) -> None:
        """Count one answered question."""
        self.records.append((qid, subject, answer, pick, dict(scores)))
        self.with_passages += with_passages
        self.unanswered += pick is None
        if pick is not None:
            self.picked[pick] = self.picked.get(pick, 0) + 1
        if scores:
            self.scored.append((subject, answer, dict(scores)))
        self.add(subject, pick == answer)

    def subset(self, ids: Sequence[str]) -> "Tally":
        """The same answers restricted to the questions `ids` (for a paired comparison)."""
        keep = set(ids)
        out = Tally()
        for qid, subject, answer, pick, scores in self.records:
            if qid in keep:
                out.record(qid, subject, answer, pick, scores)
        return out

    def debiased(self) -> "Tally | None":
        """The same answers with the run's letter prior removed (None without log-likelihood scores)."""
        if not self.scored or len(self.scored) != sum(self.total.values()):
            return None
        import math

        letters = sorted(self.scored[0][2])
        probs = []
        for _, _, scores in self.scored:
            top = max(scores[x] for x in letters)
            e = {x: math.exp(scores[x] - top) for x in letters}
            z = sum(e.values())
            probs.append({x: e[x] / z for x in letters})
        prior = {x: sum(p[x] for p in probs) / len(probs) for x in letters}
        out = Tally()
        for (subject, answer, _), p in zip(self.scored, probs):
            pick = max(letters, key=lambda x: (math.log(max(p[x], 1e-300)) - math.log(max(prior[x], 1e-300)), -ord(x)))
            out.picked[pick] = out.picked.get(pick, 0) + 1
            out.add(subject, pick == answer)
        return out

    def summary(self) -> dict[str, Any]:
        """Overall (micro) accuracy, the mean over subjects (macro) and per-subject accuracy."""
        n = sum(self.total.values())
        c = sum(self.correct.values())
        per = {s: {"n": self.total[s], "correct": self.correct[s], "accuracy": self.correct[s] / self.total[s]}
               for s in self.total}
        macro = sum(v["accuracy"] for v in per.values()) / len(per) if per else None
        return {"accuracy": c / n if n else None, "macro_accuracy": macro, "correct": c, "n": n,
                "unanswered": self.unanswered, "picked": dict(sorted(self.picked.items())), "per_subject": per}


def score(questions: Sequence[Any], scorer: Any, passages_for: Callable[[Any], list[Any]] | None = None,
          max_context_chars: int = 1000, desc: str = SUITE, progress: bool = True) -> Tally:
    """Ask `scorer` every question and count correct letters per subject.

    Args:
        questions: `mmlu_data.Question`s.
        scorer: a `ChoiceScorer`.
        passages_for: question -> passages to prepend (None: closed-book).
        max_context_chars: character budget of the passages.
        desc: progress-bar label.
        progress: show a progress bar on stderr.

    Returns:
        The tally.
    """
    from tqdm import tqdm

    from bot.evals.mmlu_data import LETTERS
    from bot.evals.mmlu_prompt import build_prompt

    tally = Tally()
    for q in tqdm(questions, desc=desc, unit="q", disable=not progress, leave=False):
        passages = passages_for(q) if passages_for else []
        pred = scorer.choose(build_prompt(q, passages, max_context_chars), LETTERS)
        tally.record(q.id, q.subject, q.answer, pred.letter, dict(pred.scores or {}), bool(passages))
    return tally


def _summary(tally: Tally) -> dict[str, Any]:
    """The tally's summary, with the debiased summary under "debiased" when scores allow one."""
    out = tally.summary()
    fair = tally.debiased()
    if fair is not None:
        out["debiased"] = fair.summary()
    return out


def evaluate(questions: Sequence[Any], scorer: Any, search: Callable[[str, int], list[Any]] | None = None,
             k: int = 5, max_context_chars: int = 1000, retrieval_unavailable: str | None = None,
             progress: bool = True, rag_questions: Sequence[Any] | None = None) -> dict[str, Any]:
    """Both conditions: closed-book, then with `k` passages from `search(question, k)`.

    With `rag_questions` (a subset of `questions`, e.g. a stratified draw), closed-book covers all
    `questions` and retrieval only the subset; the closed-book answers on that subset are reported
    beside it under "without_retrieval_same_questions", a paired comparison at no extra model call.

    Args:
        questions: the questions.
        scorer: a `ChoiceScorer`.
        search: the retriever's search, or None when no index is available.
        k: passages per question.
        max_context_chars: character budget of the passages.
        retrieval_unavailable: why `search` is None (shown instead of a number).
        progress: show progress bars.

    Returns:
        `{"without_retrieval": summary, "with_retrieval": summary | {"available": False, "reason"}}`;
        a retrieval run in which no question got a passage counts as unavailable.
    """
    from bot.errors import REPORTED_ERRORS

    closed_tally = score(questions, scorer, None, max_context_chars, f"{SUITE} closed-book", progress)
    closed = _summary(closed_tally)
    if search is None:
        return {"without_retrieval": closed,
                "with_retrieval": {"available": False, "reason": retrieval_unavailable or "retrieval disabled"}}
    paired = None
    if rag_questions is not None and [q.id for q in rag_questions] != [q.id for q in questions]:
        paired = _summary(closed_tally.subset([q.id for q in rag_questions]))
        questions = rag_questions
    try:
        tally = score(questions, scorer, lambda q: list(search(q.question, k=k)), max_context_chars,
                      f"{SUITE} with retrieval", progress)
    except REPORTED_ERRORS as exc:
        return {"without_retrieval": closed, "with_retrieval": {"available": False, "reason": f"search failed: {exc}"}}
    if tally.with_passages == 0:
        return {"without_retrieval": closed,
                "with_retrieval": {"available": False, "reason": "the literature index returned no passages"}}
    opened = _summary(tally)
    opened["available"] = True
    opened["questions_with_passages"] = tally.with_passages
    out = {"without_retrieval": closed, "with_retrieval": opened}
    if paired is not None:
        out["without_retrieval_same_questions"] = paired
    return out


def open_retriever(settings: Any) -> tuple[Any | None, str | None]:
    """The literature retriever for `settings`, or (None, why) when no index can be opened."""
    from bot.errors import REPORTED_ERRORS

    try:
        from retrieval import get_retriever
    except ImportError as exc:
        return None, f"retrieval is not available ({exc})"
    try:
        return get_retriever(settings), None
    except REPORTED_ERRORS as exc:
        return None, f"no literature index: {exc}"


def describe_corpus(settings: Any, retriever: Any | None) -> dict[str, Any]:
    """What the with-retrieval column searched: collection, store, embedder (and the retriever's own account)."""
    r = settings.retrieval
    out: dict[str, Any] = {"collection": r.collection, "store": r.chroma_url or "embedded",
                           "embedder": r.embedder or "all-MiniLM-L6-v2 (bundled)"}
    describe = getattr(retriever, "describe", None) or getattr(retriever, "status", None)
    if callable(describe):
        try:
            extra = describe()
            if isinstance(extra, dict):
                out.update({k: v for k, v in extra.items()
                            if k not in _STATUS_NOISE and (v is None or isinstance(v, (str, int, float, bool)))})
        except Exception:  # noqa: BLE001 - a description is optional; never fail the run for it
            pass
    return out


def build_result(outcome: dict[str, Any], *, subjects: Sequence[str], meta: dict[str, Any]) -> dict[str, Any]:
    """The stored record: headline metrics, a per-subject table, run details.

    Args:
        outcome: what `evaluate` returned.
        subjects: subjects in table order.
        meta: model, adapter, backend, scoring, corpus, seed, limit, sample, ... (copied in).
    """
    closed, rag = outcome["without_retrieval"], outcome["with_retrieval"]
    paired = outcome.get("without_retrieval_same_questions")
    has_rag = bool(rag.get("available"))
    reason = None if has_rag else rag.get("reason", "not available")
    na = f"n/a ({reason})" if reason else None
    fair_closed = closed.get("debiased")
    fair_rag = rag.get("debiased") if has_rag else None
    if paired is None:
        tables = [{"title": "Accuracy per subject", **_table(closed, rag if has_rag else {}, subjects)}]
    else:
        tables = [{"title": f"Closed-book, all {closed['n']} questions", **_table(closed, None, subjects)},
                  {"title": f"The {rag['n']} questions of the retrieval run, closed-book and with retrieval",
                   **_table(paired, rag, subjects)}]
    notes = [f"scoring: {meta.get('scoring')}; chance level is 0.250."]
    if fair_closed:
        notes.append("debiased: the run's mean probability of each letter divided out of every question's letter "
                     "probabilities (no labels, no extra model call); letters picked raw "
                     f"{closed.get('picked')}, debiased {fair_closed.get('picked')}.")
    if not has_rag:
        notes.append(f"with retrieval: not measured: {reason}.")
    for label, summary in (("closed-book", closed), ("with retrieval", rag if has_rag else {})):
        picked = summary.get("picked") or {}
        if picked and summary.get("n") and max(picked.values()) >= 0.9 * summary["n"]:
            letter = max(picked, key=picked.get)
            notes.append(f"{label}: the model chose {letter} for {picked[letter]} of {summary['n']} questions "
                         "(a letter prior, not knowledge).")
    if closed.get("unanswered"):
        notes.append(f"{closed['unanswered']} closed-book replies had no readable letter (counted wrong).")
    return {
        "suite": SUITE,
        **meta,
        "metrics": {
            "accuracy_without_retrieval": closed["accuracy"],
            "accuracy_with_retrieval": rag["accuracy"] if has_rag else na,
            **({"accuracy_without_retrieval_debiased": fair_closed["accuracy"]} if fair_closed else {}),
            **({"accuracy_with_retrieval_debiased": fair_rag["accuracy"]} if fair_rag else {}),
            **(_paired_metrics(paired, rag) if paired else {}),
            "questions": closed["n"],
        },
        "headline": ["accuracy_without_retrieval", *(["accuracy_without_retrieval_debiased"] if fair_closed else []),
                     *(["accuracy_without_retrieval_same_questions"] if paired else []),
                     "accuracy_with_retrieval", *(["accuracy_with_retrieval_debiased"] if fair_rag else []), "questions",
                     *(["questions_with_retrieval"] if paired else [])],
        "without_retrieval": closed,
        "with_retrieval": rag,
        **({"without_retrieval_same_questions": paired} if paired else {}),
        "tables": tables,
        "notes": notes,
    }


def _paired_metrics(paired: dict[str, Any], rag: dict[str, Any]) -> dict[str, Any]:
    """Closed-book accuracy on the questions of the retrieval run (raw, and debiased when scored)."""
    out = {"accuracy_without_retrieval_same_questions": paired["accuracy"], "questions_with_retrieval": rag.get("n")}
    if paired.get("debiased"):
        out["accuracy_without_retrieval_same_questions_debiased"] = paired["debiased"]["accuracy"]
    return out


def _table(closed: dict[str, Any], rag: dict[str, Any] | None, subjects: Sequence[str]) -> dict[str, Any]:
    """Columns and rows per subject: closed-book, and with retrieval unless `rag` is None ({}: not measured)."""
    fair_closed = closed.get("debiased")
    has_rag = bool(rag and rag.get("available"))
    fair_rag = rag.get("debiased") if has_rag else None
    columns = ["subject", "questions", "without retrieval"]
    if fair_closed:
        columns.append("without, debiased")
    if rag is not None:
        columns += ["with retrieval", "with, debiased"] if fair_closed else ["with retrieval"]

    def val(summary: dict[str, Any] | None, key: str | None, subject: str | None) -> Any:
        if summary is None:
            return "n/a"
        if subject:
            v = summary.get("per_subject", {}).get(subject)
            return v["accuracy"] if v else None
        return summary[key]

    def row(label: Any, n: Any, key: str | None, subject: str | None = None) -> list[Any]:
        cells = [label, n, val(closed, key, subject)]
        if fair_closed:
            cells.append(val(fair_closed, key, subject))
        if rag is not None:
            cells.append(val(rag, key, subject) if has_rag else "n/a")
            if fair_closed:
                cells.append(val(fair_rag, key, subject))
        return cells

    rows = [row(s, closed["per_subject"][s]["n"], None, s) for s in subjects if s in closed["per_subject"]]
    rows.append(row("**overall**", closed["n"], "accuracy"))
    rows.append(row(f"mean over {len(closed['per_subject'])} subjects", "", "macro_accuracy"))
    return {"columns": columns, "rows": rows}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the suite for parsed flags and return its result record.

    Raises:
        UserError: bad flags, missing question file or model.
    """
    from bot.config import settings_from_args
    from bot.errors import UserError
    from bot.evals.mmlu_data import SUBJECTS, load_questions, select
    from bot.evals.mmlu_prompt import letter_system_prompt
    from bot.evals.scorers import scorer_for
    from bot.llm import load_backend, resolve_backend_name

    settings = settings_from_args(args)
    subjects = SUBJECTS
    if getattr(args, "subjects", None):
        subjects = tuple(s.strip() for s in args.subjects.split(",") if s.strip())
    k = args.k if getattr(args, "k", None) is not None else settings.retrieval.k
    if k < 1:
        raise UserError("--k must be a positive number")
    max_chars = getattr(args, "max_context_chars", 1000)
    if max_chars < 1:
        raise UserError("--max-context-chars must be a positive number")
    sample = getattr(args, "sample", "stratified")
    questions = select(load_questions(subjects=subjects), args.limit, settings.seed, sample)
    rag_limit = getattr(args, "retrieval_limit", None)
    if rag_limit is not None and rag_limit < 1:
        raise UserError("--retrieval-limit must be a positive number")
    rag_questions = select(questions, rag_limit, settings.seed, sample) if rag_limit else None

    kind = resolve_backend_name(settings)
    backend = load_backend(settings)
    scorer = scorer_for(backend, kind, getattr(args, "scoring", "auto"), letter_system_prompt())
    retriever, why = (None, "retrieval disabled (--no-retrieval)") if getattr(args, "no_retrieval", False) \
        else open_retriever(settings)
    @functools.cache
    def corpus() -> Any:
        """The index as the retrieval column first searched it (a fill may still run during closed-book)."""
        return describe_corpus(settings, retriever) if retriever is not None else "none (retrieval not measured)"

    search = None
    if retriever is not None:
        search = retriever.search
        if not getattr(args, "no_passage_cache", False):
            from bot.evals.passage_cache import PassageCache
            from bot.evals.results import eval_dir

            search = PassageCache(eval_dir(settings.home) / "cache" / "mmlu-med-passages.jsonl", retriever.search, corpus)
    started = time.perf_counter()
    outcome = evaluate(questions, scorer, search, k, max_chars, why, rag_questions=rag_questions)
    meta = {
        "model": backend.name,
        "adapter": settings.adapter,
        "backend": kind,
        "embedded_demo_model": bool(getattr(backend, "is_demo", False)),
        "scoring": scorer.method,
        "corpus": corpus(),
        "k": k if retriever is not None else None,
        "seed": settings.seed,
        "limit": args.limit,
        "sample": sample if args.limit else "all",
        "retrieval_limit": rag_limit if retriever is not None else None,
        "subjects": list(subjects),
        "elapsed_s": round(time.perf_counter() - started, 1),
        "passages_from_cache": getattr(search, "hits", None),
    }
    return build_result(outcome, subjects=subjects, meta=meta)
