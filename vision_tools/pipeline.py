"""load -> guard -> segment -> measure -> export, as one call used by the CLI, the agent tool and tests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vision_tools.lesions import LesionOptions, characterise, lesion_table
from vision_tools.measure import Measurements, markdown_table, measure


@dataclass
class SegmentOptions:
    """Options of one segmentation run.

    Attributes:
        segmenter: "default", a registered name, or a path to a user model (TorchScript/ONNX file or
            MONAI bundle folder).
        out_dir: folder for the outputs (created only once segmentation succeeded).
        dicom_seg: also write a DICOM SEG when the input is DICOM.
        overlay: write the overlay PNG.
        max_mb: input size limits per kind ("dicom", "nifti", "image").
        min_finding_ml: smaller components of finding labels are ignored.
        threads: torch CPU threads for inference.
        classifier: a lesion classifier from `medbot train-classifier` (folder or `.pt`), or None.
        lesions: how lesions are placed (ventricles, contact, cortex).
    """

    segmenter: str = "default"
    out_dir: Path = Path("segmentation")
    dicom_seg: bool = True
    overlay: bool = True
    max_mb: dict[str, float] | None = None
    min_finding_ml: float = 0.05
    threads: int | None = None
    classifier: str | Path | None = None
    lesions: LesionOptions = field(default_factory=LesionOptions)


@dataclass
class SegmentationReport:
    """What one run produced.

    Attributes:
        input: description of the input volume (shape, spacing, modality, source).
        measurements: volumes and findings.
        files: role -> path ("mask_nifti", "dicom_seg", "overlay", "measurements").
        table: Markdown measurements table.
        lesion_table: Markdown per-lesion table (empty without findings).
        text: a short plain-text summary.
        extra: details from the segmenter (time, spacing, model card Dice).
        segmenter: the segmenter object used (to reuse a loaded model).
    """

    input: dict[str, Any]
    measurements: Measurements
    files: dict[str, Path] = field(default_factory=dict)
    table: str = ""
    lesion_table: str = ""
    text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    segmenter: Any = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"input": self.input, "measurements": self.measurements.to_dict(),
                "files": {k: str(v) for k, v in self.files.items()}, "text": self.text, "lesion_table": self.lesion_table,
                "segmenter_details": self.extra}


def lesion_sentence(f) -> str:
    """One finding in words: volume, position, location class, distance, shape and class."""
    c = ", ".join(f"{x:.0f}" for x in f.centroid_ras_mm)
    parts = [f"{f.label} {f.index}: {f.volume_ml:.2f} mL at RAS ({c}) mm"]
    if f.location:
        parts.append(f.location)
    if f.distance_to_ventricles_mm is not None:
        parts.append(f"{f.distance_to_ventricles_mm:.0f} mm from the ventricles")
    if f.elongation is not None:
        parts.append(f"elongation {f.elongation:.2f}" + (f", sphericity {f.sphericity:.2f}" if f.sphericity is not None else ""))
    parts.append("class: " + (f.lesion_class if f.class_probability is None else f"{f.lesion_class} (p={f.class_probability:.2f})"))
    return ", ".join(parts) + "."


def summary_text(m: Measurements, max_lesions: int = 8) -> str:
    """A few sentences an LLM or a person can read (each lesion in one sentence, largest first)."""
    parts = []
    tissue = {k: v for k, v in m.volumes_ml.items() if k not in m.finding_counts}
    if tissue:
        parts.append("Volumes: " + ", ".join(f"{k} {v:.0f} mL" for k, v in tissue.items()) + ".")
    for name, n in m.finding_counts.items():
        if n == 0:
            parts.append(f"No {name} found.")
        else:
            big = next(f for f in m.findings if f.label == name)
            c = ", ".join(f"{x:.0f}" for x in big.centroid_ras_mm)
            parts.append(f"{n} {name}{'s' if n != 1 else ''} found; the largest is {big.volume_ml:.2f} mL, "
                         f"{big.max_diameter_mm:.0f} mm across, centred at RAS ({c}) mm.")
    shown = m.findings[:max_lesions]
    parts += [lesion_sentence(f) for f in shown]
    if len(m.findings) > len(shown):
        parts.append(f"{len(m.findings) - len(shown)} smaller findings are listed in the table only.")
    ventricles = m.lesion_details.get("ventricles_ml")
    if m.findings and ventricles:
        parts.append(f"Ventricles (derived from the CSF label): {ventricles:.0f} mL.")
    elif m.findings and ventricles == 0:
        parts.append("No ventricles could be derived from the CSF label, so no lesion is called periventricular.")
    if m.notice:
        parts.append(f"Note: {m.notice}.")
    return " ".join(parts)


def segment_file(path: str | Path, options: SegmentOptions | None = None, segmenter=None) -> SegmentationReport:
    """Segment one image file or DICOM series folder and write the outputs.

    Args:
        path: input image.
        options: run options (output folder, segmenter name...).
        segmenter: an already built Segmenter (skips the registry), e.g. for repeated calls. Without it
            the segmenter is built after the input was read and checked.

    Returns:
        The report with measurements and written files.

    Raises:
        UserError: bad input or input outside the segmenter's domain; nothing is written then.
    """
    from vision_tools.export import write_dicom_seg, write_nifti
    from vision_tools.io import LoadOptions, load_image
    from vision_tools.overlay import write_overlay
    from vision_tools.registry import get_segmenter

    options = options or SegmentOptions()
    volume = load_image(path, LoadOptions(max_mb=options.max_mb))
    seg_model = segmenter or get_segmenter(options.segmenter, threads=options.threads)
    classifier = None
    if options.classifier:
        from vision_tools.classifier.model import LesionClassifier

        classifier = LesionClassifier.load(options.classifier)
        domain = getattr(seg_model, "domain", None)
        classifier.check_input(volume, assumed_modalities=set(getattr(domain, "modalities", set()) or set()))
    seg = seg_model.segment(volume)
    m = measure(seg, min_finding_ml=options.min_finding_ml)
    m.lesion_details = characterise(seg, m, options.lesions)
    if classifier is not None:
        classifier.classify_lesions(volume, m.findings)
        m.lesion_details["classifier"] = {"name": classifier.name, "classes": classifier.classes,
                                          "heldout_accuracy": classifier.card.get("heldout", {}).get("accuracy")}
    else:
        m.lesion_details["classifier"] = None
    out = Path(options.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(path).name.split(".")[0] or "image"
    files: dict[str, Path] = {"mask_nifti": write_nifti(seg, out / f"{stem}_labels.nii.gz")}
    if options.dicom_seg and volume.dicom and not volume.is_2d:
        files["dicom_seg"] = write_dicom_seg(volume, seg, out / f"{stem}_seg.dcm")
    if options.overlay:
        files["overlay"] = write_overlay(volume, seg, m, out / f"{stem}_overlay.png")
    report = SegmentationReport(input=volume.describe(), measurements=m, table=markdown_table(m),
                                lesion_table=lesion_table(m) if m.findings else "", text=summary_text(m),
                                extra=seg.extra, segmenter=seg_model)
    meas_path = out / f"{stem}_measurements.json"
    tmp = meas_path.with_name(".tmp-" + meas_path.name)
    files["measurements"] = meas_path
    report.files = files
    tmp.write_text(json.dumps(report.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, meas_path)
    return report
