"""Reading a class-per-subfolder image folder into fixed-size arrays, and cutting lesion crops.

Every image is read with `vision_tools.io.load_image` (DICOM, NIfTI, PNG/JPEG), resampled to the
classifier's input size and z-scored on its own, in training and at prediction alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume

IMAGE_SUFFIXES = (".nii", ".nii.gz", ".dcm", ".png", ".jpg", ".jpeg")


@dataclass
class FolderData:
    """A labelled image folder loaded into memory.

    Attributes:
        images: (N, C, *size) float32, z-scored.
        targets: (N,) class indices.
        classes: class names (sorted subfolder names).
        files: source file of each image (relative to the folder).
        spatial_dims: 2 or 3.
        channels: image channels (1 grey, 3 colour).
        modalities: modalities found in the files (DICOM tag, "PHOTO" for pictures), sorted.
        extent_mm: median field of view of the images (mm per axis).
    """

    images: np.ndarray
    targets: np.ndarray
    classes: list[str]
    files: list[str]
    spatial_dims: int
    channels: int
    modalities: list[str] = field(default_factory=list)
    extent_mm: list[float] = field(default_factory=list)


def _is_image(path: Path) -> bool:
    name = path.name.lower()
    return path.is_file() and not name.startswith(".") and name.endswith(IMAGE_SUFFIXES)


def to_input(volume: Volume, spatial_dims: int, size: int) -> np.ndarray:
    """One image as a (C, size, size[, size]) float32 array: RAS order, resized, z-scored per image."""
    from vision_tools.preprocess import resize, to_canonical

    arr = volume.array if volume.array.ndim == 4 else volume.array[..., None]
    chans = []
    for c in range(arr.shape[3]):
        can = to_canonical(arr[..., c].astype(np.float32), volume.affine).array
        chans.append(can[:, :, 0] if spatial_dims == 2 else can)
    x = np.stack(chans)
    shape = (size,) * spatial_dims
    if spatial_dims == 2:  # (C, X, Y) -> (C, X, Y, 1) so one trilinear resize serves both
        x = resize(x[..., None], shape + (1,)).numpy()[..., 0]
    else:
        x = resize(x, shape).numpy()
    mean, std = float(x.mean()), float(x.std())
    return ((x - mean) / (std if std > 1e-6 else 1.0)).astype(np.float32)


def load_folder(folder: str | Path, size: int | None = None, max_mb: dict[str, float] | None = None) -> FolderData:
    """Read a class-per-subfolder folder.

    Args:
        folder: holds one subfolder per class, each with images.
        size: input edge in voxels (default 64 for 2D, 32 for 3D).
        max_mb: per-kind file size limits.

    Raises:
        UserError: not a folder, fewer than two classes, a class with fewer than two images, files
            that are not images, 2D and 3D images mixed, differing channel counts.
    """
    from vision_tools.io import LoadOptions, load_image

    root = Path(folder)
    if not root.is_dir():
        raise UserError(f"{root}: not a folder (expected one subfolder per class)")
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(class_dirs) < 2:
        raise UserError(f"{root}: needs at least two class subfolders, found {len(class_dirs)}")
    volumes: list[tuple[Volume, int, str]] = []
    for k, d in enumerate(class_dirs):
        files = sorted(p for p in d.rglob("*") if _is_image(p))
        series = sorted({p.parent for p in d.rglob("*.dcm")} - {d})
        if len(files) + len(series) < 2:
            raise UserError(f"class '{d.name}' has {len(files)} image(s); each class needs at least two")
        for p in files:
            if p.suffix.lower() == ".dcm" and p.parent != d:
                continue  # DICOM files in a subfolder form one series
            volumes.append((load_image(p, LoadOptions(max_mb=max_mb)), k, str(p.relative_to(root))))
        for s in series:
            volumes.append((load_image(s, LoadOptions(max_mb=max_mb)), k, str(s.relative_to(root))))
    dims = {2 if v.is_2d else 3 for v, _, _ in volumes}
    if len(dims) != 1:
        raise UserError(f"{root}: mixes 2D pictures and 3D volumes; train one classifier per kind")
    chans = {v.channels for v, _, _ in volumes}
    if len(chans) != 1:
        raise UserError(f"{root}: mixes grey and colour images ({sorted(chans)} channels)")
    spatial_dims = dims.pop()
    size = size or (64 if spatial_dims == 2 else 32)
    images = np.stack([to_input(v, spatial_dims, size) for v, _, _ in volumes])
    extents = np.median(np.array([v.extent_mm for v, _, _ in volumes]), axis=0)
    return FolderData(images=images, targets=np.array([k for _, k, _ in volumes], dtype=np.int64),
                      classes=[d.name for d in class_dirs], files=[f for _, _, f in volumes], spatial_dims=spatial_dims,
                      channels=chans.pop(), modalities=sorted({(v.modality or "").upper() for v, _, _ in volumes} - {""}),
                      extent_mm=[round(float(e), 2) for e in extents])


def lesion_crop(volume: Volume, centroid_ras_mm, crop_mm: list[float], spatial_dims: int) -> Volume:
    """A crop of `volume` centred on a lesion, `crop_mm` wide per axis (an axial slice for 2D).

    The crop is cut on the input grid (zero-padded at the edges) and keeps the input's voxel size,
    so `to_input` resamples it like the training images.
    """
    inv = np.linalg.inv(volume.affine)
    centre = inv[:3, :3] @ np.asarray(centroid_ras_mm, dtype=np.float64) + inv[:3, 3]
    spacing = np.array(volume.spacing)
    half = np.maximum(1, np.round(np.asarray(crop_mm[:3] + [crop_mm[-1]] * (3 - len(crop_mm)), float) / spacing / 2)).astype(int)
    if spatial_dims == 2:
        half[2] = 0
    lo = np.round(centre).astype(int) - half
    hi = np.round(centre).astype(int) + half + (0 if spatial_dims == 3 else 1)
    grey = volume.grey()
    out = np.zeros(tuple(hi - lo), dtype=np.float32)
    src_lo = np.maximum(lo, 0)
    src_hi = np.minimum(hi, grey.shape)
    if np.all(src_hi > src_lo):
        dst = tuple(slice(a - b, c - b) for a, b, c in zip(src_lo, lo, src_hi))
        out[dst] = grey[tuple(slice(a, c) for a, c in zip(src_lo, src_hi))]
    affine = volume.affine.copy()
    affine[:3, 3] = volume.affine[:3, :3] @ lo + volume.affine[:3, 3]
    return Volume(out, affine, modality=volume.modality, is_2d=spatial_dims == 2)
