"""Domain guard: the default model refuses CT, X-ray, ultrasound, photos, 2D and non-brain views."""

from __future__ import annotations

import numpy as np
import pytest

from vision_tools.errors import UserError
from vision_tools.domain import Domain, check_domain, looks_like_ct
from vision_tools.io import load_image
from vision_tools.segmenters.default import DEFAULT_DOMAIN
from vision_tools.volume import Volume


def _brain_like(modality="MR", source=None, shape=(90, 108, 90), spacing=2.0):
    rng = np.random.default_rng(0)
    return Volume(rng.random(shape, dtype=np.float32) * 100, np.diag([spacing] * 3 + [1.0]), modality=modality,
                  source=source or {})


@pytest.mark.parametrize("name, message", [
    ("CT_small.dcm", "CT"),
    ("US1_UNCR.dcm", "ultrasound"),
    ("RG1_UNCR.dcm", "X-ray"),
    ("MR_small.dcm", "single 2D image"),
])
def test_real_dicom_files_refused(name, message):
    from pydicom.data import get_testdata_file

    vol = load_image(get_testdata_file(name))
    with pytest.raises(UserError, match=message) as err:
        check_domain(vol, DEFAULT_DOMAIN, "medbot's default segmenter")
    assert "T1 brain MRI" in str(err.value) and "\n" not in str(err.value)


def test_photo_refused(tmp_path):
    from PIL import Image

    Image.fromarray((np.random.default_rng(1).random((32, 48, 3)) * 255).astype(np.uint8)).save(tmp_path / "p.png")
    with pytest.raises(UserError, match="2D photo"):
        check_domain(load_image(tmp_path / "p.png"), DEFAULT_DOMAIN)


def test_ct_like_nifti_without_modality_refused():
    arr = np.full((100, 100, 60), -1000.0, np.float32)
    arr[20:80, 20:80, 10:50] = 40.0
    vol = Volume(arr, np.diag([2.5, 2.5, 2.5, 1.0]))
    assert looks_like_ct(vol)
    with pytest.raises(UserError, match="Hounsfield"):
        check_domain(vol, DEFAULT_DOMAIN)


def test_mr_brain_like_accepted_and_fov_checked():
    check_domain(_brain_like(), DEFAULT_DOMAIN)
    assert not looks_like_ct(_brain_like())
    with pytest.raises(UserError, match="field of view"):
        check_domain(_brain_like(shape=(20, 20, 20)), DEFAULT_DOMAIN)
    with pytest.raises(UserError, match="body part knee"):
        check_domain(_brain_like(source={"body_part": "KNEE"}), DEFAULT_DOMAIN)


def test_user_domain_accepts_what_it_declares():
    from pydicom.data import get_testdata_file

    ct = load_image(get_testdata_file("CT_small.dcm"))
    ct_2d = Domain(modalities={"CT"}, spatial_dims=2, description="user CT slice model")
    check_domain(ct, ct_2d)
    with pytest.raises(UserError, match="3D volume"):
        check_domain(_brain_like(modality="CT"), ct_2d)
