"""NIfTI reading (nibabel)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume


def read_nifti(path: Path) -> Volume:
    """Read a NIfTI-1/2 file into a Volume (3D; a 4D file with one volume is squeezed).

    Raises:
        UserError: unreadable, corrupt, or a time series.
    """
    import nibabel as nib

    try:
        img = nib.load(str(path))
        shape = img.shape
        if len(shape) == 4 and shape[3] == 1:
            img = img.slicer[..., 0]
            shape = img.shape
        if len(shape) > 3:
            raise UserError(f"{path.name}: {len(shape)}D NIfTI {tuple(shape)} (a time series?); pass one 3D volume")
        data = np.asarray(img.dataobj, dtype=np.float32)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - nibabel raises many error types for corrupt files
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{path.name}: cannot read NIfTI ({first})") from None
    is_2d = False
    if data.ndim == 2:
        data = data[:, :, None]
        is_2d = True
    elif data.ndim == 3 and data.shape[2] == 1:
        is_2d = True
    affine = img.affine if img.affine is not None else np.eye(4)
    meta = {"format": "nifti", "path": str(path)}
    descrip = img.header.get("descrip") if hasattr(img.header, "get") else None
    if descrip is not None:
        text = bytes(np.asarray(descrip).tobytes()).split(b"\0")[0].decode("latin-1").strip()
        if text:
            meta["description"] = text
    return Volume(data, affine, modality=None, source=meta, is_2d=is_2d)
