"""The committed default model: held-out Dice as in its model card, and end-to-end `medbot segment`
on the MNI152 template at 1 mm (a resolution not used in training) and on a DICOM series."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.cli import main
from vision_tools.segmenters.default import DEFAULT_WEIGHTS, DefaultSegmenter, load_card

pytestmark = pytest.mark.slow


def test_committed_weights_are_small_and_documented():
    card = load_card(DEFAULT_WEIGHTS)
    assert DEFAULT_WEIGHTS.stat().st_size < 20e6
    assert card["training"]["command"].startswith("medbot train-segmenter")
    assert isinstance(card["training"]["seed"], int)
    assert set(card["heldout_dice"]) == {"csf", "grey matter", "white matter", "lesion"}
    assert "load_mni152_gm_template" in card["labels"]["2"]


def test_committed_weights_reach_card_dice_on_heldout_cases():
    from vision_tools.training.evaluate import evaluate_segmenter

    seg = DefaultSegmenter()
    card = seg.card
    res = evaluate_segmenter(seg, n=card["heldout"]["cases"], seed0=card["heldout"]["seeds"][0])
    assert res["seeds"] == card["heldout"]["seeds"]
    for label, value in card["heldout_dice"].items():
        assert res["dice"][label] >= value - 0.01, (label, res["dice"][label], value)
    lesions, expected = res["lesions"], card["heldout_lesions"]
    assert lesions["true_lesions"] == expected["true_lesions"]
    assert lesions["f1"] >= expected["f1"] - 0.02 and lesions["recall"] >= expected["recall"] - 0.01
    for size, b in expected["dice_by_size"].items():
        assert lesions["dice_by_size"][size]["dice"] >= b["dice"] - 0.02, size


def test_segment_mni_template_1mm(tmp_path, capsys):
    import nibabel as nib

    from vision_tools.training.labels import load_template

    t = load_template(1)
    path = tmp_path / "mni152_1mm.nii.gz"
    nib.save(nib.Nifti1Image(t.t1, t.affine), str(path))
    rc = main(["segment", str(path), "--out", str(tmp_path / "out"), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    vols = data["measurements"]["volumes_ml"]
    assert vols["grey matter"] == pytest.approx(1090, rel=0.15)
    assert vols["white matter"] == pytest.approx(636, rel=0.15)
    assert "demo model for T1 brain MRI" in data["text"]
    mask = np.asarray(nib.load(data["files"]["mask_nifti"]).dataobj)
    assert mask.shape == t.t1.shape
    agreement = {v: 2 * np.sum((mask == v) & (t.labels == v)) / (np.sum(mask == v) + np.sum(t.labels == v)) for v in (2, 3)}
    assert agreement[2] > 0.8 and agreement[3] > 0.8, agreement
    assert (tmp_path / "out" / "mni152_1mm_overlay.png").is_file()


def test_segment_dicom_series_of_template_with_seg(tmp_path, capsys):
    import highdicom as hd

    from vision_tools.io.dicom import write_dicom_series
    from vision_tools.training.labels import load_template
    from vision_tools.volume import Volume

    t = load_template(2)
    write_dicom_series(Volume(t.t1 * 1000.0, t.affine), tmp_path / "mni_series")
    rc = main(["segment", str(tmp_path / "mni_series"), "--out", str(tmp_path / "out"), "--json"])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["input"]["slices"] == t.t1.shape[2] and data["input"]["modality"] == "MR"
    seg = hd.seg.segread(data["files"]["dicom_seg"])
    names = [s.SegmentLabel for s in seg.SegmentSequence]
    assert {"csf", "grey matter", "white matter"} <= set(names)
    assert data["measurements"]["volumes_ml"]["grey matter"] == pytest.approx(1090, rel=0.15)


def test_eval_segmentation_suite_records_dice(capsys, medbot_home):
    rc = main(["eval", "segmentation", "--cases", "1", "--json"])
    assert rc == 0
    out = capsys.readouterr().out
    data = json.loads(out[out.index("{"):])
    metrics = data.get("metrics", data)
    assert 0.0 <= metrics["dice_grey_matter"] <= 1.0 and metrics["seconds_per_volume"] > 0
    assert list((medbot_home / "eval" / "segmentation").glob("*.json"))


def test_segment_synthetic_lesions_prints_lesion_table(tmp_path, capsys):
    """A held-out synthetic case: every lesion gets a row with a location class, distance and shape."""
    import nibabel as nib

    from vision_tools.lesions import LOCATIONS
    from vision_tools.training.evaluate import heldout_cases

    _, volume, truth = next(heldout_cases(1))
    path = tmp_path / "case.nii.gz"
    nib.save(nib.Nifti1Image(volume.array, volume.affine), str(path))
    rc = main(["segment", str(path), "--out", str(tmp_path / "out")])
    assert rc == 0
    out = capsys.readouterr().out
    assert "Lesions (numbered as in the overlay):" in out
    table = out.split("Lesions (numbered as in the overlay):")[1]
    assert "| location |" in table and "no classifier" in table
    data = json.loads((tmp_path / "out" / "case_measurements.json").read_text())
    findings = data["measurements"]["findings"]
    assert findings and all(f["location"] in LOCATIONS + ("other",) for f in findings)
    assert any(f["location"] in table for f in findings)
    assert all(f["distance_to_ventricles_mm"] is not None and 0 < f["elongation"] <= 1 for f in findings)
    assert 5 < data["measurements"]["lesion_details"]["ventricles_ml"] < 60
    from PIL import Image

    with Image.open(data["files"]["overlay"]) as im:
        assert im.size[0] == 4 * 256
