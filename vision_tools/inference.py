"""Running the 2.5D network over a volume: medbot's batched whole-slice path and the plain MONAI
sliding-window baseline it is benchmarked against."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from vision_tools.model import NetConfig, slice_stack


@contextmanager
def torch_threads(n: int | None):
    """Run a block with `n` torch CPU threads, restoring the previous number afterwards (None: unchanged)."""
    if not n:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _pad_to(t, multiple: int):
    """Zero-pad the last two dims of (N, C, X, Y) to multiples of `multiple`; returns (padded, (x, y))."""
    import torch.nn.functional as F

    x, y = t.shape[-2:]
    px, py = (-x) % multiple, (-y) % multiple
    if px or py:
        t = F.pad(t, (0, py, 0, px))
    return t, (x, y)


def predict_probabilities(net, volume: np.ndarray, cfg: NetConfig, batch_size: int = 24, skip_empty: bool = True):
    """Softmax probabilities for every voxel of a normalised volume on the network's grid.

    Whole axial slices go through the network in batches (no tiling, no overlap); slices whose
    whole input stack is background are not run and get probability 1 for background.

    Args:
        net: the 2.5D network (eval mode).
        volume: normalised (X, Y, Z) array on the network's spacing, RAS order.
        cfg: network config (context, multiple).
        batch_size: slices per forward pass.
        skip_empty: skip slices with no signal.

    Returns:
        torch tensor (C, X, Y, Z) float32.
    """
    import torch

    vol = torch.as_tensor(volume, dtype=torch.float32)
    stack = slice_stack(vol, cfg.context)  # (Z, C, X, Y)
    z = stack.shape[0]
    out = torch.zeros((z, cfg.out_channels) + tuple(vol.shape[:2]), dtype=torch.float32)
    out[:, 0] = 1.0
    active = torch.arange(z)
    if skip_empty:
        active = torch.nonzero(stack.flatten(1).amax(1) > 0.05).flatten()
    with torch.inference_mode():
        for start in range(0, len(active), batch_size):
            idx = active[start:start + batch_size]
            x, (nx, ny) = _pad_to(stack[idx], cfg.multiple)
            logits = net(x)[..., :nx, :ny]
            out[idx] = torch.softmax(logits, dim=1)
    return out.permute(1, 2, 3, 0).contiguous()


def sliding_window_probabilities(net, volume: np.ndarray, cfg: NetConfig, roi: int = 96, sw_batch_size: int = 8,
                                 overlap: float = 0.25):
    """Baseline: plain MONAI `sliding_window_inference` over every axial slice stack.

    Returns:
        torch tensor (C, X, Y, Z) float32 softmax probabilities.
    """
    import torch
    from monai.inferers import sliding_window_inference

    vol = torch.as_tensor(volume, dtype=torch.float32)
    stack = slice_stack(vol, cfg.context)
    with torch.inference_mode():
        logits = sliding_window_inference(stack, roi_size=(roi, roi), sw_batch_size=sw_batch_size, predictor=net,
                                          overlap=overlap)
    return torch.softmax(logits, dim=1).permute(1, 2, 3, 0).contiguous()
