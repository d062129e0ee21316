"""DICOM reading (one file, multi-frame file or series folder) and writing of a series from a volume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume

_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def _read(path: Path, stop_before_pixels: bool = False):
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        return pydicom.dcmread(str(path), stop_before_pixels=stop_before_pixels)
    except InvalidDicomError:
        raise UserError(f"{path.name}: not a DICOM file") from None
    except Exception as exc:  # noqa: BLE001 - truncated or corrupt files raise many kinds of errors
        raise UserError(f"{path.name}: corrupt DICOM file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None


def _pixels(ds, name: str) -> np.ndarray:
    """Pixel array with rescale slope/intercept applied, float32."""
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        raise UserError(f"{name}: DICOM without pixel data (a report, structured data or SEG?)")
    try:
        arr = ds.pixel_array
    except Exception as exc:  # noqa: BLE001 - pydicom raises RuntimeError/NotImplementedError/ValueError
        ts = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        if ts is not None and getattr(ts, "is_compressed", False):
            if not _decoder_available(ts):
                raise UserError(f"{name}: compressed DICOM ({ts.name}) and no decoder for it is installed "
                                "(install pylibjpeg with its plugins, or decompress the file with gdcmconv)") from None
            raise UserError(f"{name}: compressed DICOM ({ts.name}) whose pixel data cannot be decoded (corrupt?)") from None
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"{name}: cannot decode DICOM pixel data ({first})") from None
    arr = arr.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    if slope != 1 or intercept != 0:
        arr = arr * slope + intercept
    return arr


def _decoder_available(ts) -> bool:
    try:
        from pydicom.pixels import get_decoder

        return bool(get_decoder(ts).is_available)
    except (ImportError, NotImplementedError, ValueError):
        return False


def _meta(ds, path: Path, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {"format": kind, "path": str(path)}
    names = {"Modality": "modality", "BodyPartExamined": "body_part", "SeriesDescription": "series_description",
             "StudyDescription": "study_description", "Manufacturer": "manufacturer",
             "PhotometricInterpretation": "photometric", "SOPClassUID": "sop_class_uid"}
    for key, name in names.items():
        value = getattr(ds, key, None)
        if value not in (None, ""):
            out[name] = str(value)
    if "RescaleSlope" in ds or "RescaleIntercept" in ds:
        out["rescale"] = [float(getattr(ds, "RescaleSlope", 1) or 1), float(getattr(ds, "RescaleIntercept", 0) or 0)]
    return out


def _frame_geometry(ds) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[float, float]] | None:
    """(row dir, col dir, position, (row spacing, col spacing)) in LPS, or None when absent."""
    iop = getattr(ds, "ImageOrientationPatient", None)
    ipp = getattr(ds, "ImagePositionPatient", None)
    ps = getattr(ds, "PixelSpacing", None)
    if iop is None or ipp is None:
        return None
    iop = np.asarray([float(v) for v in iop])
    spacing = (float(ps[0]), float(ps[1])) if ps is not None else (1.0, 1.0)
    return iop[:3], iop[3:], np.asarray([float(v) for v in ipp]), spacing


def _affine(row_dir, col_dir, origin, spacing, normal_step) -> np.ndarray:
    """Voxel (i=column, j=row, k=slice) -> RAS mm."""
    lps = np.eye(4)
    lps[:3, 0] = row_dir * spacing[1]
    lps[:3, 1] = col_dir * spacing[0]
    lps[:3, 2] = normal_step
    lps[:3, 3] = origin
    return _LPS_TO_RAS @ lps


def _is_colour(ds) -> bool:
    return int(getattr(ds, "SamplesPerPixel", 1) or 1) > 1


def read_dicom_file(path: Path) -> Volume:
    """Read one DICOM file: a single slice (2D) or a multi-frame image (3D).

    Raises:
        UserError: not DICOM, corrupt, no pixel data, compressed without a decoder.
    """
    ds = _read(path)
    arr = _pixels(ds, path.name)
    meta = _meta(ds, path, "dicom")
    modality = str(getattr(ds, "Modality", "") or "") or None
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    colour = _is_colour(ds)
    if frames == 1:
        geo = _frame_geometry(ds)
        if colour:
            vol_arr = np.transpose(arr, (1, 0, 2))[:, :, None, :]
        else:
            vol_arr = arr.T[:, :, None]
        if geo is None:
            ps = getattr(ds, "PixelSpacing", None) or getattr(ds, "ImagerPixelSpacing", None) or (1.0, 1.0)
            ps = [float(v) for v in ps]
            if min(ps) <= 0:  # some X-ray headers carry 0 spacing: treat as unknown
                ps = [1.0, 1.0]
                meta["spacing"] = "unknown (1 mm assumed)"
            affine = np.diag([ps[1], ps[0], float(getattr(ds, "SliceThickness", 1) or 1), 1.0])
        else:
            row, col, pos, spacing = geo
            thick = float(getattr(ds, "SliceThickness", 1) or 1)
            affine = _affine(row, col, pos, spacing, np.cross(row, col) * thick)
        meta["frames"] = 1
        return Volume(vol_arr, affine, modality=modality, source=meta, dicom=[ds], is_2d=True)
    if colour:
        raise UserError(f"{path.name}: multi-frame colour DICOM (video or photo series) is not a volume medbot segments")
    # Multi-frame: use per-frame positions when the enhanced functional groups carry them.
    positions = []
    row = col = None
    spacing = (1.0, 1.0)
    try:
        shared = ds.SharedFunctionalGroupsSequence[0]
        row_col = np.asarray([float(v) for v in shared.PlaneOrientationSequence[0].ImageOrientationPatient])
        row, col = row_col[:3], row_col[3:]
        ps = shared.PixelMeasuresSequence[0].PixelSpacing
        spacing = (float(ps[0]), float(ps[1]))
        for fg in ds.PerFrameFunctionalGroupsSequence:
            positions.append(np.asarray([float(v) for v in fg.PlanePositionSequence[0].ImagePositionPatient]))
    except (AttributeError, IndexError, KeyError):
        positions = []
    vol_arr = np.transpose(arr, (2, 1, 0))  # (frames, rows, cols) -> (cols, rows, frames)
    if row is not None and len(positions) == frames:
        normal = np.cross(row, col)
        d = np.asarray([float(p @ normal) for p in positions])
        order = np.argsort(d)
        vol_arr = vol_arr[:, :, order]
        steps = np.diff(d[order])
        step = float(np.median(steps)) if len(steps) else 1.0
        affine = _affine(row, col, positions[order[0]], spacing, normal * step)
    else:
        thick = float(getattr(ds, "SpacingBetweenSlices", 0) or getattr(ds, "SliceThickness", 1) or 1)
        ps = getattr(ds, "PixelSpacing", None)
        if ps is not None:
            spacing = (float(ps[0]), float(ps[1]))
        affine = np.diag([spacing[1], spacing[0], thick, 1.0])
        meta["geometry"] = "missing: frames assumed parallel and evenly spaced"
    meta["frames"] = frames
    return Volume(vol_arr, affine, modality=modality, source=meta, dicom=[ds], is_2d=False)


def read_dicom_series(folder: Path) -> Volume:
    """Read a folder holding one DICOM series; slices sorted by position along the slice normal.

    Raises:
        UserError: no DICOM files, several series, mixed sizes, duplicate positions, missing geometry.
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    headers = []
    for p in sorted(q for q in folder.rglob("*") if q.is_file()):
        try:
            ds = pydicom.dcmread(str(p), stop_before_pixels=True)
        except (InvalidDicomError, OSError, ValueError, EOFError, AttributeError, KeyError, TypeError):
            continue
        if "SOPClassUID" in ds or "Modality" in ds:
            headers.append((p, ds))
    if not headers:
        raise UserError(f"{folder.name}: no DICOM files in this folder")
    series = {}
    for p, ds in headers:
        series.setdefault(str(getattr(ds, "SeriesInstanceUID", "")), []).append(p)
    if len(series) > 1:
        sizes = ", ".join(str(len(v)) for v in series.values())
        raise UserError(f"{folder.name}: holds {len(series)} DICOM series ({sizes} files); pass one series folder")
    if len(headers) == 1:
        return read_dicom_file(headers[0][0])
    datasets = [_read(p) for p, _ in headers]
    geos = [_frame_geometry(ds) for ds in datasets]
    if any(g is None for g in geos):
        raise UserError(f"{folder.name}: slices lack ImagePositionPatient/ImageOrientationPatient; cannot stack them")
    row, col, _, spacing = geos[0]
    normal = np.cross(row, col)
    d = np.asarray([float(g[2] @ normal) for g in geos])  # type: ignore[index]
    order = np.argsort(d, kind="stable")
    d_sorted = d[order]
    steps = np.diff(d_sorted)
    if np.any(np.abs(steps) < 1e-4):
        raise UserError(f"{folder.name}: two slices share one position (a mixed or duplicated series)")
    shapes = {(int(ds.Rows), int(ds.Columns)) for ds in datasets}
    if len(shapes) > 1:
        raise UserError(f"{folder.name}: slices have different sizes {sorted(shapes)}")
    datasets = [datasets[i] for i in order]
    slices = [_pixels(ds, f"{folder.name}/{Path(headers[i][0]).name}") for ds, i in zip(datasets, order)]
    if any(s.ndim != 2 for s in slices):
        raise UserError(f"{folder.name}: colour or multi-frame files inside a series are not supported")
    arr = np.stack([s.T for s in slices], axis=2)
    step = float(np.median(steps))
    meta = _meta(datasets[0], folder, "dicom-series")
    meta["slices"] = len(datasets)
    if steps.size and float(steps.max() - steps.min()) > 0.01 * max(step, 1e-6) + 1e-3:
        meta["irregular_spacing_mm"] = [round(float(steps.min()), 4), round(float(steps.max()), 4)]
    affine = _affine(row, col, geos[order[0]][2], spacing, normal * step)  # type: ignore[index]
    modality = str(getattr(datasets[0], "Modality", "") or "") or None
    return Volume(arr, affine, modality=modality, source=meta, dicom=datasets, is_2d=False)


def write_dicom_series(volume: Volume, folder: str | Path, modality: str = "MR", series_description: str = "medbot series",
                       patient_id: str = "ANON", seed: int = 0) -> list[Path]:
    """Write a grey volume as a DICOM series (one file per slice along the third axis, with geometry).

    Intensities are stored as 16-bit integers with a rescale slope/intercept that preserves them.

    Args:
        volume: the volume to write (3D grey).
        folder: output folder (created).
        modality: Modality tag ("MR", "CT", ...).
        series_description: SeriesDescription tag.
        patient_id: PatientID tag.
        seed: makes the UIDs reproducible.

    Returns:
        Paths of the files written, in slice order.
    """
    import pydicom
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arr = volume.grey()
    lo, hi = float(arr.min()), float(arr.max())
    slope = (hi - lo) / 65535.0 if hi > lo else 1.0
    intercept = lo
    lps = np.diag([-1.0, -1.0, 1.0, 1.0]) @ volume.affine
    col_vec, row_vec, k_vec = lps[:3, 0], lps[:3, 1], lps[:3, 2]
    di, dj, dk = volume.spacing
    row_dir = col_vec / di  # along i (columns of the DICOM image)
    col_dir = row_vec / dj  # along j (rows)
    sop_class = "1.2.840.10008.5.1.4.1.1.4" if modality == "MR" else "1.2.840.10008.5.1.4.1.1.2"
    entropy = [f"medbot-{seed}-{patient_id}"]
    study_uid = generate_uid(entropy_srcs=entropy + ["study"])
    series_uid = generate_uid(entropy_srcs=entropy + ["series", series_description])
    frame_uid = generate_uid(entropy_srcs=entropy + ["frame"])
    paths = []
    for k in range(volume.shape[2]):
        meta = FileMetaDataset()
        sop_uid = generate_uid(entropy_srcs=entropy + [series_description, str(k)])
        meta.MediaStorageSOPClassUID = sop_class
        meta.MediaStorageSOPInstanceUID = sop_uid
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = pydicom.uid.PYDICOM_IMPLEMENTATION_UID
        path = folder / f"slice_{k:04d}.dcm"
        ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = sop_class, sop_uid
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, frame_uid
        ds.Modality, ds.SeriesDescription, ds.BodyPartExamined = modality, series_description, "BRAIN"
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "Anonymous^Demo", patient_id, "", "O"
        ds.StudyDate, ds.StudyTime, ds.AccessionNumber = "20000101", "000000", ""
        ds.ReferringPhysicianName, ds.StudyID, ds.SeriesNumber, ds.InstanceNumber = "", "1", 1, k + 1
        ds.Manufacturer = "medbot"
        ds.PositionReferenceIndicator = ""
        pos = lps[:3, 3] + k_vec * k
        ds.ImagePositionPatient = [f"{v:.6f}" for v in pos]
        ds.ImageOrientationPatient = [f"{v:.8f}" for v in np.concatenate([row_dir, col_dir])]
        ds.PixelSpacing = [f"{dj:.6f}", f"{di:.6f}"]
        ds.SliceThickness = f"{dk:.6f}"
        ds.SpacingBetweenSlices = f"{dk:.6f}"
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        plane = arr[:, :, k].T  # (rows=j, cols=i)
        ds.Rows, ds.Columns = int(plane.shape[0]), int(plane.shape[1])
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", f"{intercept:.10g}"
        if modality == "CT":
            ds.RescaleType = "HU"
        stored = np.clip(np.round((plane - intercept) / slope), 0, 65535).astype(np.uint16)
        ds.PixelData = stored.tobytes()
        ds.save_as(str(path), enforce_file_format=True)
        paths.append(path)
    return paths
