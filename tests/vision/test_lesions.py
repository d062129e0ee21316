"""Per-lesion characterisation: ventricles derived on the MNI152 template, MAGNIMS location classes,
IBSI shape measures and the lesion table."""

from __future__ import annotations

import numpy as np
import pytest

from vision_tools.lesions import characterise, derive_ventricles, lesion_table, shape_measures
from vision_tools.measure import measure
from vision_tools.model import DEFAULT_LABELS
from vision_tools.segmenters.base import Segmentation


@pytest.fixture(scope="module")
def template():
    from vision_tools.training.labels import load_template

    return load_template(2)


def _ras(idx, affine):
    return np.asarray(idx, float) @ affine[:3, :3].T + affine[:3, 3]


def test_ventricles_of_the_mni_template(template):
    """The MNI152 ventricles: lateral ventricles as one deep, symmetric, midline structure (plus the
    fourth ventricle); sulci, cisterns and deep Sylvian pockets of CSF are left out."""
    from scipy.ndimage import distance_transform_edt, label

    lab, aff = template.labels, template.affine
    vent = derive_ventricles(lab, aff, csf_value=1)
    comps, n = label(vent)
    sizes = np.bincount(comps.ravel())[1:]
    assert 1 <= n <= 3
    lateral = comps == 1 + int(np.argmax(sizes))
    ml = lateral.sum() * 8 / 1000
    assert 8 < ml < 40, ml  # a young-adult average brain (13 mL here)
    ras = _ras(np.argwhere(lateral), aff)
    left, right = (ras[:, 0] < 0).sum(), (ras[:, 0] > 0).sum()
    assert 0.8 < left / right < 1.25
    cx, cy, cz = ras.mean(axis=0)
    assert abs(cx) < 3 and -30 < cy < 0 and 5 < cz < 25, (cx, cy, cz)
    # frontal horns in front of the centre, atria behind it, nothing out in the Sylvian fissures
    assert ras[:, 1].max() > 15 and ras[:, 1].min() < -40 and np.abs(ras[:, 0]).max() < 36
    for i in range(1, n + 1):  # every other component (the fourth ventricle) lies on the midline
        assert abs(_ras(np.argwhere(comps == i), aff)[:, 0].mean()) < 3
    depth = distance_transform_edt(lab > 0, sampling=(2, 2, 2))
    assert depth[vent].min() > 3.0  # never reaches the brain surface
    assert vent.sum() < 0.2 * (lab == 1).sum()  # most CSF (sulci, cisterns) is not ventricle


def _pick(cond, rng):
    idx = np.argwhere(cond)
    return idx[rng.integers(len(idx))]


def _ball(shape, centre, r_vox):
    idx = np.indices(shape)
    return sum((idx[i] - centre[i]) ** 2 for i in range(3)) <= r_vox ** 2


def test_location_classes_on_template(template):
    """Lesions painted into the template's labels at known places get the MAGNIMS class they should."""
    from scipy.ndimage import distance_transform_edt

    lab = template.labels.copy()
    aff = template.affine
    vent = derive_ventricles(lab, aff, csf_value=1)
    to_vent = distance_transform_edt(~vent, sampling=(2, 2, 2))
    to_gm = distance_transform_edt(lab != 2, sampling=(2, 2, 2))
    to_csf = distance_transform_edt(lab != 1, sampling=(2, 2, 2))
    wm = lab == 3
    rng = np.random.default_rng(0)
    places = {
        "periventricular": _pick(wm & (to_vent > 3) & (to_vent <= 4.5) & (to_gm > 4), rng),
        "deep white matter": _pick(wm & (to_vent > 12) & (to_gm > 8) & (to_csf > 8), rng),
        "juxtacortical": _pick(wm & (to_gm > 3) & (to_gm <= 4.5) & (to_vent > 30), rng),
    }
    for centre in places.values():
        lab[_ball(lab.shape, centre, 2) & (lab == 3)] = 4
    seg = Segmentation(lab, aff, dict(DEFAULT_LABELS), findings=[4], segmenter="truth")
    m = measure(seg, min_finding_ml=0.0)
    details = characterise(seg, m)
    assert details["ventricles_ml"] == pytest.approx(vent.sum() * 8 / 1000, abs=0.01)
    assert len(m.findings) == 3
    for expected, centre in places.items():
        f = min(m.findings, key=lambda f: np.linalg.norm(np.array(f.centroid_ras_mm) - _ras(centre, aff)))
        assert f.location == expected, (expected, f)
        assert f.lesion_class == "no classifier" and f.class_probability is None
    by = {f.location: f for f in m.findings}
    assert by["periventricular"].distance_to_ventricles_mm <= 4.0
    assert by["deep white matter"].distance_to_ventricles_mm > 6
    table = lesion_table(m)
    assert table.count("\n") == 4 and "periventricular" in table and "no classifier" in table


@pytest.mark.parametrize("where", [(25.0, 2.0, 0.0), (16.0, -22.0, 8.0)], ids=["putamen", "lateral thalamus"])
def test_deep_grey_nuclei_are_not_cortex(template, where):
    """A lesion inside a deep grey nucleus (grey-matter label, far from sulci) is not juxtacortical."""
    lab = template.labels.copy()
    aff = template.affine
    inv = np.linalg.inv(aff)
    centre = np.round(inv[:3, :3] @ np.array(where) + inv[:3, 3]).astype(int)
    assert lab[tuple(centre)] == 2
    lab[_ball(lab.shape, centre, 1.5)] = 4
    seg = Segmentation(lab, aff, dict(DEFAULT_LABELS), findings=[4])
    m = measure(seg, min_finding_ml=0.0)
    characterise(seg, m)
    assert m.findings[0].location not in ("juxtacortical", None)


def test_shape_measures_sphere_and_ellipsoid():
    idx = np.indices((40, 40, 40)).astype(float) - 19.5
    sphere = (idx ** 2).sum(axis=0) <= 12 ** 2
    s = shape_measures(sphere, np.diag([1.0, 1.0, 1.0, 1.0]))
    assert s["elongation"] == pytest.approx(1.0, abs=0.02) and s["flatness"] == pytest.approx(1.0, abs=0.02)
    assert 0.9 < s["sphericity"] <= 1.0
    ellipsoid = (idx[0] / 15) ** 2 + (idx[1] / 5) ** 2 + (idx[2] / 5) ** 2 <= 1
    e = shape_measures(ellipsoid, np.diag([1.0, 1.0, 1.0, 1.0]))
    assert e["elongation"] == pytest.approx(1 / 3, abs=0.03)
    assert e["sphericity"] < s["sphericity"] - 0.1
    # the same ellipsoid on an anisotropic grid (1 x 1 x 2.5 mm) measures about the same
    aniso = (idx[0] / 15) ** 2 + (idx[1] / 5) ** 2 + (idx[2] * 2.5 / 5) ** 2 <= 1
    a = shape_measures(aniso, np.diag([1.0, 1.0, 2.5, 1.0]))
    assert a["elongation"] == pytest.approx(1 / 3, abs=0.05)


def test_no_tissue_labels_no_location():
    mask = np.zeros((30, 30, 30), np.uint8)
    mask[10:16, 10:14, 10:13] = 1
    seg = Segmentation(mask, np.eye(4), {1: "bright spot"}, findings=[1])
    m = measure(seg, min_finding_ml=0.0)
    details = characterise(seg, m)
    f = m.findings[0]
    assert f.location is None and f.distance_to_ventricles_mm is None and details["ventricles_ml"] is None
    assert f.elongation == pytest.approx(np.sqrt((4 ** 2 - 1 + 1) / (6 ** 2 - 1 + 1)), abs=0.01)
    assert "| 1 | " in lesion_table(m) and "| - |" in lesion_table(m)
    assert "component" not in f.to_dict()
