"""Domain guard: refuse images a segmenter was not made for, with one clear sentence.

A segmenter declares its `Domain` (modalities, 2D/3D, body part). `check_domain` compares a volume
with it using the DICOM tags when present and the image content otherwise (Hounsfield range for CT,
colour and single slices for photos and X-rays, field of view for brain models).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume

MODALITY_NAMES = {
    "CT": "CT", "MR": "MRI", "US": "ultrasound", "CR": "X-ray (computed radiography)", "DX": "X-ray",
    "DR": "X-ray", "RG": "X-ray", "MG": "mammography", "XA": "X-ray angiography", "RF": "fluoroscopy",
    "PT": "PET", "NM": "nuclear medicine", "OT": "other", "PHOTO": "2D photo or picture", "SM": "slide microscopy",
    "XC": "external camera photo", "ES": "endoscopy", "OP": "ophthalmic photo", "IO": "intra-oral X-ray", "PX": "panoramic X-ray",
}
BRAIN_PARTS = {"BRAIN", "HEAD", "SKULL", "HEADNECK", "CEREBRUM"}


@dataclass
class Domain:
    """What a segmenter accepts.

    Attributes:
        modalities: accepted DICOM modality codes (e.g. {"MR"}); empty accepts any.
        spatial_dims: 3 for volumes, 2 for single images.
        body_part: "brain" enables brain field-of-view checks; None skips them.
        description: one line shown in every result, e.g. "demo model for T1 brain MRI".
        channels: colour channels expected (1 grey, 3 RGB).
        min_extent_mm / max_extent_mm: accepted field of view along each axis (3D only).
    """

    modalities: set[str] = field(default_factory=set)
    spatial_dims: int = 3
    body_part: str | None = None
    description: str = ""
    channels: int = 1
    min_extent_mm: float = 0.0
    max_extent_mm: float = 1e9


def looks_like_ct(volume: Volume) -> bool:
    """True when intensities look like Hounsfield units (air at about -1000 in a large share of voxels)."""
    arr = volume.grey()
    lo = float(arr.min())
    if lo > -500:
        return False
    sample = arr.ravel()[:: max(1, arr.size // 200_000)]
    return float(np.mean(sample <= -800)) > 0.02 and float(np.percentile(sample, 99)) > 0


def _modality_name(code: str) -> str:
    return MODALITY_NAMES.get(code, code)


def check_domain(volume: Volume, domain: Domain, segmenter: str = "the segmenter") -> None:
    """Refuse a volume outside `domain`.

    Raises:
        UserError: naming what the image is and what the segmenter accepts.
    """
    accepts = domain.description or "its declared domain"
    modality = (volume.modality or "").upper()
    if modality and domain.modalities and modality not in domain.modalities:
        raise UserError(f"refused: this is {_modality_name(modality)} (modality {modality}); {segmenter} is a "
                        f"{accepts} and accepts only {', '.join(sorted(_modality_name(m) for m in domain.modalities))}")
    if domain.channels == 1 and volume.channels > 1:
        raise UserError(f"refused: a colour {'picture' if volume.is_2d else 'image'}; {segmenter} is a {accepts} and needs grey-scale images")
    if domain.spatial_dims == 3 and volume.is_2d:
        raise UserError(f"refused: a single 2D image; {segmenter} is a {accepts} and needs a 3D volume "
                        "(a DICOM series folder, a multi-frame DICOM or a 3D NIfTI), or use a 2D model with --segmenter")
    if domain.spatial_dims == 2 and not volume.is_2d:
        raise UserError(f"refused: a 3D volume; {segmenter} is a 2D model ({accepts})")
    if not modality and "CT" not in domain.modalities and domain.modalities and looks_like_ct(volume):
        raise UserError(f"refused: intensities look like CT Hounsfield units; {segmenter} is a {accepts}")
    part = str(volume.source.get("body_part", "")).upper().replace(" ", "")
    if domain.body_part == "brain" and part and part not in BRAIN_PARTS:
        raise UserError(f"refused: body part {part.lower()}; {segmenter} is a {accepts}")
    if not volume.is_2d:
        ext = volume.extent_mm
        if min(ext) < domain.min_extent_mm or max(ext) > domain.max_extent_mm:
            raise UserError(f"refused: field of view {' x '.join(f'{e:.0f}' for e in ext)} mm is not a whole-brain view "
                            f"({domain.min_extent_mm:.0f}-{domain.max_extent_mm:.0f} mm per axis); {segmenter} is a {accepts}")
