"""Wrappers for users' models (TorchScript, ONNX, MONAI bundle), configs and the registry."""

from __future__ import annotations

import json

import numpy as np
import pytest

from vision_tools.errors import UserError
from vision_tools.measure import measure
from vision_tools.registry import get_segmenter
from vision_tools.volume import Volume

from vision_helpers import THRESHOLD_CONFIG, sphere_volume, threshold_module


def _sphere(modality="MR"):
    arr, affine = sphere_volume(centre=(20, 18, 15), radius_mm=8.0)
    return Volume(arr, affine, modality=modality), arr > 50


def _check_sphere(seg, truth):
    assert seg.mask.shape == truth.shape
    assert np.array_equal(seg.mask == 1, truth)
    m = measure(seg)
    assert m.finding_counts == {"bright spot": 1}
    assert m.findings[0].centroid_ras_mm == [0.0, 6.0, 10.0]  # (20, 18, 15) * 2 mm + origin


def test_torchscript_wrapper(torchscript_model):
    seg_model = get_segmenter(str(torchscript_model))
    assert seg_model.name == "threshold"
    vol, truth = _sphere()
    _check_sphere(seg_model.segment(vol), truth)


def test_torchscript_refuses_outside_declared_domain(torchscript_model):
    vol, _ = _sphere(modality="CT")
    with pytest.raises(UserError, match="refused: this is CT"):
        get_segmenter(str(torchscript_model)).segment(vol)


def test_resampling_to_target_spacing_and_back(tmp_path, torchscript_model):
    cfg = dict(THRESHOLD_CONFIG, target_spacing=[4.0, 4.0, 4.0])
    torchscript_model.with_suffix(".json").write_text(json.dumps(cfg))
    vol, truth = _sphere()
    seg = get_segmenter(str(torchscript_model)).segment(vol)
    assert seg.mask.shape == truth.shape
    dice = 2 * np.sum((seg.mask == 1) & truth) / (np.sum(seg.mask == 1) + truth.sum())
    assert dice > 0.8


def test_sliding_window_config(torchscript_model):
    cfg = dict(THRESHOLD_CONFIG, roi_size=[16, 16, 16])
    torchscript_model.with_suffix(".json").write_text(json.dumps(cfg))
    vol, truth = _sphere()
    _check_sphere(get_segmenter(str(torchscript_model)).segment(vol), truth)


def test_onnx_wrapper(tmp_path):
    import torch

    path = tmp_path / "threshold.onnx"
    try:
        torch.onnx.export(threshold_module(), (torch.zeros(1, 1, 8, 8, 8),), str(path), input_names=["image"],
                          output_names=["logits"], dynamic_axes={"image": {2: "x", 3: "y", 4: "z"}}, dynamo=False)
    except TypeError:
        torch.onnx.export(threshold_module(), (torch.zeros(1, 1, 8, 8, 8),), str(path), input_names=["image"],
                          output_names=["logits"], dynamic_axes={"image": {2: "x", 3: "y", 4: "z"}})
    path.with_suffix(".json").write_text(json.dumps(THRESHOLD_CONFIG))
    vol, truth = _sphere()
    _check_sphere(get_segmenter(str(path)).segment(vol), truth)


def test_monai_bundle(tmp_path):
    import torch
    from monai.networks.nets import UNet

    bundle = tmp_path / "tiny_bundle"
    (bundle / "configs").mkdir(parents=True)
    (bundle / "models").mkdir()
    net_def = {"_target_": "monai.networks.nets.UNet", "spatial_dims": 3, "in_channels": 1, "out_channels": 3,
               "channels": [4, 8], "strides": [2], "num_res_units": 0}
    (bundle / "configs" / "inference.json").write_text(json.dumps({"network_def": net_def}))
    (bundle / "configs" / "metadata.json").write_text(json.dumps({"network_data_format": {
        "inputs": {"image": {"num_channels": 1, "spatial_shape": [32, 32, 32]}},
        "outputs": {"pred": {"channel_def": {"0": "background", "1": "liver", "2": "tumor"}}}}}))
    torch.manual_seed(0)
    kwargs = {k: v for k, v in net_def.items() if k != "_target_"}
    net = UNet(**kwargs)
    torch.save(net.state_dict(), bundle / "models" / "model.pt")
    with pytest.raises(UserError, match="segmenter.json"):
        get_segmenter(str(bundle))
    (bundle / "segmenter.json").write_text(json.dumps({"modalities": ["CT"], "findings": [2], "normalization": "window",
                                                       "window": [-200, 300], "description": "tiny test bundle"}))
    seg_model = get_segmenter(str(bundle))
    arr, affine = sphere_volume(shape=(24, 24, 16), centre=(12, 12, 8), radius_mm=10, value=60.0, background=-1000.0)
    vol = Volume(arr, affine, modality="CT")
    seg = seg_model.segment(vol)
    net.eval()
    with torch.no_grad():
        x = np.clip((arr + 200) / 500, 0, 1)[None, None].astype(np.float32)
        expected = net(torch.from_numpy(x)).argmax(1)[0].numpy()
    assert seg.labels == {1: "liver", 2: "tumor"} and seg.findings == [2]
    assert np.array_equal(seg.mask, expected.astype(np.uint8))


def test_config_errors_name_the_key(tmp_path, torchscript_model):
    torchscript_model.with_suffix(".json").write_text(json.dumps(dict(THRESHOLD_CONFIG, colour="blue")))
    with pytest.raises(UserError, match="unknown key 'colour'"):
        get_segmenter(str(torchscript_model))
    torchscript_model.with_suffix(".json").write_text(json.dumps({"labels": {"1": "x"}}))
    with pytest.raises(UserError, match="modalities"):
        get_segmenter(str(torchscript_model))
    torchscript_model.with_suffix(".json").unlink()
    with pytest.raises(UserError, match="config not found"):
        get_segmenter(str(torchscript_model))


def test_registry_unknown_and_unsupported(tmp_path):
    with pytest.raises(UserError, match="unknown segmenter 'nope'"):
        get_segmenter("nope")
    bad = tmp_path / "model.h5"
    bad.write_bytes(b"\0")
    with pytest.raises(UserError, match="unsupported segmenter file"):
        get_segmenter(str(bad))
    junk = tmp_path / "junk.ts"
    junk.write_bytes(b"not a model")
    junk.with_suffix(".json").write_text(json.dumps(THRESHOLD_CONFIG))
    with pytest.raises(UserError, match="not a TorchScript model"):
        get_segmenter(str(junk))
