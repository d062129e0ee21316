"""A user's ONNX segmentation model (onnxruntime, CPU) with its JSON config."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vision_tools.errors import UserError
from vision_tools.segmenters.config import UserModelConfig
from vision_tools.segmenters.configured import ConfiguredSegmenter


class OnnxSegmenter(ConfiguredSegmenter):
    """Runs an ONNX model with onnxruntime's CPU provider (first input, first output).

    Raises:
        UserError: the file is not a valid ONNX model.
    """

    def __init__(self, path: Path, config: UserModelConfig):
        import onnxruntime as ort

        super().__init__(config, path.stem)
        try:
            self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own error types
            raise UserError(f"{path.name}: not a valid ONNX model ({str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__})") from None
        self.input_name = self.session.get_inputs()[0].name

    def _predict(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {self.input_name: np.ascontiguousarray(x, dtype=np.float32)})[0])
