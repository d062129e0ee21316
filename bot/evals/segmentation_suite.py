"""`medbot eval segmentation`: held-out Dice per label and seconds per volume of a segmenter.

Held-out cases are synthetic: the MNI152 template with unseen random deformations, intensity
changes and synthetic lesions (seeds 900000+, never used in training). They measure robustness of
the default model, not generalisation to patients.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--segmenter", default="default", help="'default' or a retrained default model (.pt with its card)")
    parser.add_argument("--cases", type=int, default=4, help="held-out synthetic cases (default 4)")
    parser.add_argument("--seed0", type=int, default=None, help="first held-out seed (default 900000)")


def run(args: argparse.Namespace) -> dict:
    """Evaluate and return the result record (metrics, what was measured, per-label table)."""
    from vision_tools.errors import UserError
    from vision_tools.registry import get_segmenter
    from vision_tools.training.evaluate import HELDOUT_SEED0, evaluate_segmenter

    n = args.limit or args.cases
    if n < 1:
        raise UserError("--cases must be at least 1")
    seg = get_segmenter(args.segmenter)
    if not hasattr(seg, "cfg"):
        raise UserError("the segmentation suite evaluates the default model or a retrained one (a .pt with its model card)")
    seed0 = HELDOUT_SEED0 if args.seed0 is None else args.seed0
    res = evaluate_segmenter(seg, n=n, seed0=seed0)
    card = getattr(seg, "card", {}).get("heldout_dice", {})
    metrics = {f"dice_{k.replace(' ', '_')}": v for k, v in res["dice"].items()}
    metrics["seconds_per_volume"] = res["seconds_per_volume"]
    rows = [[k, v, card.get(k)] for k, v in res["dice"].items()]
    tables = [{"title": "Held-out Dice per label", "columns": ["label", "Dice", "model card"], "rows": rows}]
    les = res.get("lesions")
    if les:
        metrics.update({"lesion_precision": les["precision"], "lesion_recall": les["recall"], "lesion_f1": les["f1"]})
        for name, b in les["dice_by_size"].items():
            metrics[f"dice_lesion_{_key(name)}"] = b["dice"]
        tables.append({"title": "Lesion-wise detection", "columns": ["true lesions", "detected", "predicted",
                                                                     "true-positive predictions", "precision", "recall", "F1"],
                       "rows": [[les["true_lesions"], les["detected"], les["predicted"], les["true_positive_predictions"],
                                 les["precision"], les["recall"], les["f1"]]]})
        tables.append({"title": "Lesion Dice per size bin (true lesion volume)", "columns": ["size", "lesions", "detected", "Dice"],
                       "rows": [[name, b["lesions"], b["detected"], b["dice"]] for name, b in les["dice_by_size"].items()]})
    return {
        "suite": "segmentation",
        "model": f"segmenter:{args.segmenter}",
        "corpus": {"name": "MNI152 2009a template (nilearn) with synthetic augmentations and lesions",
                   "cases": n, "seeds": res["seeds"], "grid": "2 mm", "note": "held-out = unseen seeds; robustness, not patients"},
        "seed": seed0,
        "metrics": metrics,
        "headline": ["dice_grey_matter", "dice_white_matter", "dice_lesion", "lesion_f1"],
        "tables": tables,
        "notes": ["Dice is computed over all voxels of all held-out cases together.",
                  "Lesion-wise: a true lesion is detected when a predicted lesion (>= 0.05 mL) overlaps it; "
                  "F1 from lesion-wise precision and recall.",
                  "Goal: >= 0.90 on tissue labels and >= 0.80 on lesions."],
    }


def _key(size_bin: str) -> str:
    """'0.5-2 mL' -> '0.5_2ml', '< 0.5 mL' -> 'lt_0.5ml', '>= 5 mL' -> 'ge_5ml'."""
    return (size_bin.replace(">= ", "ge_").replace("< ", "lt_").replace("-", "_").replace(" mL", "ml").replace(" ", "_"))
