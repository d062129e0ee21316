"""Held-out evaluation: Dice per label on synthetic cases made with seeds never used in training."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Seeds: training cases use [seed*100_000, ...), validation 50_000+, held-out 900_000+ (never trained on).
HELDOUT_SEED0 = 900_000
VALIDATION_SEED0 = 50_000


def dice(pred: np.ndarray, truth: np.ndarray, value: int) -> float | None:
    """Dice of one label; None when the label is absent from both."""
    p, t = pred == value, truth == value
    denom = int(p.sum()) + int(t.sum())
    if denom == 0:
        return None
    return 2.0 * int(np.logical_and(p, t).sum()) / denom


@dataclass
class DiceTally:
    """Accumulates voxel counts over cases so Dice is computed over all held-out voxels at once."""

    labels: dict[int, str]
    inter: dict[int, int] = field(default_factory=dict)
    total: dict[int, int] = field(default_factory=dict)

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        for v in self.labels:
            p, t = pred == v, truth == v
            self.inter[v] = self.inter.get(v, 0) + int(np.logical_and(p, t).sum())
            self.total[v] = self.total.get(v, 0) + int(p.sum()) + int(t.sum())

    def result(self) -> dict[str, float]:
        return {name: round(2.0 * self.inter.get(v, 0) / self.total[v], 4) if self.total.get(v) else float("nan")
                for v, name in self.labels.items()}


def heldout_cases(n: int, seed0: int = HELDOUT_SEED0, resolution: int = 2):
    """Yield (seed, image Volume, truth labels) for `n` held-out synthetic cases (1-3 lesions each)."""
    from vision_tools.training.labels import load_template
    from vision_tools.training.synth import SynthOptions, make_case
    from vision_tools.volume import Volume

    template = load_template(resolution)
    for i in range(n):
        seed = seed0 + i
        image, truth = make_case(template, seed, SynthOptions(min_lesions=1))
        # Held-out inputs are plain images with an MR modality, as a user's NIfTI/DICOM would arrive.
        yield seed, Volume(image * 1000.0, template.affine, modality="MR", source={"format": "synthetic", "seed": seed}), truth


def evaluate_segmenter(segmenter, n: int = 4, seed0: int = HELDOUT_SEED0) -> dict:
    """Dice per label over `n` held-out cases, plus seconds per volume.

    Returns:
        {"dice": {label: value}, "cases": n, "seeds": [...], "seconds_per_volume": float}
    """
    import time

    tally = DiceTally(labels=dict(segmenter.cfg.labels))
    seeds, seconds = [], 0.0
    for seed, volume, truth in heldout_cases(n, seed0):
        t0 = time.perf_counter()
        seg = segmenter.segment(volume)
        seconds += time.perf_counter() - t0
        tally.add(seg.mask, truth)
        seeds.append(seed)
    return {"dice": tally.result(), "cases": n, "seeds": seeds, "seconds_per_volume": round(seconds / max(n, 1), 3)}
