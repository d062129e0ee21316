"""A user's TorchScript segmentation model (`torch.jit.save` file) with its JSON config."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.segmenters.config import UserModelConfig
from vision_tools.segmenters.configured import ConfiguredSegmenter


class TorchScriptSegmenter(ConfiguredSegmenter):
    """Runs a TorchScript module on CPU.

    Args:
        path: the `.pt`/`.ts` TorchScript file.
        config: its config (input channels, spacing, normalisation, labels, domain).

    Raises:
        UserError: the file is not a TorchScript module.
    """

    def __init__(self, path: Path, config: UserModelConfig):
        import torch

        super().__init__(config, path.stem)
        try:
            self.module = torch.jit.load(str(path), map_location="cpu").eval()
        except Exception as exc:  # noqa: BLE001 - torch raises RuntimeError/ValueError for bad files
            raise UserError(f"{path.name}: not a TorchScript model ({str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__})") from None

    def _predict(self, x: np.ndarray) -> np.ndarray:
        import torch

        with torch.inference_mode():
            return self.module(torch.from_numpy(np.ascontiguousarray(x))).float().numpy()
