"""medbot's default segmenter: a demo 2.5D UNet for brain tissue and lesions on T1 MRI.

Trained by `medbot train-segmenter` on augmented copies of the MNI152 template with synthetic
lesions (see vision_tools.training). Its weights and model card sit in `vision_tools/weights/`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from vision_tools.errors import InternalError, UserError
from vision_tools.domain import Domain, check_domain
from vision_tools.model import NetConfig, build_network
from vision_tools.preprocess import from_canonical, normalize_intensity, resize, target_shape, to_canonical
from vision_tools.segmenters.base import Segmentation
from vision_tools.volume import Volume

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
DEFAULT_WEIGHTS = WEIGHTS_DIR / "default.pt"
NOTICE = ("demo model for T1 brain MRI, trained on one template brain with synthetic lesions; "
          "not validated on patients and not for diagnosis")
# Whole-brain tissue (GM + WM) outside this range means the image is not a T1 brain MRI.
BRAIN_TISSUE_ML = (400.0, 2600.0)

DEFAULT_DOMAIN = Domain(modalities={"MR"}, spatial_dims=3, body_part="brain", description="demo model for T1 brain MRI",
                        channels=1, min_extent_mm=90.0, max_extent_mm=400.0)


def load_card(weights: Path) -> dict[str, Any]:
    """The JSON model card next to `weights` (same stem, .json)."""
    card = weights.with_suffix(".json")
    if not card.is_file():
        raise InternalError(f"model card {card} is missing")
    return json.loads(card.read_text(encoding="utf-8"))


class DefaultSegmenter:
    """Brain tissue (CSF, grey matter, white matter) and lesion segmentation on T1 MRI.

    Args:
        weights: a `.pt` state dict with a `.json` model card beside it (default: the committed one).
        threads: torch CPU threads (None leaves torch's default).
        fast: batched whole-slice inference (True) or MONAI sliding-window inference (False).
    """

    name = "default"
    domain = DEFAULT_DOMAIN

    def __init__(self, weights: str | Path | None = None, threads: int | None = None, fast: bool = True):
        self.weights = Path(weights) if weights else DEFAULT_WEIGHTS
        if not self.weights.is_file():
            raise InternalError(f"default segmenter weights {self.weights} are missing; run `medbot train-segmenter`")
        self.card = load_card(self.weights)
        self.cfg = NetConfig.from_dict(self.card["net"])
        self.threads = threads
        self.fast = fast
        self.check_output = True  # refuse results with an implausible amount of brain tissue
        self._net = None

    @property
    def net(self):
        """The network, loaded on first use (eval mode, CPU)."""
        if self._net is None:
            import torch

            net = build_network(self.cfg)
            state = torch.load(self.weights, map_location="cpu", weights_only=True)
            net.load_state_dict(state)
            net.eval()
            self._net = net
        return self._net

    def probabilities(self, normalised: np.ndarray):
        """(C, X, Y, Z) softmax probabilities for a normalised volume on the 2 mm RAS grid."""
        from vision_tools.inference import predict_probabilities, sliding_window_probabilities, torch_threads

        with torch_threads(self.threads):
            if self.fast:
                return predict_probabilities(self.net, normalised, self.cfg)
            return sliding_window_probabilities(self.net, normalised, self.cfg)

    def segment(self, volume: Volume) -> Segmentation:
        """Segment a T1 brain MRI volume.

        Raises:
            UserError: outside the model's domain (not MR, 2D, colour, CT-like, not a brain).
        """
        check_domain(volume, self.domain, segmenter="medbot's default segmenter")
        t0 = time.perf_counter()
        can = to_canonical(volume.grey(), volume.affine)
        grid = target_shape(can.array.shape, can.spacing, self.cfg.spacing_mm)
        small = resize(can.array, grid, mode="trilinear")[0].numpy()
        probs = self.probabilities(normalize_intensity(small))
        probs = resize(probs, can.array.shape, mode="trilinear")
        labels = probs.argmax(0).numpy().astype(np.uint8)
        mask = from_canonical(labels, can)
        seg = Segmentation(mask=mask, affine=volume.affine.copy(), labels=dict(self.cfg.labels),
                           findings=list(self.cfg.findings), segmenter=self.name, notice=NOTICE,
                           extra={"network_spacing_mm": self.cfg.spacing_mm, "seconds": round(time.perf_counter() - t0, 3),
                                  "weights": self.weights.name, "heldout_dice": self.card.get("heldout_dice")})
        vols = seg.volumes_ml()
        tissue = vols.get("grey matter", 0.0) + vols.get("white matter", 0.0)
        if self.check_output and not (BRAIN_TISSUE_ML[0] <= tissue <= BRAIN_TISSUE_ML[1]):
            raise UserError(f"refused: found {tissue:.0f} mL of brain tissue, so this does not look like a whole-brain "
                            f"T1 MRI; medbot's default segmenter is a {self.domain.description}")
        return seg
