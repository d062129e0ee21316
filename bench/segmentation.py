"""Benchmark of the default segmenter: held-out Dice per label and seconds per volume on CPU,
medbot's inference (batched whole slices, empty slices skipped) against plain MONAI
`sliding_window_inference` with the same network and weights (96x96 windows, overlap 0.25).

Held-out cases are synthetic (unseen seeds of augmentations and lesions of the MNI152 template).

    nice -n 10 .venv/bin/python bench/segmentation.py [--cases 4] [--weights PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=4)
    ap.add_argument("--weights", default=None, help="default-model weights (.pt with card); default: the committed ones")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=1, help="timed passes per case and method (best is kept)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    import torch

    from vision_tools.segmenters.default import DefaultSegmenter
    from vision_tools.training.evaluate import DiceTally, LesionTally, heldout_cases

    if args.threads:
        torch.set_num_threads(args.threads)
    fast = DefaultSegmenter(args.weights, fast=True)
    base = DefaultSegmenter(args.weights, fast=False)
    base._net = fast.net  # the very same network object and weights
    labels = dict(fast.cfg.labels)
    tallies = {"medbot": DiceTally(labels), "monai_sliding_window": DiceTally(labels)}
    lesion_value = next(v for v, name in labels.items() if name == "lesion")
    seconds = {"medbot": 0.0, "monai_sliding_window": 0.0}
    cases = list(heldout_cases(args.cases))
    lesions = {k: LesionTally(lesion_value, cases[0][1].voxel_volume_ml) for k in tallies}
    for seg in (fast, base):  # warm-up (first call allocates)
        seg.segment(cases[0][1])
    for _, volume, truth in cases:
        # alternate the order so neither method always runs on a warmer cache
        for name, seg in (("medbot", fast), ("monai_sliding_window", base)):
            best = float("inf")
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                out = seg.segment(volume)
                best = min(best, time.perf_counter() - t0)
            seconds[name] += best
            tallies[name].add(out.mask, truth)
            lesions[name].add(out.mask, truth)
    n = len(cases)
    result = {
        "cases": n, "seeds": [c[0] for c in cases], "threads": torch.get_num_threads(),
        "dice": {k: t.result() for k, t in tallies.items()},
        "seconds_per_volume": {k: round(v / n, 3) for k, v in seconds.items()},
        "lesions": {k: t.result() for k, t in lesions.items()},
    }
    result["time_ratio_medbot_over_baseline"] = round(seconds["medbot"] / seconds["monai_sliding_window"], 3)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"held-out synthetic cases: {n} (seeds {result['seeds'][0]}..{result['seeds'][-1]}), torch threads {result['threads']}")
    print(f"{'label':<14} {'medbot':>8} {'MONAI sw':>9}")
    for label in labels.values():
        print(f"{label:<14} {result['dice']['medbot'][label]:>8.4f} {result['dice']['monai_sliding_window'][label]:>9.4f}")
    les = result["lesions"]
    print(f"{'lesion F1':<14} {les['medbot']['f1']:>8.4f} {les['monai_sliding_window']['f1']:>9.4f}   "
          f"(precision {les['medbot']['precision']:.3f}, recall {les['medbot']['recall']:.3f}, "
          f"{les['medbot']['true_lesions']} true lesions)")
    for name, b in les["medbot"]["dice_by_size"].items():
        other = les["monai_sliding_window"]["dice_by_size"].get(name, {}).get("dice", float("nan"))
        print(f"{'Dice ' + name:<14} {b['dice']:>8.4f} {other:>9.4f}   ({b['lesions']} lesions, {b['detected']} detected)")
    sp = result["seconds_per_volume"]
    print(f"seconds/volume  medbot {sp['medbot']:.3f}  MONAI sliding window {sp['monai_sliding_window']:.3f}  "
          f"ratio {result['time_ratio_medbot_over_baseline']:.3f}x (goal <= 1.0x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
