"""The config every wrapped user model declares (`segmenter.json` beside the model, or `<model>.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from vision_tools.errors import UserError
from vision_tools.domain import Domain


class UserModelConfig(BaseModel):
    """How to feed a user's model and read its output. Unknown keys are rejected.

    Attributes:
        name: shown in results (default: the file or folder name).
        spatial_dims: 3 for volumes, 2 for single images.
        in_channels: input channels (1 grey; 3 for RGB pictures).
        target_spacing: resample to this spacing in mm before inference (None keeps the input's).
        normalization: "zscore" (mean/std over the image), "percentile" (0.5-99.5 % -> 0-1),
            "minmax", "window" (clip to `window` then scale to 0-1, e.g. CT), or "none".
        window: [low, high] for normalization "window".
        labels: output channel/label value -> name (background 0 excluded).
        findings: label values measured one component at a time (lesions, nodules).
        modalities: DICOM modality codes the model is made for (its declared domain).
        body_part: body part of the declared domain ("brain" turns on brain field-of-view checks).
        description: one line shown in every result (e.g. "liver CT model from X").
        roi_size: sliding-window patch size (None runs the whole image at once).
        overlap: sliding-window overlap.
        output: "logits"/"probabilities" (argmax over channels) or "labels" (already label values).
    """

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    spatial_dims: Literal[2, 3] = 3
    in_channels: int = Field(1, ge=1, le=16)
    target_spacing: list[float] | None = None
    normalization: Literal["zscore", "percentile", "minmax", "window", "none"] = "zscore"
    window: list[float] | None = None
    labels: dict[int, str]
    findings: list[int] = Field(default_factory=list)
    modalities: list[str]
    body_part: str | None = None
    description: str = ""
    roi_size: list[int] | None = None
    overlap: float = Field(0.25, ge=0.0, lt=1.0)
    output: Literal["logits", "probabilities", "labels"] = "logits"

    @field_validator("labels")
    @classmethod
    def _labels(cls, v: dict[int, str]) -> dict[int, str]:
        if not v or any(k <= 0 for k in v):
            raise ValueError("labels must map positive label values to names (0 is background)")
        return v

    def domain(self) -> Domain:
        """The declared domain the guard enforces."""
        return Domain(modalities={m.upper() for m in self.modalities}, spatial_dims=self.spatial_dims,
                      body_part=self.body_part, description=self.description or f"user model for {', '.join(self.modalities)}",
                      channels=self.in_channels if self.spatial_dims == 2 else 1)


def load_user_config(path: Path) -> UserModelConfig:
    """Read and validate a segmenter config JSON.

    Raises:
        UserError: missing, not JSON, or invalid (naming the bad keys).
    """
    if not path.is_file():
        raise UserError(f"{path.name}: segmenter config not found (a user model needs a JSON config with labels and modalities)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path.name}: not valid JSON ({exc})") from None
    return parse_user_config(data, path.name)


def parse_user_config(data: object, origin: str) -> UserModelConfig:
    """Validate a config mapping.

    Raises:
        UserError: naming the unknown keys or bad values.
    """
    if not isinstance(data, dict):
        raise UserError(f"{origin}: a segmenter config must be a JSON object")
    try:
        return UserModelConfig.model_validate(data)
    except ValidationError as exc:
        parts = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e["loc"])
            parts.append(f"unknown key '{loc}'" if e["type"] == "extra_forbidden" else f"'{loc}': {e['msg']}")
        raise UserError(f"{origin}: invalid segmenter config: " + "; ".join(parts)) from None
