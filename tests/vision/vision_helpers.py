"""Helpers for vision tests: synthetic volumes and a tiny threshold model."""

from __future__ import annotations

import numpy as np


def sphere_volume(shape=(40, 40, 30), spacing=2.0, centre=(20, 18, 15), radius_mm=8.0, value=100.0, background=10.0):
    """A grey volume with one bright sphere; returns (array, affine)."""
    idx = np.indices(shape).astype(np.float32)
    d = np.sqrt(sum(((idx[i] - centre[i]) * spacing) ** 2 for i in range(3)))
    arr = np.full(shape, background, dtype=np.float32)
    arr[d <= radius_mm] = value
    affine = np.diag([spacing, spacing, spacing, 1.0])
    affine[:3, 3] = [-40.0, -30.0, -20.0]
    return arr, affine


def threshold_module():
    import torch

    class Threshold(torch.nn.Module):
        """Logits for background/foreground: foreground where the (min-max normalised) input > 0.5."""

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            g = x[:, :1]
            return torch.cat([0.5 - g, g - 0.5], dim=1) * 10.0

    return Threshold().eval()


THRESHOLD_CONFIG = {"name": "threshold", "labels": {"1": "bright spot"}, "findings": [1], "modalities": ["MR"],
                    "normalization": "minmax", "spatial_dims": 3, "description": "test threshold model for MR"}
