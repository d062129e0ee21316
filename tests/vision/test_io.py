"""Readers: NIfTI, DICOM series (sorting, rescale, geometry), pictures, and their refusals."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest

from vision_tools.errors import UserError
from vision_tools.io import LoadOptions, load_image
from vision_tools.io.dicom import write_dicom_series
from vision_tools.volume import Volume

from vision_helpers import sphere_volume


def test_nifti_roundtrip(sphere_nifti):
    vol = load_image(sphere_nifti)
    arr, affine = sphere_volume()
    assert vol.shape == arr.shape
    np.testing.assert_allclose(vol.affine, affine)
    np.testing.assert_allclose(vol.array, arr)
    assert vol.spacing == (2.0, 2.0, 2.0) and vol.orientation == "RAS" and not vol.is_2d
    assert vol.modality is None and vol.source["format"] == "nifti"


def test_dicom_series_sorted_by_position_with_geometry_and_rescale(tmp_path):
    arr, affine = sphere_volume(shape=(24, 20, 12))
    arr = arr + np.arange(12, dtype=np.float32)[None, None, :]  # each slice distinct
    paths = write_dicom_series(Volume(arr, affine), tmp_path / "series")
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    names = [f"{i:03d}.dcm" for i in range(len(paths))]
    random.Random(1).shuffle(names)
    for p, n in zip(paths, names):
        shutil.copy(p, shuffled / n)
    vol = load_image(shuffled)
    assert vol.shape == (24, 20, 12) and vol.modality == "MR" and len(vol.dicom) == 12
    np.testing.assert_allclose(vol.affine, affine, atol=1e-4)
    np.testing.assert_allclose(vol.array, arr, atol=0.01)  # rescale slope/intercept applied


def test_dicom_lps_oriented_series_maps_to_same_world(tmp_path):
    arr, _ = sphere_volume(shape=(16, 18, 10), centre=(8, 9, 5), radius_mm=6)
    affine = np.array([[-1.5, 0, 0, 30], [0, -1.5, 0, 40], [0, 0, 3.0, -10], [0, 0, 0, 1.0]])
    write_dicom_series(Volume(arr, affine), tmp_path / "lps")
    vol = load_image(tmp_path / "lps")
    np.testing.assert_allclose(vol.affine, affine, atol=1e-4)
    assert vol.orientation == "LPS"


def test_png_grey_and_rgb(tmp_path):
    from PIL import Image

    grey = (np.arange(30 * 20).reshape(20, 30) % 255).astype(np.uint8)
    Image.fromarray(grey).save(tmp_path / "g.png")
    vol = load_image(tmp_path / "g.png")
    assert vol.is_2d and vol.shape == (30, 20, 1) and vol.channels == 1 and vol.modality == "PHOTO"
    assert vol.array[5, 3, 0] == grey[3, 5]
    rgb = np.stack([grey, grey // 2, 255 - grey], axis=-1)
    Image.fromarray(rgb).save(tmp_path / "c.jpg", quality=95)
    vol = load_image(tmp_path / "c.jpg")
    assert vol.channels == 3 and vol.shape == (30, 20, 1)


def test_real_mr_slice_reads_as_2d():
    from pydicom.data import get_testdata_file

    vol = load_image(get_testdata_file("MR_small.dcm"))
    assert vol.is_2d and vol.modality == "MR" and vol.shape == (64, 64, 1)


@pytest.mark.parametrize("content, message", [
    (b"hello, not an image\n", "not an image"),
    (b"", "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "corrupt"),
])
def test_bad_files(tmp_path, content, message):
    p = tmp_path / "x.bin"
    p.write_bytes(content)
    with pytest.raises(UserError, match=message):
        load_image(p)


def test_truncated_dicom(tmp_path):
    from pydicom.data import get_testdata_file

    raw = open(get_testdata_file("CT_small.dcm"), "rb").read()
    p = tmp_path / "cut.dcm"
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(UserError):
        load_image(p)


def test_dicom_without_pixel_data(tmp_path):
    import pydicom
    from pydicom.data import get_testdata_file

    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    del ds.PixelData
    ds.save_as(tmp_path / "nopix.dcm")
    with pytest.raises(UserError, match="without pixel data"):
        load_image(tmp_path / "nopix.dcm")


def test_compressed_without_decoder_is_clear():
    from pydicom.data import get_testdata_file
    from pydicom.pixels import get_decoder
    from pydicom.uid import JPEGLossless

    if get_decoder(JPEGLossless).is_available:
        pytest.skip("a JPEG Lossless decoder is installed here")
    with pytest.raises(UserError, match="compressed DICOM .* no decoder"):
        load_image(get_testdata_file("JPEG-LL.dcm"))


def test_constant_and_absurd_spacing(tmp_path):
    import nibabel as nib

    nib.save(nib.Nifti1Image(np.full((8, 8, 8), 3.0, np.float32), np.eye(4)), str(tmp_path / "c.nii"))
    with pytest.raises(UserError, match="constant"):
        load_image(tmp_path / "c.nii")
    arr, _ = sphere_volume(shape=(8, 8, 8), centre=(4, 4, 4), radius_mm=4)
    nib.save(nib.Nifti1Image(arr, np.diag([500.0, 1, 1, 1])), str(tmp_path / "s.nii"))
    with pytest.raises(UserError, match="spacing"):
        load_image(tmp_path / "s.nii")


def test_size_limit(sphere_nifti):
    with pytest.raises(UserError, match="over the"):
        load_image(sphere_nifti, LoadOptions(max_mb={"nifti": 0.000001}))


def test_time_series_nifti_refused(tmp_path):
    import nibabel as nib

    nib.save(nib.Nifti1Image(np.random.rand(6, 6, 6, 3).astype(np.float32), np.eye(4)), str(tmp_path / "t.nii.gz"))
    with pytest.raises(UserError, match="time series"):
        load_image(tmp_path / "t.nii.gz")
