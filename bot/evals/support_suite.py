"""`medbot eval support`: what the answer support check catches on planted contradictions.

The packaged set (`bot/evals/data/contradictions.yaml`) holds evidence sentences, faithful
rewrites that must be kept, and contradicting rewrites (negation, number, drug, condition,
direction, antonym) that must be dropped. A second set (`contradictions_shapes.yaml`) plants them
in the answer shapes of the read-write-check path (whole lists, yes/no answers with their question,
self-care advice) and runs the sentence check the answers use. Run with the configured embedder
and without one.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-embedder", action="store_true", help="word coverage only (no text encoder)")


def evaluate(items: list[dict[str, Any]], embed=None, drugs=None) -> dict[str, Any]:
    """Catch rate per kind of contradiction and keep rate of faithful rewrites."""
    from bot.answers.support import check_support

    kinds: dict[str, list[int]] = {}
    missed = []
    for it in items:
        for c in it["contradictions"]:
            caught = not check_support(c["text"], [it["evidence"]], embed=embed, drugs=drugs).supported
            kinds.setdefault(c["kind"], [0, 0])
            kinds[c["kind"]][0] += caught
            kinds[c["kind"]][1] += 1
            if not caught:
                missed.append({"kind": c["kind"], "text": c["text"]})
    faithful = [(it["evidence"], f) for it in items for f in it["faithful"]]
    wrongly = [{"text": f, "why": v.reason} for ev, f in faithful
               if not (v := check_support(f, [ev], embed=embed, drugs=drugs)).supported]
    total = sum(n for _, n in kinds.values())
    return {"metrics": {"contradictions_caught": round(sum(c for c, _ in kinds.values()) / total, 3),
                        "faithful_kept": round(1 - len(wrongly) / len(faithful), 3)},
            "caught_by_kind": {k: f"{c}/{n}" for k, (c, n) in sorted(kinds.items())},
            "missed": missed, "faithful_dropped": wrongly,
            "measured": {"contradictions": total, "faithful": len(faithful)}}


def evaluate_shapes(items: list[dict[str, Any]], embed=None, drugs=None) -> dict[str, Any]:
    """The same measure for the answer shapes, through `bot.answers.check.check_sentence` (which
    adds the yes/no rules) against the evidence as source [1]."""
    from dataclasses import dataclass, field

    from bot.answers.check import check_sentence
    from bot.answers.read import read_sources

    @dataclass
    class _Passage:
        text: str
        source: dict = field(default_factory=lambda: {"doc_id": "planted", "collection": "literature"})

    kinds: dict[str, list[int]] = {}
    missed, wrongly, n_faithful = [], [], 0
    for it in items:
        src = read_sources([_Passage(it["evidence"])])
        for c in it["contradictions"]:
            caught = not check_sentence(c["text"], src, embed, drugs, it["question"])[0].supported
            kinds.setdefault(c["kind"], [0, 0])
            kinds[c["kind"]][0] += caught
            kinds[c["kind"]][1] += 1
            if not caught:
                missed.append({"kind": c["kind"], "text": c["text"]})
        for f in it["faithful"]:
            n_faithful += 1
            v = check_sentence(f, src, embed, drugs, it["question"])[0]
            if not v.supported:
                wrongly.append({"text": f, "why": v.reason})
    total = sum(n for _, n in kinds.values())
    return {"contradictions_caught": round(sum(c for c, _ in kinds.values()) / total, 3),
            "faithful_kept": round(1 - len(wrongly) / n_faithful, 3),
            "caught_by_kind": {k: f"{c}/{n}" for k, (c, n) in sorted(kinds.items())},
            "missed": missed, "faithful_dropped": wrongly, "contradictions": total, "faithful": n_faithful}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from importlib import resources

    import yaml

    items = yaml.safe_load(resources.files("bot.evals").joinpath("data/contradictions.yaml").read_text())["items"]
    if args.limit:
        items = items[: args.limit]
    embed, name = None, "none (word coverage)"
    if not args.no_embedder:
        from retrieval.embedders import make_embedder

        embedder = make_embedder(None)
        embed, name = (lambda texts: embedder.embed(list(texts))), embedder.name
    from pathlib import Path

    from bot.config import load_settings
    from retrieval.drug_names import DrugNames

    drugs = DrugNames(Path(load_settings().home) / "literature" / "cache").generics_in
    result = evaluate(items, embed, drugs)
    shapes = yaml.safe_load(resources.files("bot.evals").joinpath("data/contradictions_shapes.yaml").read_text())["items"]
    sh = evaluate_shapes(shapes, embed, drugs)
    result["metrics"]["shapes_contradictions_caught"] = sh.pop("contradictions_caught")
    result["metrics"]["shapes_faithful_kept"] = sh.pop("faithful_kept")
    result["shapes"] = sh
    result["suite"] = "support"
    result["measured"]["embedder"] = name
    return result
