"""Per-lesion characterisation: location class, distance to the ventricles and shape.

Location classes follow the MAGNIMS consensus on MRI in multiple sclerosis (Filippi et al., Lancet
Neurol 2016;15:292-303) and the 2017 McDonald criteria (Thompson et al., Lancet Neurol
2018;17:162-173): a *periventricular* lesion abuts the lateral ventricles with no white matter in
between; a *juxtacortical* lesion abuts the cortex with no white matter in between (MAGNIMS groups
cortical and juxtacortical lesions together); other lesions in the white matter are *deep white
matter*. Infratentorial lesions are not named: the segmenter has no brainstem or cerebellum label,
so that class cannot be derived from its output.

The segmenter's CSF label mixes ventricles and sulci. Ventricles are derived from it: connected
CSF components (6-connectivity) that never come within `surface_mm` of the brain's outer surface
and hold at least `min_ventricle_ml` and `min_ventricle_share` of the largest such component (deep
sulcal pockets, as in the Sylvian fissure, and T1-dark lesions the segmenter calls CSF are small
beside the lateral ventricles). Components are taken after eroding the CSF by `bridge_mm`
(and grown back by as much inside the CSF), so that a thin CSF bridge, as through the choroidal
fissure or the third ventricle into the basal cisterns, does not join the ventricles to the sulci. Cortex is the grey matter within `cortex_mm` of sulcal CSF
(CSF that is not ventricle) or of the outside of the brain, so deep grey nuclei (thalamus, basal
ganglia), which the grey-matter label also covers, do not make a lesion juxtacortical.

Shape measures follow the Image Biomarker Standardisation Initiative (Zwanenburg et al.,
Radiology 2020;295:328-338), as in pyradiomics: with lambda1 >= lambda2 >= lambda3 the eigenvalues
of the component's second moments in mm, elongation = sqrt(lambda2 / lambda1) and flatness =
sqrt(lambda3 / lambda1) (1 = as wide as long, toward 0 = elongated / flat); sphericity =
(36 pi V^2)^(1/3) / A on the marching-cubes surface (1 = a sphere).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vision_tools.measure import Measurements
from vision_tools.segmenters.base import Segmentation

LOCATIONS = ("periventricular", "juxtacortical", "deep white matter")
# Label names (lower case) that give each tissue role; a segmenter without all three gets no location.
ROLE_NAMES = {"csf": {"csf", "cerebrospinal fluid"}, "gm": {"grey matter", "gray matter"}, "wm": {"white matter"}}


@dataclass
class LesionOptions:
    """Settings of the characterisation.

    Attributes:
        contact_mm: a lesion touches a structure when voxel centres of both lie within this distance
            (never less than one voxel, including diagonal neighbours).
        surface_mm: CSF components coming this close to the brain's outer surface are sulci/cisterns.
        min_ventricle_ml: smaller deep CSF components are not taken as ventricles.
        min_ventricle_share: deep CSF components smaller than this share of the largest are not ventricles.
        bridge_mm: CSF connections about twice this thick or thinner are cut before components are taken.
        cortex_mm: grey matter within this distance of sulcal CSF or the outside of the brain is cortex.
        min_wm_share: a lesion touching neither ventricles nor cortex is "deep white matter" when at
            least this share of the voxels around it is white matter (otherwise "other").
    """

    contact_mm: float = 2.0
    surface_mm: float = 3.0
    min_ventricle_ml: float = 0.5
    min_ventricle_share: float = 0.1
    bridge_mm: float = 2.0
    cortex_mm: float = 5.0
    min_wm_share: float = 0.5


def tissue_roles(labels: dict[int, str]) -> dict[str, int] | None:
    """Label values of CSF, grey matter and white matter by name, or None if one is missing."""
    roles = {}
    for role, names in ROLE_NAMES.items():
        value = next((v for v, n in labels.items() if n.lower() in names), None)
        if value is None:
            return None
        roles[role] = value
    return roles


def outside_brain(mask: np.ndarray) -> np.ndarray:
    """Background voxels connected to the border of the array (holes inside the brain excluded)."""
    from scipy.ndimage import label

    comps, _ = label(mask == 0)
    border = np.unique(np.concatenate([comps[[0, -1]].ravel(), comps[:, [0, -1]].ravel(), comps[:, :, [0, -1]].ravel()]))
    return np.isin(comps, border[border > 0])


def derive_ventricles(mask: np.ndarray, affine: np.ndarray, csf_value: int, options: LesionOptions | None = None,
                      outside: np.ndarray | None = None) -> np.ndarray:
    """Ventricles from a CSF label: CSF components deep inside the brain that do not reach its surface.

    Args:
        mask: label array (X, Y, Z).
        affine: voxel -> RAS mm.
        csf_value: label value of CSF.
        options: thresholds (surface band, minimum volume).
        outside: precomputed `outside_brain(mask)`.

    Returns:
        Boolean ventricle mask.
    """
    from scipy.ndimage import binary_dilation, binary_erosion, label

    options = options or LesionOptions()
    spacing = np.linalg.norm(affine[:3, :3], axis=0)
    outside = outside_brain(mask) if outside is None else outside
    csf = mask == csf_value
    cut = max(0, int(round(options.bridge_mm / float(spacing.min()))))
    steps = max(1, int(round(options.surface_mm / float(spacing.min())))) + cut  # erosion moves CSF `cut` voxels inward
    # the surface band: brain voxels within `steps` voxels (6-connected steps) of the outside
    near_surface = binary_dilation(outside, iterations=steps) & ~outside
    core = binary_erosion(csf, iterations=cut) if cut else csf
    comps, n = label(core)
    if n == 0:
        return np.zeros(mask.shape, dtype=bool)
    sizes = np.bincount(comps.ravel(), minlength=n + 1)
    reaching = np.unique(comps[near_surface])
    keep = sizes * float(abs(np.linalg.det(affine[:3, :3]))) / 1000.0 >= options.min_ventricle_ml / 4
    keep[0] = False
    keep[reaching] = False
    ventricles = keep[comps]
    if cut:  # grow back what the erosion took, inside the CSF
        ventricles = binary_dilation(ventricles, iterations=cut, mask=csf)
    comps, n = label(ventricles)
    sizes = np.bincount(comps.ravel(), minlength=n + 1)
    sizes[0] = 0
    keep = (sizes * float(abs(np.linalg.det(affine[:3, :3]))) / 1000.0 >= options.min_ventricle_ml) & (
        sizes >= options.min_ventricle_share * sizes.max())
    return keep[comps]


def shape_measures(component: np.ndarray, affine: np.ndarray) -> dict[str, float | None]:
    """IBSI elongation, flatness and sphericity of one boolean 3D component (see the module docstring)."""
    a = affine[:3, :3]
    idx = np.argwhere(component).astype(np.float64)
    pts = idx @ a.T
    cov = np.cov(pts.T, bias=True) if len(pts) > 1 else np.zeros((3, 3))
    cov = cov + a @ a.T / 12.0  # each voxel is a solid box, not a point
    lam = np.sort(np.linalg.eigvalsh(cov))[::-1]
    out: dict[str, float | None] = {"elongation": round(float(np.sqrt(max(lam[1], 0) / lam[0])), 3),
                                    "flatness": round(float(np.sqrt(max(lam[2], 0) / lam[0])), 3), "sphericity": None}
    if min(component.shape) < 1:
        return out
    from skimage.measure import marching_cubes, mesh_surface_area

    padded = np.pad(component.astype(np.float32), 1)
    spacing = tuple(float(s) for s in np.linalg.norm(a, axis=0))
    try:
        verts, faces, _, _ = marching_cubes(padded, level=0.5, spacing=spacing)
    except (ValueError, RuntimeError):
        return out
    area = float(mesh_surface_area(verts, faces))
    tri = verts[faces]
    volume = abs(float(np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()) / 6.0)
    if area > 0 and volume > 0:
        out["sphericity"] = round(float((36.0 * np.pi * volume ** 2) ** (1.0 / 3.0) / area), 3)
    return out


def _ball_offsets(spacing: np.ndarray, radius_mm: float) -> np.ndarray:
    """Boolean structuring element of voxel offsets within `radius_mm` (at least the 26-neighbourhood)."""
    r = np.maximum(1, np.ceil(radius_mm / spacing)).astype(int)
    grid = np.indices(tuple(2 * r + 1)).reshape(3, -1).T - r
    d = np.sqrt(((grid * spacing) ** 2).sum(axis=1))
    keep = (d <= radius_mm + 1e-6) | (np.abs(grid).max(axis=1) <= 1)
    ball = np.zeros(tuple(2 * r + 1), dtype=bool)
    ball[tuple((grid[keep] + r).T)] = True
    return ball


def _nearest_mm(points_a: np.ndarray, tree) -> float:
    d, _ = tree.query(points_a, k=1)
    return float(np.min(d))


def characterise(seg: Segmentation, m: Measurements, options: LesionOptions | None = None) -> dict:
    """Add location, distance to the ventricles and shape to every finding of `m` (in place).

    Location needs CSF, grey-matter and white-matter labels (looked up by name); without them the
    location and distance stay None. Shape measures are computed for every 3D finding.

    Returns:
        Details for the report: {"ventricles_ml": float | None, "location_basis": str}.
    """
    from scipy.ndimage import binary_dilation, distance_transform_edt
    from scipy.spatial import cKDTree

    options = options or LesionOptions()
    if not m.findings:
        return {"ventricles_ml": None, "location_basis": "no lesions"}
    spacing = np.linalg.norm(seg.affine[:3, :3], axis=0)
    is_3d = min(seg.mask.shape) > 1
    roles = tissue_roles(seg.labels) if is_3d else None
    details: dict = {"ventricles_ml": None,
                     "location_basis": "no location: the segmenter has no CSF, grey and white matter labels" if roles is None
                     else "MAGNIMS 2016 classes from the segmenter's tissue labels; ventricles derived from its CSF label"}
    ventricles = tree = outside = None
    if roles is not None:
        outside = outside_brain(seg.mask)
        ventricles = derive_ventricles(seg.mask, seg.affine, roles["csf"], options, outside=outside)
        details["ventricles_ml"] = round(float(ventricles.sum()) * seg.voxel_volume_ml, 2)
        if ventricles.any():
            border = ventricles & ~_erode(ventricles)
            tree = cKDTree(np.argwhere(border) @ seg.affine[:3, :3].T)
    contact = max(options.contact_mm, float(np.linalg.norm(spacing)) * 1.01)
    ball = _ball_offsets(spacing, contact)
    pad = np.array(ball.shape) // 2 + np.ceil(options.cortex_mm / spacing).astype(int) + 1
    for f in m.findings:
        comp_sl, comp = f.component
        if is_3d:
            f.__dict__.update(shape_measures(comp, seg.affine))
        if roles is None:
            continue
        lo = np.maximum([s.start for s in comp_sl] - pad, 0)
        hi = np.minimum([s.stop for s in comp_sl] + pad, seg.mask.shape)
        box = tuple(slice(a, b) for a, b in zip(lo, hi))
        local = np.zeros(tuple(hi - lo), dtype=bool)
        off = np.array([s.start for s in comp_sl]) - lo
        local[tuple(slice(o, o + n) for o, n in zip(off, comp.shape))] = comp
        shell = binary_dilation(local, structure=ball) & ~local
        lab = seg.mask[box]
        vent = ventricles[box]
        surface = (lab == roles["csf"]) & ~vent | outside[box]
        near = distance_transform_edt(~surface, sampling=spacing) <= options.cortex_mm if surface.any() else np.zeros_like(surface)
        cortex = (lab == roles["gm"]) & near
        touches_vent = bool((shell & vent).any())
        touches_cortex = bool((shell & cortex).any())
        wm_share = float((lab[shell] == roles["wm"]).mean()) if shell.any() else 0.0
        if touches_vent:
            f.location = "periventricular"
        elif touches_cortex:
            f.location = "juxtacortical"
        else:
            f.location = "deep white matter" if wm_share >= options.min_wm_share else "other"
        if tree is not None:
            pts = (np.argwhere(local & ~_erode(local)) + lo) @ seg.affine[:3, :3].T
            f.distance_to_ventricles_mm = round(_nearest_mm(pts, tree), 1)
    return details


def _erode(mask: np.ndarray) -> np.ndarray:
    from scipy.ndimage import binary_erosion

    return binary_erosion(mask)


def lesion_table(m: Measurements, max_rows: int = 20) -> str:
    """The per-lesion Markdown table: number, volume, centroid, location, distance, shape, class."""
    rows = ["| # | volume (mL) | centroid RAS (mm) | location | to ventricles (mm) | elongation | sphericity | class (p) |",
            "|---:|---:|---|---|---:|---:|---:|---|"]

    def fmt(v, spec):
        return "-" if v is None else format(v, spec)

    for f in m.findings[:max_rows]:
        c = ", ".join(f"{x:.1f}" for x in f.centroid_ras_mm)
        cls = f.lesion_class if f.class_probability is None else f"{f.lesion_class} ({f.class_probability:.2f})"
        rows.append(f"| {f.index} | {f.volume_ml:.2f} | {c} | {f.location or '-'} | {fmt(f.distance_to_ventricles_mm, '.1f')} "
                    f"| {fmt(f.elongation, '.2f')} | {fmt(f.sphericity, '.2f')} | {cls} |")
    if len(m.findings) > max_rows:
        rows.append(f"| ... {len(m.findings) - max_rows} more | | | | | | | |")
    return "\n".join(rows)
