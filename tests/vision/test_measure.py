"""Measurements on masks with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from vision_tools.measure import markdown_table, max_diameter_mm, measure
from vision_tools.segmenters.base import Segmentation


def _ball(shape, centre, radius):
    idx = np.indices(shape)
    return np.sqrt(sum((idx[i] - centre[i]) ** 2 for i in range(3))) <= radius


def test_sphere_volume_diameter_centroid():
    mask = np.zeros((50, 50, 50), np.uint8)
    mask[mask == 0] = 1  # tissue everywhere
    mask[_ball(mask.shape, (20, 25, 30), 10)] = 2
    affine = np.diag([1.0, 1.0, 1.0, 1.0])
    affine[:3, 3] = [-100, -50, 10]
    seg = Segmentation(mask, affine, {1: "tissue", 2: "lesion"}, findings=[2])
    m = measure(seg)
    assert m.finding_counts == {"lesion": 1}
    f = m.findings[0]
    assert f.volume_ml == pytest.approx(4 / 3 * np.pi * 10**3 / 1000, rel=0.03)
    assert f.max_diameter_mm == pytest.approx(20.0, abs=0.01)
    assert f.centroid_ras_mm == [-80.0, -25.0, 40.0]
    assert m.volumes_ml["tissue"] == pytest.approx(125.0 - f.volume_ml, rel=1e-6)


def test_anisotropic_spacing_and_two_lesions_ranked_by_volume():
    mask = np.zeros((60, 60, 20), np.uint8)
    mask[5:15, 5:9, 2:4] = 3  # small box: 10 x 4 x 2 voxels
    mask[30:50, 30:40, 10:15] = 3  # large box
    affine = np.diag([0.5, 0.5, 3.0, 1.0])
    seg = Segmentation(mask, affine, {3: "lesion"}, findings=[3])
    m = measure(seg, min_finding_ml=0.0)
    assert [f.voxels for f in m.findings] == [1000, 80]
    big = m.findings[0]
    assert big.index == 1 and big.volume_ml == pytest.approx(1000 * 0.75 / 1000)
    # corners of a 20 x 10 x 5 box of voxel centres: (19*0.5, 9*0.5, 4*3) mm
    assert big.max_diameter_mm == pytest.approx(np.sqrt(9.5**2 + 4.5**2 + 12**2), abs=0.06)


def test_tiny_components_ignored():
    mask = np.zeros((10, 10, 10), np.uint8)
    mask[2, 2, 2] = 1
    seg = Segmentation(mask, np.eye(4), {1: "lesion"}, findings=[1])
    assert measure(seg, min_finding_ml=0.05).finding_counts == {"lesion": 0}


def test_max_diameter_brute_force_matches_hull():
    rng = np.random.default_rng(0)
    pts = rng.normal(size=(300, 3)) * [5, 2, 1]
    brute = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1)).max()
    assert max_diameter_mm(pts) == pytest.approx(brute)
    assert max_diameter_mm(pts[:1]) == 0.0


def test_markdown_table_lists_volumes_and_findings():
    mask = np.zeros((20, 20, 20), np.uint8)
    mask[:10] = 1
    mask[12:16, 12:16, 12:16] = 2
    m = measure(Segmentation(mask, np.diag([2.0, 2.0, 2.0, 1.0]), {1: "grey matter", 2: "lesion"}, findings=[2]))
    table = markdown_table(m)
    lines = table.splitlines()
    assert lines[0].startswith("| structure | volume (mL)")
    assert "| grey matter | 32.0 |" in table
    assert "| lesion (total, 1 found) | 0.51 |" in table
    assert lines[-1].startswith("| lesion 1 | 0.51 |")
