"""The Segmenter protocol and its result type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from vision_tools.domain import Domain

# Colours for overlays, by label index (RGB 0-255); a model's labels reuse them in order.
PALETTE = [(0, 0, 0), (70, 130, 255), (255, 200, 40), (40, 220, 120), (255, 40, 40), (200, 80, 255),
           (255, 140, 0), (0, 210, 210), (255, 105, 180), (150, 150, 60)]


@dataclass
class Segmentation:
    """A label mask on the input volume's grid.

    Attributes:
        mask: uint8 labels, shape (X, Y, Z) of the input volume (0 = background).
        affine: voxel -> RAS mm, the input's.
        labels: label value -> name, background excluded (e.g. {1: "csf", 2: "grey matter"}).
        findings: label values that are findings (lesions) rather than anatomy: counted as
            connected components and measured one by one.
        segmenter: name of the segmenter that made the mask.
        notice: text every result carries (e.g. "demo model for T1 brain MRI; not for diagnosis").
        extra: JSON-able details from the segmenter (spacing used, time, model card).
    """

    mask: np.ndarray
    affine: np.ndarray
    labels: dict[int, str]
    findings: list[int] = field(default_factory=list)
    segmenter: str = ""
    notice: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size in mm along the array axes."""
        return tuple(float(v) for v in np.linalg.norm(self.affine[:3, :3], axis=0))  # type: ignore[return-value]

    @property
    def voxel_volume_ml(self) -> float:
        return float(abs(np.linalg.det(self.affine[:3, :3]))) / 1000.0

    def volumes_ml(self) -> dict[str, float]:
        """Volume of every label in mL (0.0 for labels absent from the mask)."""
        counts = np.bincount(self.mask.ravel(), minlength=max(self.labels, default=0) + 1)
        return {name: float(counts[v]) * self.voxel_volume_ml for v, name in sorted(self.labels.items())}

    def color(self, value: int) -> tuple[int, int, int]:
        return PALETTE[value % len(PALETTE)] if value else (0, 0, 0)


@runtime_checkable
class Segmenter(Protocol):
    """Anything that turns a Volume into a Segmentation.

    Attributes:
        name: short name shown in results ("default", a file name...).
        domain: what the model accepts; `vision_tools.domain.check_domain` enforces it.
    """

    name: str
    domain: Domain

    def segment(self, volume) -> Segmentation:
        """Segment `volume` (a `vision_tools.volume.Volume`).

        Raises:
            UserError: the volume is outside the model's domain.
        """
        ...
