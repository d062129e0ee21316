"""`medbot train-classifier` round trip on synthetic crops written here, `segment --classifier`, and
refusals (wrong shape or modality, bad folders): one line, exit 2."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from bot.cli import main
from vision_tools.classifier.synthetic import write_crops
from vision_tools.classifier.train import metrics, split


def _one_line_error(capsys, rc, pattern):
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("medbot: error: ") and err.count("\n") == 1, err
    assert pattern in err and "Traceback" not in err


@pytest.fixture(scope="module")
def classifier_3d(tmp_path_factory):
    """A 3D classifier trained for a few steps on synthetic NIfTI crops (shared by the tests below)."""
    root = tmp_path_factory.mktemp("clf")
    data = write_crops(root / "crops", per_class=5, spatial_dims=3, size=24, seed=1, spacing_mm=1.5)
    out = root / "model"
    rc = main(["train-classifier", str(data), "--out", str(out), "--modality", "MR", "--max-steps", "2",
               "--batch-size", "4", "--threads", "1", "--json"])
    assert rc == 0
    return out


def test_train_classifier_writes_weights_and_card(classifier_3d):
    card = json.loads((classifier_3d / "classifier.json").read_text())
    assert (classifier_3d / "classifier.pt").is_file()
    assert card["classes"] == ["elongated", "round"] and card["network"] == "MONAI DenseNet121"
    assert card["input"]["spatial_dims"] == 3 and card["input"]["size"] == 32 and card["input"]["modalities"] == ["MR"]
    assert card["input"]["crop_mm"] == [36.0, 36.0, 36.0]  # 24 voxels of 1.5 mm
    assert card["training"]["steps"] == 2 and card["training"]["command"].startswith("medbot train-classifier")
    held = card["heldout"]
    assert held["images"] == {"elongated": 1, "round": 1} and card["training"]["images"] == {"elongated": 4, "round": 4}
    assert len(held["files"]) == 2
    cm = np.array(held["confusion_matrix"]["matrix"])
    assert cm.shape == (2, 2) and cm.sum() == 2
    assert set(held["per_class"]) == {"elongated", "round"} and 0 <= held["accuracy"] <= 1


def test_segment_with_classifier_adds_class_per_lesion(tmp_path, capsys, sphere_nifti, torchscript_model, classifier_3d):
    rc = main(["segment", str(sphere_nifti), "--segmenter", str(torchscript_model), "--classifier", str(classifier_3d),
               "--out", str(tmp_path / "o"), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    f = data["measurements"]["findings"][0]
    assert f["lesion_class"] in ("elongated", "round") and 0.5 <= f["class_probability"] <= 1.0
    assert data["measurements"]["lesion_details"]["classifier"]["classes"] == ["elongated", "round"]
    assert f["lesion_class"] in data["lesion_table"]


def test_segment_without_classifier_says_so(tmp_path, capsys, sphere_nifti, torchscript_model):
    rc = main(["segment", str(sphere_nifti), "--segmenter", str(torchscript_model), "--out", str(tmp_path / "o")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Lesions (numbered as in the overlay)" in out and "no classifier" in out


def test_classifier_for_other_modality_refused(tmp_path, capsys, sphere_nifti, torchscript_model, classifier_3d):
    ct = tmp_path / "ct-model"
    shutil.copytree(classifier_3d, ct)
    card = json.loads((ct / "classifier.json").read_text())
    card["input"]["modalities"] = ["CT"]
    (ct / "classifier.json").write_text(json.dumps(card))
    out = tmp_path / "o"
    rc = main(["segment", str(sphere_nifti), "--segmenter", str(torchscript_model), "--classifier", str(ct), "--out", str(out)])
    _one_line_error(capsys, rc, "takes 3D CT crops, and this image is MR")
    assert not out.exists()


def test_2d_classifier_refused_on_volume(tmp_path, capsys, sphere_nifti, torchscript_model):
    data = write_crops(tmp_path / "pngs", per_class=3, spatial_dims=2, size=32, seed=2)
    model = tmp_path / "model2d"
    rc = main(["train-classifier", str(data), "--out", str(model), "--max-steps", "1", "--batch-size", "4", "--json"])
    assert rc == 0
    card = json.loads(capsys.readouterr().out)
    assert card["input"]["spatial_dims"] == 2 and card["input"]["modalities"] == ["PHOTO"]
    out = tmp_path / "o"
    rc = main(["segment", str(sphere_nifti), "--segmenter", str(torchscript_model), "--classifier", str(model), "--out", str(out)])
    _one_line_error(capsys, rc, "takes 2D PHOTO crops, and this image is 3D")
    assert not out.exists()


def test_bad_folders(tmp_path, capsys):
    one = tmp_path / "one"
    write_crops(one, per_class=2, spatial_dims=2, size=32)
    shutil.rmtree(one / "round")
    _one_line_error(capsys, main(["train-classifier", str(one)]), "at least two class subfolders")
    nifti = write_crops(tmp_path / "nii", per_class=2, spatial_dims=3, size=8)
    _one_line_error(capsys, main(["train-classifier", str(nifti), "--size", "32"]), "--modality")
    _one_line_error(capsys, main(["train-classifier", str(tmp_path / "missing")]), "no such folder")
    _one_line_error(capsys, main(["segment", str(nifti / "round" / "000.nii.gz"), "--classifier", str(tmp_path / "nope")]),
                    "no such file or folder")


def test_split_and_metrics():
    targets = np.array([0] * 10 + [1] * 3)
    train, held = split(targets, 0.2, seed=0)
    assert len(set(train) & set(held)) == 0 and len(train) + len(held) == 13
    assert (targets[held] == 0).sum() == 2 and (targets[held] == 1).sum() == 1
    m = metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), ["a", "b"])
    assert m["confusion_matrix"]["matrix"] == [[1, 1], [0, 2]]
    assert m["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "support": 2}
    assert m["per_class"]["b"]["precision"] == pytest.approx(2 / 3, abs=1e-4) and m["accuracy"] == 0.75
