"""Synthetic labelled lesion crops for tests and demonstrations (no clinical data ships offline).

Two classes that differ in shape only: "round" (near-spherical blobs) and "elongated" (ellipsoids
three to five times longer than wide), each with random size, orientation, contrast sign, bias and
noise. Written as NIfTI (3D) or PNG (2D) files in a class-per-subfolder layout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = ("elongated", "round")


def crop(kind: str, rng: np.random.Generator, size: int = 24, spatial_dims: int = 3) -> np.ndarray:
    """One crop of class `kind` as a float32 array (size,)*spatial_dims."""
    idx = np.indices((size,) * spatial_dims).reshape(spatial_dims, -1).T.astype(np.float64) - (size - 1) / 2
    q, _ = np.linalg.qr(rng.normal(size=(spatial_dims, spatial_dims)))
    if kind == "round":
        radii = rng.uniform(0.18, 0.3) * size * rng.uniform(0.85, 1.15, size=spatial_dims)
    else:
        short = rng.uniform(0.08, 0.12) * size
        radii = np.full(spatial_dims, short)
        radii[0] = short * rng.uniform(3.0, 4.5)
    d = np.sqrt((((idx @ q) / radii) ** 2).sum(axis=1)).reshape((size,) * spatial_dims)
    lesion = np.clip((1.1 - d) / 0.2, 0, 1)
    background = 1.0 + 0.15 * rng.normal() + 0.1 * (idx[:, 0].reshape(d.shape) / size)
    sign = -1 if rng.random() < 0.5 else 1
    img = background + sign * rng.uniform(0.3, 0.6) * lesion + rng.normal(scale=0.08, size=d.shape)
    return img.astype(np.float32)


def write_crops(folder: str | Path, per_class: int = 20, spatial_dims: int = 3, size: int = 24, seed: int = 0,
                spacing_mm: float = 1.0) -> Path:
    """Write `per_class` crops of each class under `folder/<class>/`.

    3D crops are NIfTI files with `spacing_mm` voxels; 2D crops are 8-bit PNG files.

    Returns:
        The folder.
    """
    import nibabel as nib
    from PIL import Image

    root = Path(folder)
    rng = np.random.default_rng(seed)
    for kind in CLASSES:
        (root / kind).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            arr = crop(kind, rng, size, spatial_dims)
            if spatial_dims == 3:
                nib.save(nib.Nifti1Image(arr * 1000.0, np.diag([spacing_mm] * 3 + [1.0])), str(root / kind / f"{i:03d}.nii.gz"))
            else:
                png = np.clip(arr / 2.0 * 255, 0, 255).astype(np.uint8)
                Image.fromarray(png).save(root / kind / f"{i:03d}.png")
    return root
