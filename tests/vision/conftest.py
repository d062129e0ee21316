"""Fixtures for vision tests: small synthetic volumes and tiny user models (nothing downloads)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from vision_helpers import THRESHOLD_CONFIG, sphere_volume, threshold_module  # noqa: E402


@pytest.fixture
def sphere_nifti(tmp_path) -> Path:
    import nibabel as nib

    arr, affine = sphere_volume()
    path = tmp_path / "sphere.nii.gz"
    nib.save(nib.Nifti1Image(arr, affine), str(path))
    return path


@pytest.fixture
def torchscript_model(tmp_path) -> Path:
    """A TorchScript threshold model with its config (`<stem>.json`)."""
    import torch

    path = tmp_path / "models" / "threshold.ts"
    path.parent.mkdir()
    torch.jit.save(torch.jit.script(threshold_module()), str(path))
    path.with_suffix(".json").write_text(json.dumps(THRESHOLD_CONFIG))
    return path




@pytest.fixture(autouse=True)
def one_torch_thread():
    """Vision tests run with one torch thread (on a busy shared machine two threads wait on each other)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
