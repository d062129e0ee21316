"""Overlay pictures: the image with coloured labels, axial/coronal/sagittal through the largest finding,
and, when there are findings in a 3D image, an axial projection of all of them, each numbered as in
the lesion table."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from vision_tools.measure import Measurements
from vision_tools.segmenters.base import Segmentation
from vision_tools.volume import Volume

PANEL_PX = 256


def _window(arr: np.ndarray) -> np.ndarray:
    lo, hi = np.percentile(arr, [0.5, 99.5])
    hi = hi if hi > lo else lo + 1
    return (np.clip((arr - lo) / (hi - lo), 0, 1) * 255).astype(np.uint8)


def panel_xy(ij: tuple[float, float], shape: tuple[int, int], spacing: tuple[float, float]) -> tuple[float, float]:
    """Pixel (x, y) in a panel of the 2D array index (i, j) of an array of `shape` drawn by `_panel`."""
    nx, ny = shape
    h_mm, w_mm = ny * spacing[1], nx * spacing[0]
    scale = PANEL_PX / max(h_mm, w_mm)
    off_x, off_y = (PANEL_PX - w_mm * scale) / 2, (PANEL_PX - h_mm * scale) / 2
    return off_x + (ij[0] + 0.5) * spacing[0] * scale, off_y + (ny - 1 - ij[1] + 0.5) * spacing[1] * scale


def _numbered_projection(img: np.ndarray, lab: np.ndarray, seg: Segmentation, sp, measurements: Measurements,
                         affine: np.ndarray, alpha: float):
    """Axial projection of every finding over the mean image, each numbered at its centroid."""
    from PIL import ImageDraw

    proj = np.zeros(lab.shape[:2], dtype=np.uint8)
    for value in seg.findings:  # only the measured findings (components below the size limit are left out)
        proj[np.any(lab == value, axis=2)] = value
    mean = img.astype(np.float32).mean(axis=2)
    mean = (255 * mean / max(float(mean.max()), 1e-6)).astype(np.uint8)
    panel = _panel(mean, proj, seg, (sp[0], sp[1]), alpha)
    draw = ImageDraw.Draw(panel)
    inv = np.linalg.inv(affine)
    for f in measurements.findings:
        vox = inv[:3, :3] @ np.array(f.centroid_ras_mm) + inv[:3, 3]
        c = _to_canonical_index(vox, affine, lab.shape)
        x, y = panel_xy((c[0], c[1]), lab.shape[:2], (sp[0], sp[1]))
        text = str(f.index)
        draw.rectangle([x + 3, y - 6, x + 5 + 6 * len(text), y + 5], fill=(0, 0, 0))
        draw.text((x + 4, y - 6), text, fill=(255, 255, 0))
    draw.text((4, 4), "all findings (axial projection), numbered", fill=(230, 230, 230))
    return panel


def _panel(grey: np.ndarray, labels: np.ndarray, seg: Segmentation, spacing: tuple[float, float], alpha: float):
    """One 2D panel (rows = second axis flipped so anterior/superior is up) as a PIL image."""
    from PIL import Image

    g = np.flipud(grey.T)
    lab = np.flipud(labels.T)
    rgb = np.repeat(g[..., None], 3, axis=2).astype(np.float32)
    colours = np.zeros(rgb.shape, dtype=np.float32)
    a = np.zeros(lab.shape, dtype=np.float32)
    for value in seg.labels:
        sel = lab == value
        if sel.any():
            colours[sel] = seg.color(value)
            a[sel] = alpha if value not in seg.findings else min(1.0, alpha + 0.35)
    rgb = rgb * (1 - a[..., None]) + colours * a[..., None]
    img = Image.fromarray(rgb.clip(0, 255).astype(np.uint8))
    h_mm, w_mm = g.shape[0] * spacing[1], g.shape[1] * spacing[0]
    scale = PANEL_PX / max(h_mm, w_mm)
    size = (max(1, int(round(w_mm * scale))), max(1, int(round(h_mm * scale))))
    img = img.resize(size, Image.NEAREST)
    canvas = Image.new("RGB", (PANEL_PX, PANEL_PX), (0, 0, 0))
    canvas.paste(img, ((PANEL_PX - size[0]) // 2, (PANEL_PX - size[1]) // 2))
    return canvas


def write_overlay(volume: Volume, seg: Segmentation, measurements: Measurements, path: str | Path,
                  alpha: float = 0.4) -> Path:
    """Write a PNG with the labels over the image through the largest finding (or the mask's centre).

    3D volumes get axial, coronal and sagittal panels in RAS orientation; 2D images one panel.
    A legend lists the labels and the segmenter's notice. Written to a temporary file, then renamed.

    Returns:
        The PNG path.
    """
    from PIL import Image, ImageDraw

    from vision_tools.preprocess import to_canonical

    path = Path(path)
    grey = volume.grey()
    can_img = to_canonical(grey, volume.affine)
    can_lab = to_canonical(seg.mask, volume.affine)
    img = _window(can_img.array)
    lab = np.rint(can_lab.array).astype(np.uint8)
    sp = can_img.spacing
    if measurements.findings:
        f = measurements.findings[0]
        centre_ras = np.array(f.centroid_ras_mm)
        inv = np.linalg.inv(volume.affine)
        vox_in = inv[:3, :3] @ centre_ras + inv[:3, 3]
        centre = _to_canonical_index(vox_in, volume.affine, can_img.array.shape)
        title = f"through the largest finding: {f.label} {f.index}, {f.volume_ml:.2f} mL, {f.max_diameter_mm:.0f} mm"
    else:
        idx = np.argwhere(lab > 0)
        centre = idx.mean(axis=0) if len(idx) else np.array(lab.shape) / 2
        title = "no findings; slices through the centre of the segmentation"
    c = [int(np.clip(round(float(v)), 0, n - 1)) for v, n in zip(centre, lab.shape)]
    if volume.is_2d or lab.shape[2] == 1:
        panels = [_panel(img[:, :, 0], lab[:, :, 0], seg, (sp[0], sp[1]), alpha)]
    else:
        panels = [_panel(img[:, :, c[2]], lab[:, :, c[2]], seg, (sp[0], sp[1]), alpha),
                  _panel(img[:, c[1], :], lab[:, c[1], :], seg, (sp[0], sp[2]), alpha),
                  _panel(img[c[0], :, :], lab[c[0], :, :], seg, (sp[1], sp[2]), alpha)]
        if measurements.findings:
            measured = np.zeros(seg.mask.shape, dtype=np.uint8)
            for f in measurements.findings:
                if f.component is not None:
                    sl, comp = f.component
                    measured[sl][comp] = seg.mask[sl][comp]
            found = np.rint(to_canonical(measured, volume.affine).array).astype(np.uint8)
            panels.append(_numbered_projection(img, found, seg, sp, measurements, volume.affine, alpha))
    legend_h = 48
    out = Image.new("RGB", (PANEL_PX * len(panels), PANEL_PX + legend_h), (20, 20, 20))
    for i, p in enumerate(panels):
        out.paste(p, (i * PANEL_PX, 0))
    draw = ImageDraw.Draw(out)
    x = 6
    for value, name in sorted(seg.labels.items()):
        draw.rectangle([x, PANEL_PX + 6, x + 10, PANEL_PX + 16], fill=seg.color(value))
        draw.text((x + 14, PANEL_PX + 5), name, fill=(230, 230, 230))
        x += 20 + 7 * len(name)
    draw.text((6, PANEL_PX + 20), title, fill=(230, 230, 230))
    if seg.notice:
        draw.text((6, PANEL_PX + 33), seg.notice[:140], fill=(255, 190, 90))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.png")
    out.save(tmp, format="PNG")
    os.replace(tmp, path)
    return path


def _to_canonical_index(vox: np.ndarray, affine: np.ndarray, can_shape: tuple[int, ...]) -> np.ndarray:
    """Map an input voxel index to the RAS-reordered grid of `to_canonical`."""
    import nibabel.orientations as no

    ornt = no.ornt_transform(no.io_orientation(affine), no.axcodes2ornt("RAS"))
    out = np.zeros(3)
    for in_ax, (out_ax, flip) in enumerate(ornt):
        v = vox[in_ax]
        out[int(out_ax)] = v if flip > 0 else can_shape[int(out_ax)] - 1 - v
    return out
