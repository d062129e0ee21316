"""A trained lesion classifier: its model card, the compatibility check and prediction on crops."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vision_tools.errors import UserError
from vision_tools.volume import Volume

WEIGHTS_NAME = "classifier.pt"
CARD_NAME = "classifier.json"
CARD_KIND = "medbot lesion classifier"


def build_network(spatial_dims: int, in_channels: int, classes: int):
    """MONAI DenseNet121: (B, C, *size) -> (B, classes) logits."""
    from monai.networks.nets import DenseNet121

    return DenseNet121(spatial_dims=spatial_dims, in_channels=in_channels, out_channels=classes)


def _paths(model: str | Path) -> tuple[Path, Path]:
    """(weights, card) of a classifier folder or weights file."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path / WEIGHTS_NAME, path / CARD_NAME
    return path, path.with_suffix(".json")


@dataclass
class LesionClassifier:
    """A classifier loaded from `medbot train-classifier` output.

    Attributes:
        weights: the state dict file.
        card: the model card (classes, input, metrics).
    """

    weights: Path
    card: dict[str, Any]
    _net: Any = None

    @classmethod
    def load(cls, model: str | Path) -> "LesionClassifier":
        """Read a classifier folder (or its `.pt`) and its card.

        Raises:
            UserError: missing files, or a card that is not a medbot lesion classifier's.
        """
        weights, card_path = _paths(model)
        if not weights.is_file() or not card_path.is_file():
            raise UserError(f"classifier {model}: needs {weights.name} and {card_path.name} "
                            "(the output folder of `medbot train-classifier`)")
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise UserError(f"classifier {model}: {card_path.name} is not valid JSON") from None
        if not isinstance(card, dict) or card.get("kind") != CARD_KIND or "input" not in card or "classes" not in card:
            raise UserError(f"classifier {model}: {card_path.name} is not a medbot lesion classifier card")
        return cls(weights, card)

    @property
    def name(self) -> str:
        return self.weights.parent.name if self.weights.name == WEIGHTS_NAME else self.weights.stem

    @property
    def classes(self) -> list[str]:
        return list(self.card["classes"])

    def check_input(self, volume: Volume, assumed_modalities: set[str] | None = None) -> None:
        """Refuse a volume the classifier was not built for (2D vs 3D, modality, channels).

        Args:
            volume: the image whose lesions would be classified.
            assumed_modalities: modalities the segmenter assumes when the file does not say (NIfTI).

        Raises:
            UserError: one line naming what the classifier takes and what the image is.
        """
        inp = self.card["input"]
        dims = int(inp["spatial_dims"])
        image_dims = 2 if volume.is_2d else 3
        what = f"classifier '{self.name}' takes {dims}D {'/'.join(inp.get('modalities') or ['unknown'])} crops"
        if dims != image_dims:
            raise UserError(f"refused: {what}, and this image is {image_dims}D")
        modality = (volume.modality or "").upper()
        seen = {modality} if modality else set(assumed_modalities or ())
        wanted = {m.upper() for m in inp.get("modalities") or []}
        if wanted and seen and not (seen & wanted):
            raise UserError(f"refused: {what}, and this image is {'/'.join(sorted(seen))}")
        if int(inp.get("channels", 1)) != 1:
            raise UserError(f"refused: {what} with {inp['channels']} colour channels; lesion crops are grey-scale")

    @property
    def net(self):
        if self._net is None:
            import torch

            inp = self.card["input"]
            net = build_network(int(inp["spatial_dims"]), int(inp.get("channels", 1)), len(self.classes))
            try:
                net.load_state_dict(torch.load(self.weights, map_location="cpu", weights_only=True))
            except (RuntimeError, ValueError, OSError) as exc:
                raise UserError(f"classifier {self.weights}: weights do not match its card ({str(exc).splitlines()[0][:120]})") from None
            self._net = net.eval()
        return self._net

    def predict(self, images: np.ndarray) -> tuple[list[str], list[float], np.ndarray]:
        """Classes and probabilities of prepared inputs (N, C, *size).

        Returns:
            (class names, probability of each chosen class, (N, classes) probabilities).
        """
        import torch

        if len(images) == 0:
            return [], [], np.zeros((0, len(self.classes)), dtype=np.float32)
        with torch.inference_mode():
            probs = torch.softmax(self.net(torch.as_tensor(images, dtype=torch.float32)), dim=1).numpy()
        best = probs.argmax(1)
        return [self.classes[int(k)] for k in best], [round(float(probs[i, k]), 3) for i, k in enumerate(best)], probs

    def classify_lesions(self, volume: Volume, findings: list) -> None:
        """Set `lesion_class` and `class_probability` on each finding from a crop around its centroid."""
        from vision_tools.classifier.data import lesion_crop, to_input

        inp = self.card["input"]
        dims, size = int(inp["spatial_dims"]), int(inp["size"])
        crops = np.stack([to_input(lesion_crop(volume, f.centroid_ras_mm, list(inp["crop_mm"]), dims), dims, size)
                          for f in findings]) if findings else np.zeros((0,))
        names, probs, _ = self.predict(crops)
        for f, name, p in zip(findings, names, probs):
            f.lesion_class, f.class_probability = name, p
