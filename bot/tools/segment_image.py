"""Agent tool `segment_image`: adapts vision_tools' segmentation report to JSON, text, files, tables."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.errors import USER_ERRORS, UserError
from bot.tools.base import Tool, ToolResult


class SegmentImage(Tool):
    """Segment an uploaded medical image and measure what was found."""

    name = "segment_image"
    description = ("Segment a medical image file (DICOM file or series folder, NIfTI, PNG/JPEG) with a CNN and "
                   "measure it: volume of each structure in mL and, for every lesion, its volume, position, "
                   "location class (periventricular, juxtacortical, deep white matter), distance to the ventricles "
                   "and shape, and a class when a lesion classifier is given; returns an overlay picture with the "
                   "lesions numbered, a measurements table and a lesion table. The default model is a demo "
                   "model for T1 brain MRI (brain tissue and lesions); other images are refused unless a user "
                   "model for them is given.")
    parameters = {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "path of the uploaded image file or DICOM series folder"},
            "segmenter": {"type": "string", "description": "'default' or a path to a user model (MONAI bundle, TorchScript, ONNX)"},
            "classifier": {"type": "string", "description": "optional lesion classifier folder made by `medbot train-classifier`"},
        },
        "required": ["path"],
        "additionalProperties": False,
    }

    @classmethod
    def example_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        """The MNI152 T1 template (2 mm, shipped with nilearn) written as an upload."""
        from nilearn.datasets import load_mni152_template

        path = settings.ensure_home() / "uploads-example" / "mni152_t1_2mm.nii.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            load_mni152_template(resolution=2).to_filename(str(path))
        return [{"path": str(path)}]

    @classmethod
    def bad_arguments(cls, workdir: Path, settings) -> list[dict[str, Any]]:
        notes = settings.ensure_home() / "uploads-example" / "notes.txt"
        notes.parent.mkdir(parents=True, exist_ok=True)
        notes.write_text("not an image")
        image = cls.example_arguments(workdir, settings)[0]["path"]
        return [{"path": str(notes)}, {"path": str(notes.parent / "missing.nii.gz")},
                {"path": image, "classifier": str(notes.parent / "no-such-classifier")}]

    def setup(self) -> None:
        if self.settings is None:
            from bot.config import load_settings

            self.settings = load_settings()
        self._segmenters: dict[str, Any] = {}

    def forward(self, path: str, segmenter: str | None = None, classifier: str | None = None) -> ToolResult:
        from vision_tools.pipeline import SegmentOptions, segment_file

        name = segmenter or self.settings.vision.segmenter
        stem = Path(path).name.split(".")[0] or "image"
        out = self.settings.home / "segmentations" / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
        classifier = classifier or self.settings.vision.classifier
        if classifier and not Path(classifier).expanduser().exists():
            raise UserError(f"segment_image: classifier {classifier}: no such file or folder")
        options = SegmentOptions(segmenter=name, out_dir=out, max_mb=self.settings.safety.max_upload_mb,
                                 min_finding_ml=self.settings.vision.min_finding_ml, threads=self.settings.vision.threads,
                                 classifier=classifier)
        try:
            report = segment_file(path, options, segmenter=self._segmenters.get(name))
        except USER_ERRORS as exc:  # the library's own UserError becomes the tool's one-line error
            if isinstance(exc, UserError):
                raise
            raise UserError(f"segment_image: {exc}") from None
        self._segmenters.setdefault(name, report.segmenter)  # reuse the loaded model on the next call
        data = report.to_dict()
        tables = {"Measurements": report.table}
        if report.lesion_table:
            tables["Lesions"] = report.lesion_table
        return ToolResult(data=data, text=report.text, files=dict(report.files), tables=tables)
