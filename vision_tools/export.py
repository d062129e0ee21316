"""Writing results: the label mask as NIfTI and, for DICOM inputs, as a DICOM SEG (highdicom)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.segmenters.base import Segmentation
from vision_tools.volume import Volume


def write_nifti(seg: Segmentation, path: str | Path) -> Path:
    """Write the label mask as a uint8 NIfTI with the input's affine (temp file, then rename)."""
    import nibabel as nib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img = nib.Nifti1Image(seg.mask.astype(np.uint8), seg.affine)
    img.header["descrip"] = f"medbot {seg.segmenter} labels"[:79]
    img.header.set_intent("label")
    tmp = path.with_name(".tmp-" + path.name)
    nib.save(img, str(tmp))
    os.replace(tmp, path)
    return path


def _category(name: str):
    """SNOMED property category/type codes for a label name (tissue vs morphologically abnormal structure)."""
    from highdicom.sr import CodedConcept

    lower = name.lower()
    if "lesion" in lower or "tumou" in lower or "tumor" in lower:
        return (CodedConcept("49755003", "SCT", "Morphologically Altered Structure"),
                CodedConcept("52988006", "SCT", "Lesion"))
    known = {"grey matter": ("389080002", "Grey matter"), "gray matter": ("389080002", "Grey matter"),
             "white matter": ("389081003", "White matter"), "csf": ("65216001", "Cerebrospinal fluid")}
    code, meaning = known.get(lower, ("85756007", "Tissue"))
    return CodedConcept("85756007", "SCT", "Tissue"), CodedConcept(code, "SCT", meaning)


def write_dicom_seg(volume: Volume, seg: Segmentation, path: str | Path, series_description: str = "medbot segmentation") -> Path:
    """Write a DICOM SEG (binary, one segment per label present) referencing the source series.

    Args:
        volume: the DICOM input (its `dicom` datasets are the source images).
        seg: segmentation on the input grid.
        path: output `.dcm` path.

    Returns:
        The path written.

    Raises:
        UserError: the input was not DICOM.
    """
    import highdicom as hd
    from pydicom.sr.codedict import codes

    if not volume.dicom:
        raise UserError("a DICOM SEG needs a DICOM input")
    path = Path(path)
    present = [v for v in sorted(seg.labels) if np.any(seg.mask == v)]
    if not present:
        raise UserError("the segmentation is empty: no DICOM SEG written")
    descriptions = []
    for number, value in enumerate(present, start=1):
        category, kind = _category(seg.labels[value])
        descriptions.append(hd.seg.SegmentDescription(
            segment_number=number, segment_label=seg.labels[value][:64], segmented_property_category=category,
            segmented_property_type=kind, algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC,
            algorithm_identification=hd.AlgorithmIdentificationSequence(
                name=f"medbot {seg.segmenter}"[:64], version="1", family=codes.cid7162.ArtificialIntelligence)))
    # (X, Y, Z) mask -> frames (Z, rows=Y, cols=X), segments on the last axis.
    frames = np.transpose(seg.mask, (2, 1, 0))
    source_images = volume.dicom  # sorted like the mask's slices (or one multi-frame image)
    pixel = np.stack([frames == v for v in present], axis=-1)
    src = source_images[0]
    seg_ds = hd.seg.Segmentation(
        source_images=source_images, pixel_array=pixel, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
        segment_descriptions=descriptions, series_instance_uid=hd.UID(), series_number=int(getattr(src, "SeriesNumber", 1) or 1) + 1000,
        sop_instance_uid=hd.UID(), instance_number=1, manufacturer="medbot", manufacturer_model_name=f"medbot {seg.segmenter}"[:64],
        software_versions="medbot", device_serial_number="0", series_description=series_description[:64])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".tmp-" + path.name)
    seg_ds.save_as(str(tmp))
    os.replace(tmp, path)
    return path
