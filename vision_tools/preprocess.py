"""Geometry and intensity steps shared by training and inference.

Segmenters work on a canonical grid: axes reordered/flipped to RAS (no interpolation), then
resampled to the model's spacing. `Canonical` remembers how to go back to the input grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Canonical:
    """A volume on RAS-ordered axes plus what is needed to map results back.

    Attributes:
        array: (X, Y, Z) float32 in RAS axis order.
        spacing: voxel size (mm) of `array`.
        input_ornt: nibabel orientation of the input axes (to map results back).
        input_shape: spatial shape of the input volume.
    """

    array: np.ndarray
    spacing: tuple[float, float, float]
    input_ornt: np.ndarray
    input_shape: tuple[int, int, int]


def to_canonical(array: np.ndarray, affine: np.ndarray) -> Canonical:
    """Reorder and flip axes so they run R, A, S (exact: no interpolation)."""
    import nibabel.orientations as no

    input_ornt = no.io_orientation(affine)
    ornt = no.ornt_transform(input_ornt, no.axcodes2ornt("RAS"))
    out = no.apply_orientation(array, ornt)
    spacing_in = np.linalg.norm(affine[:3, :3], axis=0)
    spacing = tuple(float(spacing_in[int(ax)]) for ax in np.argsort(ornt[:, 0]))
    return Canonical(np.ascontiguousarray(out, dtype=np.float32), spacing, input_ornt,
                     tuple(int(s) for s in array.shape[:3]))


def from_canonical(array: np.ndarray, canonical: Canonical) -> np.ndarray:
    """Inverse of `to_canonical` for a result on the canonical grid of the input's shape."""
    import nibabel.orientations as no

    inverse = no.ornt_transform(no.axcodes2ornt("RAS"), canonical.input_ornt)
    return np.ascontiguousarray(no.apply_orientation(array, inverse))


def target_shape(shape: tuple[int, ...], spacing: tuple[float, ...], target: float | tuple[float, ...]) -> tuple[int, ...]:
    """Shape after resampling to `target` mm (at least 1 voxel per axis)."""
    tgt = (target,) * len(shape) if isinstance(target, (int, float)) else tuple(target)
    return tuple(max(1, int(round(n * s / t))) for n, s, t in zip(shape, spacing, tgt))


def resize(array: np.ndarray, shape: tuple[int, ...], mode: str = "trilinear"):
    """Resize a (C, X, Y, Z) or (X, Y, Z) array/tensor with torch interpolation (cell-centred).

    Returns:
        A torch tensor (C, X, Y, Z) float32 (labels with mode="nearest").
    """
    import torch
    import torch.nn.functional as F

    t = torch.as_tensor(array)
    if t.ndim == 3:
        t = t[None]
    t = t.float()
    if tuple(t.shape[1:]) == tuple(shape):
        return t
    kw = {"align_corners": False} if mode in ("trilinear", "bilinear") else {}
    return F.interpolate(t[None], size=tuple(shape), mode=mode, **kw)[0]


def normalize_intensity(array: np.ndarray) -> np.ndarray:
    """Robust 0-1 scaling used for T1 MRI: 0.5th percentile -> 0, 99.5th of the foreground -> 1.

    The same function runs in training and inference, so the model sees the same range.
    """
    arr = np.asarray(array, dtype=np.float32)
    sample = arr.ravel()[:: max(1, arr.size // 400_000)]
    lo = float(np.percentile(sample, 0.5))
    fg = sample[sample > lo + 1e-6]
    hi = float(np.percentile(fg, 99.5)) if fg.size else lo + 1.0
    if hi <= lo:
        hi = lo + 1.0
    out = (arr - lo) / (hi - lo)
    return np.clip(out, 0.0, 1.5, out=out)
