"""Shared inference for wrapped user models: geometry, normalisation, sliding window, label mapping."""

from __future__ import annotations

import time

import numpy as np

from vision_tools.errors import UserError
from vision_tools.domain import check_domain
from vision_tools.preprocess import from_canonical, resize, target_shape, to_canonical
from vision_tools.segmenters.base import Segmentation
from vision_tools.segmenters.config import UserModelConfig
from vision_tools.volume import Volume


def normalise(arr: np.ndarray, cfg: UserModelConfig) -> np.ndarray:
    """Apply the config's intensity normalisation (per image, all channels together)."""
    arr = arr.astype(np.float32)
    if cfg.normalization == "zscore":
        sd = float(arr.std())
        return (arr - float(arr.mean())) / (sd if sd > 0 else 1.0)
    if cfg.normalization == "percentile":
        lo, hi = np.percentile(arr, [0.5, 99.5])
        return np.clip((arr - lo) / max(hi - lo, 1e-6), 0, 1)
    if cfg.normalization == "minmax":
        lo, hi = float(arr.min()), float(arr.max())
        return (arr - lo) / max(hi - lo, 1e-6)
    if cfg.normalization == "window":
        lo, hi = cfg.window or (-1000.0, 1000.0)
        return np.clip((arr - lo) / max(hi - lo, 1e-6), 0, 1)
    return arr


class ConfiguredSegmenter:
    """Base for user models: subclasses implement `_predict(x) -> np.ndarray`.

    `_predict` takes a float32 array (1, C, *spatial) and returns (1, K, *spatial) logits or
    probabilities, or (1, 1, *spatial) label values when `config.output == "labels"`.
    """

    def __init__(self, config: UserModelConfig, name: str):
        self.threads: int | None = None  # torch CPU threads during inference (None: unchanged)
        self.config = config
        self.name = config.name or name
        self.domain = config.domain()

    def _predict(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _run(self, x: np.ndarray) -> np.ndarray:
        """Whole image, or MONAI sliding window when `roi_size` is set."""
        if not self.config.roi_size:
            return self._predict(x)
        import torch
        from monai.inferers import sliding_window_inference

        roi = tuple(self.config.roi_size)
        if len(roi) != self.config.spatial_dims:
            raise UserError(f"{self.name}: roi_size {list(roi)} does not match spatial_dims {self.config.spatial_dims}")
        with torch.inference_mode():
            out = sliding_window_inference(torch.from_numpy(x), roi_size=roi, sw_batch_size=2, overlap=self.config.overlap,
                                           predictor=lambda t: torch.from_numpy(np.asarray(self._predict(t.numpy()), dtype=np.float32)))
        return out.numpy()

    def segment(self, volume: Volume) -> Segmentation:
        """Segment with the user's model on its declared domain.

        Raises:
            UserError: outside the declared domain, or the model's output does not fit the config.
        """
        cfg = self.config
        check_domain(volume, self.domain, segmenter=f"segmenter '{self.name}'")
        t0 = time.perf_counter()
        arr = volume.array if volume.array.ndim == 4 else volume.array[..., None]
        if arr.shape[-1] != cfg.in_channels:
            if arr.shape[-1] == 1:
                arr = np.repeat(arr, cfg.in_channels, axis=-1)
            else:
                arr = volume.grey()[..., None].repeat(cfg.in_channels, axis=-1)
        chans = [to_canonical(arr[..., c], volume.affine) for c in range(arr.shape[-1])]
        can = chans[0]
        data = np.stack([c.array for c in chans])  # (C, X, Y, Z)
        shape3 = can.array.shape
        if cfg.target_spacing:
            tgt = list(cfg.target_spacing) + [can.spacing[2]] * (3 - len(cfg.target_spacing))
            grid = target_shape(shape3, can.spacing, tuple(tgt))
            if cfg.spatial_dims == 2:
                grid = (grid[0], grid[1], 1)
            data = resize(data, grid, mode="trilinear").numpy()
        data = normalise(data, cfg)
        x = data[None] if cfg.spatial_dims == 3 else data[None, :, :, :, 0]
        from vision_tools.inference import torch_threads

        try:
            with torch_threads(self.threads):
                out = np.asarray(self._run(np.ascontiguousarray(x, dtype=np.float32)), dtype=np.float32)
        except UserError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure inside a user's model
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise UserError(f"segmenter '{self.name}' failed on this input: {first[:200]}") from None
        if out.ndim != x.ndim or out.shape[2:] != x.shape[2:]:
            raise UserError(f"segmenter '{self.name}' returned shape {list(out.shape)} for input {list(x.shape)}; "
                            "expected (1, K, *spatial)")
        if cfg.spatial_dims == 2:
            out = out[..., None]
        if cfg.output == "labels":
            lab = resize(out[0, :1], shape3, mode="nearest")[0].numpy()
        else:
            probs = resize(out[0], shape3, mode="trilinear")
            lab = probs.argmax(0).numpy()
        lab = lab.astype(np.uint8)
        lab[~np.isin(lab, list(cfg.labels))] = 0
        mask = from_canonical(lab, can)
        return Segmentation(mask=mask, affine=volume.affine.copy(), labels=dict(cfg.labels), findings=list(cfg.findings),
                            segmenter=self.name, notice=cfg.description,
                            extra={"seconds": round(time.perf_counter() - t0, 3)})
