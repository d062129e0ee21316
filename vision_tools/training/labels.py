"""Tissue labels of the MNI152 template, defined from nilearn's probability maps.

Definition (documented in the model card and README): inside nilearn's MNI152 brain mask, each
voxel takes the most probable of grey matter (`load_mni152_gm_template`), white matter
(`load_mni152_wm_template`) and their complement 1 - p(GM) - p(WM), called CSF; outside the brain
mask it is background (0). Values: 0 background, 1 CSF, 2 grey matter, 3 white matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

CSF, GM, WM, LESION = 1, 2, 3, 4


@dataclass(frozen=True)
class Template:
    """The MNI152 T1 template with its tissue labels.

    Attributes:
        t1: T1 intensities (X, Y, Z) float32, RAS axis order.
        labels: uint8 tissue labels (0 background, 1 CSF, 2 GM, 3 WM).
        affine: voxel -> RAS mm.
        resolution: template resolution in mm (1 or 2).
    """

    t1: np.ndarray
    labels: np.ndarray
    affine: np.ndarray
    resolution: int


def tissue_labels(gm: np.ndarray, wm: np.ndarray, brain: np.ndarray) -> np.ndarray:
    """Argmax of (1 - GM - WM, GM, WM) probabilities inside `brain`; 0 outside.

    Args:
        gm, wm: probability maps in [0, 1], same shape.
        brain: boolean brain mask.

    Returns:
        uint8 labels: 0 background, 1 CSF, 2 GM, 3 WM.
    """
    gm = np.clip(gm, 0, 1)
    wm = np.clip(wm, 0, 1)
    csf = np.clip(1.0 - gm - wm, 0, 1)
    lab = (np.argmax(np.stack([csf, gm, wm]), axis=0) + 1).astype(np.uint8)
    lab[~brain.astype(bool)] = 0
    return lab


@lru_cache(maxsize=2)
def load_template(resolution: int = 2) -> Template:
    """Load nilearn's MNI152 template and build its labels (cached).

    Args:
        resolution: 1 or 2 mm.

    Raises:
        InternalError: nilearn is missing.
    """
    try:
        from nilearn import datasets
    except ImportError as exc:  # pragma: no cover - nilearn is a dependency
        from vision_tools.errors import InternalError

        raise InternalError(f"nilearn is needed for the MNI152 template ({exc})") from None
    import nibabel as nib

    t1_img = datasets.load_mni152_template(resolution=resolution)
    gm_img = datasets.load_mni152_gm_template(resolution=resolution)
    wm_img = datasets.load_mni152_wm_template(resolution=resolution)
    brain_img = datasets.load_mni152_brain_mask(resolution=resolution)
    imgs = [nib.as_closest_canonical(i) for i in (t1_img, gm_img, wm_img, brain_img)]
    t1, gm, wm, brain = (np.asarray(i.get_fdata(), dtype=np.float32) for i in imgs)
    labels = tissue_labels(gm, wm, brain > 0.5)
    return Template(t1=t1, labels=labels, affine=imgs[0].affine.copy(), resolution=resolution)
