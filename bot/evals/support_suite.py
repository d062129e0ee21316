"""`medbot eval support`: what the answer support check catches on planted contradictions.

The packaged set (`bot/evals/data/contradictions.yaml`) holds evidence sentences, faithful
rewrites that must be kept, and contradicting rewrites (negation, number, drug, condition,
direction, antonym) that must be dropped. Run with the configured embedder and without one.
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
    result["suite"] = "support"
    result["measured"]["embedder"] = name
    return result
