"""`medbot eval answers`: what a patient or clinician actually gets, on a fixed question set.

Three frozen sets: `main` (`bot/evals/data/answers.yaml`: common patient and clinician questions, each
with the key facts a correct answer must contain, plus out-of-scope questions) and `shapes`
(`answers_shapes.yaml`: yes/no, "what can I do", lists, and follow-ups asked after an earlier
question in the same conversation), and `realworld` (`answers_realworld.yaml`: questions typed the way
people type them in a chat: brand names, two drugs, a child's fever, lab values with units,
prevention, clinician management). All were fixed before the answer path they measure was built
and are never used for tuning.

Reports key-fact coverage, the share of the LLM's sentences the support check found backed by
their citations (before it dropped any), the "not covered" rate on answerable and on out-of-scope
questions, and seconds per answer. Runs against the user's index and the configured model.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role-filter", dest="role_filter", choices=["patient", "clinician"],
                        help="only questions of this role")
    parser.add_argument("--show", action="store_true", help="print each question's answer as it is scored")
    parser.add_argument("--questions", choices=sorted(QUESTION_SETS), default="main",
                        help="which frozen question set (default: main)")
    parser.add_argument("--ids", help="only these question ids, comma-separated (e.g. to re-ask the misses: rw44,rw47)")


QUESTION_SETS = {"main": "answers.yaml", "shapes": "answers_shapes.yaml", "realworld": "answers_realworld.yaml"}


def load_questions(which: str = "main") -> list[dict[str, Any]]:
    """A packaged question set ("main", "shapes" or "realworld")."""
    from importlib import resources

    import yaml

    text = resources.files("bot.evals").joinpath(f"data/{QUESTION_SETS[which]}").read_text(encoding="utf-8")
    return yaml.safe_load(text)["questions"]


def answer_words(answer: str) -> int:
    """Words of the answer a person reads: the text above the source list and the disclaimers."""
    body = answer.split("\n\n**Sources**")[0].split("\n\n_medbot gives general")[0]
    body = re.sub(r"\[\d{1,2}\]", "", body)
    return len(re.findall(r"[A-Za-z0-9']+", body))


def fact_coverage(answer: str, facts: list[list[str]]) -> tuple[int, list[int]]:
    """How many facts the answer contains (a fact: any of its regular expressions matches).

    Returns:
        (covered count, indexes of the missed facts).
    """
    missed = [i for i, alts in enumerate(facts) if not any(re.search(a, answer, re.I) for a in alts)]
    return len(facts) - len(missed), missed


def run(args: argparse.Namespace) -> dict[str, Any]:
    import sys

    from bot.agent import Agent
    from bot.citations import not_covered_text
    from bot.config import settings_from_args

    settings = settings_from_args(args)
    questions = [q for q in load_questions(getattr(args, "questions", "main"))
                 if not args.role_filter or q["role"] == args.role_filter]
    wanted = {i.strip() for i in (getattr(args, "ids", None) or "").split(",") if i.strip()}
    if wanted:
        unknown = sorted(wanted - {q["id"] for q in questions})
        if unknown:
            from bot.errors import UserError

            raise UserError(f"no question {', '.join(unknown)} in the {getattr(args, 'questions', 'main')} set"
                            + (f" for role {args.role_filter}" if args.role_filter else ""))
        questions = [q for q in questions if q["id"] in wanted]
    if args.limit:
        questions = questions[: args.limit]
    agent = Agent(settings)
    rows = []
    for q in questions:
        first = None
        result = None
        conversation = agent.ask(q["before"], role=q["role"]).conversation_id if q.get("before") else None
        t0 = time.perf_counter()
        for ev in agent.turn(q["q"], role=q["role"], conversation_id=conversation):
            if ev.kind in ("token", "reading") and first is None:
                first = time.perf_counter() - t0
            if ev.kind == "done":
                result = ev.data
        secs = time.perf_counter() - t0
        answer = result.answer
        covered, missed = fact_coverage(answer, q.get("facts") or [])
        g = result.grounding or {}
        row = {"id": q["id"], "role": q["role"], "kind": q.get("kind", "answerable"), "facts": len(q.get("facts") or []),
               "covered": covered, "missed": missed, "not_covered": not_covered_text(q["role"]) in answer,
               "llm_sentences": g.get("llm_sentences", 0), "supported": g.get("supported", 0),
               "seconds": round(secs, 2), "first_token_s": round(first or secs, 2), "words": answer_words(answer),
               "shape": q.get("shape", ""), "question": result.question,
               "citations": [c["id"] for c in result.citations]}
        rows.append(row)
        if getattr(args, "show", False):
            sys.stderr.write(f"\n=== {q['id']} {q['q']}\n{answer}\n--- facts {covered}/{row['facts']}\n")
    answerable = [r for r in rows if r["kind"] == "answerable"]
    oos = [r for r in rows if r["kind"] == "out_of_scope"]
    n_facts = sum(r["facts"] for r in answerable)
    llm = sum(r["llm_sentences"] for r in rows)

    def share(part, whole):
        return round(part / whole, 3) if whole else None

    metrics = {
        "key_fact_coverage": share(sum(r["covered"] for r in answerable), n_facts),
        "answers_with_all_facts": share(sum(1 for r in answerable if r["covered"] == r["facts"]), len(answerable)),
        "llm_sentences_supported": share(sum(r["supported"] for r in rows), llm),
        "not_covered_answerable": share(sum(r["not_covered"] for r in answerable), len(answerable)),
        "not_covered_out_of_scope": share(sum(r["not_covered"] for r in oos), len(oos)),
        "seconds_per_answer": round(statistics.mean(r["seconds"] for r in rows), 2) if rows else None,
        "first_words_s_p50": round(statistics.median(r["first_token_s"] for r in rows), 2) if rows else None,
        "mean_words": round(statistics.mean(r["words"] for r in answerable), 1) if answerable else None,
    }
    by_role = {}
    for role in ("patient", "clinician"):
        rs = [r for r in answerable if r["role"] == role]
        if rs:
            by_role[role] = share(sum(r["covered"] for r in rs), sum(r["facts"] for r in rs))
            metrics[f"mean_words_{role}"] = round(statistics.mean(r["words"] for r in rs), 1)
    for shape in sorted({r["shape"] for r in answerable if r["shape"]}):
        rs = [r for r in answerable if r["shape"] == shape]
        by_role[shape] = share(sum(r["covered"] for r in rs), sum(r["facts"] for r in rs))
    return {"suite": "answers", "metrics": metrics, "coverage_by_role": by_role, "items": rows,
            "measured": {"questions": len(rows), "answerable": len(answerable), "out_of_scope": len(oos),
                         "llm_sentences": llm, "model": getattr(agent.backend, "name", None)}}
