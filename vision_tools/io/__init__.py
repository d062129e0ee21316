"""Readers that turn a DICOM file or series folder, a NIfTI file or a PNG/JPEG picture into a `Volume`.

`load_image(path)` picks the reader from the file's content (not only its name) and checks what
every segmenter needs: a size limit, pixel data, finite values that are not constant, sane spacing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vision_tools.errors import UserError
from vision_tools.volume import Volume

# Limits per kind of file, in MB (the upload limits of `safety.max_upload_mb` use the same keys).
DEFAULT_LIMITS_MB = {"dicom": 500.0, "nifti": 500.0, "image": 200.0}
MIN_SPACING_MM = 0.01
MAX_SPACING_MM = 50.0


@dataclass
class LoadOptions:
    """Options for `load_image`.

    Attributes:
        max_mb: largest accepted input per kind ("dicom", "nifti", "image"), in MB.
    """

    max_mb: dict[str, float] | None = None

    def limit(self, kind: str) -> float:
        limits = {**DEFAULT_LIMITS_MB, **(self.max_mb or {})}
        return float(limits.get(kind, DEFAULT_LIMITS_MB["dicom"]))


def sniff(path: Path) -> str:
    """Kind of file at `path`: "dicom-series", "dicom", "nifti" or "image".

    Raises:
        UserError: the path does not exist or is not a format medbot reads.
    """
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if path.is_dir():
        return "dicom-series"
    with open(path, "rb") as fh:
        head = fh.read(352)
    name = path.name.lower()
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    if head[:8] == b"\x89PNG\r\n\x1a\n" or head[:3] == b"\xff\xd8\xff":
        return "image"
    if head[:2] == b"\x1f\x8b" and (name.endswith(".nii.gz") or name.endswith(".gz")):
        return "nifti"
    if len(head) >= 348 and (head[344:348] in (b"n+1\x00", b"ni1\x00") or int.from_bytes(head[:4], "little") in (348, 540)):
        return "nifti"
    if name.endswith(".dcm"):
        return "dicom"  # DICOM without preamble; the reader decides
    raise UserError(f"{path.name}: not an image medbot reads (DICOM, NIfTI, PNG or JPEG)")


def _size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def load_image(path: str | Path, options: LoadOptions | None = None) -> Volume:
    """Read an image into a `Volume` and check it is usable.

    Args:
        path: a DICOM file, a folder holding one DICOM series, a NIfTI file (.nii/.nii.gz), or a
            PNG/JPEG picture.
        options: size limits.

    Returns:
        The volume, float32 voxel values (DICOM rescale applied), affine to RAS mm.

    Raises:
        UserError: unreadable, too large, no pixel data, compressed without a decoder, empty or
            constant, absurd spacing.
    """
    options = options or LoadOptions()
    path = Path(path).expanduser()
    kind = sniff(path)
    limit_kind = "dicom" if kind.startswith("dicom") else kind
    size = _size_mb(path)
    if size > options.limit(limit_kind):
        raise UserError(f"{path.name}: {size:.0f} MB is over the {options.limit(limit_kind):.0f} MB limit for {limit_kind} input")
    if kind == "dicom-series":
        from vision_tools.io.dicom import read_dicom_series

        volume = read_dicom_series(path)
    elif kind == "dicom":
        from vision_tools.io.dicom import read_dicom_file

        volume = read_dicom_file(path)
    elif kind == "nifti":
        from vision_tools.io.nifti import read_nifti

        volume = read_nifti(path)
    else:
        from vision_tools.io.picture import read_picture

        volume = read_picture(path)
    check_volume(volume, name=path.name)
    return volume


def check_volume(volume: Volume, name: str = "image") -> None:
    """Refuse volumes no segmenter can use.

    Raises:
        UserError: empty, non-finite, constant, or absurd voxel spacing.
    """
    import numpy as np

    arr = volume.array
    if arr.size == 0 or min(volume.shape) < 1:
        raise UserError(f"{name}: the image is empty")
    if not np.all(np.isfinite(arr)):
        raise UserError(f"{name}: the image holds NaN or infinite values")
    if float(arr.max()) == float(arr.min()):
        raise UserError(f"{name}: the image is constant (every voxel is {float(arr.min()):g}); nothing to segment")
    for s in volume.spacing:
        if not (MIN_SPACING_MM <= s <= MAX_SPACING_MM):
            raise UserError(f"{name}: voxel spacing {', '.join(f'{v:g}' for v in volume.spacing)} mm is outside "
                            f"{MIN_SPACING_MM:g}-{MAX_SPACING_MM:g} mm; check the header")


__all__ = ["LoadOptions", "load_image", "check_volume", "sniff"]
