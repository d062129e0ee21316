"""The one image type every reader returns and every segmenter takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(eq=False)
class Volume:
    """An image with its geometry.

    Attributes:
        array: voxel values, float32, shape (X, Y, Z) for grey images or (X, Y, Z, C) for colour
            ones (a 2D picture has Z == 1). Index order follows `affine`, as in NIfTI.
        affine: 4x4 matrix from voxel index (i, j, k) to patient RAS millimetres.
        modality: DICOM modality tag when known ("MR", "CT", "US", "CR", "DX", ...); "PHOTO" for
            PNG/JPEG pictures; None when the file does not say (NIfTI).
        source: metadata about where the volume came from (format, path, series description,
            body part, slice count, rescale...), JSON-able.
        dicom: the source DICOM datasets sorted by slice position (for DICOM SEG export), or None.
        is_2d: True for single-slice images (a PNG, one DICOM slice).
    """

    array: np.ndarray
    affine: np.ndarray
    modality: str | None = None
    source: dict[str, Any] = field(default_factory=dict)
    dicom: list | None = field(default=None, repr=False)
    is_2d: bool = False

    def __post_init__(self) -> None:
        self.array = np.asarray(self.array)
        self.affine = np.asarray(self.affine, dtype=np.float64)
        if self.affine.shape != (4, 4):
            raise ValueError(f"affine must be 4x4, got {self.affine.shape}")
        if self.array.ndim not in (3, 4):
            raise ValueError(f"array must have 3 or 4 dimensions (X, Y, Z[, C]), got {self.array.shape}")

    @property
    def shape(self) -> tuple[int, int, int]:
        """Spatial shape (X, Y, Z)."""
        return tuple(int(s) for s in self.array.shape[:3])  # type: ignore[return-value]

    @property
    def channels(self) -> int:
        """Number of colour channels (1 for grey images)."""
        return 1 if self.array.ndim == 3 else int(self.array.shape[3])

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size in mm along the three array axes."""
        return tuple(float(v) for v in np.linalg.norm(self.affine[:3, :3], axis=0))  # type: ignore[return-value]

    @property
    def voxel_volume_ml(self) -> float:
        """Volume of one voxel in millilitres."""
        return float(abs(np.linalg.det(self.affine[:3, :3]))) / 1000.0

    @property
    def orientation(self) -> str:
        """Axis codes of the array axes, e.g. "RAS" or "LPS"."""
        import nibabel as nib

        return "".join(nib.aff2axcodes(self.affine))

    @property
    def extent_mm(self) -> tuple[float, float, float]:
        """Field of view in mm along the three array axes."""
        return tuple(n * s for n, s in zip(self.shape, self.spacing))  # type: ignore[return-value]

    def grey(self) -> np.ndarray:
        """The image as one grey channel, float32 (X, Y, Z)."""
        if self.array.ndim == 3:
            return self.array.astype(np.float32, copy=False)
        rgb = self.array[..., :3].astype(np.float32)
        if rgb.shape[-1] < 3:
            return rgb[..., 0]
        return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary of the geometry and source."""
        return {
            "shape": list(self.shape),
            "spacing_mm": [round(s, 4) for s in self.spacing],
            "orientation": self.orientation,
            "modality": self.modality,
            "is_2d": self.is_2d,
            **{k: v for k, v in self.source.items() if k not in ("dicom",)},
        }
