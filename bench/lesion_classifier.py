"""Lesion classifier on synthetic crops: `medbot train-classifier` held-out metrics and CPU time.

Writes `--per-class` synthetic crops of each class ("round" vs "elongated" blobs with random size,
orientation, contrast sign, bias and noise; `vision_tools.classifier.synthetic`), trains a MONAI
DenseNet121 with the command's defaults, and prints the held-out precision/recall and confusion
matrix beside the majority-class baseline measured on the same split.

    nice -n 10 .venv/bin/python bench/lesion_classifier.py [--dims 3] [--per-class 40] [--epochs 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", type=int, default=3, choices=(2, 3))
    ap.add_argument("--per-class", dest="per_class", type=int, default=40)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", dest="batch_size", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from vision_tools.classifier.synthetic import write_crops
    from vision_tools.classifier.train import ClassifierOptions, confusion_text, train_classifier

    with tempfile.TemporaryDirectory() as tmp:
        data = write_crops(Path(tmp) / "crops", per_class=args.per_class, spatial_dims=args.dims,
                           size=24 if args.dims == 3 else 48, seed=args.seed, spacing_mm=1.0)
        t0 = time.perf_counter()
        card = train_classifier(ClassifierOptions(folder=data, out=Path(tmp) / "model", epochs=args.epochs,
                                                  batch_size=args.batch_size, seed=args.seed,
                                                  modality="MR" if args.dims == 3 else None,
                                                  threads=args.threads), progress=False)
        seconds = time.perf_counter() - t0
    held = card["heldout"]
    majority = max(held["images"].values()) / sum(held["images"].values())
    result = {"dims": args.dims, "per_class": args.per_class, "epochs": args.epochs, "steps": card["training"]["steps"],
              "seconds": round(seconds, 1), "heldout": {k: held[k] for k in ("images", "accuracy", "per_class", "confusion_matrix")},
              "majority_baseline_accuracy": round(majority, 4)}
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"{args.dims}D DenseNet121, {args.per_class} synthetic crops per class, {args.epochs} epochs "
          f"({result['steps']} steps) in {seconds:.0f} s")
    print(confusion_text(card))
    print(f"accuracy {held['accuracy']:.3f} vs majority-class baseline {majority:.3f} "
          f"(ratio {held['accuracy'] / majority:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
