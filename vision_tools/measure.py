"""Measurements of a segmentation: per-label volumes, findings (connected components) with their
volume, largest 3D diameter and centroid in RAS millimetres, and a Markdown table for reports."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from vision_tools.segmenters.base import Segmentation


@dataclass
class Finding:
    """One connected component of a finding label (e.g. one lesion).

    Attributes:
        index: 1-based rank by volume (1 = largest).
        label: the label's name.
        volume_ml: volume in mL.
        max_diameter_mm: largest distance between two voxel centres of the component, in mm.
        centroid_ras_mm: centre of mass in patient RAS millimetres.
        centroid_voxel: centre of mass in voxel indices of the input volume.
        voxels: number of voxels.
        location: "periventricular", "juxtacortical", "deep white matter" or "other" (see
            `vision_tools.lesions`); None when the segmenter has no tissue labels to place it.
        distance_to_ventricles_mm: nearest distance between voxel centres of the lesion and the
            derived ventricles; None without ventricles.
        elongation, flatness, sphericity: IBSI shape measures (1 = round); None for 2D images.
        lesion_class: the class a user's lesion classifier gave, or "no classifier".
        class_probability: that class's softmax probability; None without a classifier.
        component: (bounding-box slices, boolean mask) of the component; not serialised.
    """

    index: int
    label: str
    volume_ml: float
    max_diameter_mm: float
    centroid_ras_mm: list[float]
    centroid_voxel: list[float]
    voxels: int
    location: str | None = None
    distance_to_ventricles_mm: float | None = None
    elongation: float | None = None
    flatness: float | None = None
    sphericity: float | None = None
    lesion_class: str = "no classifier"
    class_probability: float | None = None
    component: tuple | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "component"}


@dataclass
class Measurements:
    """Everything measured on one segmentation.

    Attributes:
        volumes_ml: label name -> volume in mL.
        findings: components of finding labels, largest first.
        finding_counts: label name -> number of components.
        segmenter: name of the segmenter.
        notice: the segmenter's notice (e.g. demo model).
        lesion_details: how lesions were characterised (ventricle volume, location basis, classifier).
    """

    volumes_ml: dict[str, float]
    findings: list[Finding] = field(default_factory=list)
    finding_counts: dict[str, int] = field(default_factory=dict)
    segmenter: str = ""
    notice: str = ""
    lesion_details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"volumes_ml": {k: round(v, 2) for k, v in self.volumes_ml.items()},
                "finding_counts": self.finding_counts,
                "findings": [f.to_dict() for f in self.findings], "lesion_details": self.lesion_details,
                "segmenter": self.segmenter, "notice": self.notice}


def max_diameter_mm(points_mm: np.ndarray) -> float:
    """Largest pairwise distance among points (N, 3) in mm (convex hull first when N is large)."""
    pts = np.asarray(points_mm, dtype=np.float64)
    if len(pts) < 2:
        return 0.0
    if len(pts) > 64:
        from scipy.spatial import ConvexHull, QhullError

        try:
            pts = pts[ConvexHull(pts).vertices]
        except (QhullError, ValueError):  # flat components: fall back to all points (subsampled)
            pts = pts[:: max(1, len(pts) // 2000)]
    d2 = np.sum((pts[:, None, :] - pts[None, :, :]) ** 2, axis=-1)
    return float(np.sqrt(d2.max()))


def _surface_points(component: np.ndarray) -> np.ndarray:
    """Voxel indices on the border of a boolean component (the farthest pair lies there)."""
    from scipy.ndimage import binary_erosion

    border = component & ~binary_erosion(component)
    return np.argwhere(border)


def measure(seg: Segmentation, min_finding_ml: float = 0.05) -> Measurements:
    """Measure a segmentation.

    Args:
        seg: the segmentation (mask on the input grid with its affine).
        min_finding_ml: components smaller than this are ignored as noise.

    Returns:
        Volumes per label and the findings, largest first.
    """
    from scipy.ndimage import find_objects, label as cc_label

    volumes = seg.volumes_ml()
    findings: list[Finding] = []
    counts: dict[str, int] = {}
    vv = seg.voxel_volume_ml
    for value in seg.findings:
        name = seg.labels.get(value, str(value))
        comps, n = cc_label(seg.mask == value, structure=np.ones((3, 3, 3), dtype=bool))
        found = []
        for i, sl in enumerate(find_objects(comps), start=1):
            if sl is None:
                continue
            local = comps[sl] == i
            nvox = int(local.sum())
            if nvox * vv < min_finding_ml:
                continue
            offset = np.array([s.start for s in sl], dtype=np.float64)
            idx = np.argwhere(local) + offset
            centroid_vox = idx.mean(axis=0)
            centroid = seg.affine[:3, :3] @ centroid_vox + seg.affine[:3, 3]
            surface = _surface_points(local) + offset
            surface_mm = surface @ seg.affine[:3, :3].T
            found.append(Finding(0, name, round(nvox * vv, 3), round(max_diameter_mm(surface_mm), 1),
                                 [round(float(c), 1) for c in centroid], [round(float(c), 1) for c in centroid_vox], nvox,
                                 component=(sl, local)))
        counts[name] = len(found)
        findings.extend(found)
    findings.sort(key=lambda f: -f.volume_ml)
    for rank, f in enumerate(findings, start=1):
        f.index = rank
    return Measurements(volumes_ml=volumes, findings=findings, finding_counts=counts, segmenter=seg.segmenter,
                        notice=seg.notice)


def markdown_table(m: Measurements, max_findings: int = 10) -> str:
    """Measurements as a Markdown table (volumes, then each finding)."""
    rows = ["| structure | volume (mL) | largest diameter (mm) | centroid RAS (mm) |", "|---|---:|---:|---|"]
    for name, v in m.volumes_ml.items():
        if name in m.finding_counts:
            rows.append(f"| {name} (total, {m.finding_counts[name]} found) | {v:.2f} | | |")
        else:
            rows.append(f"| {name} | {v:.1f} | | |")
    for f in m.findings[:max_findings]:
        c = ", ".join(f"{x:.1f}" for x in f.centroid_ras_mm)
        rows.append(f"| {f.label} {f.index} | {f.volume_ml:.2f} | {f.max_diameter_mm:.1f} | {c} |")
    if len(m.findings) > max_findings:
        rows.append(f"| ... {len(m.findings) - max_findings} more | | | |")
    return "\n".join(rows)
