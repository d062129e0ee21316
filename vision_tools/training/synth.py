"""Synthetic training and held-out cases from the one template brain.

Each case is the template with 0-3 synthetic lesions inserted with known masks (random ellipsoids
with irregular borders, darker or brighter than white matter, mostly in white matter), then a
random elastic + affine deformation, bias field, contrast (gamma) change, resolution loss, blur and
noise. A case is fully determined by its seed, so held-out cases (other seeds) are unseen
deformations and lesions of the same brain: they measure robustness, not generalisation to patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision_tools.preprocess import normalize_intensity
from vision_tools.training.labels import GM, LESION, WM, Template


@dataclass
class SynthOptions:
    """How cases are made.

    Attributes:
        max_lesions: most lesions per case (at least `min_lesions`).
        min_lesions: fewest lesions per case.
        radius_mm: range of lesion semi-axes in mm.
        elastic: apply elastic deformation (the slowest step).
    """

    max_lesions: int = 3
    min_lesions: int = 0
    radius_mm: tuple[float, float] = (3.5, 14.0)
    elastic: bool = True


def insert_lesions(img: np.ndarray, lab: np.ndarray, rng: np.random.Generator, spacing: float,
                   n: int, radius_mm: tuple[float, float]) -> int:
    """Paint `n` lesions into `img` and `lab` in place; returns how many were painted."""
    from scipy.ndimage import gaussian_filter

    wm_mean = float(img[lab == WM].mean())
    candidates = {t: np.argwhere(lab == t) for t in (WM, GM)}
    painted = 0
    for _ in range(n):
        tissue = WM if rng.random() < 0.75 else GM
        centre = candidates[tissue][rng.integers(len(candidates[tissue]))].astype(np.float64)
        radii = rng.uniform(*radius_mm, size=3) / spacing
        r = int(np.ceil(radii.max() * 1.4)) + 2
        lo = np.maximum(centre.astype(int) - r, 0)
        hi = np.minimum(centre.astype(int) + r + 1, lab.shape)
        grid = np.stack(np.meshgrid(*[np.arange(a, b) for a, b in zip(lo, hi)], indexing="ij"), -1) - centre
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        local = grid @ q
        d = np.sqrt(np.sum((local / radii) ** 2, axis=-1))
        wobble = gaussian_filter(rng.normal(size=d.shape), sigma=max(1.0, radii.min() / 2))
        wobble /= max(float(np.abs(wobble).max()), 1e-6)
        d = d + 0.25 * wobble
        sl = tuple(slice(a, b) for a, b in zip(lo, hi))
        inside_brain = lab[sl] > 0
        alpha = np.clip((1.15 - d) / 0.3, 0.0, 1.0) * inside_brain
        mask = (d < 1.0) & inside_brain
        if mask.sum() < 3:
            continue
        if rng.random() < 0.55:
            value = wm_mean * rng.uniform(0.25, 0.6)  # T1-dark lesion (like a chronic lesion or cyst)
        else:
            value = wm_mean * rng.uniform(1.18, 1.5)  # T1-bright lesion
        texture = 1.0 + 0.06 * gaussian_filter(rng.normal(size=d.shape), 1.0) / 0.2
        img[sl] = img[sl] * (1 - alpha) + value * texture * alpha
        lab[sl][mask] = LESION
        painted += 1
    return painted


def _spatial(seed: int, elastic: bool):
    from monai.transforms import Rand3DElasticd, RandAffined

    common = dict(keys=["image", "label"], prob=1.0, rotate_range=(0.26, 0.26, 0.26), scale_range=(0.12, 0.12, 0.12),
                  translate_range=(6, 6, 6), mode=("bilinear", "nearest"), padding_mode="zeros")
    t = (Rand3DElasticd(sigma_range=(6, 9), magnitude_range=(30, 150), **common) if elastic
         else RandAffined(**common))
    t.set_random_state(seed=seed)
    return t


def _intensity(seed: int):
    from monai.transforms import (Compose, RandAdjustContrast, RandBiasField, RandGaussianNoise, RandGaussianSmooth,
                                  RandSimulateLowResolution)

    t = Compose([
        RandBiasField(degree=3, coeff_range=(0.0, 0.35), prob=0.8),
        RandAdjustContrast(gamma=(0.6, 1.6), prob=0.7),
        RandSimulateLowResolution(zoom_range=(0.5, 0.9), prob=0.3),
        RandGaussianSmooth(sigma_x=(0.25, 1.0), sigma_y=(0.25, 1.0), sigma_z=(0.25, 1.0), prob=0.2),
        RandGaussianNoise(mean=0.0, std=0.06, prob=0.8),
    ])
    t.set_random_state(seed=seed)
    return t


def make_case(template: Template, seed: int, options: SynthOptions | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One synthetic case on the template grid.

    Args:
        template: the source brain and labels.
        seed: determines lesions and every random transform.
        options: lesion and deformation settings.

    Returns:
        (image, labels): normalised float32 (X, Y, Z) and uint8 labels (0-4) on the template grid.
    """
    import torch

    options = options or SynthOptions()
    rng = np.random.default_rng(seed)
    img = template.t1.astype(np.float32).copy()
    img /= float(np.percentile(img[template.labels > 0], 99.5))
    lab = template.labels.copy()
    n = int(rng.integers(options.min_lesions, options.max_lesions + 1))
    spacing = float(np.linalg.norm(template.affine[:3, 0]))
    if n:
        insert_lesions(img, lab, rng, spacing, n, options.radius_mm)
    data = {"image": torch.from_numpy(img[None]), "label": torch.from_numpy(lab[None].astype(np.float32))}
    data = _spatial(seed, options.elastic)(data)
    image = _intensity(seed + 1)(data["image"])
    image = np.asarray(image[0], dtype=np.float32)
    label = np.asarray(data["label"][0]).round().astype(np.uint8)
    return normalize_intensity(np.clip(image, 0, None)), label
