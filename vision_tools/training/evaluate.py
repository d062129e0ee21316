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
    """Dice per label over `n` held-out cases, lesion-wise detection and Dice per lesion size bin, plus
    seconds per volume.

    Returns:
        {"dice": {label: value}, "lesions": LesionTally.result() (when the model has a lesion label),
        "cases": n, "seeds": [...], "seconds_per_volume": float}
    """
    import time

    labels = dict(segmenter.cfg.labels)
    tally = DiceTally(labels=labels)
    lesion_value = next((v for v, name in labels.items() if name == "lesion"), None)
    lesions = None
    seeds, seconds = [], 0.0
    for seed, volume, truth in heldout_cases(n, seed0):
        if lesions is None and lesion_value is not None:
            lesions = LesionTally(lesion_value, volume.voxel_volume_ml)
        t0 = time.perf_counter()
        seg = segmenter.segment(volume)
        seconds += time.perf_counter() - t0
        tally.add(seg.mask, truth)
        if lesions is not None:
            lesions.add(seg.mask, truth)
        seeds.append(seed)
    out = {"dice": tally.result(), "cases": n, "seeds": seeds, "seconds_per_volume": round(seconds / max(n, 1), 3)}
    if lesions is not None:
        out["lesions"] = lesions.result()
    return out


# Lesion size bins (mL, by the true lesion's volume): lower bounds, inclusive.
SIZE_BINS_ML = ((0.0, "< 0.5 mL"), (0.5, "0.5-2 mL"), (2.0, "2-5 mL"), (5.0, ">= 5 mL"))


def _size_bin(volume_ml: float) -> str:
    return [name for lo, name in SIZE_BINS_ML if volume_ml >= lo][-1]


@dataclass
class LesionTally:
    """Lesion-wise detection and Dice per lesion size bin, accumulated over cases.

    Lesions are connected components (26-connectivity) of the lesion label; predicted components
    smaller than `min_ml` are dropped, as `medbot segment` drops them. A true lesion is detected when
    a predicted lesion overlaps it by at least one voxel, and a predicted lesion is a true positive when
    it overlaps a true one. Precision = true-positive predictions / predictions, recall = detected
    true lesions / true lesions, F1 their harmonic mean. Dice per size bin pools, over the true lesions
    of that bin, 2|T ∩ P| / (|T| + |P|) with P the predicted lesions that overlap T.
    """

    value: int
    voxel_ml: float
    min_ml: float = 0.05
    true_lesions: int = 0
    detected: int = 0
    predicted: int = 0
    predicted_tp: int = 0
    bins: dict[str, list[int]] = field(default_factory=dict)  # name -> [2*intersection, sum of sizes, lesions, detected]

    def add(self, pred: np.ndarray, truth: np.ndarray) -> None:
        from scipy.ndimage import label

        structure = np.ones((3, 3, 3), dtype=bool)
        t_comp, nt = label(truth == self.value, structure=structure)
        p_comp, npred = label(pred == self.value, structure=structure)
        p_sizes = np.bincount(p_comp.ravel(), minlength=npred + 1)
        small = np.flatnonzero(p_sizes * self.voxel_ml < self.min_ml)
        small = small[small > 0]
        if len(small):
            p_comp[np.isin(p_comp, small)] = 0
        kept = [i for i in range(1, npred + 1) if p_sizes[i] * self.voxel_ml >= self.min_ml]
        self.predicted += len(kept)
        overlap_pairs = set(zip(t_comp[(t_comp > 0) & (p_comp > 0)].tolist(), p_comp[(t_comp > 0) & (p_comp > 0)].tolist()))
        self.predicted_tp += len({p for _, p in overlap_pairs})
        t_sizes = np.bincount(t_comp.ravel(), minlength=nt + 1)
        for t in range(1, nt + 1):
            matched = [p for tt, p in overlap_pairs if tt == t]
            name = _size_bin(t_sizes[t] * self.voxel_ml)
            b = self.bins.setdefault(name, [0, 0, 0, 0])
            truth_t = t_comp == t
            pred_t = np.isin(p_comp, matched) if matched else np.zeros_like(truth_t)
            b[0] += 2 * int(np.logical_and(truth_t, pred_t).sum())
            b[1] += int(truth_t.sum()) + int(pred_t.sum())
            b[2] += 1
            b[3] += int(bool(matched))
            self.true_lesions += 1
            self.detected += int(bool(matched))

    def result(self) -> dict:
        precision = self.predicted_tp / self.predicted if self.predicted else float("nan")
        recall = self.detected / self.true_lesions if self.true_lesions else float("nan")
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        bins = {name: {"dice": round(b[0] / b[1], 4) if b[1] else float("nan"), "lesions": b[2], "detected": b[3]}
                for name in (n for _, n in SIZE_BINS_ML) if (b := self.bins.get(name))}
        return {"true_lesions": self.true_lesions, "detected": self.detected, "predicted": self.predicted,
                "true_positive_predictions": self.predicted_tp, "precision": round(precision, 4),
                "recall": round(recall, 4), "f1": round(f1, 4), "dice_by_size": bins, "min_predicted_ml": self.min_ml}
