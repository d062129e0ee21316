"""`medbot segment` in-process: outputs with a user model, and bad input (one line, exit 2, nothing written)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.cli import main


def _assert_one_line_error(capsys, rc, pattern):
    out = capsys.readouterr()
    assert rc == 2
    assert out.err.startswith("medbot: error: ") and out.err.count("\n") == 1, out.err
    assert pattern in out.err
    assert "Traceback" not in out.err


def test_segment_json_with_user_model(tmp_path, capsys, sphere_nifti, torchscript_model):
    out_dir = tmp_path / "out"
    rc = main(["segment", str(sphere_nifti), "--segmenter", str(torchscript_model), "--out", str(out_dir), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    m = data["measurements"]
    assert m["finding_counts"] == {"bright spot": 1}
    assert m["findings"][0]["centroid_ras_mm"] == [0.0, 6.0, 10.0]
    assert set(data["files"]) == {"mask_nifti", "overlay", "measurements"}
    import nibabel as nib

    mask = np.asarray(nib.load(data["files"]["mask_nifti"]).dataobj)
    assert mask.shape == (40, 40, 30) and set(np.unique(mask)) == {0, 1}
    from PIL import Image

    with Image.open(data["files"]["overlay"]) as im:
        assert im.format == "PNG" and im.size[0] == 4 * 256  # three planes + the numbered projection
    assert "test threshold model" in data["text"]


def test_segment_dicom_series_writes_dicom_seg(tmp_path, capsys, torchscript_model):
    import highdicom as hd

    from vision_helpers import sphere_volume
    from vision_tools.io.dicom import write_dicom_series
    from vision_tools.volume import Volume

    arr, affine = sphere_volume()
    write_dicom_series(Volume(arr, affine), tmp_path / "series")
    rc = main(["segment", str(tmp_path / "series"), "--segmenter", str(torchscript_model), "--out", str(tmp_path / "o"), "--json"])
    assert rc == 0
    files = json.loads(capsys.readouterr().out)["files"]
    seg = hd.seg.segread(files["dicom_seg"])
    assert seg.SegmentSequence[0].SegmentLabel == "bright spot"
    assert int(seg.NumberOfFrames) == int(np.any(arr > 50, axis=(0, 1)).sum())  # empty frames omitted


@pytest.mark.parametrize("make, pattern", [
    (lambda p: p.write_text("just some text\n"), "not an image"),
    (lambda p: p.write_bytes(b""), "not an image"),
])
def test_bad_files(tmp_path, capsys, make, pattern):
    bad = tmp_path / "input.dat"
    make(bad)
    out = tmp_path / "out"
    _assert_one_line_error(capsys, main(["segment", str(bad), "--out", str(out)]), pattern)
    assert not out.exists()


def test_constant_volume(tmp_path, capsys):
    import nibabel as nib

    p = tmp_path / "flat.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros((10, 10, 10), np.float32), np.eye(4)), str(p))
    _assert_one_line_error(capsys, main(["segment", str(p), "--out", str(tmp_path / "o")]), "constant")
    assert not (tmp_path / "o").exists()


def test_missing_file_and_unknown_segmenter(tmp_path, capsys, sphere_nifti):
    _assert_one_line_error(capsys, main(["segment", str(tmp_path / "nope.nii")]), "no such file")
    _assert_one_line_error(capsys, main(["segment", str(sphere_nifti), "--segmenter", "magic"]), "unknown segmenter 'magic'")


def test_2d_picture_refused_by_default_model(tmp_path, capsys):
    from PIL import Image

    p = tmp_path / "photo.png"
    Image.fromarray((np.random.default_rng(0).random((40, 50)) * 255).astype(np.uint8)).save(p)
    _assert_one_line_error(capsys, main(["segment", str(p), "--out", str(tmp_path / "o")]), "refused")
    assert not (tmp_path / "o").exists()


def test_ct_refused_by_default_model(tmp_path, capsys):
    from pydicom.data import get_testdata_file

    rc = main(["segment", get_testdata_file("CT_small.dcm"), "--out", str(tmp_path / "o")])
    _assert_one_line_error(capsys, rc, "refused: this is CT")
    assert not (tmp_path / "o").exists()


def test_train_segmenter_bad_flags(tmp_path, capsys):
    _assert_one_line_error(capsys, main(["train-segmenter", "--iterations", "0"]), "--iterations")
    _assert_one_line_error(capsys, main(["train-segmenter", "--out", str(tmp_path / "w.bin")]), ".pt")
